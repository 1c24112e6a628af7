"""Small helpers that speak the API the way the widget does."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from typing import Any

import redis
from sqlalchemy import event

from service.deps import EXTENSION


def new_captcha(client, app, site: str = "demo") -> tuple[str, str]:
    """Issue a captcha for ``site`` through the API and read its answer from Redis."""
    response = client.post("/api/v1/captchas", query_string={"site": site})
    assert response.status_code == 201, response.json
    captcha_id = response.json["id"]
    return captcha_id, app.extensions[EXTENSION].captchas.answer(captcha_id)


def comment_fields(**overrides: Any) -> dict[str, Any]:
    """A valid Vietnamese comment body (without captcha)."""
    fields = {
        "site": "demo",
        "article": "https://news.example/thoi-su/bai-1.html",
        "name": "Nguyễn Văn An",
        "phone": "0912 345 678",
        "consent": True,
        "title": "Ý kiến của tôi",
        "content": "Bài viết rất hay, cảm ơn tác giả.\nMong có thêm nhiều bài như thế này!",
    }
    fields.update(overrides)
    return fields


def submit(client, app, headers: dict[str, str] | None = None, **overrides: Any):
    """Post a comment with a fresh, correctly answered captcha for its site."""
    site = overrides.get("site")
    captcha_id, answer = new_captcha(client, app, site if isinstance(site, str) else "demo")
    body = comment_fields(captcha_id=captcha_id, captcha_answer=answer)
    body.update(overrides)
    body = {k: v for k, v in body.items() if v is not ...}
    return client.post("/api/v1/comments", json=body, headers=headers or {})


def submit_ok(client, app, headers: dict[str, str] | None = None, **overrides: Any) -> str:
    """Post a valid comment and return its id."""
    response = submit(client, app, headers=headers, **overrides)
    assert response.status_code == 202, response.json
    return response.json["id"]


# The service's random ids: a record's 24 hex digits, a captcha's 32.
_IDS = re.compile(r"\b[0-9a-f]{24}(?:[0-9a-f]{8})?\b")


def without_ids(text: str) -> str:
    """``text`` with the service's random ids taken out: a check that no digits of a phone
    number are left in it must not find "912" inside an id (one in two hundred holds it)."""
    return _IDS.sub("<id>", text)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_key(sessions, role: str = "moderator", site_name: str | None = None) -> str:
    """A new key with ``role``, limited to ``site_name`` (created if needed) or global."""
    from commentgate.domain import Role
    from commentgate.storage.db import transaction
    from commentgate.storage.keys import create_key
    from commentgate.storage.sites import ensure_site

    with transaction(sessions) as session:
        site_id = ensure_site(session, site_name)[0].id if site_name else None
        return create_key(session, Role(role), f"test {role}", site_id)


def audit_actions(sessions) -> list[tuple[str, str, str]]:
    """Every audit entry as (action, target type, target id), oldest first."""
    from sqlalchemy import select

    from commentgate.storage.models import AuditEntry

    with sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.target_type, e.target_id) for e in rows]


@contextmanager
def executed(engine, describe=lambda _conn, statement: statement):
    """Each SQL statement the block sends on ``engine``, as ``describe(conn, statement)``
    gives it (the statement's text by default); a description of None is left out."""
    seen: list = []

    def note(conn, _cursor, statement, *_args) -> None:
        described = describe(conn, statement)
        if described is not None:
            seen.append(described)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def comment_write(conn, statement: str) -> tuple[str, bool] | None:
    """A statement on ``comments`` (for :func:`executed`): its verb, and whether the driver
    ran it in autocommit (no BEGIN, no COMMIT)."""
    if " comments" not in statement:  # a background read of sites may run meanwhile
        return None
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        native = dbapi.autocommit is True
    else:  # sqlite3: no transaction of its own when isolation_level is None
        native = dbapi.isolation_level is None
    return statement.split()[0], native


@contextmanager
def redis_commands(redis_url: str):
    """The commands clients send to Redis during the block, as MONITOR shows them."""
    seen: list[str] = []
    watcher, marker = redis.Redis.from_url(redis_url), "end-of-block"
    closer = redis.Redis.from_url(redis_url)
    closer.ping()  # connected before the block, so its handshake is not seen

    def watch(monitor) -> None:
        for entry in monitor.listen():
            command = entry["command"]
            if marker in command:
                return
            if "lua" not in entry.get("client_type", "") and "lua" not in str(entry):
                seen.append(command.split()[0].upper())

    with watcher.monitor() as monitor:
        reader = threading.Thread(target=watch, args=(monitor,))
        reader.start()
        try:
            yield seen
        finally:
            closer.echo(marker)
            reader.join(10)
