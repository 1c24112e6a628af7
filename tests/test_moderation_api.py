"""The moderation API: auth, scope, review queue, decisions and their concurrency."""

import pytest
from sqlalchemy import select

from commentgate.domain import Role
from commentgate.storage.db import transaction
from commentgate.storage.keys import create_key
from commentgate.storage.models import ApiKey, Decision, utcnow
from commentgate.storage.sites import ensure_site
from tests.helpers import auth, submit_ok

BASE = "/api/v1/moderation/comments"


@pytest.fixture
def scored(client, app, worker):
    """A comment the worker has scored (pending on the pre-moderated demo site)."""
    comment_id = submit_ok(client, app)
    worker()
    return comment_id


def make_key(sessions, role=Role.MODERATOR, site_name=None) -> str:
    with transaction(sessions) as session:
        site_id = ensure_site(session, site_name)[0].id if site_name else None
        return create_key(session, role, "k", site_id)


def test_missing_or_bad_key_is_401(client, moderator_key):
    assert client.get(BASE).json["error"]["code"] == "unauthorized"
    assert client.get(BASE, headers=auth("cg_wrong")).status_code == 401
    assert client.get(BASE, headers={"Authorization": "Basic abc"}).status_code == 401


def test_revoked_key_is_401(client, sessions, moderator_key):
    with transaction(sessions) as session:
        for key in session.scalars(select(ApiKey)):
            key.revoked_at = utcnow()
    assert client.get(BASE, headers=auth(moderator_key)).status_code == 401


def test_review_queue_lists_pending_newest_first(client, app, worker, moderator_key):
    first, second = submit_ok(client, app), submit_ok(client, app)
    worker()
    page = client.get(BASE, headers=auth(moderator_key)).json
    assert [c["id"] for c in page["items"]] == [second, first]
    assert page["items"][0]["phone"] == "••••••••••"  # sealed: only the audited reveal opens it
    received = client.get(BASE, query_string={"status": "received"}, headers=auth(moderator_key))
    assert received.json["items"] == []


def test_status_filter_may_repeat(client, app, worker, moderator_key):
    pending = submit_ok(client, app)
    spam = submit_ok(
        client, app, website="bot was here", content="http://a.example http://b.example"
    )
    worker()
    query = [("status", "pending"), ("status", "spam")]
    items = client.get(BASE, query_string=query, headers=auth(moderator_key)).json["items"]
    assert {c["id"]: c["status"] for c in items} == {pending: "pending", spam: "spam"}


def test_detail_has_everything_and_an_etag(client, scored, moderator_key):
    response = client.get(f"{BASE}/{scored}", headers=auth(moderator_key))
    body = response.json
    assert response.headers["ETag"] == body["etag"]
    assert body["ip"] == "127.0.0.1"
    assert body["status"] == "pending"
    assert set(body["verdict"]) == {"score", "reasons", "model_version"}
    assert all(set(r) == {"code", "weight", "detail"} for r in body["verdict"]["reasons"])


def test_approve_publishes_and_repeating_is_a_noop(client, scored, moderator_key, sessions):
    first = client.post(f"{BASE}/{scored}/approve", headers=auth(moderator_key))
    assert first.status_code == 200 and first.json["status"] == "approved"
    again = client.post(f"{BASE}/{scored}/approve", headers=auth(moderator_key))
    assert again.status_code == 200 and again.json["etag"] == first.json["etag"]
    public = client.get(
        "/api/v1/comments", query_string={"site": "demo", "article": first.json["article"]}
    )
    assert [c["id"] for c in public.json["items"]] == [scored]
    with sessions() as session:
        assert len(list(session.scalars(select(Decision)))) == 1


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"reason": "spam"}, "spam", "spam"),
        ({"reason": "abuse", "note": "xúc phạm"}, "rejected", "abuse"),
        (None, "rejected", "other"),
    ],
)
def test_reject_reasons(client, scored, moderator_key, body, status, reason):
    kwargs = {"json": body} if body is not None else {}
    response = client.post(f"{BASE}/{scored}/reject", headers=auth(moderator_key), **kwargs)
    assert response.status_code == 200
    assert (response.json["status"], response.json["decision_reason"]) == (status, reason)


def test_bad_reject_reason_is_422(client, scored, moderator_key):
    response = client.post(
        f"{BASE}/{scored}/reject", json={"reason": "boring"}, headers=auth(moderator_key)
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"]["reason"]["code"] == "invalid"


# U+FB2C (shin with dagesh and shin dot) is one code point that NFC makes three.
GROWS_THREEFOLD = "\ufb2c"


def test_notes_are_measured_after_cleaning(client, scored, moderator_key):
    grown = client.post(
        f"{BASE}/{scored}/reject",
        json={"note": GROWS_THREEFOLD * 334},
        headers={**auth(moderator_key), "Accept-Language": "en"},
    )
    assert grown.status_code == 422
    assert grown.json["error"]["fields"]["note"] == {
        "code": "too_long",
        "message": "Too long (at most 1000 characters).",
    }
    shrunk = client.post(
        f"{BASE}/{scored}/reject",
        json={"note": "a" * 1000 + "\u200b" * 50},
        headers=auth(moderator_key),
    )
    assert shrunk.status_code == 200
    assert shrunk.json["decision_note"] == "a" * 1000


def test_changing_a_decided_comment_needs_if_match(client, scored, moderator_key):
    approved = client.post(f"{BASE}/{scored}/approve", headers=auth(moderator_key)).json
    conflict = client.post(f"{BASE}/{scored}/reject", headers=auth(moderator_key))
    assert conflict.status_code == 409
    assert conflict.json["error"]["code"] == "conflict"
    assert conflict.json["error"]["current"]["status"] == "approved"
    assert conflict.headers["ETag"] == approved["etag"]
    stale = client.post(
        f"{BASE}/{scored}/reject", headers={**auth(moderator_key), "If-Match": '"stale.1"'}
    )
    assert stale.status_code == 412
    assert stale.json["error"]["code"] == "precondition_failed"
    taken_down = client.post(
        f"{BASE}/{scored}/reject",
        json={"reason": "abuse"},
        headers={**auth(moderator_key), "If-Match": approved["etag"]},
    )
    assert taken_down.status_code == 200 and taken_down.json["status"] == "rejected"


def test_worker_verdict_is_not_a_decision(client, app, worker, moderator_key):
    comment_id = submit_ok(client, app, website="bot", content="http://x.example http://y.example")
    worker()
    marked = client.get(f"{BASE}/{comment_id}", headers=auth(moderator_key)).json
    assert (marked["status"], marked["decided_at"]) == ("spam", None)  # the worker's verdict
    response = client.post(f"{BASE}/{comment_id}/approve", headers=auth(moderator_key))
    assert response.status_code == 200 and response.json["status"] == "approved"


def test_two_moderators_racing_with_the_same_etag(client, app, scored, moderator_key):
    etag = client.post(f"{BASE}/{scored}/approve", headers=auth(moderator_key)).json["etag"]
    other = app.test_client()
    headers = {**auth(moderator_key), "If-Match": etag}
    first = client.post(f"{BASE}/{scored}/reject", json={"reason": "spam"}, headers=headers)
    second = other.post(f"{BASE}/{scored}/reject", json={"reason": "abuse"}, headers=headers)
    assert (first.status_code, second.status_code) == (200, 412)


def test_keys_only_see_their_own_sites(client, app, sessions, scored):
    other_site_key = make_key(sessions, site_name="other-site")
    demo_key = make_key(sessions, site_name="demo")
    assert client.get(f"{BASE}/{scored}", headers=auth(other_site_key)).status_code == 404
    assert client.post(f"{BASE}/{scored}/approve", headers=auth(other_site_key)).status_code == 404
    assert client.get(BASE, headers=auth(other_site_key)).json["items"] == []
    assert (
        client.get(BASE, query_string={"site": "demo"}, headers=auth(other_site_key)).json["error"][
            "code"
        ]
        == "unknown_site"
    )
    assert client.get(f"{BASE}/{scored}", headers=auth(demo_key)).status_code == 200


def test_unknown_comment_is_404(client, moderator_key):
    response = client.get(f"{BASE}/nope", headers=auth(moderator_key))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
