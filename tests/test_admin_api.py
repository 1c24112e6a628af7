"""The admin API: sites registry, keys, and the audit log."""

import base64
import json

import pytest
from sqlalchemy import text

from tests.helpers import audit_actions, auth, make_key, submit_ok

A = "/api/v1/admin"


@pytest.fixture
def admin(sessions, site):
    return make_key(sessions, "admin")


def test_register_and_show_a_site(client, admin):
    body = {
        "name": "vnews",
        "origins": ["https://VNews.example/", "https://m.vnews.example"],
        "mode": "post",
        "spam_at": 0.8,
        "approve_below": 0.2,
        "blocked_domains": ["8xbet.com", "W88.net."],
        "custom_words": ["Lô Đề"],
        "webhook_url": "https://hooks.vnews.example/cg",
        "webhook_secret": "s3cret-value",
        "retention_days": 365,
    }
    created = client.post(f"{A}/sites", json=body, headers=auth(admin))
    assert created.status_code == 201, created.json
    site = created.json
    assert site["origins"] == ["https://m.vnews.example", "https://vnews.example"]
    assert site["blocked_domains"] == ["8xbet.com", "w88.net"]
    assert site["custom_words"] == ["lô đề"]
    assert site["webhook_secret_set"] is True and "s3cret-value" not in json.dumps(site)
    assert client.get(f"{A}/sites/vnews", headers=auth(admin)).json == site
    names = [s["name"] for s in client.get(f"{A}/sites", headers=auth(admin)).json["items"]]
    assert names == ["demo", "vnews"]


def test_site_names_are_unique(client, admin):
    again = client.post(f"{A}/sites", json={"name": "demo"}, headers=auth(admin))
    assert again.status_code == 409 and again.json["error"]["code"] == "already_exists"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"origins": ["ftp://x.example"]}, "origins"),
        ({"origins": ["https://x.example/path"]}, "origins"),
        ({"origins": ["https://a.example; script-src 'none'"]}, "origins"),
        ({"origins": ["http://[::1]:8000"]}, "origins"),
        ({"mode": "sometimes"}, "mode"),
        ({"spam_at": 0}, "spam_at"),
        ({"approve_below": 2, "spam_at": 1}, "approve_below"),
        ({"blocked_domains": ["not a domain"]}, "blocked_domains"),
        ({"webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"webhook_secret": "short"}, "webhook_secret"),
        ({"retention_days": 0}, "retention_days"),
        # 158 characters, 308 once lower-cased: "İ" becomes "i" and a combining dot
        ({"origins": ["https://" + "İ" * 150]}, "origins"),
    ],
)
def test_bad_settings_are_422_with_the_field(client, admin, body, field):
    response = client.patch(f"{A}/sites/demo", json=body, headers=auth(admin))
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_update_replaces_lists_and_null_clears_only_clearable(client, admin):
    client.patch(
        f"{A}/sites/demo",
        json={
            "webhook_url": "https://h.example",
            "webhook_secret": "12345678",
            "retention_days": 30,
        },
        headers=auth(admin),
    )
    updated = client.patch(
        f"{A}/sites/demo",
        json={
            "origins": ["https://news.example"],
            "webhook_url": None,
            "retention_days": None,
            "mode": None,
        },
        headers=auth(admin),
    ).json
    assert updated["webhook_url"] is None and updated["retention_days"] is None
    assert updated["mode"] == "pre" and updated["webhook_secret_set"] is True
    assert updated["origins"] == ["https://news.example"]


def test_an_international_origin_is_kept_in_the_form_browsers_send(client, admin):
    body = {"origins": ["https://Bảo.vn", "http://127.0.0.1:8000/"]}
    updated = client.patch(f"{A}/sites/demo", json=body, headers=auth(admin))
    assert updated.json["origins"] == ["http://127.0.0.1:8000", "https://xn--bo-l5s.vn"]
    preflight = client.options(
        "/api/v1/comments",
        headers={"Origin": "https://xn--bo-l5s.vn", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204


def test_site_limited_admin_sees_and_changes_only_its_site(client, sessions, admin):
    client.post(f"{A}/sites", json={"name": "vnews"}, headers=auth(admin))
    local = make_key(sessions, "admin", site_name="demo")
    assert [s["name"] for s in client.get(f"{A}/sites", headers=auth(local)).json["items"]] == [
        "demo"
    ]
    assert client.get(f"{A}/sites/vnews", headers=auth(local)).status_code == 404
    assert (
        client.patch(f"{A}/sites/vnews", json={"mode": "post"}, headers=auth(local)).status_code
        == 404
    )
    assert (
        client.patch(f"{A}/sites/demo", json={"mode": "post"}, headers=auth(local)).status_code
        == 200
    )
    assert client.post(f"{A}/sites", json={"name": "x"}, headers=auth(local)).status_code == 403


def test_keys_are_shown_once_listed_by_prefix_and_revocable(client, sessions, admin):
    created = client.post(
        f"{A}/keys",
        json={"role": "host", "name": "vnews backend", "site": "demo"},
        headers=auth(admin),
    )
    assert created.status_code == 201
    key = created.json
    assert key["key"].startswith(key["prefix"]) and key["site"] == "demo" and key["role"] == "host"
    listed = client.get(
        f"{A}/keys", query_string={"prefix": key["prefix"]}, headers=auth(admin)
    ).json
    assert [k["id"] for k in listed["items"]] == [key["id"]] and "key" not in listed["items"][0]
    hosted = client.get(
        "/api/v1/host/events", query_string={"site": "demo"}, headers=auth(key["key"])
    )
    assert hosted.status_code == 200
    revoked = client.post(f"{A}/keys/{key['id']}/revoke", headers=auth(admin))
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    again = client.post(f"{A}/keys/{key['id']}/revoke", headers=auth(admin))
    assert again.json["revoked_at"] == revoked.json["revoked_at"]
    after = client.get(
        "/api/v1/host/events", query_string={"site": "demo"}, headers=auth(key["key"])
    )
    assert after.status_code == 401
    live = client.get(f"{A}/keys", query_string={"prefix": key["prefix"]}, headers=auth(admin)).json
    assert live["items"] == []
    everything = client.get(
        f"{A}/keys",
        query_string={"prefix": key["prefix"], "include_revoked": "true"},
        headers=auth(admin),
    ).json
    assert [k["id"] for k in everything["items"]] == [key["id"]]


def test_key_names_are_measured_after_cleaning(client, admin):
    body = {"role": "moderator", "name": "\ufb2c" * 34}  # 102 characters in NFC
    response = client.post(f"{A}/keys", json=body, headers=auth(admin))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["name"]["code"] == "too_long"
    body["name"] = "  " + "x" * 100 + "\u200b"
    response = client.post(f"{A}/keys", json=body, headers=auth(admin))
    assert response.status_code == 201 and response.json["name"] == "x" * 100


def test_site_limited_admin_manages_only_its_keys(client, sessions, admin):
    local = make_key(sessions, "admin", site_name="demo")
    global_key = client.post(
        f"{A}/keys", json={"role": "moderator", "name": "g"}, headers=auth(admin)
    ).json
    refused = client.post(f"{A}/keys", json={"role": "moderator", "name": "x"}, headers=auth(local))
    assert refused.status_code == 403
    other = client.post(
        f"{A}/keys", json={"role": "moderator", "name": "x", "site": "other"}, headers=auth(local)
    )
    assert other.status_code == 404
    assert (
        client.post(f"{A}/keys/{global_key['id']}/revoke", headers=auth(local)).status_code == 404
    )
    ids = {k["id"] for k in client.get(f"{A}/keys", headers=auth(local)).json["items"]}
    assert global_key["id"] not in ids


def test_audit_covers_every_kind_of_action(client, app, worker, sessions, admin):
    comment_id = submit_ok(client, app)
    worker()
    client.post(
        "/api/v1/moderation/comments/" + comment_id + "/reject",
        json={"reason": "abuse", "note": "Số 0912345678"},
        headers=auth(admin),
    )
    etag = client.get(f"/api/v1/moderation/comments/{comment_id}", headers=auth(admin)).json["etag"]
    client.patch(
        f"/api/v1/moderation/comments/{comment_id}",
        json={"content": "Đã sửa"},
        headers={**auth(admin), "If-Match": etag},
    )
    client.post(
        "/api/v1/moderation/comments/bulk",
        json={"action": "approve", "ids": [comment_id], "if_match": {comment_id: "*"}},
        headers=auth(admin),
    )
    client.post(f"{A}/sites", json={"name": "vnews"}, headers=auth(admin))
    client.patch(f"{A}/sites/vnews", json={"webhook_secret": "super-secret"}, headers=auth(admin))
    key = client.post(f"{A}/keys", json={"role": "ops", "name": "ops"}, headers=auth(admin)).json
    client.post(f"{A}/keys/{key['id']}/revoke", headers=auth(admin))
    entries = client.get(f"{A}/audit", query_string={"limit": 100}, headers=auth(admin)).json[
        "items"
    ]
    actions = [e["action"] for e in reversed(entries)]
    assert actions == [
        "comment.reject",
        "comment.edit",
        "comment.approve",
        "site.create",
        "site.update",
        "key.create",
        "key.revoke",
    ]
    reject = entries[-1]
    assert reject["reason"] == "abuse" and reject["detail"] == {"from": "pending", "to": "rejected"}
    assert reject["actor"] and reject["site"] == "demo" and reject["at"].endswith("Z")
    dumped = json.dumps(entries, ensure_ascii=False)
    for personal in (
        "0912345678",
        "+84912345678",
        "127.0.0.1",
        "Đã sửa",
        "super-secret",
        key["key"],
    ):
        assert personal not in dumped
    site_update = next(e for e in entries if e["action"] == "site.update")
    assert site_update["detail"] == {"fields": ["webhook_secret"]}


def test_audit_filters_and_pages(client, app, worker, sessions, admin):
    ids = [submit_ok(client, app) for _ in range(3)]
    worker()
    for comment_id in ids:
        client.post(f"/api/v1/moderation/comments/{comment_id}/approve", headers=auth(admin))
    first = client.get(f"{A}/audit", query_string={"limit": 2}, headers=auth(admin)).json
    second = client.get(
        f"{A}/audit", query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=auth(admin)
    ).json
    assert [e["target_id"] for e in first["items"] + second["items"]] == list(reversed(ids))
    assert second["next_cursor"] is None
    one = client.get(f"{A}/audit", query_string={"target_id": ids[0]}, headers=auth(admin)).json[
        "items"
    ]
    assert [e["target_id"] for e in one] == [ids[0]]
    none = client.get(
        f"{A}/audit", query_string={"action": "ban.create"}, headers=auth(admin)
    ).json["items"]
    assert none == []


@pytest.mark.parametrize("position", [10**20, 2**31])
def test_audit_cursors_beyond_the_id_range_are_refused(client, admin, position):
    cursor = base64.urlsafe_b64encode(json.dumps([position]).encode()).decode()
    response = client.get(f"{A}/audit", query_string={"cursor": cursor}, headers=auth(admin))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["cursor"]["code"] == "invalid"


@pytest.mark.parametrize(
    ("name", "moment"),
    [("since", "9999-12-31T23:59:59-14:00"), ("until", "0001-01-01T00:00:00+14:00")],
)
def test_audit_times_no_datetime_can_hold_in_utc_are_422(client, admin, name, moment):
    response = client.get(f"{A}/audit", query_string={name: moment}, headers=auth(admin))
    assert response.status_code == 422
    assert response.json["error"]["fields"][name]["code"] == "invalid"


def test_audit_is_append_only_in_the_database(client, sessions, admin):
    client.post(f"{A}/sites", json={"name": "vnews"}, headers=auth(admin))
    with pytest.raises(Exception, match="append-only"), sessions() as session, session.begin():
        session.execute(text("UPDATE audit_log SET action = 'x'"))
    assert audit_actions(sessions)[0][0] == "site.create"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_key_names_must_say_something(client, admin, name):
    response = client.post(f"{A}/keys", json={"role": "host", "name": name}, headers=auth(admin))
    assert response.status_code == 422
    assert "name" in response.json["error"]["fields"]
