"""RQ's enqueue in one round trip, and jobs written from a recording of RQ's own.

**One trip.** RQ's ``enqueue_many`` writes what it always writes, into a pipeline that is
never sent (:func:`recorded`). Its commands (a SADD, and three a job) go to Redis as one
script call with one reply (:func:`run_recorded`), where a MULTI/EXEC sends each, and a
MULTI and an EXEC, and reads a reply to each.

**Templates.** Building, checking and serializing a ``Job`` costs intake more CPU than
the rest of its enqueue, about 40 µs a comment (bench/README.md, intake). Yet the jobs
queued one by one are a few shapes (the scoring job of a policy, with a request id or
without), and within a shape only the job id, the arguments, the meta's values and two
moments differ. :class:`JobTemplates` lets RQ record the first job of each shape, and a
probe beside it that differs in those inputs. If the two recordings differ in those
places only, and the values made here (with RQ's serializer and helpers) equal RQ's in
both, the recording is the shape's template and later jobs of the shape are written
from it. Otherwise RQ records each job of that shape itself, as before.

The one value written otherwise is the job's compressed data: the same bytes once
decompressed, compressed with a 512-byte window. For 80 bytes, ``zlib.compress`` sets up
256 KB of tables (about 50 µs when the allocator hands the memory back between calls);
RQ reads either with ``zlib.decompress``.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import redis
from redis.exceptions import NoScriptError
from rq import Queue
from rq.job import Job, validate_job_id
from rq.queue import EnqueueData
from rq.utils import get_call_string, now

log = logging.getLogger(__name__)

# Runs the commands RQ recorded for an enqueue, in order. Command k writes KEYS[k]; ARGV
# holds, for each in turn, the count of its other arguments, its name, then those.
_RUN_RECORDED = """
local a = 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[a])
  redis.call(ARGV[a + 1], KEYS[k], unpack(ARGV, a + 2, a + 1 + n))
  a = a + n + 2
end
"""
_RUN_RECORDED_SHA = hashlib.sha1(_RUN_RECORDED.encode()).hexdigest()
# What RQ's enqueue_many writes for jobs without dependencies (each with its key first);
# anything else is refused rather than run blind, should a new RQ write more.
_RECORDABLE = frozenset({"SADD", "HSET", "RPUSH", "LPUSH", "EXPIRE", "PERSIST"})

Command = list[Any]  # a command's name, its key, then its other arguments
# The job hash's fields a template makes anew for each job; the moments are RQ's now().
_MOMENTS = ("created_at", "enqueued_at")
_MADE = ("data", "description", "meta", *_MOMENTS)
_PROBE = "_probe"  # appended to the probe's job id, arguments and meta strings
MAX_SHAPES = 64  # shapes remembered; jobs of any further shape are recorded by RQ


def recorded(queue: Queue, jobs: Sequence[EnqueueData]) -> list[Command]:
    """The commands RQ's ``enqueue_many`` writes for ``jobs`` (without dependencies)."""
    if any(job.depends_on for job in jobs):
        raise ValueError("jobs with dependencies are queued by RQ itself")
    recorder = queue.connection.pipeline(transaction=True)
    try:
        queue.enqueue_many(jobs, pipeline=recorder)
        return [list(args) for args, _options in recorder.command_stack]
    finally:
        recorder.reset()


def run_recorded(client: redis.Redis, commands: Sequence[Command]) -> None:
    """Run recorded commands in one script call, whole as a MULTI/EXEC runs them."""
    keys: list[object] = []
    argv: list[object] = []
    for name, key, *rest in commands:
        if str(name).upper() not in _RECORDABLE:
            raise RuntimeError(f"RQ's enqueue wrote {name}, which this script does not run")
        keys.append(key)
        argv += (len(rest), name, *rest)
    try:
        client.evalsha(_RUN_RECORDED_SHA, len(keys), *keys, *argv)
    except NoScriptError:  # a new or restarted Redis: the script once, kept until flushed
        client.script_load(_RUN_RECORDED)
        client.evalsha(_RUN_RECORDED_SHA, len(keys), *keys, *argv)


class JobTemplate:
    """RQ's recording of one job, with the places that change from job to job marked."""

    def __init__(self, commands: Sequence[Command], job_id: str, serializer: Any) -> None:
        self._commands = [list(command) for command in commands]
        self._serializer = serializer
        job_key = Job.key_for(job_id)
        # (command, argument, what goes there): the job's key and id, and made fields.
        self._slots: list[tuple[int, int, str]] = []
        for c, (name, *args) in enumerate(self._commands):
            for a, value in enumerate(args, start=1):
                if value == job_key:
                    self._slots.append((c, a, "key"))
                elif value == job_id and str(name).upper() in ("RPUSH", "LPUSH"):
                    self._slots.append((c, a, "job_id"))
                elif str(name).upper() == "HSET" and a >= 3 and a % 2 and args[a - 2] in _MADE:
                    self._slots.append((c, a, args[a - 2]))

    def commands(
        self, job: EnqueueData, created_at: str | None = None, enqueued_at: str | None = None
    ) -> list[Command]:
        """The commands RQ would record for ``job`` (of this template's shape), written at
        the moments given (RQ's now(), both the same, when none are)."""
        validate_job_id(job.job_id)  # as RQ does, before anything is written
        moment = created_at or rq_moment(now())
        kwargs = job.kwargs or {}
        values = {
            "key": Job.key_for(job.job_id),
            "job_id": job.job_id,
            "data": _compressed(self._serializer.dumps((job.func, None, job.args, kwargs))),
            "description": get_call_string(job.func, job.args, kwargs, max_length=75),
            "meta": self._serializer.dumps(job.meta) if job.meta else None,
            "created_at": moment,
            "enqueued_at": enqueued_at or moment,
        }
        commands = [list(command) for command in self._commands]
        for c, a, what in self._slots:
            commands[c][a] = values[what]
        return commands


class JobTemplates:
    """Each shape's template, learnt from its first job; RQ records what fits none."""

    def __init__(self) -> None:
        self._learnt: dict[tuple, JobTemplate | None] = {}

    def commands(self, queue: Queue, job: EnqueueData) -> list[Command]:
        """What RQ would record to queue ``job``: from its shape's template when there is
        one, else RQ's own recording (the shape's first job teaches its template)."""
        shape = _shape(queue, job)
        if shape is None:
            return recorded(queue, [job])
        template = self._learnt.get(shape)
        if template is not None:
            return template.commands(job)
        commands = recorded(queue, [job])
        if shape not in self._learnt and len(self._learnt) < MAX_SHAPES:
            self._learnt[shape] = _checked_template(queue, job, commands)
        return commands


def _shape(queue: Queue, job: EnqueueData) -> tuple | None:
    """What a job shares with every job its template may write (None: no template)."""
    plain = (job.depends_on, job.description, job.kwargs, job.repeat, job.webhooks)
    callbacks = (job.on_success, job.on_failure, job.on_stopped)
    if any(plain) or any(callbacks) or not isinstance(job.job_id, str):
        return None
    if not queue.is_async:  # RQ runs such a job as it queues it: nothing to write
        return None
    if not all(isinstance(arg, str) for arg in job.args or ()):
        return None
    retry = (job.retry.max, tuple(job.retry.intervals)) if job.retry else None
    meta = tuple(sorted((job.meta or {}).items(), key=lambda item: item[0]))
    meta_shape = tuple((key, type(value)) for key, value in meta)
    limits = (job.timeout, job.result_ttl, job.ttl, job.failure_ttl, job.at_front)
    where = (type(queue), queue.key, queue.job_class, queue.serializer)
    return (*where, job.func, len(job.args or ()), retry, meta_shape, limits)


def _checked_template(
    queue: Queue, job: EnqueueData, commands: list[Command]
) -> JobTemplate | None:
    """The template of ``job``'s shape, if it writes what RQ writes, for ``job`` and for a
    probe that differs from it in every input a template fills in."""
    probe = job._replace(
        job_id=job.job_id + _PROBE,
        args=tuple(arg + _PROBE for arg in job.args or ()),
        meta={k: v + _PROBE if isinstance(v, str) else v for k, v in (job.meta or {}).items()},
    )
    template = JobTemplate(commands, job.job_id, queue.serializer)
    for one, theirs in ((job, commands), (probe, recorded(queue, [probe]))):
        if comparable(template.commands(one, *_moments(theirs))) != comparable(theirs):
            log.warning(
                "jobs of %s are queued by RQ one by one: its recording did not match",
                job.func,
                extra={"event": "job_template_refused"},
            )
            return None
    return template


def _compressed(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=9, memLevel=1)  # the smallest window and tables
    return packer.compress(data) + packer.flush()


def rq_moment(moment: datetime) -> str:
    """A UTC moment as RQ writes it (``rq.utils.utcformat``), without strftime's cost."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def comparable(commands: Sequence[Command]) -> list[Command]:
    """The commands with each job's data decompressed: two ways of compressing it are one."""
    out = []
    for name, *args in commands:
        if str(name).upper() == "HSET":
            args = [
                zlib.decompress(value) if i and i % 2 == 0 and args[i - 1] == "data" else value
                for i, value in enumerate(args)
            ]
        out.append([name, *args])
    return out


def _moments(commands: Sequence[Command]) -> tuple[str | None, str | None]:
    """The moments RQ wrote into a job's hash (created, enqueued)."""
    found: dict[str, str] = {}
    for name, _key, *rest in commands:
        if str(name).upper() == "HSET":
            pairs = zip(rest[::2], rest[1::2], strict=True)
            found.update((field, value) for field, value in pairs if field in _MOMENTS)
    return found.get("created_at"), found.get("enqueued_at")
