"""Public reads cached in Redis: the same answer, never stale after a commit, and 304s."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import update

from commentgate.public_cache import article_key, page_field
from commentgate.storage.models import Comment, Site
from tests.conftest import replace_services
from tests.helpers import auth, make_key, submit_ok
from tests.services import free_port

ARTICLE = "https://news.example/thoi-su/bai-1.html"
MODERATION = "/api/v1/moderation/comments"
QUERY = {"site": "demo", "article": ARTICLE}


@pytest.fixture
def key(sessions, site):
    return make_key(sessions)


def page(client, **headers):
    return client.get("/api/v1/comments", query_string=QUERY, headers=headers)


def listed(client) -> list[tuple[str, str]]:
    return [(c["id"], c["content"]) for c in page(client).json["items"]]


def count(client) -> int:
    reply = client.get("/api/v1/comments/counts", query_string=QUERY)
    return reply.json["counts"][ARTICLE]


def approve(client, key, comment_id):
    assert client.post(f"{MODERATION}/{comment_id}/approve", headers=auth(key)).status_code == 200


def site_id_of(sessions, comment_id) -> str:
    with sessions() as session:
        return session.get(Comment, comment_id).site_id


def test_a_cached_page_is_the_page_read_from_the_database(client, app, sessions, redis_client, key):
    ids = [submit_ok(client, app, content=f"Bình luận số {n}") for n in range(3)]
    for comment_id in ids:
        approve(client, key, comment_id)
    fresh = page(client)
    stored = redis_client.hget(
        article_key(site_id_of(sessions, ids[0]), ARTICLE), page_field(None, 20)
    )
    cached = page(client)
    assert stored is not None and cached.data == fresh.data == stored
    assert cached.json == fresh.json and [c["id"] for c in cached.json["items"]] == ids
    # Served from Redis: a change made behind the lifecycle's back is not seen.
    with sessions() as session, session.begin():
        session.execute(update(Comment).values(content="đổi trong cơ sở dữ liệu"))
    assert page(client).data == fresh.data


def test_every_visible_change_shows_in_the_next_read(client, app, key):
    first, second = submit_ok(client, app, phone="0912 345 678"), submit_ok(client, app)
    assert listed(client) == [] and count(client) == 0  # both cached empty
    approve(client, key, first)
    assert [i for i, _ in listed(client)] == [first] and count(client) == 1
    approve(client, key, second)
    assert [i for i, _ in listed(client)] == [first, second] and count(client) == 2
    edit = {"content": "Đã sửa nội dung"}
    headers = {**auth(key), "If-Match": "*"}  # a public comment is edited knowingly
    assert client.patch(f"{MODERATION}/{second}", json=edit, headers=headers).status_code == 200
    assert listed(client)[1] == (second, "Đã sửa nội dung")
    rejected = client.post(
        f"{MODERATION}/{second}/reject", json={"reason": "spam"}, headers=headers
    )
    assert rejected.status_code == 200, rejected.json
    assert [i for i, _ in listed(client)] == [first] and count(client) == 1
    ban = {"kind": "phone", "comment_id": first, "reject_recent_hours": 24}
    assert client.post("/api/v1/moderation/bans", json=ban, headers=auth(key)).status_code == 201
    assert listed(client) == [] and count(client) == 0


def test_a_comment_the_worker_publishes_shows_at_once(client, app, sessions, worker):
    with sessions() as session, session.begin():  # every comment scored is published
        session.execute(update(Site).values(mode="post", approve_below=1.0, spam_at=2.0))
    assert listed(client) == []
    comment_id = submit_ok(client, app, content="Cảm ơn tác giả vì bài viết hữu ích.")
    worker()
    assert [i for i, _ in listed(client)] == [comment_id]


def test_a_page_the_reader_has_answers_304(client, app, key):
    approve(client, key, submit_ok(client, app))
    first = page(client)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    again = page(client, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    approve(client, key, submit_ok(client, app))
    changed = page(client, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    counts = client.get("/api/v1/comments/counts", query_string=QUERY)
    assert (
        client.get(
            "/api/v1/comments/counts",
            query_string=QUERY,
            headers={"If-None-Match": counts.headers["ETag"]},
        ).status_code
        == 304
    )


def test_public_reads_go_on_without_redis(client, app, key):
    approve(client, key, submit_ok(client, app))
    expected = page(client).json
    replace_services(app, redis=redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    assert page(client).json == expected
    assert count(client) == 1
