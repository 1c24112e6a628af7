"""Banning authors: by phone or IP, the sweep of their recent comments, and its undo."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from commentgate.config import Settings
from commentgate.domain import BanKind
from commentgate.fingerprint import author_fingerprints, fingerprint
from commentgate.netaddr import canonical_ip
from commentgate.storage.bans import find_active_ban
from commentgate.storage.db import transaction
from commentgate.storage.models import Ban, Comment, Decision
from commentgate.storage.sites import ensure_site
from tests.helpers import audit_actions, auth, make_key, submit_ok, without_ids

BANS = "/api/v1/moderation/bans"
COMMENTS = "/api/v1/moderation/comments"


@pytest.fixture
def key(sessions, site):
    return make_key(sessions)


def ban(client, key, **body):
    response = client.post(BANS, json=body, headers=auth(key))
    assert response.status_code == 201, response.json
    return response.json


def status_of(client, key, comment_id):
    return client.get(f"{COMMENTS}/{comment_id}", headers=auth(key)).json["status"]


def age(sessions, comment_id, hours):
    with sessions() as session, session.begin():
        moment = datetime.now(UTC) - timedelta(hours=hours)
        session.execute(update(Comment).where(Comment.id == comment_id).values(created_at=moment))


def test_fingerprints_normalise_before_hashing(tmp_path):
    settings = Settings(var_dir=tmp_path)
    assert author_fingerprints(
        settings, "0912 345 678", "::ffff:203.0.113.9"
    ) == author_fingerprints(settings, "+84912345678", "203.0.113.9")
    assert author_fingerprints(settings, None, None) == (None, None)
    assert canonical_ip("not an ip") is None
    assert fingerprint(b"k", BanKind.PHONE, "1") != fingerprint(b"k", BanKind.IP, "1")


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = Settings(var_dir=tmp_path).resolved_secret_key()
    assert Settings(var_dir=tmp_path).resolved_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(var_dir=tmp_path, secret_key="given").resolved_secret_key() == b"given"


def test_intake_stores_fingerprints_not_for_show(client, app, sessions, key):
    comment_id = submit_ok(client, app)
    with sessions() as session:
        comment = session.get(Comment, comment_id)
        assert len(comment.phone_hmac) == 64 and len(comment.ip_hmac) == 64
    view = client.get(f"{COMMENTS}/{comment_id}", headers=auth(key)).json
    assert "phone_hmac" not in view and "ip_hmac" not in view


def test_new_comments_of_a_banned_phone_are_spam_with_the_reason(client, app, worker, key):
    created = ban(client, key, kind="phone", value="+84 912 345 678", note="rao vặt")["ban"]
    assert created["kind"] == "phone" and created["active"] and created["site"] is None
    assert "912" not in without_ids(str(created))
    comment_id = submit_ok(client, app, phone="0912345678")
    innocent = submit_ok(client, app, phone="0987654321")
    worker()
    detail = client.get(f"{COMMENTS}/{comment_id}", headers=auth(key)).json
    assert detail["status"] == "spam"
    banned = {"code": "banned", "weight": 10.0, "detail": "author banned (phone)", "spans": []}
    assert banned in detail["verdict"]["reasons"]
    assert status_of(client, key, innocent) == "pending"


def test_ban_by_ip_taken_from_a_comment(client, app, worker, key):
    first = submit_ok(client, app, phone=None)
    created = ban(client, key, kind="ip", comment_id=first)["ban"]
    assert created["source_comment_id"] == first
    later = submit_ok(client, app, phone=None)
    worker()
    assert status_of(client, key, later) == "spam"


def test_ban_by_phone_of_a_comment_without_phone_is_422(client, app, key):
    comment_id = submit_ok(client, app, phone=None)
    response = client.post(
        BANS, json={"kind": "phone", "comment_id": comment_id}, headers=auth(key)
    )
    assert response.status_code == 422 and "kind" in response.json["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"kind": "phone", "value": "1900 1234"}, "value", "phone_invalid"),
        ({"kind": "ip", "value": "999.1.1.1"}, "value", "invalid"),
        ({"kind": "ip"}, "value", "required"),
        ({"kind": "ip", "value": "1.2.3.4", "comment_id": "x"}, "value", "invalid"),
        ({"kind": "email", "value": "a@b.vn"}, "kind", "invalid"),
        (
            {"kind": "ip", "value": "1.2.3.4", "reject_recent_hours": 721},
            "reject_recent_hours",
            "invalid",
        ),
        # 167 code points that NFC makes 501 (U+FB2C becomes three)
        ({"kind": "ip", "value": "1.2.3.4", "note": "\ufb2c" * 167}, "note", "too_long"),
    ],
)
def test_bad_bans_are_422(client, key, body, field, code):
    response = client.post(BANS, json=body, headers=auth(key))
    assert response.status_code == 422
    assert response.json["error"]["fields"][field]["code"] == code


def test_reject_recent_sweeps_only_their_recent_comments_and_undo_restores(
    client, app, worker, sessions, key
):
    approved, pending, old = (submit_ok(client, app) for _ in range(3))
    other_author = submit_ok(client, app, phone="0987654321")
    worker()
    client.post(f"{COMMENTS}/{approved}/approve", headers=auth(key))
    age(sessions, old, 30)
    result = ban(client, key, kind="phone", value="0912345678", reject_recent_hours=24)
    assert sorted(result["rejected"]) == sorted([approved, pending])
    assert result["ban"]["rejected_count"] == 2
    assert [status_of(client, key, c) for c in (approved, pending, old, other_author)] == [
        "spam",
        "spam",
        "pending",
        "pending",
    ]
    public = client.get(
        "/api/v1/comments",
        query_string={"site": "demo", "article": "https://news.example/thoi-su/bai-1.html"},
    )
    assert public.json["items"] == []
    lifted = client.post(f"{BANS}/{result['ban']['id']}/lift", headers=auth(key)).json
    assert sorted(lifted["restored"]) == sorted([approved, pending]) and lifted["kept"] == []
    assert not lifted["ban"]["active"] and lifted["ban"]["lifted_at"]
    assert [status_of(client, key, c) for c in (approved, pending)] == ["approved", "pending"]
    restored = client.get(f"{COMMENTS}/{approved}", headers=auth(key)).json
    assert restored["decided_at"] is not None and restored["decision_reason"] is None


def test_undo_keeps_comments_changed_since_the_ban(client, app, worker, key):
    first, second = submit_ok(client, app), submit_ok(client, app)
    worker()
    result = ban(client, key, kind="phone", value="0912345678", reject_recent_hours=1)
    etag = client.get(f"{COMMENTS}/{first}", headers=auth(key)).json["etag"]
    client.post(f"{COMMENTS}/{first}/approve", headers={**auth(key), "If-Match": etag})
    lifted = client.post(f"{BANS}/{result['ban']['id']}/lift", headers=auth(key)).json
    assert lifted["restored"] == [second] and lifted["kept"] == [first]
    assert status_of(client, key, first) == "approved"
    again = client.post(f"{BANS}/{result['ban']['id']}/lift", headers=auth(key))
    assert again.status_code == 200 and again.json["restored"] == [] and again.json["kept"] == []


def test_lift_without_restore_keeps_the_sweep(client, app, worker, key):
    comment_id = submit_ok(client, app)
    worker()
    result = ban(client, key, kind="phone", value="0912345678", reject_recent_hours=1)
    lifted = client.post(
        f"{BANS}/{result['ban']['id']}/lift", json={"restore": False}, headers=auth(key)
    ).json
    assert lifted["restored"] == [] and status_of(client, key, comment_id) == "spam"


def test_ban_decisions_are_marked_as_bans_not_content_judgements(
    client, app, worker, sessions, key
):
    comment_id = submit_ok(client, app)
    worker()
    result = ban(client, key, kind="phone", value="0912345678", reject_recent_hours=1)
    client.post(f"{BANS}/{result['ban']['id']}/lift", headers=auth(key))
    with sessions() as session:
        actions = [
            d.action
            for d in session.scalars(
                select(Decision).where(Decision.comment_id == comment_id).order_by(Decision.id)
            )
        ]
    assert actions == ["ban", "restore"]


def test_lifted_or_expired_bans_stop_matching(client, app, worker, sessions, key):
    created = ban(client, key, kind="ip", value="127.0.0.1", duration_hours=1)["ban"]
    with sessions() as session:
        secret = app.extensions["commentgate"].settings.resolved_secret_key()
        ip_hmac = fingerprint(secret, BanKind.IP, "127.0.0.1")
        site_id = session.get(Ban, created["id"]).site_id or session.scalar(
            select(Comment.site_id).limit(1)
        )
        assert find_active_ban(session, site_id or "any", None, ip_hmac) is not None
    with sessions() as session, session.begin():
        session.execute(update(Ban).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with sessions() as session:
        assert find_active_ban(session, site_id or "any", None, ip_hmac) is None
    listed = client.get(BANS, query_string={"active": "false"}, headers=auth(key)).json["items"]
    assert [b["id"] for b in listed] == [created["id"]] and not listed[0]["active"]


def test_site_bans_stay_on_their_site(client, app, worker, sessions, key):
    other_site = "https://other.example"
    with transaction(sessions) as session:
        other_id = ensure_site(session, "other-site", [other_site])[0].id
    elsewhere = dict(site="other-site", article=f"{other_site}/bai-1.html")
    here_before, there_before = submit_ok(client, app), submit_ok(client, app, **elsewhere)
    worker()
    demo_key = make_key(sessions, site_name="demo")
    other_key = make_key(sessions, site_name="other-site")
    result = ban(client, demo_key, kind="phone", value="0912345678", reject_recent_hours=24)
    created = result["ban"]
    assert created["site"] == "demo"
    assert result["rejected"] == [here_before]  # the sweep stays on the ban's site
    here_after, there_after = submit_ok(client, app), submit_ok(client, app, **elsewhere)
    worker()
    assert [status_of(client, key, c) for c in (here_before, here_after)] == ["spam", "spam"]
    assert [status_of(client, key, c) for c in (there_before, there_after)] == [
        "pending",
        "pending",
    ]
    with sessions() as session:
        phone_hmac = session.get(Ban, created["id"]).value_hmac
        assert find_active_ban(session, other_id, phone_hmac, None) is None
    assert client.get(f"{BANS}/{created['id']}", headers=auth(other_key)).status_code == 404
    assert client.post(f"{BANS}/{created['id']}/lift", headers=auth(other_key)).status_code == 404
    assert client.get(BANS, headers=auth(other_key)).json["items"] == []
    refused = client.post(
        BANS, json={"kind": "ip", "value": "1.2.3.4", "site": "demo"}, headers=auth(other_key)
    )
    assert refused.status_code == 404 and refused.json["error"]["code"] == "unknown_site"
    assert client.get(f"{BANS}/{created['id']}", headers=auth(key)).status_code == 200


def test_global_bans_are_invisible_to_site_keys(client, sessions, key):
    created = ban(client, key, kind="ip", value="198.51.100.7")["ban"]
    demo_key = make_key(sessions, site_name="demo")
    assert client.get(f"{BANS}/{created['id']}", headers=auth(demo_key)).status_code == 404


def test_every_ban_action_is_audited_without_personal_data(client, app, worker, sessions, key):
    comment_id = submit_ok(client, app)
    worker()
    result = ban(client, key, kind="phone", value="0912345678", reject_recent_hours=1)
    client.post(f"{BANS}/{result['ban']['id']}/lift", headers=auth(key))
    ban_id = result["ban"]["id"]
    assert audit_actions(sessions) == [
        ("ban.create", "ban", ban_id),
        ("comment.ban_reject", "comment", comment_id),
        ("comment.restore", "comment", comment_id),
        ("ban.lift", "ban", ban_id),
    ]
