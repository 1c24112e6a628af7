"""The model learns from moderators' decisions, through the real API and workers."""

import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import redis
from sqlalchemy import select

from commentgate.domain import DecisionAction, RejectReason, teaches_model
from commentgate.redis_keys import redis_key
from commentgate.storage.db import transaction
from commentgate.storage.decision_log import TEACHES
from commentgate.storage.model_versions import latest_version
from commentgate.storage.models import ApiKey, Comment, Decision, ModelVersion
from launch.evaluate import train_model
from tests.helpers import auth, submit_ok
from tests.services import wait_for
from workers.learning import (
    DecisionsNotSettledError,
    learn_site,
    learn_site_locked,
    needs_rebuild,
    rebuild_site,
)
from workers.model_store import KEEP_VERSIONS
from workers.scoring.pipeline import score_submission
from workers.scoring.types import SiteRules, Submission
from workers.sweep import Sweeper, queue_rebuilds

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "data" / "vi_comments.train.jsonl"
BASE = "/api/v1/moderation/comments"

# A spam template neither lexicon nor prior knows: an astroturf campaign
# pasted under unrelated articles.
TEMPLATE = "Ủng hộ ứng viên {name} vào hội đồng nhân dân phường {n}, người tử tế và tận tâm"
NAMES = ["Trần Văn Hùng", "Lê Thị Mai", "Phạm Quốc Bảo", "Đỗ Minh Tâm", "Vũ Thu Hà"]
HAM = [
    "Đường Nguyễn Trãi chiều nay kẹt xe kinh khủng, mong thành phố sớm có giải pháp.",
    "Đội tuyển đá quá hay, hàng thủ chắc chắn hơn hẳn trận trước.",
    "Giá xăng tăng liên tục thế này thì người lao động khổ quá.",
    "Cảm ơn phóng viên đã phản ánh kịp thời, bà con vùng lũ đang rất cần hỗ trợ.",
]


def template(i: int) -> str:
    return TEMPLATE.format(name=NAMES[i % len(NAMES)], n=1 + i % 13)


@pytest.fixture
def prior(worker, sessions):
    """A global prior trained on the project's Vietnamese training split."""
    model = train_model([str(TRAIN)], progress=False, version="global-test")
    with transaction(sessions) as session:
        worker.runtime.models.save(session, model, site_id=None, examples=0, last_decision_id=0)
    return model


def current_model(runtime, site_id):
    with runtime.sessions() as session:
        return runtime.models.current(session, site_id)


def score(model, text) -> float:
    return score_submission(Submission(content=text), SiteRules(), model).score


def test_twenty_spam_decisions_teach_a_new_template(
    client, app, worker, prior, site, moderator_key
):
    fresh = TEMPLATE.format(name="Hoàng Gia Khánh", n=21)
    before = score(prior, fresh)
    assert before < SiteRules().spam_at
    for i in range(20):
        comment_id = submit_ok(client, app, content=template(i), title="Ý kiến")
        worker()
        rejected = client.post(
            f"{BASE}/{comment_id}/reject", json={"reason": "spam"}, headers=auth(moderator_key)
        )
        assert rejected.status_code == 200
        worker()  # runs the queued learning job
    learned = current_model(worker.runtime, site.id)
    assert learned.version != prior.version
    assert score(learned, fresh) >= SiteRules().spam_at
    for text in HAM:
        assert score(learned, text) - score(prior, text) < 0.05


def test_rebuild_from_the_log_equals_the_online_model(
    client, app, worker, prior, site, moderator_key
):
    for i in range(6):
        comment_id = submit_ok(client, app, content=template(i) if i % 2 else HAM[i % 4])
        worker()
        body = {"reason": "spam"} if i % 2 else None
        action = "reject" if i % 2 else "approve"
        client.post(f"{BASE}/{comment_id}/{action}", json=body, headers=auth(moderator_key))
        worker()
    online = current_model(worker.runtime, site.id)
    rebuilt_row = rebuild_site(worker.runtime.sessions, worker.runtime.models, site.id)
    rebuilt = current_model(worker.runtime, site.id)
    assert rebuilt.version == rebuilt_row.version != online.version
    probe = [template(50), *HAM]
    assert np.allclose(online.spam_probabilities(probe), rebuilt.spam_probabilities(probe))
    assert rebuilt_row.examples == 6


def test_site_without_decisions_scores_with_the_global_prior(worker, prior, site):
    with worker.runtime.sessions() as session:
        assert latest_version(session, site.id).version == prior.version


def test_no_model_means_heuristics_only(client, app, worker, sessions, moderator_key):
    comment_id = submit_ok(client, app)
    worker()
    verdict = client.get(f"{BASE}/{comment_id}", headers=auth(moderator_key)).json["verdict"]
    assert verdict["model_version"] == "none"
    assert all(reason["code"] != "model" for reason in verdict["reasons"])


@pytest.mark.parametrize(
    ("action", "reason", "teaches"),
    [
        ("approve", None, True),
        ("reject", "spam", True),
        ("reject", "abuse", False),
        ("reject", "other", False),
        ("ban", "spam", False),
        ("restore", None, False),
    ],
)
def test_only_judgements_of_the_text_teach_the_model(action, reason, teaches):
    assert (
        teaches_model(DecisionAction(action), RejectReason(reason) if reason else None) is teaches
    )


def test_a_model_saved_in_an_older_format_is_ignored_not_fatal(worker, sessions, site):
    with transaction(sessions) as session:
        session.add(ModelVersion(site_id=None, version="global-old", weights=b"not a model"))
    with sessions() as session:
        assert worker.runtime.models.current(session, site.id) is None


def test_only_the_newest_versions_of_a_scope_are_kept(worker, sessions, prior, site):
    store = worker.runtime.models
    with transaction(sessions) as session:
        for n in range(KEEP_VERSIONS + 2):
            store.save(
                session, prior.copy(f"site-v{n}"), site_id=site.id, examples=n, last_decision_id=n
            )
    with sessions() as session:
        kept = session.scalars(
            select(ModelVersion.version)
            .where(ModelVersion.site_id == site.id)
            .order_by(ModelVersion.id)
        ).all()
        assert kept == [f"site-v{n}" for n in range(2, KEEP_VERSIONS + 2)]
        assert latest_version(session, site.id).version == f"site-v{KEEP_VERSIONS + 1}"
        # The global prior is a scope of its own and stays.
        assert latest_version(session, None).version == prior.version


def test_a_reversed_decision_is_made_exact_by_a_queued_rebuild(
    client, app, worker, sessions, prior, site, moderator_key
):
    decided = []
    for i in range(3):
        comment_id = submit_ok(client, app, content=template(i), title="Ý kiến")
        worker()
        rejected = client.post(
            f"{BASE}/{comment_id}/reject", json={"reason": "spam"}, headers=auth(moderator_key)
        )
        decided.append((comment_id, rejected.headers["ETag"]))
        worker()
    with sessions() as session:
        assert not needs_rebuild(session, site.id)
    assert queue_rebuilds(sessions, worker.runtime.queue) == []
    comment_id, etag = decided[0]  # the moderator changes their mind
    headers = {**auth(moderator_key), "If-Match": etag}
    assert client.post(f"{BASE}/{comment_id}/approve", headers=headers).status_code == 200
    worker()  # learns the correction online: four steps for three comments
    with sessions() as session:
        assert needs_rebuild(session, site.id)
    assert queue_rebuilds(sessions, worker.runtime.queue) == [site.id]
    worker()  # runs the rebuild
    rebuilt = current_model(worker.runtime, site.id)
    with sessions() as session:
        assert latest_version(session, site.id).examples == 3
        assert not needs_rebuild(session, site.id)
    by_hand = rebuild_site(worker.runtime.sessions, worker.runtime.models, site.id)
    probe = [template(50), *HAM]
    replayed = current_model(worker.runtime, site.id)
    assert replayed.version == by_hand.version != rebuilt.version
    assert np.allclose(rebuilt.spam_probabilities(probe), replayed.spam_probabilities(probe))


def test_the_sql_rule_for_teaching_decisions_agrees_with_the_domain(
    client, app, sessions, site, moderator_key
):
    comment_id = submit_ok(client, app)
    combos = [(action, reason) for action in DecisionAction for reason in [None, *RejectReason]]
    with transaction(sessions) as session:
        key_id = session.scalar(select(ApiKey.id))
        for action, reason in combos:
            session.add(
                Decision(
                    comment_id=comment_id,
                    key_id=key_id,
                    action=action.value,
                    reason=reason.value if reason else None,
                    from_status="pending",
                    to_status="pending",
                )
            )
    with sessions() as session:
        rows = session.execute(select(Decision.action, Decision.reason).where(TEACHES)).all()
    expected = {
        (action.value, reason.value if reason else None)
        for action, reason in combos
        if teaches_model(action, reason)
    }
    assert set(rows) == expected


def test_the_sweep_queues_a_rebuild_when_one_is_due(
    client, app, worker, sessions, prior, site, moderator_key
):
    comment_id = submit_ok(client, app, content=template(1))
    worker()
    rejected = client.post(
        f"{BASE}/{comment_id}/reject", json={"reason": "spam"}, headers=auth(moderator_key)
    )
    headers = {**auth(moderator_key), "If-Match": rejected.headers["ETag"]}
    client.post(f"{BASE}/{comment_id}/approve", headers=headers)
    worker()
    queue = worker.runtime.queue
    sweeper = Sweeper(sessions, queue, timedelta(hours=1), 0.05, rebuild_every=60)
    sweeper.start()
    try:
        deadline = time.monotonic() + 10
        while queue.fetch_job(f"rebuild-{site.id}") is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()
        sweeper.join()
    assert queue.fetch_job(f"rebuild-{site.id}") is not None
    worker()
    with sessions() as session:
        assert not needs_rebuild(session, site.id)


def test_a_decision_that_commits_late_is_learned_not_skipped(
    worker, sessions, database_url, site, moderator_key
):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs concurrent writers (PostgreSQL)")
    store = worker.runtime.models
    with transaction(sessions) as session:
        key_id = session.scalar(select(ApiKey.id))
        late, early = (stored_comment(session, site, HAM[i]) for i in range(2))
    slow, quick = sessions(), sessions()
    try:
        slow.begin()
        approve(slow, late, key_id)  # takes a decision id and stays open
        with quick.begin():
            approve(quick, early, key_id)  # takes the next one, and commits
        with pytest.raises(DecisionsNotSettledError):  # the job is retried later
            learn_site(sessions, store, site.id, settle_within=0.2)
        slow.commit()
    finally:
        slow.close()
        quick.close()
    assert learn_site(sessions, store, site.id, settle_within=10) == 2
    with sessions() as session:
        assert latest_version(session, site.id).examples == 2
        assert not needs_rebuild(session, site.id)


def stored_comment(session, site, content) -> str:
    comment = Comment(site_id=site.id, article="a", name="n", title="t", content=content)
    session.add(comment)
    session.flush()
    return comment.id


def approve(session, comment_id, key_id) -> None:
    session.add(
        Decision(
            comment_id=comment_id,
            key_id=key_id,
            action="approve",
            from_status="pending",
            to_status="approved",
        )
    )
    session.flush()


def _waits_for_the_lock(client: redis.Redis, name: str) -> bool:
    # redis-py's lock polls with SET NX: a client whose last command is SET is waiting.
    return any(c["name"] == name and c["cmd"] == "set" for c in client.client_list())


def test_learning_waits_for_a_rebuild_and_goes_on_from_its_version(
    client, app, worker, sessions, redis_client, redis_url, prior, site, moderator_key
):
    comment_id = submit_ok(client, app, content=template(0), title="Ý kiến")
    worker()
    rejected = client.post(
        f"{BASE}/{comment_id}/reject", json={"reason": "spam"}, headers=auth(moderator_key)
    )
    assert rejected.status_code == 200  # a decision to learn; its queued job is left alone
    models = worker.runtime.models
    learner = redis.Redis.from_url(redis_url, client_name="learner")
    learned: list[int] = []
    job = threading.Thread(
        target=lambda: learned.append(learn_site_locked(sessions, models, learner, site.id))
    )
    rebuild_lock = redis_client.lock(redis_key("learn", "lock", site.id), timeout=60)
    assert rebuild_lock.acquire(blocking=False)  # what a running rebuild holds
    try:
        job.start()
        wait_for(lambda: _waits_for_the_lock(redis_client, "learner"), what="learning to wait")
        rebuilt = rebuild_site(sessions, models, site.id)  # the rebuild's work, under the lock
        assert job.is_alive() and learned == []
    finally:
        rebuild_lock.release()
    job.join(timeout=60)
    assert not job.is_alive()
    assert learned == [0]  # it started from the rebuilt version, which holds the decision
    assert current_model(worker.runtime, site.id).version == rebuilt.version
