"""Bulk decisions with mixed outcomes, and editing before approving (with its history)."""

import pytest

from tests.helpers import audit_actions, auth, make_key, submit_ok

BASE = "/api/v1/moderation/comments"


@pytest.fixture
def key(sessions, site):
    return make_key(sessions)


@pytest.fixture
def pending(client, app, worker):
    """Four comments the worker has scored pending."""
    made = [submit_ok(client, app, title=f"Bình luận {i}") for i in range(4)]
    worker()
    return made


def test_bulk_reports_every_outcome(client, sessions, key, pending):
    fresh, decided, stale, again = pending
    etag = client.post(f"{BASE}/{decided}/approve", headers=auth(key)).json["etag"]
    client.post(f"{BASE}/{stale}/approve", headers=auth(key))
    other_site = make_key(sessions, site_name="other-site")
    body = {
        "action": "reject",
        "reason": "spam",
        "ids": [fresh, decided, stale, "unknown", fresh, again],
        "if_match": {stale: '"stale.1"'},
    }
    response = client.post(f"{BASE}/bulk", json=body, headers=auth(key))
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json["results"]}
    assert [r["id"] for r in response.json["results"]] == [fresh, decided, stale, "unknown", again]
    assert results[fresh]["result"] == "ok" and results[fresh]["status"] == "spam"
    assert results[decided]["result"] == "conflict" and results[decided]["etag"] == etag
    assert results[stale]["result"] == "precondition_failed"
    assert results["unknown"] == {
        "id": "unknown",
        "result": "not_found",
        "status": None,
        "etag": None,
    }
    assert results[again]["result"] == "ok"
    assert response.json["counts"] == {
        "ok": 2,
        "conflict": 1,
        "precondition_failed": 1,
        "not_found": 1,
    }
    out_of_scope = client.post(f"{BASE}/bulk", json=body, headers=auth(other_site)).json
    assert {r["result"] for r in out_of_scope["results"]} == {"not_found"}


def test_bulk_changes_decided_comments_with_their_etags(client, key, pending):
    etags = {c: client.post(f"{BASE}/{c}/approve", headers=auth(key)).json["etag"] for c in pending}
    body = {"action": "reject", "reason": "abuse", "ids": pending, "if_match": etags}
    results = client.post(f"{BASE}/bulk", json=body, headers=auth(key)).json["results"]
    assert {(r["result"], r["status"]) for r in results} == {("ok", "rejected")}
    assert all(r["etag"] != etags[r["id"]] for r in results)


def test_bulk_repeat_is_a_noop(client, sessions, key, pending):
    body = {"action": "approve", "ids": pending}
    first = client.post(f"{BASE}/bulk", json=body, headers=auth(key)).json
    second = client.post(f"{BASE}/bulk", json=body, headers=auth(key)).json
    assert [r["etag"] for r in first["results"]] == [r["etag"] for r in second["results"]]
    assert [a for a, *_ in audit_actions(sessions)].count("comment.approve") == 4


def test_bulk_takes_at_most_500_ids(client, key):
    response = client.post(
        f"{BASE}/bulk",
        json={"action": "approve", "ids": [f"c{i}" for i in range(501)]},
        headers=auth(key),
    )
    assert response.status_code == 422
    ids = response.json["error"]["fields"]["ids"]
    assert ids["code"] == "too_many" and "500 mục" in ids["message"]
    full = client.post(
        f"{BASE}/bulk",
        json={"action": "approve", "ids": [f"c{i}" for i in range(500)]},
        headers=auth(key),
    )
    assert full.status_code == 200 and full.json["counts"] == {"not_found": 500}


def test_bulk_needs_ids_and_a_known_action(client, key):
    for body in (
        {"action": "approve", "ids": []},
        {"action": "delete", "ids": ["x"]},
        {"ids": ["x"]},
    ):
        assert client.post(f"{BASE}/bulk", json=body, headers=auth(key)).status_code == 422


def test_bulk_notes_are_measured_after_cleaning(client, key, pending):
    body = {"action": "reject", "ids": pending[:1], "note": "\ufb2c" * 334}  # NFC: 1002
    response = client.post(f"{BASE}/bulk", json=body, headers=auth(key))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["note"]["code"] == "too_long"


def test_edit_keeps_the_original_and_changes_the_etag(client, key, pending):
    comment_id = pending[0]
    before = client.get(f"{BASE}/{comment_id}", headers=auth(key)).json
    edited = client.patch(
        f"{BASE}/{comment_id}", json={"content": "Bài viết rất hay!"}, headers=auth(key)
    )
    assert edited.status_code == 200
    assert edited.json["content"] == "Bài viết rất hay!" and edited.json["title"] == before["title"]
    assert edited.headers["ETag"] != before["etag"] and edited.json["edited_at"].endswith("Z")
    client.patch(f"{BASE}/{comment_id}", json={"title": "Tiêu đề mới"}, headers=auth(key))
    history = client.get(f"{BASE}/{comment_id}/edits", headers=auth(key)).json["items"]
    assert [(h["title"], h["content"]) for h in history] == [
        (before["title"], before["content"]),
        (before["title"], "Bài viết rất hay!"),
    ]
    approved = client.post(f"{BASE}/{comment_id}/approve", headers=auth(key)).json
    assert (approved["status"], approved["title"]) == ("approved", "Tiêu đề mới")


def test_edit_cleans_and_validates_like_intake(client, key, pending):
    response = client.patch(f"{BASE}/{pending[0]}", json={"title": "x" * 201}, headers=auth(key))
    assert (
        response.status_code == 422
        and response.json["error"]["fields"]["title"]["code"] == "too_long"
    )
    assert client.patch(f"{BASE}/{pending[0]}", json={}, headers=auth(key)).status_code == 422
    cleaned = client.patch(
        f"{BASE}/{pending[0]}", json={"title": "Sửa\u200b lỗi"}, headers=auth(key)
    )
    assert cleaned.json["title"] == "Sửa lỗi"


def test_edit_that_changes_nothing_is_a_noop(client, sessions, key, pending):
    current = client.get(f"{BASE}/{pending[0]}", headers=auth(key)).json
    again = client.patch(
        f"{BASE}/{pending[0]}", json={"title": current["title"]}, headers=auth(key)
    )
    assert again.status_code == 200 and again.json["etag"] == current["etag"]
    assert client.get(f"{BASE}/{pending[0]}/edits", headers=auth(key)).json["items"] == []


def test_editing_a_decided_comment_needs_if_match(client, key, pending):
    etag = client.post(f"{BASE}/{pending[0]}/approve", headers=auth(key)).json["etag"]
    conflict = client.patch(f"{BASE}/{pending[0]}", json={"title": "Sửa"}, headers=auth(key))
    assert conflict.status_code == 409 and conflict.json["error"]["current"]["etag"] == etag
    ok = client.patch(
        f"{BASE}/{pending[0]}", json={"title": "Sửa"}, headers={**auth(key), "If-Match": etag}
    )
    assert ok.status_code == 200 and ok.json["status"] == "approved"


def test_if_match_race_two_clients_edit_then_approve(client, app, key, pending):
    """Two moderators read the same version; the second to act gets 412 and must reload."""
    etag = client.get(f"{BASE}/{pending[0]}", headers=auth(key)).headers["ETag"]
    other = app.test_client()
    headers = {**auth(key), "If-Match": etag}
    first = client.patch(f"{BASE}/{pending[0]}", json={"content": "Đã sửa"}, headers=headers)
    second = other.post(f"{BASE}/{pending[0]}/approve", headers=headers)
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json["error"]["code"] == "precondition_failed"
    assert second.headers["ETag"] == first.headers["ETag"]
    retry = other.post(
        f"{BASE}/{pending[0]}/approve", headers={**auth(key), "If-Match": second.headers["ETag"]}
    )
    assert retry.status_code == 200 and retry.json["content"] == "Đã sửa"


def test_edit_unknown_or_out_of_scope_is_404(client, sessions, pending):
    other = make_key(sessions, site_name="other-site")
    assert (
        client.patch(f"{BASE}/{pending[0]}", json={"title": "x"}, headers=auth(other)).status_code
        == 404
    )
    assert client.get(f"{BASE}/{pending[0]}/edits", headers=auth(other)).status_code == 404
