"""The batch worker: scoring jobs taken and committed in batches, in process, under RQ.

Real Redis, real databases, real RQ jobs; the worker runs in burst mode in the test's own
process. A scorer given to the worker stands in for a comment that crashes or hangs.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from rq import SimpleWorker
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select, text

from commentgate.domain import BanKind, ModerationMode
from commentgate.fingerprint import fingerprint
from commentgate.queue import JobPolicy, enqueue_moderation, job_id_for
from commentgate.storage.bans import add_ban
from commentgate.storage.db import transaction
from commentgate.storage.models import Ban, Comment, Verdict, utcnow
from commentgate.storage.sites import ensure_site
from tests.conftest import TEST_ORIGIN
from tests.helpers import submit_ok
from tests.test_ops_cli import invoke
from workers.batch_worker import BatchWorker
from workers.jobs import verdict_of
from workers.model_store import ModelStore
from workers.runtime import install, runtime_for
from workers.scoring.corpus import Example, Label
from workers.scoring.training import train

BANNED_PHONE = "0915 000 444"  # banned on every site by the equivalence test
POISON = "☠ chất độc"
HANG = "⌛ treo máy"
SPAM = "Nhà cái uy tín nạp đầu tặng 100% liên hệ zalo 0987 654 321 nhacaiuytin.com ngay hôm nay"
CAMPAIGN = "Ủng hộ ứng viên Trần Văn Hùng vào hội đồng nhân dân phường 7, người tử tế và tận tâm"
EXAMPLES = [
    Example("Nhà cái uy tín, nạp đầu tặng 100%, liên hệ zalo", Label.SPAM),
    Example("Vay tiền nhanh không thế chấp, giải ngân trong ngày", Label.SPAM),
    Example("Bài viết rất hay, cảm ơn tác giả đã phản ánh kịp thời.", Label.HAM),
    Example("Đường này kẹt xe mỗi sáng, mong thành phố sớm có giải pháp.", Label.HAM),
]


@pytest.fixture
def rt(settings, sessions, redis_client):
    runtime = runtime_for(settings, sessions, redis_client)
    install(runtime)
    yield runtime
    install(None)


class RecordingWorker(BatchWorker):
    """Notes the size of every batch it runs."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []

    def _run_batch(self, jobs, queue) -> None:
        self.batches.append(len(jobs))
        super()._run_batch(jobs, queue)


def run_batches(rt, batch_size: int = 50, scorer=verdict_of) -> RecordingWorker:
    worker = RecordingWorker([rt.queue], connection=rt.redis, batch_size=batch_size, scorer=scorer)
    worker.work(burst=True)
    return worker


def mixed_comments(site: str) -> list[dict]:
    """Bursts, near-duplicates across articles and authors, spam and its author's next
    comments: everything whose verdict depends on the comments scored before it."""
    bodies = []
    for i in range(6):  # one phone, six comments in a minute: a burst from the fourth
        bodies.append({"phone": "0911 000 111", "content": f"Ý kiến thứ {i} về giao thông"})
    for i in range(4):  # one text under four articles by four readers
        bodies.append({"phone": f"0912 000 11{i}", "article": f"https://news.example/a{i}.html"})
        bodies[-1]["content"] = CAMPAIGN
    bodies.append({"phone": "0913 000 222", "content": SPAM})
    for i in range(3):  # the spammer again, and a reader whose comments get approved
        bodies.append({"phone": "0913 000 222", "content": f"Tôi đồng ý với bài số {i} này"})
        bodies.append({"phone": "0914 000 333", "content": f"Cảm ơn tác giả, bài {i} rất hay"})
    for i in range(2):  # a banned author (BANNED_PHONE) among them
        bodies.append({"phone": BANNED_PHONE, "content": f"Góp ý số {i} cho tòa soạn"})
    return [{"site": site, "name": "Độc giả", **body} for body in bodies]


def submit_all(client, app, sessions, site: str) -> list[str]:
    ids = [submit_ok(client, app, **body) for body in mixed_comments(site)]
    with transaction(sessions) as session:  # as a reader takes time to write (not too_fast)
        for comment_id in ids:
            session.get(Comment, comment_id).submit_seconds = 40.0
    return ids


def verdicts_of(sessions, comment_ids: list[str]) -> list[tuple]:
    with sessions() as session:
        found = []
        for comment_id in comment_ids:
            comment = session.get(Comment, comment_id)
            rows = session.scalars(select(Verdict).where(Verdict.comment_id == comment_id)).all()
            found.append(
                (comment.status, [(round(v.score, 9), v.reasons, v.model_version) for v in rows])
            )
        return found


def test_batches_give_the_verdicts_of_one_by_one_scoring(client, app, sessions, rt):
    with transaction(sessions) as session:
        for name in ("one-by-one", "batched", "small-batches"):
            ensure_site(session, name, [TEST_ORIGIN], ModerationMode.POST)
        ModelStore(sessions, rt.redis).save(
            session,
            train(EXAMPLES, version="prior-batch"),
            site_id=None,
            examples=0,
            last_decision_id=0,
        )
        banned = fingerprint(rt.settings.resolved_secret_key(), BanKind.PHONE, "+84915000444")
        add_ban(session, Ban(site_id=None, kind=BanKind.PHONE.value, value_hmac=banned))

    single = submit_all(client, app, sessions, "one-by-one")
    SimpleWorker([rt.queue], connection=rt.redis).work(burst=True)  # moderate_comment per job
    batched = submit_all(client, app, sessions, "batched")
    assert run_batches(rt).batches == [len(batched)]
    small = submit_all(client, app, sessions, "small-batches")
    sizes = run_batches(rt, batch_size=7).batches  # webhook jobs of approvals come between
    assert sum(sizes) == len(small) and max(sizes) == 7

    expected = verdicts_of(sessions, single)
    assert verdicts_of(sessions, batched) == expected
    assert verdicts_of(sessions, small) == expected
    # The set covers what depends on order: bursts, duplicates, spam, its author's history.
    codes = {reason["code"] for _, rows in expected for _, reasons, _ in rows for reason in reasons}
    assert {"velocity", "duplicate", "reputation", "banned"} <= codes
    assert {status for status, _ in expected} >= {"approved", "spam"}
    assert all(len(rows) == 1 for _, rows in expected)


def _queue_comments(client, app, rt, texts, policy: JobPolicy) -> list[str]:
    """Comments stored through the API, their jobs queued again with ``policy``."""
    ids = [submit_ok(client, app, content=content) for content in texts]
    rt.queue.empty()
    for comment_id in ids:
        enqueue_moderation(rt.queue, comment_id, policy=policy)
    return ids


class Scorer:
    """The real scorer, counting its calls; a poison comment raises, a hung one sleeps."""

    def __init__(self, rt) -> None:
        self.calls: dict[str, int] = {}
        self.started_seen: list[set[str]] = []
        self._rt = rt

    def __call__(self, ctx, session, comment):
        self.calls[comment.id] = self.calls.get(comment.id, 0) + 1
        self.started_seen.append(set(StartedJobRegistry(queue=self._rt.queue).get_job_ids()))
        if POISON in comment.content:
            raise RuntimeError("poison comment")
        if HANG in comment.content:
            time.sleep(30)
        return verdict_of(ctx, session, comment)


def _verdict_counts(sessions, ids) -> list[int]:
    with sessions() as session:
        return [session.scalar(select(func.count()).where(Verdict.comment_id == i)) for i in ids]


def _texts(odd: str) -> list[str]:
    return [f"Bình luận số {i} về bài viết hôm nay" if i != 2 else odd for i in range(5)]


def test_jobs_whose_worker_died_in_them_run_each_in_a_batch_of_its_own(client, app, sessions, rt):
    ids = [submit_ok(client, app, content=text) for text in _texts("Ý kiến thứ ba")]
    rt.queue.empty()
    for n, comment_id in enumerate(ids):
        enqueue_moderation(rt.queue, comment_id, alone=n == 1)  # as the sweep queues it anew
    # Queued again as it was after its worker died in it (RQ's own clean-up does so too):
    # started, never ended.
    job = Job.fetch(job_id_for(ids[3]), connection=rt.redis)
    job.started_at = utcnow() - timedelta(minutes=2)
    job.save()
    scorer = Scorer(rt)
    assert run_batches(rt, scorer=scorer).batches == [3, 1, 1]
    assert _verdict_counts(sessions, ids) == [1] * 5
    # Each ran with nothing else started; while the others ran, they waited in the queue,
    # not taken, where the sweep leaves a job alone.
    assert scorer.started_seen[-2:] == [{job_id_for(ids[1])}, {job_id_for(ids[3])}]
    assert not {job_id_for(ids[1]), job_id_for(ids[3])} & set().union(*scorer.started_seen[:3])
    assert rt.redis.llen(rt.queue.intermediate_queue_key) == 0


def test_a_comment_whose_scoring_raises_fails_alone(client, app, sessions, rt):
    ids = _queue_comments(client, app, rt, _texts(POISON), JobPolicy(retry_intervals=()))
    scorer = Scorer(rt)
    assert run_batches(rt, scorer=scorer).batches == [5]

    assert _verdict_counts(sessions, ids) == [1, 1, 0, 1, 1]
    assert all(n == 1 for n in scorer.calls.values()), "a verdict worked out is not redone"
    failed = FailedJobRegistry(queue=rt.queue)
    assert failed.get_job_ids() == [job_id_for(ids[2])]
    assert (
        "poison comment"
        in Job.fetch(job_id_for(ids[2]), connection=rt.redis).latest_result().exc_string
    )
    # While the batch ran, its jobs were all in RQ's started registry.
    assert {job_id_for(i) for i in ids} <= scorer.started_seen[0]
    assert StartedJobRegistry(queue=rt.queue).count == 0
    finished = [Job.fetch(job_id_for(i), connection=rt.redis).get_status() for i in ids]
    assert finished == ["finished", "finished", "failed", "finished", "finished"]

    # An operator's requeue puts it back; the worker scores it once it is no longer poison.
    with transaction(sessions) as session:
        session.get(Comment, ids[2]).content = "Đã sửa lại cho đúng"
    assert invoke(rt.settings, "requeue-failed", ids[2]).exit_code == 0
    run_batches(rt, scorer=scorer)
    assert _verdict_counts(sessions, ids) == [1, 1, 1, 1, 1]
    assert failed.count == 0


def test_a_failing_comment_is_retried_with_back_off(client, app, sessions, rt):
    ids = _queue_comments(client, app, rt, _texts(POISON), JobPolicy(retry_intervals=(30, 60)))
    before = time.time()
    run_batches(rt, scorer=Scorer(rt))

    job = Job.fetch(job_id_for(ids[2]), connection=rt.redis)
    assert job.get_status() == "scheduled" and job.retries_left == 1
    scheduled = ScheduledJobRegistry(queue=rt.queue)
    assert scheduled.get_job_ids() == [job_id_for(ids[2])]
    assert scheduled.get_scheduled_time(job).timestamp() >= before + 29
    assert FailedJobRegistry(queue=rt.queue).count == 0
    assert _verdict_counts(sessions, ids) == [1, 1, 0, 1, 1]


def _refuse_poison_writes(sessions) -> None:
    with transaction(sessions) as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(
                text(
                    "CREATE TRIGGER poison BEFORE UPDATE ON comments"
                    " WHEN NEW.content LIKE '%☠%' AND NEW.status <> 'received'"
                    " BEGIN SELECT RAISE(ABORT, 'poison comment'); END"
                )
            )
            return
        session.execute(
            text(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN"
                " IF NEW.content LIKE '%☠%' AND NEW.status <> 'received' THEN"
                " RAISE EXCEPTION 'poison comment'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        session.execute(
            text(
                "CREATE TRIGGER poison BEFORE UPDATE ON comments"
                " FOR EACH ROW EXECUTE FUNCTION poison()"
            )
        )


def _drop_poison_trigger(sessions) -> None:
    with transaction(sessions) as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("DROP TRIGGER poison"))
        else:
            session.execute(text("DROP TRIGGER poison ON comments"))
            session.execute(text("DROP FUNCTION poison()"))


def test_a_comment_whose_verdict_the_database_refuses_fails_alone(client, app, sessions, rt):
    ids = _queue_comments(client, app, rt, _texts(POISON), JobPolicy(retry_intervals=()))
    _refuse_poison_writes(sessions)
    calls: dict[str, int] = {}
    try:
        run_batches(rt, scorer=verdict_counting(calls))
    finally:
        _drop_poison_trigger(sessions)

    assert _verdict_counts(sessions, ids) == [1, 1, 0, 1, 1]
    assert sorted(calls) == sorted(ids), "each scored once: a verdict worked out is not redone"
    assert set(calls.values()) == {1}
    failed = FailedJobRegistry(queue=rt.queue)
    assert failed.get_job_ids() == [job_id_for(ids[2])]


def verdict_counting(calls: dict[str, int]):
    def scorer(ctx, session, comment):
        calls[comment.id] = calls.get(comment.id, 0) + 1
        return verdict_of(ctx, session, comment)

    return scorer


def test_a_hung_comment_is_stopped_by_its_timeout_and_fails_alone(client, app, sessions, rt):
    policy = JobPolicy(timeout=1, retry_intervals=())
    ids = _queue_comments(client, app, rt, _texts(HANG), policy)
    run_batches(rt, scorer=Scorer(rt))

    assert _verdict_counts(sessions, ids) == [1, 1, 0, 1, 1]
    job = Job.fetch(job_id_for(ids[2]), connection=rt.redis)
    assert job.get_status() == "failed"
    assert "JobTimeoutException" in job.latest_result().exc_string
    with sessions() as session:  # the worker's connections still work after the stop
        assert session.get(Comment, ids[2]).status == "received"


def test_the_supervisor_loads_the_models_before_it_forks(sessions, rt):
    from workers.supervisor import load_shared

    with transaction(sessions) as session:
        ModelStore(sessions, rt.redis).save(
            session,
            train(EXAMPLES, version="prior-shared"),
            site_id=None,
            examples=0,
            last_decision_id=0,
        )
    fresh = runtime_for(rt.settings, sessions, rt.redis)  # a new process's empty store
    assert not fresh.models.holds("prior-shared")
    assert load_shared(fresh) == ["prior-shared"]
    assert fresh.models.holds("prior-shared")


def test_a_job_for_a_missing_comment_still_runs(rt):
    enqueue_moderation(rt.queue, "no-such-comment")
    run_batches(rt)
    job = Job.fetch(job_id_for("no-such-comment"), connection=rt.redis)
    assert job.get_status() == "finished" and job.return_value() == "missing"
