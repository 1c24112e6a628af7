"""Where workers find the current spam model: the database, cached in Redis and memory.

Model versions are rows in ``model_versions`` (the durable copy); Redis holds
their bytes so that a worker need not read a megabyte column per job, and may
lose them at any time. Each process keeps the models it has loaded by version.
"""

from __future__ import annotations

import logging
import secrets

import redis
from sqlalchemy.orm import Session

from commentgate.redis_keys import redis_key
from commentgate.storage.db import SessionFactory
from commentgate.storage.model_versions import add_version, latest_version, prune_versions
from commentgate.storage.models import ModelVersion
from workers.scoring.blend import BlendedModel, for_site
from workers.scoring.model import ModelFormatError, SpamModel

log = logging.getLogger(__name__)
CACHE_SECONDS = 24 * 3600
# Versions kept per scope (a site, or the global prior): the current one and a few before it
# to inspect. Every learning job stores a version of a megabyte or more, and the decision log,
# not the versions, is what a rebuild starts from, so older ones are deleted.
KEEP_VERSIONS = 5
# A loaded model holds about 17 MB of arrays; keep only the few in use.
MODELS_KEPT = 3


def new_version_name(scope: str) -> str:
    """A unique, readable version name, e.g. ``demo-7f3a2c``."""
    return f"{scope[:40]}-{secrets.token_hex(4)}"


class ModelStore:
    """Loads and saves :class:`SpamModel` versions for one worker process."""

    def __init__(self, sessions: SessionFactory, client: redis.Redis) -> None:
        self._sessions = sessions
        self._redis = client
        self._memory: dict[str, SpamModel] = {}

    def current(self, session: Session, site_id: str | None) -> SpamModel | None:
        """The site's newest model (else the global prior's), or None if none was trained:
        what learning continues from."""
        row = latest_version(session, site_id)
        return self._loaded(row) if row is not None else None

    def for_scoring(self, session: Session, site_id: str) -> SpamModel | BlendedModel | None:
        """What scores the site's comments: the global prior until the site's model has
        learned enough decisions, then a blend of the two (:mod:`workers.scoring.blend`)."""
        row = latest_version(session, site_id)
        if row is None or row.site_id is None:
            return self._loaded(row) if row is not None else None
        prior = latest_version(session, None)
        return for_site(
            self._loaded(row), self._loaded(prior) if prior is not None else None, row.examples
        )

    def _loaded(self, row: ModelVersion) -> SpamModel | None:
        """The model of ``row``, from memory, the cache or the row."""
        model = self._memory.get(row.version)
        if model is None:
            try:
                model = SpamModel.from_bytes(self._cached_bytes(row))
            except ModelFormatError as exc:  # saved by an older feature set: retrain
                log.error("model %s cannot be used (%s); scoring without it", row.version, exc)
                return None
            self._remember(model)
        return model

    def _cached_bytes(self, row: ModelVersion) -> bytes:
        key = redis_key("model", row.version)
        try:
            cached = self._redis.get(key)
            if cached:
                return cached
            self._redis.set(key, row.weights, ex=CACHE_SECONDS)
        except redis.RedisError as exc:  # the cache is optional; the database is not
            log.warning("model cache unavailable (%s); reading from the database", exc)
        return row.weights

    def preload(self, session: Session, site_ids: list[str]) -> list[str]:
        """Load the global prior and the sites' current models, as many as the process
        keeps; returns their versions (a supervisor does this before it forks workers)."""
        loaded: list[str] = []
        for site_id in [None, *site_ids]:
            model = self.current(session, site_id)
            if model is not None and model.version not in loaded:
                loaded.append(model.version)
            if len(loaded) >= MODELS_KEPT:
                break
        return loaded

    def holds(self, version: str) -> bool:
        """Whether this process has the model ``version`` loaded."""
        return version in self._memory

    def _remember(self, model: SpamModel) -> None:
        if len(self._memory) >= MODELS_KEPT:
            self._memory.pop(next(iter(self._memory)))
        # Its feature weights are computed on first use; computed now, a work-horse forked
        # later inherits them instead of computing them for its one job.
        model.idf.vector  # noqa: B018
        self._memory[model.version] = model

    def save(
        self,
        session: Session,
        model: SpamModel,
        *,
        site_id: str | None,
        examples: int,
        last_decision_id: int,
        last_decision_txid: int = 0,
    ) -> ModelVersion:
        """Store a new version; it becomes current for its scope once committed."""
        row = ModelVersion(
            site_id=site_id,
            version=model.version,
            weights=model.to_bytes(),
            examples=examples,
            last_decision_id=last_decision_id,
            last_decision_txid=last_decision_txid,
        )
        add_version(session, row)
        self._prune(session, site_id)
        self._remember(model)
        return row

    def _prune(self, session: Session, site_id: str | None) -> None:
        """Delete the scope's versions older than its newest KEEP_VERSIONS."""
        pruned = prune_versions(session, site_id, KEEP_VERSIONS)
        if not pruned:
            return
        try:  # their cached bytes too; the cache would let them go within a day anyway
            self._redis.delete(*(redis_key("model", version) for version in pruned))
        except redis.RedisError as exc:
            log.warning("could not drop pruned models from the cache (%s)", exc)
