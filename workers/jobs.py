"""RQ jobs. Each takes ids, re-reads state, and is safe to run twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import LockError
from rq import get_current_job

from commentgate import metrics
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.domain import CommentStatus
from commentgate.logging import log_context
from commentgate.queue import enqueue_learning
from commentgate.storage.comments import find_comment
from commentgate.storage.db import UnitOfWork, unit_of_work
from commentgate.storage.models import Comment, Site
from workers import runtime
from workers.author_book import Author, AuthorBook
from workers.bans import ban_reasons
from workers.learning import DecisionsNotSettledError, learn_site_locked, rebuild_site_locked
from workers.notify import notify_comment
from workers.recent import RecentActivity, trace_of
from workers.reputation import reputation_reasons
from workers.runtime import WorkerRuntime
from workers.scoring.blend import BlendedModel
from workers.scoring.model import SpamModel
from workers.scoring.pipeline import classify, make_verdict, score_submission
from workers.scoring.pipeline import warm_up as scoring_warm_up
from workers.scoring.types import Reason, SiteRules, SiteRuleSpec, Submission, Verdict
from workers.site_rules import author_facts, hold_reasons, scoring_rules

log = logging.getLogger(__name__)


def site_rules(site: Site, rules: tuple[SiteRuleSpec, ...] = ()) -> SiteRules:
    """The scoring rules a site configured, with the ``rules`` its moderators wrote."""
    return SiteRules(
        spam_at=site.spam_at,
        approve_below=site.approve_below,
        blocked_domains=frozenset(site.blocked_domains or ()),
        allowed_domains=frozenset(site.allowed_domains or ()),
        custom_words=frozenset(site.custom_words or ()),
        rules=rules,
        abuse_action=site.abuse_action,
    )


def submission_of(
    comment: Comment, *, first_time: bool = True, phone: str | None = None
) -> Submission:
    """What the checks see of a stored comment (``phone`` in clear only for site rules)."""
    return Submission(
        content=comment.content,
        title=comment.title,
        name=comment.name,
        phone=phone,
        website=comment.honeypot,
        submit_seconds=comment.submit_seconds,
        article=comment.article,
        first_time=first_time,
    )


@dataclass
class Context:
    """What verdicts need beyond the comment, kept while one job or one batch is scored:
    each site's current model (looked up once), the recent-activity memory (each site's
    newest traces read once, kept in step as comments are remembered) and the authors'
    histories and bans (read once, kept in step as verdicts are written)."""

    rt: WorkerRuntime
    recent: RecentActivity
    authors: AuthorBook
    models: dict[str, SpamModel | BlendedModel | None] = field(default_factory=dict)
    rules: dict[str, tuple[SiteRuleSpec, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, rt: WorkerRuntime) -> Context:
        """A fresh context for one job or one batch."""
        secret = rt.settings.resolved_secret_key()
        return cls(rt, RecentActivity(rt.redis, keep_view=True), AuthorBook(secret))

    def model(self, session, site_id: str) -> SpamModel | BlendedModel | None:
        """What scores the site's comments, as it was when this context first asked."""
        if site_id not in self.models:
            self.models[site_id] = self.rt.models.for_scoring(session, site_id)
        return self.models[site_id]

    def site_rules(self, session, site_id: str) -> tuple[SiteRuleSpec, ...]:
        """The site's active and shadow rules, as they were when this context first asked."""
        if site_id not in self.rules:
            self.rules[site_id] = scoring_rules(session, site_id)
        return self.rules[site_id]


def context_reasons(ctx: Context, session, comment: Comment) -> list[Reason]:
    """Reasons that need memory beyond the comment: bans, history, duplicates, bursts."""
    author = comment.phone_hmac or comment.ip_hmac or comment.name
    trace = trace_of(comment.id, comment.content, author, comment.article)
    return [
        *ban_reasons(session, comment, ctx.authors),
        *reputation_reasons(session, comment, ctx.authors),
        *ctx.recent.reasons(comment.site_id, trace),
    ]


def verdict_of(ctx: Context, session, comment: Comment) -> tuple[Verdict, CommentStatus]:
    """The verdict on a stored comment and the status it moves to."""
    specs = ctx.site_rules(session, comment.site_id)
    rules = site_rules(comment.site, specs)
    model = ctx.model(session, comment.site_id)
    extra = context_reasons(ctx, session, comment)
    first_time, phone = author_facts(session, ctx.rt.settings, comment, specs)
    sub = submission_of(comment, first_time=first_time, phone=phone)
    verdict = score_submission(sub, rules, model, extra)
    outcome = classify(verdict, rules, comment.site.mode)
    if outcome is CommentStatus.APPROVED:
        held = hold_reasons(session, comment.site, comment, first_time)
        if held:
            verdict = make_verdict([*verdict.reasons, *held], verdict.model_version)
            outcome = CommentStatus.PENDING
    return verdict, CommentStatus(outcome.value)


Scorer = Callable[[Context, Any, Comment], tuple[Verdict, CommentStatus]]
Scored = tuple[Verdict, CommentStatus]


def score_in(
    ctx: Context,
    uow: UnitOfWork,
    comment_id: str,
    request_id: str | None = None,
    *,
    scorer: Scorer = verdict_of,
    scored: Scored | None = None,
) -> tuple[str, Scored | None]:
    """Score a ``received`` comment in ``uow`` and move it on; returns what happened and
    the verdict.

    A comment already scored or decided is left alone ("skipped"), so a job
    re-queued by the sweep or re-run after a crash does no harm. A verdict
    already worked out (``scored``) is written as it is, without scoring again.
    """
    comment = find_comment(uow.session, comment_id)
    if comment is None:
        log.warning("comment %s not found; nothing to score", comment_id)
        return "missing", None
    if comment.status != CommentStatus.RECEIVED.value:
        return "skipped", None
    verdict, status = scored or scorer(ctx, uow.session, comment)
    author = Author.of(comment)
    life = CommentLifecycle(uow=uow, queue=ctx.rt.queue, request_id=request_id)
    moved = life.record_verdict(
        comment,
        score=verdict.score,
        reasons=[reason.to_dict() for reason in verdict.reasons],
        model_version=verdict.model_version,
        status=status,
    )
    if moved:
        ctx.authors.note(author, status.value)
    return (status.value if moved else "skipped"), (verdict, status)


def score_comment(rt: WorkerRuntime, comment_id: str, request_id: str | None = None) -> str:
    """Score one comment in a transaction of its own; returns what happened.

    Its counters and, on approval, the webhook follow the commit.
    """
    with unit_of_work(rt.sessions) as uow:
        return score_in(Context.of(rt), uow, comment_id, request_id)[0]


def count_outcome(comment_id: str, outcome: str) -> None:
    """Count and log what a scoring job did."""
    metrics.JOBS.labels(outcome if outcome in {"skipped", "missing"} else "scored").inc()
    log.info("comment %s: %s", comment_id, outcome)


def moderate_comment(comment_id: str) -> str:
    """The queued job: score one comment with this process's runtime.

    The batch worker (:mod:`workers.batch_worker`) scores these jobs in batches
    instead; any other RQ worker runs them one by one through this function.
    """
    job = get_current_job()
    request_id = job.meta.get("request_id") if job else None
    with log_context(request_id=request_id, job_id=job.id if job else None):
        rt = runtime.current()
        try:
            outcome = score_comment(rt, comment_id, request_id)
        except Exception:
            metrics.JOBS.labels("error").inc()
            log.exception("scoring comment %s failed", comment_id)
            raise
        count_outcome(comment_id, outcome)
        return outcome


def notify_site(comment_id: str, event: str, request_id: str | None = None) -> str:
    """The queued job: deliver a webhook about a comment to its site."""
    job = get_current_job()
    with log_context(request_id=request_id, job_id=job.id if job else None):
        rt = runtime.current()
        return notify_comment(
            rt.sessions,
            comment_id,
            event,
            request_id,
            private_ok=rt.settings.webhook_private_addresses,
            resolver=rt.resolver,
            markers=rt.redis,
        )


def learn_from_decisions(site_id: str) -> int:
    """The queued job: teach the site's model its new moderator decisions."""
    rt = runtime.current()
    try:
        return learn_site_locked(rt.sessions, rt.models, rt.redis, site_id)
    except LockError:
        # A rebuild holds the site; it queues this learning again when it is done.
        log.info("site %s is being rebuilt; its new decisions are learned after", site_id)
        return 0
    except DecisionsNotSettledError:
        # The job fails, and RQ retries it with back-off: by then the transaction
        # that held the log back has ended.
        log.warning("site %s: a transaction still open holds back its decision log", site_id)
        raise


def rebuild_model(site_id: str) -> str | None:
    """The queued job: rebuild the site's model from its decision log (exact)."""
    rt = runtime.current()
    row = rebuild_site_locked(rt.sessions, rt.models, rt.redis, site_id)
    if row is None:
        return None
    enqueue_learning(rt.queue, site_id)  # decisions made while it replayed the log
    log.info("site %s model rebuilt from %d decisions: %s", site_id, row.examples, row.version)
    return row.version


def warm_up() -> None:
    """Load lazily loaded resources (lexicons, the URL matcher, phone metadata) in the
    supervisor before it forks its worker processes, instead of again in every one."""
    scoring_warm_up()
