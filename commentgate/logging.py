"""Structured logs: one JSON object a line, with the request id, and no personal data.

Every process (web, worker, CLI) calls :func:`configure` once. The request id
travels in a context variable: the web binds it per request, the job binds
the id the web stored in the job's meta, so one id follows a comment from
intake to its verdict. A filter on the handler masks phone numbers and IP
addresses in every message, whoever logged it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "log_context", default=None
)

# Phone-like runs: 9+ digits, optionally after +, with spaces, dots or dashes between.
_PHONE = re.compile(r"(?<![\w.:+-])\+?\d\d(?:[ .\-]?\d){7,13}(?![\w:-]|\.\d)")
_IPV4 = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b")
# Full eight-group IPv6, or a compressed one (with "::"): clock times never match.
_IPV6 = re.compile(
    r"(?<![\w:])(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"
    r"|(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?)(?![\w:])"
)
# What any match of the three holds (nine digits, with separators or not; a digit, a dot
# and a digit; a colon): most log values hold none of it, and one search says so.
_MAYBE_PERSONAL = re.compile(r"\d(?:[ .\-]?\d){8}|\d\.\d|:")
_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


def mask_ip(ip: str) -> str:
    """An IP reduced to its network: ``203.0.113.x`` or the first three IPv6 groups."""
    if ":" in ip:
        return ":".join(ip.split(":")[:3]) + ":x"
    return ".".join(ip.split(".")[:3] + ["x"])


def redact(text: str) -> str:
    """``text`` with phone numbers replaced and IP addresses masked."""
    if not _MAYBE_PERSONAL.search(text):
        return text
    text = _IPV4.sub(lambda m: mask_ip(m.group(0)), text)
    text = _IPV6.sub(lambda m: mask_ip(m.group(0)), text)
    return _PHONE.sub("[phone]", text)


@contextmanager
def log_context(**values: str | None) -> Iterator[None]:
    """Add ``values`` (e.g. ``request_id``) to every record logged inside the block."""
    token = bind(**values)
    try:
        yield
    finally:
        _context.reset(token)


def bind(**values: str | None) -> contextvars.Token:
    """Add ``values`` to the log context; returns the token to undo it with."""
    merged = {**(_context.get() or {}), **{k: v for k, v in values.items() if v}}
    return _context.set(merged)


def unbind(token: contextvars.Token) -> None:
    """Undo a :func:`bind`."""
    _context.reset(token)


class RedactingFilter(logging.Filter):
    """Masks personal data in the rendered message and adds the log context."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in (_context.get() or {}).items():
            setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", ...context, "exc"?}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which of gunicorn's or RQ's processes said it
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                # Extras can come from clients too (a request id is theirs to choose).
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """One plain line per record, for a terminal; tracebacks redacted like the message
    (an exception's text can quote a phone number or an address)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))


def configure(level: str = "INFO", fmt: str = "json") -> None:
    """Send every log record to stderr, redacted, as JSON (or plain text)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    # Nothing we write names the caller's source line, thread or process name: not
    # looking them up spares a few microseconds a record (the Logging HOWTO's
    # "Optimization"), and the web writes a record a request.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
