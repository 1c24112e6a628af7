"""Structured logs: JSON lines, a request id from intake to the job, no personal data."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentgate.domain import ModerationMode
from commentgate.logging import (
    _IPV4,
    _IPV6,
    _PHONE,
    JsonFormatter,
    RedactingFilter,
    TextFormatter,
    log_context,
    mask_ip,
    redact,
)
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from tests.helpers import submit, without_ids
from tests.test_notify import Host, human_paced
from tests.test_ops import metric, scrape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gọi 0912 345 678 nhé", "gọi [phone] nhé"),
        ("+84 912 345 678, 0912.345.678.", "[phone], [phone]."),
        ("024 3825 1234", "[phone]"),
        ("from 203.0.113.77", "from 203.0.113.x"),
        ("from 2001:db8:85a3::8a2e:370:7334", "from 2001:db8:85a3:x"),
        ("retry at 2026-11-25 17:20:02.147213+00:00", "retry at 2026-11-25 17:20:02.147213+00:00"),
        ("job took 0.123456789 s", "job took 0.123456789 s"),
        ("comment 1474fc25e202fffe24c05568", "comment 1474fc25e202fffe24c05568"),
    ],
)
def test_redact_masks_phones_and_ips_only(text, expected):
    assert redact(text) == expected


def _redacted_in_full(text: str) -> str:
    text = _IPV4.sub(lambda m: mask_ip(m.group(0)), text)
    text = _IPV6.sub(lambda m: mask_ip(m.group(0)), text)
    return _PHONE.sub("[phone]", text)


def _around(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    edge = st.text(alphabet="0123456789 .-+:abx/", max_size=8)
    return st.builds(lambda a, b, c: a + b + c, edge, inner, edge)


TEXTS = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789 .-+:abcdefx/", max_size=60),
    _around(st.from_regex(r"\+?\d\d(?:[ .\-]?\d){7,13}", fullmatch=True)),
    _around(st.from_regex(r"(?:\d{1,3}\.){3}\d{1,3}", fullmatch=True)),
    _around(st.from_regex(r"[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){1,3}::[0-9a-f]{0,4}", fullmatch=True)),
)


@settings(max_examples=400)
@given(TEXTS)
def test_text_passed_over_unsearched_holds_nothing_to_mask(text):
    assert redact(text) == _redacted_in_full(text)


def test_mask_ip_keeps_the_network():
    assert mask_ip("198.51.100.23") == "198.51.100.x"
    assert mask_ip("2001:db8:1:2::5") == "2001:db8:1:x"


@pytest.fixture
def captured():
    """Records of every logger, rendered the way production renders them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_json_lines_carry_the_context(captured):
    with log_context(request_id="req-1"):
        logging.getLogger("x").warning("caller %s", "0912345678")
    (entry,) = captured()
    assert entry["message"] == "caller [phone]"
    assert entry["request_id"] == "req-1" and entry["level"] == "warning"


def test_request_id_travels_from_intake_to_the_job(client, app, worker, captured):
    reply = submit(client, app, headers={"X-Request-ID": "trace-42"})
    assert reply.status_code == 202 and reply.headers["X-Request-ID"] == "trace-42"
    worker()
    entries = captured()
    access = [e for e in entries if e["logger"] == "commentgate.access"]
    assert any(e["request_id"] == "trace-42" and e["status"] == 202 for e in access)
    job = [e for e in entries if e["logger"] == "workers.jobs"]
    assert job and job[0]["request_id"] == "trace-42"
    assert job[0]["job_id"] == f"moderate-{reply.json['id']}"
    text = without_ids(json.dumps(entries, ensure_ascii=False))
    assert "0912" not in text and "345 678" not in text and "+84912345678" not in text
    assert "127.0.0.1" not in text


@pytest.mark.parametrize("path", ["/moderate", "/healthz"])  # a file sent as it is; JSON
def test_every_answer_has_one_access_line(client, captured, path):
    assert client.get(path, headers={"X-Request-ID": "once-1"}).status_code == 200
    access = [e for e in captured() if e["logger"] == "commentgate.access"]
    assert [(e["request_id"], e["status"]) for e in access] == [("once-1", 200)]


def test_client_chosen_request_ids_are_redacted_too(captured):
    with log_context(request_id="from 198.51.100.7"):
        logging.getLogger("x").info("hello")
    (entry,) = captured()
    assert entry["request_id"] == "from 198.51.100.x"


def test_request_id_reaches_the_webhook_and_its_log(client, app, worker, sessions, captured):
    host = Host()
    with transaction(sessions) as session:
        site, _ = ensure_site(session, "demo", mode=ModerationMode.POST)
        site.webhook_url = host.url
    before = scrape(client)
    delivered = 'commentgate_webhook_deliveries_total{outcome="ok"}'
    count = metric(before, delivered) if delivered in before else 0.0
    reply = submit(client, app, headers={"X-Request-ID": "hook-7"})
    human_paced(sessions, reply.json["id"])
    worker()
    host.server.shutdown()
    assert host.received[0][0]["X-Request-ID"] == "hook-7"
    notify = [e for e in captured() if e["logger"] == "workers.notify"]
    assert notify and notify[0]["request_id"] == "hook-7"
    assert metric(scrape(client), delivered) == count + 1


def test_a_request_the_rate_limit_refuses_is_logged_with_its_id(
    settings, redis_client, sessions, site, captured
):
    from service.app import create_app

    limited = settings.model_copy(update={"rate_limits": "1/minute"})
    client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
    client.post("/api/v1/captchas?site=demo")
    refused = client.post("/api/v1/captchas?site=demo", headers={"X-Request-ID": "limited-1"})
    assert refused.status_code == 429 and refused.headers["X-Request-ID"] == "limited-1"
    access = [e for e in captured() if e["logger"] == "commentgate.access" and e["status"] == 429]
    assert access and access[0]["request_id"] == "limited-1" and access[0]["duration_ms"] >= 0


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()])
def test_tracebacks_are_redacted_in_either_format(formatter):
    try:
        raise ValueError("cannot reach 0912345678 from 198.51.100.7")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    rendered = formatter.format(record)
    assert "ValueError" in rendered and "0912345678" not in rendered
    assert "198.51.100.7" not in rendered and "198.51.100.x" in rendered
