"""The production worker forks a work-horse per job, with the site's model loaded first."""

from __future__ import annotations

import pytest

from commentgate.queue import enqueue_moderation
from commentgate.storage.comments import latest_verdict
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment
from tests.helpers import submit_ok
from workers.forking import ScoringWorker
from workers.model_store import ModelStore
from workers.runtime import build_runtime, install
from workers.scoring.corpus import Example, Label
from workers.scoring.training import train

EXAMPLES = [
    Example("Nhà cái uy tín, nạp đầu tặng 100%, liên hệ zalo", Label.SPAM),
    Example("Vay tiền nhanh không thế chấp, giải ngân trong ngày", Label.SPAM),
    Example("Bài viết rất hay, cảm ơn tác giả đã phản ánh kịp thời.", Label.HAM),
    Example("Đường này kẹt xe mỗi sáng, mong thành phố sớm có giải pháp.", Label.HAM),
]


@pytest.fixture
def production_runtime(settings, redis_client):
    # Built as `commentgate worker` builds it: its own engine, disposed in each work-horse.
    rt = build_runtime(settings, client=redis_client)
    install(rt)
    yield rt
    install(None)


def test_a_forked_work_horse_scores_with_the_model_its_parent_loaded(
    client, app, sessions, redis_client, production_runtime
):
    model = train(EXAMPLES, version="prior-forking")
    with transaction(sessions) as session:  # stored by another process's store
        ModelStore(sessions, redis_client).save(
            session, model, site_id=None, examples=0, last_decision_id=0
        )
    comment_id = submit_ok(client, app)
    assert not production_runtime.models.holds("prior-forking")

    ScoringWorker([production_runtime.queue], connection=redis_client).work(burst=True)

    # The parent loaded it before forking; the work-horse scored with it.
    assert production_runtime.models.holds("prior-forking")
    with sessions() as session:
        assert session.get(Comment, comment_id).status == "pending"
        assert latest_verdict(session, comment_id).model_version == "prior-forking"


def test_a_job_for_a_missing_comment_still_runs(sessions, redis_client, production_runtime):
    enqueue_moderation(production_runtime.queue, "no-such-comment")
    ScoringWorker([production_runtime.queue], connection=redis_client).work(burst=True)
    assert production_runtime.queue.count == 0
    assert production_runtime.queue.failed_job_registry.count == 0


def test_the_preload_reads_the_model_from_the_database_when_redis_is_down(
    settings, sessions, redis_client, production_runtime, caplog
):
    import redis

    from workers.forking import preload_model
    from workers.runtime import runtime_for

    with transaction(sessions) as session:
        ModelStore(sessions, redis_client).save(
            session,
            train(EXAMPLES, version="prior-no-redis"),
            site_id=None,
            examples=0,
            last_decision_id=0,
        )
    enqueue_moderation(production_runtime.queue, "no-such-comment")
    (job,) = production_runtime.queue.jobs
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    rt = runtime_for(settings, production_runtime.sessions, unreachable)

    preload_model(rt, job)

    assert rt.models.holds("prior-no-redis")
    assert "model cache unavailable" in caplog.text
