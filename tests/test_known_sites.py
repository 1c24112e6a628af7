"""Each web process's registered sites: read from the database only when they may have changed."""

from __future__ import annotations

import redis
from click.testing import CliRunner

from commentgate.site_changes import SITES_CHANGED, SiteChanges
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from launch import main
from service.known_sites import KnownSites
from tests.helpers import auth, make_key
from tests.services import free_port
from tests.test_cli import env_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountedChanges(SiteChanges):
    """The real announcements in Redis, counting how often the latest one is asked for."""

    asked = 0

    def latest(self) -> str | None:
        self.asked += 1
        return super().latest()


def known(sessions, changes, clock) -> KnownSites:
    return KnownSites(
        sessions, changes, ttl=5, max_age=60, clock=clock, in_background=lambda look: look()
    )


def busy(sites: KnownSites, clock: Clock, seconds: float) -> bool:
    """Requests every 3 s (past half the TTL: each one looks ahead) for ``seconds``; whether
    the last of them saw the site called "later"."""
    for _ in range(round(seconds / 3)):
        clock.now += 3
        seen = "later" in sites
    return seen


def add_site(sessions, name: str) -> None:
    with transaction(sessions) as session:
        ensure_site(session, name)


def test_sites_are_read_again_once_a_change_is_announced(sessions, site, redis_client):
    clock, changes = Clock(), SiteChanges(redis_client)
    sites = known(sessions, changes, clock)
    assert "demo" in sites and not busy(sites, clock, 3)  # read, then read after the token
    add_site(sessions, "later")
    assert not busy(sites, clock, 30)  # looked ahead ten times, nothing announced: not read
    changes.announce()
    assert busy(sites, clock, 3)


def test_a_change_nobody_announced_is_read_after_the_max_age(sessions, site, redis_client):
    clock = Clock()
    sites = known(sessions, SiteChanges(redis_client), clock)
    assert "later" not in sites and not busy(sites, clock, 3)  # read, then after the token
    add_site(sessions, "later")
    assert not busy(sites, clock, 57)
    assert busy(sites, clock, 3)


def test_a_redis_emptied_since_the_last_read_counts_as_a_change(sessions, site, redis_client):
    clock, changes = Clock(), SiteChanges(redis_client)
    changes.announce()
    sites = known(sessions, changes, clock)
    assert not busy(sites, clock, 3)  # read after the announcement
    add_site(sessions, "later")
    redis_client.delete(SITES_CHANGED)  # as a restart without persistence leaves it
    assert busy(sites, clock, 3)


def test_without_redis_the_sites_are_read_at_every_look(sessions, site):
    clock = Clock()
    out = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    sites = known(sessions, SiteChanges(out), clock)
    assert "later" not in sites
    add_site(sessions, "later")
    assert busy(sites, clock, 3)
    assert SiteChanges(out).announce() is False  # said in the log, never raised


def test_a_request_that_looks_itself_reads_the_database_without_asking_redis(
    sessions, site, redis_client
):
    clock, changes = Clock(), CountedChanges(redis_client)
    sites = known(sessions, changes, clock)
    assert "later" not in sites
    add_site(sessions, "later")
    clock.now += 5  # an idle process: nobody looked ahead
    assert "later" in sites and changes.asked == 0
    assert busy(sites, clock, 3) and changes.asked == 1


def test_the_admin_api_announces_sites_it_registers_and_changes(
    client, sessions, site, redis_client
):
    admin = auth(make_key(sessions, "admin"))
    before = redis_client.get(SITES_CHANGED)
    registered = client.post("/api/v1/admin/sites", json={"name": "vnews"}, headers=admin)
    assert registered.status_code == 201
    created = redis_client.get(SITES_CHANGED)
    assert created not in (None, before)
    changed = client.patch(
        "/api/v1/admin/sites/vnews", json={"origins": ["https://vnews.example"]}, headers=admin
    )
    assert changed.status_code == 200
    assert redis_client.get(SITES_CHANGED) not in (None, created)


def test_the_cli_announces_sites_it_adds_and_sets(settings, sessions, site, redis_client):
    def run(*args: str) -> bytes | None:
        result = CliRunner().invoke(main, list(args), env=env_for(settings))
        assert result.exit_code == 0, result.output
        return redis_client.get(SITES_CHANGED)

    added = run("sites", "add", "vnews", "--origin", "https://vnews.example")
    assert added is not None
    assert run("sites", "set", "vnews", "--mode", "post") not in (None, added)
