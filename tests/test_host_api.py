"""The host API: approved comments, counts and the events feed; never phone or IP."""

import base64
import json

import pytest
from sqlalchemy import update

from commentgate.storage.models import Site
from tests.helpers import auth, make_key, submit_ok

H = "/api/v1/host"
M = "/api/v1/moderation/comments"
ARTICLE = "https://news.example/thoi-su/bai-1.html"


@pytest.fixture
def host_key(sessions, site):
    return make_key(sessions, "host", site_name="demo")


@pytest.fixture
def moderator(sessions, site):
    return make_key(sessions)


def events(client, host_key, cursor=None):
    query = {"site": "demo", **({"cursor": cursor} if cursor else {})}
    response = client.get(f"{H}/events", query_string=query, headers=auth(host_key))
    assert response.status_code == 200, response.json
    return response.json


def event_cursor(position) -> str:
    return base64.urlsafe_b64encode(json.dumps([position]).encode()).decode().rstrip("=")


# Event ids are PostgreSQL integers (32 bits); beyond them a cursor cannot be ours.
@pytest.mark.parametrize("position", [10**20, 2**31, -(2**31) - 1, True, 1.5])
def test_event_cursors_beyond_the_id_range_are_refused(client, host_key, position):
    query = {"site": "demo", "cursor": event_cursor(position)}
    response = client.get(f"{H}/events", query_string=query, headers=auth(host_key))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["cursor"]["code"] == "invalid"


@pytest.mark.parametrize("position", [2**31 - 1, -(2**31)])
def test_event_cursors_at_the_ends_of_the_id_range_are_served(client, host_key, position):
    assert events(client, host_key, event_cursor(position))["items"] == []


def test_host_reads_approved_comments_and_counts_without_personal_data(
    client, app, worker, host_key, moderator
):
    shown, hidden = submit_ok(client, app), submit_ok(client, app)
    worker()
    client.post(f"{M}/{shown}/approve", headers=auth(moderator))
    page = client.get(
        f"{H}/comments", query_string={"site": "demo", "article": ARTICLE}, headers=auth(host_key)
    )
    assert [c["id"] for c in page.json["items"]] == [shown]
    assert set(page.json["items"][0]) == {"id", "name", "title", "content", "created_at"}
    assert "0912" not in json.dumps(page.json) and "127.0.0.1" not in json.dumps(page.json)
    counts = client.get(
        f"{H}/comments/counts",
        query_string={"site": "demo", "article": [ARTICLE, "x"]},
        headers=auth(host_key),
    )
    assert counts.json == {"site": "demo", "counts": {ARTICLE: 1, "x": 0}}
    assert hidden not in json.dumps(page.json)


def test_host_key_of_another_site_sees_nothing(client, sessions, site):
    other = make_key(sessions, "host", site_name="other-site")
    response = client.get(f"{H}/events", query_string={"site": "demo"}, headers=auth(other))
    assert response.status_code == 404 and response.json["error"]["code"] == "unknown_site"


def test_events_follow_what_readers_see(client, app, worker, host_key, moderator):
    comment_id = submit_ok(client, app)
    worker()
    assert events(client, host_key) == {"items": [], "next_cursor": None}
    approved = client.post(f"{M}/{comment_id}/approve", headers=auth(moderator)).json
    first = events(client, host_key)
    assert [(e["type"], e["comment_id"], e["article"]) for e in first["items"]] == [
        ("published", comment_id, ARTICLE)
    ]
    assert "name" not in first["items"][0] and first["next_cursor"]
    edited = client.patch(
        f"{M}/{comment_id}",
        json={"title": "Sửa"},
        headers={**auth(moderator), "If-Match": approved["etag"]},
    ).json
    client.post(
        f"{M}/{comment_id}/reject",
        json={"reason": "abuse"},
        headers={**auth(moderator), "If-Match": edited["etag"]},
    )
    newer = events(client, host_key, first["next_cursor"])
    assert [e["type"] for e in newer["items"]] == ["edited", "unpublished"]
    caught_up = events(client, host_key, newer["next_cursor"])
    assert caught_up == {"items": [], "next_cursor": newer["next_cursor"]}


def test_post_moderated_publication_by_the_worker_is_an_event(
    client, app, worker, sessions, host_key
):
    with sessions() as session, session.begin():
        session.execute(update(Site).values(mode="post", approve_below=1.0, spam_at=2.0))
    comment_id = submit_ok(client, app)
    worker()
    assert [(e["type"], e["comment_id"]) for e in events(client, host_key)["items"]] == [
        ("published", comment_id)
    ]


def test_pending_decisions_are_not_events(client, app, worker, host_key, moderator):
    comment_id = submit_ok(client, app)
    worker()
    client.post(f"{M}/{comment_id}/reject", json={"reason": "spam"}, headers=auth(moderator))
    assert events(client, host_key)["items"] == []
