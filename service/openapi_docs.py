"""Helpers that keep the OpenAPI document honest about errors and auth."""

from __future__ import annotations

from typing import Any

from service.schemas import ErrorOut

BEARER = {"bearer": {"type": "http", "scheme": "bearer", "description": "API key"}}
SECURITY = [{"bearer": []}]


def error_responses(*statuses: int) -> dict[int, Any]:
    """Document that an operation may answer these statuses with the error shape."""
    return dict.fromkeys(statuses, ErrorOut)
