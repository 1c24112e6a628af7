"""A site's retention period: authors' personal data erased, undecided spam deleted."""

import time
from datetime import timedelta

from sqlalchemy import func, select, update

from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Decision, Site, Verdict, utcnow
from tests.helpers import auth, submit_ok
from workers.learning import labelled_decisions
from workers.retention import apply_retention
from workers.sweep import Sweeper

M = "/api/v1/moderation/comments"
ARTICLE = "https://news.example/thoi-su/bai-1.html"
PERSONAL = ("phone_sealed", "ip", "user_agent", "phone_hmac", "ip_hmac")


def keep_for(sessions, days) -> None:
    with transaction(sessions) as session:
        session.execute(update(Site).values(retention_days=days))


def age(sessions, comment_ids, days) -> None:
    with transaction(sessions) as session:
        session.execute(
            update(Comment)
            .where(Comment.id.in_(comment_ids))
            .values(created_at=utcnow() - timedelta(days=days))
        )


def set_status(sessions, comment_id, status) -> None:
    with transaction(sessions) as session:
        session.execute(update(Comment).where(Comment.id == comment_id).values(status=status))


def personal_data(sessions, comment_id) -> dict:
    with sessions() as session:
        comment = session.get(Comment, comment_id)
        return {field: getattr(comment, field) for field in PERSONAL}


def count(sessions, query) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(query.subquery()))


def test_past_retention_authors_are_erased_and_undecided_spam_deleted(
    client, app, worker, sessions, site, moderator_key
):
    keep_for(sessions, 30)
    published, decided_spam, caught, waiting, recent = (
        submit_ok(client, app, content=f"Bình luận số {i} về bài viết này") for i in range(5)
    )
    worker()
    for comment_id in (published, decided_spam, waiting):  # whatever the worker's verdicts
        set_status(sessions, comment_id, "pending")
    client.post(f"{M}/{published}/approve", headers=auth(moderator_key))
    client.post(f"{M}/{decided_spam}/reject", json={"reason": "spam"}, headers=auth(moderator_key))
    set_status(sessions, caught, "spam")  # as the worker scores spam
    old = [published, decided_spam, caught, waiting]
    age(sessions, old, 31)
    assert all(personal_data(sessions, c)["phone_sealed"].startswith("v1:") for c in old)

    done = apply_retention(sessions, batch=2)

    assert (done.deleted, done.erased, done.finished) == (1, 3, True)
    with sessions() as session:
        assert session.get(Comment, caught) is None
        kept = [session.get(Comment, c) for c in (published, decided_spam, waiting)]
        assert [c.status for c in kept] == ["approved", "spam", "pending"]
        assert all(c.name == "Nguyễn Văn An" and c.content.startswith("Bình") for c in kept)
    assert count(sessions, select(Verdict).where(Verdict.comment_id == caught)) == 0
    for comment_id in (published, decided_spam, waiting):
        assert set(personal_data(sessions, comment_id).values()) == {None}
    assert personal_data(sessions, recent)["phone_sealed"].startswith("v1:")
    # The decision log still holds every decision and the text it judged.
    assert count(sessions, select(Decision)) == 2
    with sessions() as session:
        texts = [item.example.text for item in labelled_decisions(session, site.id)]
    assert len(texts) == 2 and all("Bình luận số" in text for text in texts)
    # Readers still see the published comment.
    public = client.get("/api/v1/comments", query_string={"site": "demo", "article": ARTICLE})
    assert [c["id"] for c in public.json["items"]] == [published]

    again = apply_retention(sessions)
    assert (again.deleted, again.erased) == (0, 0)


def test_sites_without_retention_keep_everything(client, app, worker, sessions, site):
    comment_id = submit_ok(client, app)
    worker()
    set_status(sessions, comment_id, "spam")
    age(sessions, [comment_id], 3650)
    assert apply_retention(sessions).deleted == 0
    assert personal_data(sessions, comment_id)["phone_sealed"].startswith("v1:")


def test_a_backlog_goes_in_batches_within_the_budget(client, app, sessions, site):
    keep_for(sessions, 1)
    ids = [submit_ok(client, app) for _ in range(5)]
    age(sessions, ids, 2)
    first = apply_retention(sessions, batch=2, budget_seconds=0)
    assert (first.erased, first.finished) == (2, False)  # one batch, then out of time
    rest = apply_retention(sessions, batch=2)
    assert (rest.erased, rest.finished) == (3, True)
    assert all(set(personal_data(sessions, c).values()) == {None} for c in ids)


def test_the_sweep_applies_retention(client, app, worker, sessions, site):
    keep_for(sessions, 1)
    comment_id = submit_ok(client, app)
    worker()
    age(sessions, [comment_id], 2)
    queue = worker.runtime.queue
    sweeper = Sweeper(sessions, queue, timedelta(hours=1), 0.05, retention_every=60)
    sweeper.start()
    try:
        deadline = time.monotonic() + 10
        while personal_data(sessions, comment_id)["phone_sealed"] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()
        sweeper.join()
    assert set(personal_data(sessions, comment_id).values()) == {None}


def test_raw_ips_are_kept_only_for_the_window_then_only_their_fingerprint(
    client, app, sessions, site
):
    comment_id = submit_ok(client, app)
    now = utcnow()
    within = apply_retention(sessions, now=now + timedelta(days=29), ip_days=30)
    assert within.ips_reduced == 0 and personal_data(sessions, comment_id)["ip"]
    after = apply_retention(sessions, now=now + timedelta(days=31), ip_days=30)
    assert after.ips_reduced == 1
    kept = personal_data(sessions, comment_id)
    assert kept["ip"] is None and kept["ip_hmac"] and kept["phone_sealed"]


def test_a_shorter_site_period_wins_over_the_ip_window(client, app, sessions, site):
    keep_for(sessions, 7)
    comment_id = submit_ok(client, app)
    apply_retention(sessions, now=utcnow() + timedelta(days=8), ip_days=30)
    assert set(personal_data(sessions, comment_id).values()) == {None}
