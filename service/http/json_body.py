"""JSON request bodies: parsed once per request, at most ``MAX_JSON_DEPTH`` deep.

Everything that reads a body (the limiter's key functions, the CORS hook, the
guards, flask-openapi3, the views) calls ``request.get_json``, so all of them
share one parse and one verdict. Python's parser recurses once per level of
nesting: a body of a few thousand ``[`` raises ``RecursionError``, which is
no ``ValueError``, so ``silent=True`` does not catch it. The depth is measured
first, without recursion, and a deeper body is bad JSON like any other.
Bodies of GET, HEAD and OPTIONS requests are ignored, never parsed.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from flask import Request
from werkzeug.exceptions import HTTPException

from commentgate.errors import BadJsonError

# Our bodies are flat objects; 32 leaves room for any client's envelope.
MAX_JSON_DEPTH = 32
IGNORED_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# A whole string, escapes included (unterminated: to the end), so brackets inside it vanish.
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEPS = {"[": 1, "{": 1, "]": -1, "}": -1}
_UNPARSED = object()


def check_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON text whose arrays and objects nest deeper than ``limit``.

    Text with no more opening brackets than ``limit`` cannot nest deeper, and is not
    scanned: a bracket closed that was never opened is then left to the parser.

    Raises:
        BadJsonError: it nests deeper, or (when scanned) closes a bracket it never opened.
    """
    if text.count("[") + text.count("{") <= limit:
        return
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    depths = list(accumulate(map(_STEPS.__getitem__, brackets)))
    # The parser reads as this scan does up to its first error and stops there, so it
    # never nests deeper than the scan saw; a bracket closed below zero is such an error.
    if depths and max(depths) > limit:
        raise BadJsonError(f"nested deeper than {limit}")
    if depths and min(depths) < 0:
        raise BadJsonError("unbalanced brackets")


def parse_json(data: bytes) -> Any:
    """The value of a JSON body (UTF-8, -16 or -32), refused past ``MAX_JSON_DEPTH``.

    Raises:
        BadJsonError: it does not decode or parse, nests too deep, or holds a lone
            surrogate (``"\\ud800"``), which no database can store.
    """
    try:
        text = data.decode(json.detect_encoding(data), "surrogatepass")
        check_depth(text)
        parsed = json.loads(text)
        json.dumps(parsed, ensure_ascii=False).encode()
    except (ValueError, UnicodeError) as exc:
        raise BadJsonError(str(exc)) from exc
    return parsed


class JsonBodyRequest(Request):
    """Flask's request whose JSON body is parsed at most once, depth-capped, never on GET."""

    _json_outcome: Any = _UNPARSED

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """The parsed JSON body, or None (``silent`` failures, methods whose body is ignored).

        Raises:
            BadJsonError: the body is not JSON within the depth cap (unless ``silent``).
            HTTPException: the body is not ``application/json`` (415) or too large (413),
                unless ``silent``.
        """
        if self.method in IGNORED_BODY_METHODS:
            return None
        if not (force or self.is_json):
            return None if silent else self.on_json_loading_failed(None)
        outcome = self._parsed_body()
        if isinstance(outcome, Exception):
            if silent:
                return None
            raise outcome
        return outcome

    def _parsed_body(self) -> Any:
        if self._json_outcome is _UNPARSED:
            try:
                self._json_outcome = parse_json(self.get_data(cache=True))
            except (BadJsonError, HTTPException) as exc:
                self._json_outcome = exc
        return self._json_outcome
