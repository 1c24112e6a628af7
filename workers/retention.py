"""Sites' retention periods, applied by the sweep (see commentgate.storage.retention).

A pass works through every site with a ``retention_days`` in batches, one short
transaction each, and stops after ``budget_seconds`` so the sweep gets back to its
own work; a backlog left over is taken up by the next sweep instead of a period later.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.storage.db import SessionFactory, unit_of_work
from commentgate.storage.models import utcnow
from commentgate.storage.retention import Expired, sites_with_retention

log = logging.getLogger(__name__)

RETENTION_BATCH = 500
RETENTION_BUDGET_SECONDS = 10.0


@dataclass(frozen=True)
class RetentionPass:
    """What a pass did, over all sites, and whether it got through everything due."""

    deleted: int = 0
    erased: int = 0
    finished: bool = True
    ips_reduced: int = 0


def apply_retention(
    sessions: SessionFactory,
    *,
    now: datetime | None = None,
    batch: int = RETENTION_BATCH,
    budget_seconds: float = RETENTION_BUDGET_SECONDS,
    ip_days: int = 30,
) -> RetentionPass:
    """Apply every site's retention period to its comments, then keep raw IPs only
    ``ip_days`` (a site's shorter period has erased them already), as far as the budget
    goes."""
    now = now or utcnow()
    deadline = time.monotonic() + budget_seconds
    with sessions() as session:
        sites = sites_with_retention(session)
    deleted = erased = 0
    for site_id, name, days in sites:
        done = _expire_site(sessions, site_id, name, now - timedelta(days=days), batch, deadline)
        deleted, erased = deleted + done.deleted, erased + done.erased
        if time.monotonic() >= deadline:
            return RetentionPass(deleted, erased, finished=False)
    reduced, finished = _reduce_ips(sessions, now - timedelta(days=ip_days), batch, deadline)
    return RetentionPass(deleted, erased, finished, reduced)


def _reduce_ips(
    sessions: SessionFactory, before: datetime, batch: int, deadline: float
) -> tuple[int, bool]:
    reduced = 0
    while True:
        with unit_of_work(sessions) as uow:
            done = CommentLifecycle(uow=uow).reduce_ips(before, batch)
        reduced += done
        if done < batch:
            finished = True
            break
        if time.monotonic() >= deadline:
            finished = False
            break
    if reduced:
        log.info("IP retention: %d comments keep only their IP's fingerprint", reduced)
    return reduced, finished


def _expire_site(
    sessions: SessionFactory,
    site_id: str,
    name: str,
    before: datetime,
    batch: int,
    deadline: float,
) -> Expired:
    deleted = erased = 0
    while True:
        with unit_of_work(sessions) as uow:
            done = CommentLifecycle(uow=uow).expire(site_id, before, batch)
        deleted, erased = deleted + done.deleted, erased + done.erased
        if done.handled < batch or time.monotonic() >= deadline:
            break
    if deleted or erased:
        log.info(
            "retention of site %s: %d comments deleted, personal data erased from %d",
            name,
            deleted,
            erased,
        )
    return Expired(deleted, erased)
