"""Operator commands: what the queues look like, and putting failed jobs back."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
import redis
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.registry import FailedJobRegistry
from sqlalchemy.exc import SQLAlchemyError

from commentgate.config import Settings
from commentgate.queue import comment_id_of, job_id_for, moderation_queue
from commentgate.queue_stats import failed_jobs, snapshot_queue, snapshot_workers
from commentgate.redis_conn import connect_redis
from commentgate.storage.db import make_engine, make_session_factory
from commentgate.storage.stats import count_by_status, oldest_received
from launch.admin import pass_settings, require_schema


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{(datetime.now(UTC) - moment).total_seconds():.0f}s ago"


_NOISE = ("(Background on this error", "[SQL", "[parameters:", "WHERE ", "CONTEXT:")


def _failure_summary(job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith(_NOISE)]
    return lines[-1][:160] if lines else "-"


def _print_queue(queue) -> None:
    snap = snapshot_queue(queue)
    counts = "  ".join(f"{state} {n}" for state, n in snap.counts().items())
    click.echo(f"queue {snap.name}: {counts}  oldest waiting job {snap.oldest_queued_seconds:.0f}s")


def _print_workers(client) -> None:
    workers = snapshot_workers(client)
    click.echo(f"workers: {len(workers)} alive")
    for w in workers:
        job = f" on {w.current_job}" if w.current_job else ""
        click.echo(f"  {w.name}: {w.state}{job}, heartbeat {_ago(w.last_heartbeat)}")


def _print_failures(queue) -> None:
    jobs = failed_jobs(queue)
    click.echo(f"failed jobs: {snapshot_queue(queue).failed}")
    for job in jobs:
        click.echo(f"  {job.id} ended {_ago(job.ended_at)}: {_failure_summary(job)}")


def _print_comments(settings: Settings) -> None:
    # The schema was checked by _database_reachable just before; no second check.
    sessions = make_session_factory(make_engine(settings.resolved_database_url()))
    with sessions() as session:
        counts = count_by_status(session)
        waiting = oldest_received(session)
    click.echo("comments: " + "  ".join(f"{status} {n}" for status, n in counts.items()))
    if waiting is None:
        click.echo("oldest waiting comment: none")
    else:
        click.echo(f"oldest waiting comment: {waiting.id}, received {_ago(waiting.created_at)}")


def _print_redis_part(settings: Settings) -> None:
    client = connect_redis(settings, start=False)
    queue = moderation_queue(client)
    _print_queue(queue)
    _print_workers(client)
    _print_failures(queue)


def _database_reachable(settings: Settings) -> bool:
    """False when the database cannot be reached; stops the command when it is not ours."""
    try:
        require_schema(settings)
    except SQLAlchemyError as exc:
        click.echo(f"database: unavailable ({type(exc).__name__}: {exc})")
        return False
    return True


@click.command()
@pass_settings
def status(settings: Settings) -> None:
    """Print queues, workers, failed jobs and the oldest comment waiting for a score.

    Exits 1 if Redis or the database could not be read (what could be is printed).
    """
    # First: a database that is not commentgate's (the wrong directory) ends it here,
    # before an empty embedded Redis could report an idle system.
    database_ok = _database_reachable(settings)
    healthy = database_ok
    try:
        _print_redis_part(settings)
    except (redis.RedisError, OSError) as exc:
        healthy = False
        click.echo(f"redis: unavailable ({type(exc).__name__}: {exc})")
    if database_ok:
        try:
            _print_comments(settings)
        except SQLAlchemyError as exc:
            healthy = False
            click.echo(f"database: unavailable ({type(exc).__name__}: {exc})")
    if not healthy:
        sys.exit(1)


def _requeue(client, registry: FailedJobRegistry, job_id: str) -> bool:
    from workers.sweep import sweep_resumes_key, sweep_retries_key

    try:
        registry.requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError):
        return False
    comment_id = comment_id_of(job_id)
    if comment_id:  # an operator's requeue gives the sweep its retries back too
        client.delete(sweep_retries_key(comment_id), sweep_resumes_key(comment_id))
    return True


@click.command("requeue-failed")
@click.argument("job_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Requeue every failed job.")
@pass_settings
def requeue_failed(settings: Settings, job_id: str | None, everything: bool) -> None:
    """Put failed scoring jobs back on the queue: one (JOB_ID or comment id) or --all."""
    if not job_id and not everything:
        raise click.UsageError("give a JOB_ID or --all")
    if job_id and everything:
        raise click.UsageError("give a JOB_ID or --all, not both")
    client = connect_redis(settings, start=False)
    registry = FailedJobRegistry(moderation_queue(client).name, connection=client)
    if everything:
        ids = registry.get_job_ids(cleanup=False)
    else:
        ids = [job_id if comment_id_of(job_id) else job_id_for(job_id)]
    done = [i for i in ids if _requeue(client, registry, i)]
    if job_id and not done:
        raise click.ClickException(f"no failed job {job_id}")
    click.echo(f"requeued {len(done)} of {len(ids)} failed job(s)", err=True)
    for i in done:
        click.echo(i)
