"""Reopening a decision: back to pending, audited, withdrawn if public, forgotten by the model."""

import pytest
from rq import Queue
from sqlalchemy import select

from commentgate.domain import MODERATION_QUEUE
from commentgate.queue import NOTIFY_JOB
from commentgate.storage.models import AuditEntry, Decision
from tests.helpers import auth, submit_ok
from workers.learning import needs_rebuild
from workers.sweep import queue_rebuilds

BASE = "/api/v1/moderation/comments"


@pytest.fixture
def scored(client, app, worker):
    comment_id = submit_ok(client, app)
    worker()
    return comment_id


def decide(client, key, comment_id, action, reason=None):
    body = {"json": {"reason": reason}} if reason else {}
    response = client.post(f"{BASE}/{comment_id}/{action}", headers=auth(key), **body)
    assert response.status_code == 200, response.json
    return response.headers["ETag"]


def reopen(client, key, comment_id, etag=None):
    headers = {**auth(key), **({"If-Match": etag} if etag else {})}
    return client.post(f"{BASE}/{comment_id}/reopen", headers=headers)


def queued_webhooks(redis_client, comment_id) -> list[str]:
    jobs = Queue(MODERATION_QUEUE, connection=redis_client).jobs
    return [j.args[1] for j in jobs if j.func_name == NOTIFY_JOB and j.args[0] == comment_id]


@pytest.mark.parametrize(
    ("action", "reason", "before", "announced"),
    [
        ("approve", None, "approved", ["comment.removed"]),
        ("reject", "abuse", "rejected", []),
        ("reject", "spam", "spam", []),
    ],
)
def test_reopen_from_each_decided_status(
    client, scored, moderator_key, sessions, redis_client, action, reason, before, announced
):
    etag = decide(client, moderator_key, scored, action, reason)
    Queue(MODERATION_QUEUE, connection=redis_client).empty()
    response = reopen(client, moderator_key, scored, etag)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "pending" and body["decided_at"] is None
    assert body["decision_reason"] is None and response.headers["ETag"] != etag
    assert queued_webhooks(redis_client, scored) == announced
    with sessions() as session:
        (audit,) = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "comment.reopen")
        ).all()
        assert audit.target_id == scored and audit.actor_key_id
        assert audit.detail == {"from": before, "to": "pending"}
        last = session.scalars(select(Decision).order_by(Decision.id.desc())).first()
        assert (last.action, last.from_status, last.to_status) == ("reopen", before, "pending")
    # Undecided again: approving needs no If-Match.
    assert client.post(f"{BASE}/{scored}/approve", headers=auth(moderator_key)).status_code == 200


def test_a_public_comment_reopened_leaves_the_public_list(client, scored, moderator_key):
    etag = decide(client, moderator_key, scored, "approve")
    article = client.get(f"{BASE}/{scored}", headers=auth(moderator_key)).json["article"]
    query = {"site": "demo", "article": article}
    assert [c["id"] for c in client.get("/api/v1/comments", query_string=query).json["items"]] == [
        scored
    ]
    assert reopen(client, moderator_key, scored, etag).status_code == 200
    assert client.get("/api/v1/comments", query_string=query).json["items"] == []


def test_reopen_is_refused_for_undecided_comments(client, app, scored, moderator_key):
    pending = reopen(client, moderator_key, scored, "*")
    assert pending.status_code == 409 and pending.json["error"]["code"] == "not_decided"
    assert pending.json["error"]["current"]["status"] == "pending"
    received = submit_ok(client, app)  # no worker: still received
    refused = reopen(client, moderator_key, received, "*")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_decided"


def test_reopen_needs_a_current_if_match(client, scored, moderator_key):
    etag = decide(client, moderator_key, scored, "approve")
    missing = reopen(client, moderator_key, scored)
    assert missing.status_code == 409 and missing.json["error"]["code"] == "conflict"
    stale = reopen(client, moderator_key, scored, f'"{scored}.1"')
    assert stale.status_code == 412 and stale.headers["ETag"] == etag
    assert client.get(f"{BASE}/{scored}", headers=auth(moderator_key)).json["status"] == "approved"


def test_reopen_is_scoped_to_the_keys_sites(client, scored, moderator_key, sessions):
    from tests.helpers import make_key

    etag = decide(client, moderator_key, scored, "approve")
    other = make_key(sessions, site_name="other")
    assert reopen(client, other, scored, etag).status_code == 404
    assert reopen(client, moderator_key, scored, etag).status_code == 200


def test_a_reopened_spam_decision_is_forgotten_by_the_rebuild(
    client, app, worker, sessions, site, moderator_key
):
    etags = {}
    for i in range(3):
        comment_id = submit_ok(client, app, content=f"Mua thuốc giảm cân số {i} giá rẻ tận nhà")
        worker()
        etags[comment_id] = decide(client, moderator_key, comment_id, "reject", "spam")
        worker()  # learns it
    with sessions() as session:
        assert not needs_rebuild(session, site.id)
    first = next(iter(etags))
    assert reopen(client, moderator_key, first, etags[first]).status_code == 200
    worker()
    with sessions() as session:
        assert needs_rebuild(session, site.id)
    assert queue_rebuilds(sessions, worker.runtime.queue) == [site.id]
    worker()  # runs the rebuild: two comments still teach
    from commentgate.storage.model_versions import latest_version

    with sessions() as session:
        assert latest_version(session, site.id).examples == 2
        assert not needs_rebuild(session, site.id)
