"""Public reads: approved only, oldest first, paginated, no personal data."""

import base64
import json

import pytest
from sqlalchemy import update

from commentgate.storage.models import Comment
from tests.helpers import submit_ok

ARTICLE = "https://news.example/thoi-su/bai-1.html"


def set_status(sessions, comment_id, status):
    with sessions() as session, session.begin():
        session.execute(update(Comment).where(Comment.id == comment_id).values(status=status))


def test_only_approved_comments_are_listed_oldest_first(client, app, sessions):
    ids = [submit_ok(client, app, title=f"Bình luận {i}") for i in range(4)]
    for comment_id in ids[:3]:
        set_status(sessions, comment_id, "approved")
    set_status(sessions, ids[1], "spam")
    response = client.get("/api/v1/comments", query_string={"site": "demo", "article": ARTICLE})
    assert response.status_code == 200
    assert [c["id"] for c in response.json["items"]] == [ids[0], ids[2]]
    assert response.json["next_cursor"] is None


def test_public_items_carry_no_phone_ip_or_status(client, app, sessions):
    set_status(sessions, submit_ok(client, app), "approved")
    item = client.get("/api/v1/comments", query_string={"site": "demo", "article": ARTICLE}).json[
        "items"
    ][0]
    assert set(item) == {"id", "name", "title", "content", "created_at"}
    assert item["created_at"].endswith("Z")


def test_cursor_pagination_walks_every_comment_once(client, app, sessions):
    ids = [submit_ok(client, app) for _ in range(5)]
    for comment_id in ids:
        set_status(sessions, comment_id, "approved")
    seen, cursor = [], None
    for _ in range(4):  # three pages of two hold five comments; a fourth may end the walk
        query = {"site": "demo", "article": ARTICLE, "limit": 2}
        if cursor:
            query["cursor"] = cursor
        page = client.get("/api/v1/comments", query_string=query).json
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    else:
        pytest.fail(f"the cursor walk did not end after 4 pages: {seen}")
    assert seen == ids


def test_limits_and_cursors_are_validated(client):
    base = {"site": "demo", "article": ARTICLE}
    over = client.get("/api/v1/comments", query_string={**base, "limit": 101})
    assert over.status_code == 422
    assert over.json["error"]["fields"]["limit"]["code"] == "invalid"
    bad = client.get("/api/v1/comments", query_string={**base, "cursor": "!!notacursor"})
    assert bad.status_code == 422
    assert bad.json["error"]["fields"]["cursor"]["code"] == "invalid"
    missing = client.get("/api/v1/comments")
    assert set(missing.json["error"]["fields"]) == {"site", "article"}


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "moment",
    # Valid RFC 3339 on their own, but a year past 9999 or before 1 in UTC.
    ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"],
)
def test_cursor_times_no_datetime_can_hold_in_utc_are_refused(client, moment):
    query = {"site": "demo", "article": ARTICLE, "cursor": cursor_of([moment, "x"])}
    response = client.get("/api/v1/comments", query_string=query, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    invalid = {"code": "invalid", "message": "Invalid value."}
    assert response.json["error"]["fields"]["cursor"] == invalid


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-14:00"])
def test_cursor_times_at_the_ends_of_the_range_are_served(client, moment):
    query = {"site": "demo", "article": ARTICLE, "cursor": cursor_of([moment, "x"])}
    assert client.get("/api/v1/comments", query_string=query).status_code == 200


def test_cursor_ids_with_nul_are_refused(client):
    query = {"site": "demo", "article": ARTICLE}
    query["cursor"] = cursor_of(["2026-01-01T00:00:00+00:00", "x\u0000"])
    response = client.get("/api/v1/comments", query_string=query)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["cursor"]["code"] == "invalid"


def test_unknown_article_is_empty_and_unknown_site_is_404(client):
    empty = client.get("/api/v1/comments", query_string={"site": "demo", "article": "none"})
    assert empty.json == {"items": [], "next_cursor": None}
    unknown = client.get("/api/v1/comments", query_string={"site": "nope", "article": "a"})
    assert unknown.status_code == 404
    assert unknown.json["error"]["code"] == "unknown_site"


def test_counts_per_article(client, app, sessions):
    for _ in range(2):
        set_status(sessions, submit_ok(client, app), "approved")
    submit_ok(client, app)  # still received: not counted
    set_status(sessions, submit_ok(client, app, article="bai-2"), "approved")
    response = client.get(
        "/api/v1/comments/counts",
        query_string=[
            ("site", "demo"),
            ("article", ARTICLE),
            ("article", "bai-2"),
            ("article", "bai-3"),
        ],
    )
    assert response.json == {"site": "demo", "counts": {ARTICLE: 2, "bai-2": 1, "bai-3": 0}}
