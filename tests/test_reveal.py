"""Phone numbers and IP addresses: masked for moderators, revealed in full on request, audited."""

import json

import pytest
from sqlalchemy import select

from commentgate.masking import mask_ip, mask_phone
from commentgate.storage.models import AuditEntry
from tests.helpers import auth, make_key, submit_ok, without_ids

BASE = "/api/v1/moderation/comments"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+84912345678", "+84 912 *** 678"),
        ("+842438253111", "+84 243 *** 111"),
        ("+14155550123", "+1 415 *** 123"),
        (None, None),
    ],
)
def test_phone_masks(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("203.0.113.9", "203.0.113.x"),
        ("2001:db8:0:1:aaaa:bbbb:cccc:dddd", "2001:db8:0:1:x:x:x:x"),
        ("2001:db8::1", "2001:db8:0:0:x:x:x:x"),
        ("::ffff:198.51.100.7", "198.51.100.x"),
        (None, None),
    ],
)
def test_ip_masks(value, masked):
    assert mask_ip(value) == masked


@pytest.fixture
def comment_id(client, app, worker):
    comment_id = submit_ok(client, app)
    worker()
    return comment_id


def test_moderator_views_mask_phone_and_ip(client, comment_id, moderator_key):
    one = client.get(f"{BASE}/{comment_id}", headers=auth(moderator_key)).json
    (listed,) = client.get(BASE, headers=auth(moderator_key)).json["items"]
    for view in (one, listed):
        assert (view["phone"], view["ip"]) == ("+84 912 *** 678", "127.0.0.x")
        dumped = json.dumps(view)
        assert "+84912345678" not in dumped and "127.0.0.1" not in dumped


def test_the_conflict_body_masks_too(client, comment_id, moderator_key):
    client.post(f"{BASE}/{comment_id}/approve", headers=auth(moderator_key))
    refused = client.post(f"{BASE}/{comment_id}/reject", headers=auth(moderator_key))
    assert refused.status_code == 409
    assert refused.json["error"]["current"]["phone"] == "+84 912 *** 678"


def reveal_audits(sessions):
    with sessions() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.reveal"))
        return [(e.actor_key_id, e.target_id, e.site_id, e.detail) for e in rows]


def test_reveal_shows_both_and_audits_the_fields_not_the_values(
    client, comment_id, moderator_key, sessions, site
):
    response = client.post(f"{BASE}/{comment_id}/reveal", headers=auth(moderator_key))
    assert response.status_code == 200
    assert response.json == {"phone": "+84912345678", "ip": "127.0.0.1"}
    ((actor, target, site_id, detail),) = reveal_audits(sessions)
    assert actor and (target, site_id) == (comment_id, site.id)
    assert detail == {"fields": ["phone", "ip"]}
    with sessions() as session:
        (row,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.reveal"))
        dumped = without_ids(json.dumps([row.detail, row.reason, row.target_id]))
    assert "912" not in dumped and "127.0.0" not in dumped


def test_reveal_one_field(client, comment_id, moderator_key, sessions):
    response = client.post(
        f"{BASE}/{comment_id}/reveal", json={"fields": ["ip"]}, headers=auth(moderator_key)
    )
    assert response.json == {"phone": None, "ip": "127.0.0.1"}
    assert [a[3] for a in reveal_audits(sessions)] == [{"fields": ["ip"]}]


def test_reveal_audits_only_fields_that_hold_a_value(client, app, worker, moderator_key, sessions):
    without_phone = submit_ok(client, app, phone=None)
    response = client.post(f"{BASE}/{without_phone}/reveal", headers=auth(moderator_key))
    assert response.json == {"phone": None, "ip": "127.0.0.1"}
    assert [a[3] for a in reveal_audits(sessions)] == [{"fields": ["ip"]}]


def test_reveal_refuses_bad_fields_other_sites_and_host_keys(
    client, comment_id, moderator_key, sessions
):
    bad = client.post(
        f"{BASE}/{comment_id}/reveal", json={"fields": ["name"]}, headers=auth(moderator_key)
    )
    assert bad.status_code == 422
    other = make_key(sessions, site_name="other")
    assert client.post(f"{BASE}/{comment_id}/reveal", headers=auth(other)).status_code == 404
    host = make_key(sessions, role="host")
    assert client.post(f"{BASE}/{comment_id}/reveal", headers=auth(host)).status_code == 403
    assert reveal_audits(sessions) == []
