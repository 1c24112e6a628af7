"""The host API: approved comments, counts and the events feed; never phone or IP."""

import base64
import json
import time

import pytest
from sqlalchemy import select, text, update

from commentgate.storage.db import transaction
from commentgate.storage.events import event_cursor, list_events, note_status_change
from commentgate.storage.models import Comment, CommentEvent, Site
from commentgate.storage.pagination import encode_cursor_values
from tests.helpers import auth, make_key, submit_ok, without_ids

H = "/api/v1/host"
M = "/api/v1/moderation/comments"
ARTICLE = "https://news.example/thoi-su/bai-1.html"


@pytest.fixture
def host_key(sessions, site):
    return make_key(sessions, "host", site_name="demo")


@pytest.fixture
def moderator(sessions, site):
    return make_key(sessions)


def events(client, host_key, cursor=None, *, expect: int = 0):
    """One poll of the feed; with ``expect``, polls until that many events come (a
    transaction open elsewhere on the server may hold them back for a moment)."""
    query = {"site": "demo", **({"cursor": cursor} if cursor else {})}
    deadline = time.monotonic() + 10
    while True:
        response = client.get(f"{H}/events", query_string=query, headers=auth(host_key))
        assert response.status_code == 200, response.json
        if len(response.json["items"]) >= expect or time.monotonic() > deadline:
            return response.json
        time.sleep(0.05)


def cursor_of(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def cursors_at(position) -> list[str]:
    """Cursors naming event id ``position``: as the feed hands them out now (transaction id,
    event id), and as it did before it read in commit order (the event id alone)."""
    return [cursor_of(0, position), cursor_of(position)]


# Event ids are PostgreSQL integers (32 bits); beyond them a cursor cannot be ours.
@pytest.mark.parametrize("position", [10**20, 2**31, -(2**31) - 1, True, 1.5])
@pytest.mark.parametrize("form", [0, 1])
def test_event_cursors_beyond_the_id_range_are_refused(client, host_key, position, form):
    query = {"site": "demo", "cursor": cursors_at(position)[form]}
    response = client.get(f"{H}/events", query_string=query, headers=auth(host_key))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["cursor"]["code"] == "invalid"


@pytest.mark.parametrize("position", [2**31 - 1, -(2**31)])
def test_event_cursors_at_the_ends_of_the_id_range_are_served(client, host_key, position):
    for cursor in cursors_at(position):
        assert events(client, host_key, cursor)["items"] == []


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
    dumped = without_ids(json.dumps(page.json))
    assert "0912" not in dumped and "127.0.0.1" not in dumped
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
    first = events(client, host_key, expect=1)
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
    newer = events(client, host_key, first["next_cursor"], expect=2)
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
    feed = events(client, host_key, expect=1)["items"]
    assert [(e["type"], e["comment_id"]) for e in feed] == [("published", comment_id)]


def test_pending_decisions_are_not_events(client, app, worker, host_key, moderator):
    comment_id = submit_ok(client, app)
    worker()
    client.post(f"{M}/{comment_id}/reject", json={"reason": "spam"}, headers=auth(moderator))
    assert events(client, host_key)["items"] == []


# ---------------------------------------------------------------- commits in another order


def only_postgresql(database_url) -> None:
    # SQLite lets one writer in at a time, so its transactions cannot commit out of order.
    if not database_url.startswith("postgresql"):
        pytest.skip("needs concurrent writers (PostgreSQL)")


def new_comments(sessions, site, n) -> list[Comment]:
    with transaction(sessions) as session:
        comments = [
            Comment(site_id=site.id, article=ARTICLE, name="n", title="t", content="c")
            for _ in range(n)
        ]
        session.add_all(comments)
    return comments


def change(session, comment, from_status, to_status) -> None:
    note_status_change(session, comment, from_status, to_status)
    session.flush()


def poll(sessions, site, cursor=None, *, expect: int = 0):
    """One poll of the feed: [(comment id, event type)] and the cursor to go on with.

    With ``expect``, polls until that many events come: a transaction open elsewhere
    on the server (another test run) may hold them back for a moment.
    """
    deadline = time.monotonic() + 10
    while True:
        with sessions() as session:
            page = list_events(session, [site.id], cursor, 100)
        items = [(e.comment_id, e.type) for e in page.items]
        resume = event_cursor(page.items[-1]) if page.items else cursor
        if len(items) >= expect or time.monotonic() > deadline:
            return items, resume
        time.sleep(0.05)


@pytest.mark.parametrize("later_began_first", [False, True])
def test_an_event_that_commits_late_is_not_skipped(database_url, sessions, site, later_began_first):
    only_postgresql(database_url)
    late, early = new_comments(sessions, site, 2)
    slow, quick = sessions(), sessions()
    try:
        slow.begin()
        quick.begin()
        if later_began_first:
            # The quick transaction gets the older transaction id, the slow one the lower
            # event id: neither id alone orders them as they commit.
            quick.execute(text("SELECT pg_current_xact_id()"))
        change(slow, late, "pending", "approved")  # takes an event id and stays open
        change(quick, early, "pending", "approved")  # takes the next one, and commits
        quick.commit()
        first, cursor = poll(sessions, site)
        assert (late.id, "published") not in first
        slow.commit()
    finally:
        slow.close()
        quick.close()
    rest, _ = poll(sessions, site, cursor, expect=2 - len(first))
    assert sorted(first + rest) == sorted([(late.id, "published"), (early.id, "published")])


def test_a_comments_events_come_in_the_order_they_happened(database_url, sessions, site):
    only_postgresql(database_url)
    (comment,) = new_comments(sessions, site, 1)
    banning, approving = sessions(), sessions()
    try:
        banning.begin()
        banning.execute(text("SELECT pg_current_xact_id()"))  # as when it writes the ban first
        with approving.begin():  # a moderator publishes the comment meanwhile
            change(approving, comment, "pending", "approved")
        change(banning, comment, "approved", "spam")  # then the ban takes it down
        banning.commit()
    finally:
        banning.close()
        approving.close()
    items, _ = poll(sessions, site, expect=2)
    assert items == [(comment.id, "published"), (comment.id, "unpublished")]


def test_a_cursor_handed_out_before_commit_order_still_resumes(sessions, site):
    first, second = new_comments(sessions, site, 2)
    with transaction(sessions) as session:
        change(session, first, "pending", "approved")
    with transaction(sessions) as session:
        change(session, second, "pending", "approved")
    with transaction(sessions) as session:  # as the migration left the events before it
        session.execute(update(CommentEvent).values(txid=0))
        first_id = min(session.scalars(select(CommentEvent.id)))
    items, _ = poll(sessions, site, encode_cursor_values([first_id]), expect=1)
    assert items == [(second.id, "published")]
