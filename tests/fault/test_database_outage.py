"""The database unavailable for a few seconds: 503 with Retry-After, never a 500.

The web reaches PostgreSQL through a proxy the test cuts: open connections
are reset and new ones refused, as when the database restarts. Every kind of
request that needs the database answers 503; the service recovers by itself.
"""

from __future__ import annotations

import time

from tests.services import wait_for
from tests.stack import captcha_answer, comment_body, http, outcome_counts, submit


def _probe(stack, redis_conn, keys, comment_id) -> dict[str, object]:
    base, auth = stack.base, {"Authorization": f"Bearer {keys['moderator']}"}
    captcha = http("POST", f"{base}/api/v1/captchas?site=demo")
    answer = captcha_answer(redis_conn, captcha.body["id"])
    body = comment_body(0, captcha_id=captcha.body["id"], captcha_answer=answer)
    return {
        "captcha": captcha,
        "comment": http("POST", f"{base}/api/v1/comments", body),
        "public": http("GET", f"{base}/api/v1/comments?site=demo&article=bai-viet-1"),
        "counts": http("GET", f"{base}/api/v1/comments/counts?site=demo&article=bai-viet-1"),
        "review": http("GET", f"{base}/api/v1/moderation/comments", headers=auth),
        "one": http("GET", f"{base}/api/v1/moderation/comments/{comment_id}", headers=auth),
        "approve": http(
            "POST", f"{base}/api/v1/moderation/comments/{comment_id}/approve", headers=auth
        ),
        "readyz": http("GET", f"{base}/readyz"),
        "metrics": http("GET", f"{base}/metrics"),
    }


def test_database_outage_answers_503_and_recovers(stack, proxy, redis_conn, engine, site_and_keys):
    stack.start_web(workers=2)
    stack.start_worker()
    first = submit(stack, redis_conn, 1)
    assert first.status == 202
    proxy.cut()
    started = time.monotonic()
    rounds = []
    while time.monotonic() - started < 4:
        rounds.append(_probe(stack, redis_conn, site_and_keys, first.body["id"]))
    proxy.restore()

    replies = [reply for probe in rounds for reply in probe.values()]
    assert all(r.status != 500 for r in replies)
    assert all(b"Traceback" not in r.raw for r in replies)
    for probe in rounds:
        assert probe["captcha"].status == 201  # Redis only
        assert probe["metrics"].status == 200
        assert b'commentgate_dependency_up{dependency="database"} 0.0' in probe["metrics"].raw
        for name in ("comment", "public", "counts", "review", "one", "approve", "readyz"):
            reply = probe[name]
            assert reply.status == 503, (name, reply.status, reply.body)
            assert reply.body["error"]["code"] == "unavailable"
            assert int(reply.headers["Retry-After"]) > 0
    needing = sum(r.status == 503 for r in replies)
    print(f"\ndatabase outage: {needing} requests needing the database, all 503, none 500")

    wait_for(lambda: submit(stack, redis_conn, 2).status == 202, what="recovery", timeout=30)
    wait_for(lambda: outcome_counts(engine, {first.body["id"]})["lost"] == 0, what="scoring")
    assert "unhandled error" not in stack.log_text("web")
