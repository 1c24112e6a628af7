"""The ``commentgate`` command line, run as a real subprocess where it matters."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from commentgate.captcha import CaptchaService
from commentgate.storage.keys import find_key
from commentgate.storage.models import Site
from launch import main


def env_for(settings) -> dict[str, str]:
    return {
        "COMMENTGATE_VAR_DIR": str(settings.var_dir),
        "REDIS_URL": settings.redis_url,
        "DATABASE_URL": settings.database_url,
    }


def invoke(settings, *args):
    return CliRunner().invoke(main, list(args), env=env_for(settings))


def test_help_explains_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "web", "worker", "db", "sites", "keys", "captcha"):
        assert command in result.output
    sub = CliRunner().invoke(main, ["sites", "add", "--help"])
    assert "--origin" in sub.output and "--mode" in sub.output


def test_sites_add_is_idempotent_and_merges_origins(settings, sessions):
    assert (
        invoke(settings, "sites", "add", "vnews", "--origin", "https://a.example/").exit_code == 0
    )
    again = invoke(
        settings, "sites", "add", "vnews", "--origin", "https://b.example", "--mode", "post"
    )
    assert again.exit_code == 0
    with sessions() as session:
        site = session.scalar(select(Site).where(Site.name == "vnews"))
        assert site.origin_set() == {"https://a.example", "https://b.example"}
        assert site.mode == "post"


@pytest.mark.parametrize("name", ["", "Bad Name!", "x" * 300, "bài-viết"])
def test_sites_add_refuses_names_the_api_refuses(settings, sessions, name):
    result = invoke(settings, "sites", "add", name)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: validation_failed: NAME ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert invoke(settings, "sites", "list").stdout == ""


@pytest.mark.parametrize(
    "origin",
    [
        "not-a-url",
        "javascript:alert(1)",
        "https://vnews.example/path?x=1",
        "https://a.example; script-src 'none'",
    ],
)
def test_sites_add_refuses_origins_the_api_refuses(settings, sessions, site, origin):
    for name in ("vnews", "demo"):  # registering, and adding to a site
        result = invoke(settings, "sites", "add", name, "--origin", origin)
        assert result.exit_code == 1
        assert f"validation_failed: --origin {origin!r}: Invalid value." in result.stderr
    with sessions() as session:
        assert session.scalar(select(Site.name).where(Site.name == "vnews")) is None
        demo = session.scalar(select(Site).where(Site.name == "demo"))
        assert demo.origin_set() == {"https://news.example"}


def test_sites_add_is_audited_as_the_command_line(settings, sessions):
    from commentgate.storage.models import AuditEntry

    invoke(settings, "sites", "add", "vnews", "--origin", "https://a.example")
    invoke(settings, "sites", "add", "vnews", "--mode", "post")
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor_key_id, e.detail) for e in entries] == [
            ("site.create", None, {"fields": ["origins"]}),
            ("site.update", None, {"fields": ["mode"]}),
        ]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_keys_create_refuses_names_the_api_refuses(settings, sessions, name):
    result = invoke(settings, "keys", "create", "--role", "admin", "--name", name)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: validation_failed: --name ")
    assert invoke(settings, "keys", "list").stdout == ""


def test_keys_create_prints_only_the_key(settings, sessions, site):
    result = invoke(
        settings, "keys", "create", "--role", "moderator", "--name", "an", "--site", "demo"
    )
    secret = result.stdout.strip()
    assert result.exit_code == 0 and "\n" not in secret
    with sessions() as session:
        key = find_key(session, secret)
        assert key.role == "moderator" and key.site_id == site.id
        assert key.key_hash != secret


def test_keys_for_unknown_site_fail_cleanly(settings, sessions):
    result = invoke(settings, "keys", "create", "--role", "admin", "--name", "x", "--site", "nope")
    assert result.exit_code == 1
    assert "unknown_site" in result.output


def test_captcha_answer_prints_answer_without_consuming(settings, redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(site="demo")
    result = invoke(settings, "captcha", "answer", challenge.id)
    assert result.exit_code == 0
    assert result.stdout.strip() == service.answer(challenge.id)


def test_captcha_answer_for_unknown_captcha_exits_1(settings, redis_client):
    result = invoke(settings, "captcha", "answer", "nope")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "unknown or expired" in result.stderr


def test_embedded_redis_is_shared_with_a_second_process(tmp_path):
    """Without REDIS_URL, a second process finds the first one's embedded server."""
    from commentgate.config import Settings
    from commentgate.redis_conn import connect_redis, embedded_socket, stop_embedded

    settings = Settings(var_dir=tmp_path / "var", redis_url="")
    first = connect_redis(settings)
    try:
        challenge = CaptchaService(first, 600).issue(site="demo")
        assert embedded_socket(settings.var_dir).exists()
        env = {**os.environ, "COMMENTGATE_VAR_DIR": str(settings.var_dir)}
        env.pop("REDIS_URL", None)
        out = subprocess.run(
            [sys.executable, "-m", "launch", "captcha", "answer", challenge.id],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert out.stdout.strip() == CaptchaService(first, 600).answer(challenge.id)
    finally:
        stop_embedded(first)


def test_stopping_the_embedded_redis_does_not_wait_for_lingering_clients(tmp_path):
    """A connection left open by some other client must not keep the server alive."""
    import redis

    from commentgate.config import Settings
    from commentgate.redis_conn import connect_redis, embedded_socket, stop_embedded

    settings = Settings(var_dir=tmp_path / "var", redis_url="")
    owner = connect_redis(settings)
    lingering = redis.Redis(unix_socket_path=str(embedded_socket(settings.var_dir)))
    assert lingering.ping()
    stop_embedded(owner, grace_seconds=0.3)
    with pytest.raises((redis.ConnectionError, FileNotFoundError)):
        lingering.ping()


def test_keys_list_and_revoke_by_prefix(settings, sessions, site):
    secret = invoke(
        settings, "keys", "create", "--role", "host", "--name", "vnews", "--site", "demo"
    ).stdout.strip()
    listed = invoke(settings, "keys", "list")
    assert listed.exit_code == 0
    row = next(
        line.split("\t")
        for line in listed.stdout.splitlines()
        if secret.startswith(line.split("\t")[1])
    )
    assert row[2:5] == ["host", "demo", "vnews"] and row[6] == "-"
    assert secret not in listed.stdout
    revoked = invoke(settings, "keys", "revoke", secret[:8])
    assert revoked.exit_code == 0 and "revoked key" in revoked.stderr
    with sessions() as session:
        assert find_key(session, secret) is None
    assert row[0] not in invoke(settings, "keys", "list").stdout
    assert row[0] in invoke(settings, "keys", "list", "--all").stdout
    assert invoke(settings, "keys", "revoke", "cg_nope").exit_code == 1


def test_keys_revoke_says_a_prefix_is_ambiguous(settings, sessions, site):
    invoke(settings, "keys", "create", "--role", "host", "--name", "a")
    only = invoke(settings, "keys", "revoke", "cg_")  # the one key today, any key tomorrow
    assert only.exit_code == 1 and "prefix cg_ is too short to name a key" in only.stderr
    invoke(settings, "keys", "create", "--role", "host", "--name", "b")
    every = invoke(settings, "keys", "revoke", "cg_")
    assert every.exit_code == 1
    assert "prefix cg_ matches 2 keys" in every.stderr and "not_found" not in every.stderr
    assert len(invoke(settings, "keys", "list").stdout.splitlines()) == 2  # none revoked


def test_cli_key_changes_are_audited_as_the_command_line(settings, sessions, site):
    from commentgate.storage.models import AuditEntry

    invoke(settings, "keys", "create", "--role", "admin", "--name", "root")
    with sessions() as session:
        entry = session.scalar(select(AuditEntry))
        assert (entry.action, entry.actor_key_id) == ("key.create", None)


def test_sites_list_show_and_set(settings, sessions, site):
    changed = invoke(
        settings,
        "sites",
        "set",
        "demo",
        "--mode",
        "post",
        "--spam-at",
        "0.9",
        "--blocked-domains",
        "8xbet.com, w88.net",
        "--webhook-secret",
        "12345678",
    )
    assert changed.exit_code == 0, changed.output
    shown = json.loads(invoke(settings, "sites", "show", "demo").stdout)
    assert shown["mode"] == "post" and shown["spam_at"] == 0.9
    assert shown["blocked_domains"] == ["8xbet.com", "w88.net"] and shown["webhook_secret_set"]
    assert "12345678" not in json.dumps(shown)
    assert invoke(settings, "sites", "list").stdout.startswith(
        "demo\tpost\t0.9\thttps://news.example"
    )
    cleared = invoke(
        settings, "sites", "set", "demo", "--blocked-domains", "", "--webhook-secret", ""
    )
    assert cleared.exit_code == 0
    shown = json.loads(invoke(settings, "sites", "show", "demo").stdout)
    assert shown["blocked_domains"] == [] and not shown["webhook_secret_set"]


def test_sites_set_refuses_bad_values_clearly(settings, sessions, site):
    bad = invoke(settings, "sites", "set", "demo", "--origins", "ftp://x")
    assert bad.exit_code == 1 and "validation_failed" in bad.output and "origins" in bad.output
    unknown = invoke(settings, "sites", "show", "nope")
    assert unknown.exit_code == 1 and "unknown_site" in unknown.output
    for command in (["keys", "list"], ["keys", "revoke"], ["sites", "set"], ["sites", "show"]):
        assert "Usage" in CliRunner().invoke(main, [*command, "--help"]).output


def test_model_train_show_and_rebuild(settings, sessions, site, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    lines = [("Nhà cái uy tín, nạp đầu tặng 100%, ib zalo", "spam")] * 3 + [
        ("Bài viết hay, cảm ơn tác giả", "ham")
    ] * 3
    corpus.write_text("".join(json.dumps({"text": t, "label": lb}) + "\n" for t, lb in lines))
    trained = invoke(settings, "train", str(corpus))
    assert trained.exit_code == 0, trained.output
    prior = trained.stdout.strip()
    shown = invoke(settings, "model", "show")
    assert shown.stdout.startswith(f"{prior}\tglobal prior\t0 decisions")
    rebuilt = invoke(settings, "model", "rebuild", "--site", site.name)
    assert rebuilt.exit_code == 0, rebuilt.output
    version = rebuilt.stdout.split()[0]
    assert rebuilt.stdout.strip() == f"{version} (0 decisions)" and version != prior
    assert invoke(settings, "model", "show", "--site", site.name).stdout.startswith(version)


def local_env(var_dir) -> dict[str, str]:
    """No configured Redis or database: the embedded Redis and SQLite under ``var_dir``."""
    return {"COMMENTGATE_VAR_DIR": str(var_dir), "REDIS_URL": "", "DATABASE_URL": ""}


@pytest.mark.parametrize("command", [["keys", "list"], ["sites", "show", "demo"], ["status"]])
def test_commands_outside_a_project_say_where_the_database_is_missing(tmp_path, command):
    var_dir = tmp_path / "var"
    result = CliRunner().invoke(main, command, env=local_env(var_dir))
    assert result.exit_code == 1 and result.stdout == ""
    database = var_dir.resolve() / "commentgate.sqlite3"
    assert result.stderr == (
        f"Error: no commentgate database at sqlite:///{database}; run `commentgate db upgrade` "
        "to create it, or run from the project directory, or set DATABASE_URL\n"
    )
    assert not var_dir.exists()  # neither an empty SQLite file nor an embedded Redis


def test_an_empty_or_foreign_database_is_not_taken_for_ours(tmp_path):
    from sqlalchemy import create_engine, text

    var_dir = tmp_path / "var"
    var_dir.mkdir()
    database = var_dir / "commentgate.sqlite3"
    database.touch()
    empty = CliRunner().invoke(main, ["keys", "list"], env=local_env(var_dir))
    assert empty.exit_code == 1 and "no commentgate database at" in empty.stderr
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('f00d')"))
    engine.dispose()
    foreign = CliRunner().invoke(main, ["keys", "list"], env=local_env(var_dir))
    assert foreign.exit_code == 1 and "does not know" in foreign.stderr
    assert "Traceback" not in foreign.output


def test_an_older_schema_asks_for_an_upgrade(tmp_path):
    from commentgate.storage.migrate import upgrade

    var_dir = tmp_path / "var"
    upgrade(f"sqlite:///{var_dir.resolve() / 'commentgate.sqlite3'}", "0002")
    older = CliRunner().invoke(main, ["sites", "list"], env=local_env(var_dir))
    assert older.exit_code == 1 and "older schema; run `commentgate db upgrade`" in older.stderr
    assert CliRunner().invoke(main, ["db", "upgrade"], env=local_env(var_dir)).exit_code == 0
    assert CliRunner().invoke(main, ["sites", "list"], env=local_env(var_dir)).exit_code == 0


def test_status_does_not_start_an_embedded_redis_to_report_on(tmp_path):
    var_dir = tmp_path / "var"
    assert CliRunner().invoke(main, ["db", "upgrade"], env=local_env(var_dir)).exit_code == 0
    result = CliRunner().invoke(main, ["status"], env=local_env(var_dir))
    assert result.exit_code == 1
    assert "redis: unavailable (ConnectionError: no embedded Redis is running" in result.stdout
    assert "comments: received 0" in result.stdout
    assert not (var_dir / "redis.sock").exists()
    answer = CliRunner().invoke(main, ["captcha", "answer", "x"], env=local_env(var_dir))
    assert answer.exit_code == 1 and "Error: redis: unavailable" in answer.stderr


def test_run_stops_before_anything_when_its_port_is_taken(tmp_path):
    import socket

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "launch", "run"],
            cwd=tmp_path,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 1 and out.stdout == ""  # no banner, no key
    assert f"Error: cannot listen on 127.0.0.1:{port}" in out.stderr
    assert f"stop what uses port {port}, or pick another: PORT=" in out.stderr
    assert not (tmp_path / "var").exists()  # nor an embedded Redis, nor a database


def test_each_run_leaves_one_local_run_key_alive(settings, sessions):
    from commentgate.storage.db import transaction
    from commentgate.storage.models import AuditEntry
    from launch.processes import renew_local_run_key

    other = invoke(settings, "keys", "create", "--role", "moderator", "--name", "an").stdout
    secrets = []
    for _ in range(3):
        with transaction(sessions) as session:
            secrets.append(renew_local_run_key(session))
    with sessions() as session:
        assert [find_key(session, s) is not None for s in secrets] == [False, False, True]
        assert find_key(session, other.strip()) is not None
        revoked = session.scalars(select(AuditEntry).where(AuditEntry.action == "key.revoke"))
        assert [e.actor_key_id for e in revoked] == [None, None]
    live = invoke(settings, "keys", "list", "--role", "moderator").stdout.splitlines()
    assert sorted(line.split("\t")[4] for line in live) == ["an", "local run"]
