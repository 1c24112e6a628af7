"""/metrics, the RQ dashboard's door, and what moderators' decisions tell ops."""

from __future__ import annotations

import base64

import redis

from commentgate.domain import Role
from commentgate.storage.db import transaction
from commentgate.storage.keys import create_key
from commentgate.storage.models import Comment
from service.deps import EXTENSION
from tests.conftest import replace_services
from tests.helpers import auth, submit_ok
from tests.services import free_port


def metric(text: str, name: str) -> float:
    """The value of one exposition line (name with labels, exactly)."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def count(text: str, name: str) -> float:
    """A counter's value, 0 before its first increment (earlier tests may have raised it)."""
    return (
        metric(text, name)
        if any(line.startswith(name + " ") for line in text.splitlines())
        else 0.0
    )


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_metrics_show_queue_and_scoring(client, app, worker):
    accepted = 'commentgate_comments_accepted_total{site="demo"}'
    latency = "commentgate_scoring_latency_seconds_count"
    issued = 'commentgate_captchas_total{event="issued"}'
    before = scrape(client)
    submit_ok(client, app)
    queued = scrape(client)
    assert metric(queued, 'commentgate_queue_jobs{queue="moderation",state="queued"}') == 1
    assert metric(queued, 'commentgate_comments{status="received"}') == 1
    assert metric(queued, accepted) == count(before, accepted) + 1
    assert metric(queued, 'commentgate_dependency_up{dependency="redis"}') == 1
    worker()
    scored = scrape(client)
    assert metric(scored, 'commentgate_queue_jobs{queue="moderation",state="queued"}') == 0
    assert metric(scored, 'commentgate_comments{status="pending"}') == 1
    assert metric(scored, latency) == count(before, latency) + 1  # one comment scored
    assert metric(scored, issued) == count(before, issued) + 1  # one captcha for it
    assert 'commentgate_http_requests_total{code="202",endpoint="/api/v1/comments"' in scored


def test_metrics_answer_while_redis_is_down(client, app):
    replace_services(app, redis=redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    text = scrape(client)
    assert metric(text, 'commentgate_dependency_up{dependency="redis"}') == 0
    assert metric(text, 'commentgate_dependency_up{dependency="database"}') == 1
    assert "commentgate_queue_jobs" not in text


def test_override_rate_counts_decisions_against_the_score(
    client, app, worker, sessions, moderator_key
):
    def overrides(text: str, value: str) -> float:
        return count(
            text, f'commentgate_decisions_total{{action="approve",overrides_score="{value}"}}'
        )

    latency = "commentgate_decision_latency_seconds_count"

    before = scrape(client)
    spam = submit_ok(client, app, website="bot", content="http://a.example http://b.example")
    clean = submit_ok(
        client, app, name="Phạm Minh", phone=..., content="Tôi đồng ý với tác giả về vấn đề này."
    )
    worker()
    with sessions() as session:
        scored = {cid: session.get(Comment, cid).status for cid in (spam, clean)}
    assert scored[spam] == "spam"
    for comment_id in (spam, clean):
        reply = client.post(
            f"/api/v1/moderation/comments/{comment_id}/approve", headers=auth(moderator_key)
        )
        assert reply.status_code == 200
    after = scrape(client)
    spam_scored = sum(status == "spam" for status in scored.values())
    assert overrides(after, "true") == overrides(before, "true") + spam_scored
    assert overrides(after, "false") == overrides(before, "false") + 2 - spam_scored
    assert metric(after, latency) == count(before, latency) + 2


def basic(password: str, user: str = "ops") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def key_for(sessions, role: Role, site_id: str | None = None) -> str:
    with transaction(sessions) as session:
        return create_key(session, role, f"{role.value} key", site_id)


def test_dashboard_needs_an_ops_or_admin_key(client, sessions):
    anonymous = client.get("/ops/rq/")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/ops/rq/", headers=basic("cg_wrong")).status_code == 401
    moderator = key_for(sessions, Role.MODERATOR)
    assert client.get("/ops/rq/", headers=basic(moderator)).status_code == 403
    for role in (Role.OPS, Role.ADMIN):
        page = client.get("/ops/rq/", headers=basic(key_for(sessions, role)))
        assert page.status_code == 200 and b"RQ" in page.data


def test_dashboard_needs_a_key_for_every_site(client, app, sessions, site):
    # Its queues hold every site's jobs, and its buttons empty them.
    submit_ok(client, app)
    for role in (Role.OPS, Role.ADMIN):
        limited = basic(key_for(sessions, role, site_id=site.id))
        assert client.get("/ops/rq/0/data/queues.json", headers=limited).status_code == 403
        emptied = client.post(
            "/ops/rq/queue/moderation/queued/empty",
            headers={**limited, "Sec-Fetch-Site": "same-origin"},
        )
        assert emptied.status_code == 403
    assert app.extensions[EXTENSION].queue.count == 1


def test_dashboard_lists_the_moderation_queue(client, app, sessions):
    submit_ok(client, app)
    ops = basic(key_for(sessions, Role.OPS))
    queues = client.get("/ops/rq/0/data/queues.json", headers=ops)
    assert queues.status_code == 200
    assert [(q["name"], q["count"]) for q in queues.json["queues"]] == [("moderation", 1)]


def test_dashboard_refuses_changes_from_another_site(client, sessions):
    ops = basic(key_for(sessions, Role.OPS))
    forged = client.post(
        "/ops/rq/requeue/moderation",
        headers={**ops, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403
    assert client.get("/ops/rq/requeue/moderation", headers=ops).status_code == 403
    own = client.post(
        "/ops/rq/requeue/moderation", headers={**ops, "Sec-Fetch-Site": "same-origin"}
    )
    assert own.status_code == 200 and own.json["status"] == "OK"


def test_dashboard_links_to_what_is_gone_are_not_found(client, sessions):
    ops = basic(key_for(sessions, Role.OPS))
    for path in ("/ops/rq/0/view/job/gone", "/ops/rq/0/data/job/gone.json", "/ops/rq/1/view/jobs"):
        reply = client.get(path, headers=ops)
        assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found", path
    requeue = client.post(
        "/ops/rq/job/gone/requeue", headers={**ops, "Sec-Fetch-Site": "same-origin"}
    )
    assert requeue.status_code == 404


def test_dashboard_asks_for_its_own_credentials(client):
    reply = client.get("/ops/rq/", headers={"Accept-Language": "en"})
    assert reply.json["error"]["code"] == "ops_key_required"
    assert "Basic" in reply.json["error"]["message"]


def test_an_api_401_names_the_bearer_scheme(client):
    reply = client.get("/api/v1/moderation/comments")
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
