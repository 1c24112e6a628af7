"""The scoring job on a real RQ worker: transitions, idempotency, modes."""

from rq import Queue
from sqlalchemy import func, select

from commentgate.domain import ModerationMode
from commentgate.queue import enqueue_moderation
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Verdict
from commentgate.storage.sites import ensure_site
from tests.helpers import auth, submit_ok
from workers.jobs import score_comment


def status_of(sessions, comment_id):
    with sessions() as session:
        return session.get(Comment, comment_id).status


def verdict_count(sessions, comment_id):
    with sessions() as session:
        return session.scalar(
            select(func.count()).select_from(Verdict).where(Verdict.comment_id == comment_id)
        )


def test_job_moves_a_clean_comment_to_pending(client, app, worker, sessions):
    comment_id = submit_ok(client, app)
    worker()
    assert status_of(sessions, comment_id) == "pending"
    assert verdict_count(sessions, comment_id) == 1


def test_post_moderated_site_approves_clean_comments(client, app, worker, sessions):
    with transaction(sessions) as session:
        ensure_site(session, "demo", mode=ModerationMode.POST)
    comment_id = submit_ok(client, app)
    with transaction(sessions) as session:  # typed for a human half-minute
        session.get(Comment, comment_id).submit_seconds = 30.0
    worker()
    assert status_of(sessions, comment_id) == "approved"


def test_spammy_comment_is_marked_spam_on_any_site(client, app, worker, sessions):
    with transaction(sessions) as session:
        ensure_site(session, "demo", mode=ModerationMode.POST)
    comment_id = submit_ok(
        client, app, website="x", content="xem http://a.example http://b.example"
    )
    worker()
    assert status_of(sessions, comment_id) == "spam"


def test_running_the_job_twice_scores_once(client, app, worker, sessions, redis_client):
    comment_id = submit_ok(client, app)
    worker()
    enqueue_moderation(Queue("moderation", connection=redis_client), comment_id)
    worker()
    assert score_comment(sessions, comment_id) == "skipped"
    assert verdict_count(sessions, comment_id) == 1


def test_comment_decided_before_scoring_is_left_alone(client, app, worker, sessions, moderator_key):
    comment_id = submit_ok(client, app)
    approved = client.post(
        f"/api/v1/moderation/comments/{comment_id}/approve", headers=auth(moderator_key)
    )
    assert approved.json["status"] == "approved"
    worker()
    assert status_of(sessions, comment_id) == "approved"
    assert verdict_count(sessions, comment_id) == 0


def test_missing_comment_is_reported_not_crashed(sessions):
    assert score_comment(sessions, "does-not-exist") == "missing"
