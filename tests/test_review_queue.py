"""The review queue: every filter, the three sorts, cursors, and counts per status."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from commentgate.storage.models import Comment
from tests.helpers import auth, make_key, submit_ok

BASE = "/api/v1/moderation/comments"


def set_fields(sessions, comment_id, **values):
    with sessions() as session, session.begin():
        session.execute(update(Comment).where(Comment.id == comment_id).values(**values))


@pytest.fixture
def key(sessions, site):
    return make_key(sessions)


def ids(client, key, **query):
    response = client.get(BASE, query_string=query, headers=auth(key))
    assert response.status_code == 200, response.json
    return [c["id"] for c in response.json["items"]]


@pytest.fixture
def three(client, app, worker, sessions):
    """Three pending comments with distinct scores, articles, texts and times."""
    a = submit_ok(client, app, article="bai-1", title="Giá xăng", content="Tăng 5% rồi")
    b = submit_ok(client, app, article="bai-2", title="Khuyến mãi", content="Xem tại abc.com")
    c = submit_ok(client, app, article="bai-2", title="Ý kiến", content="100_000 đồng là đắt")
    worker()
    now = datetime.now(UTC)
    for i, (cid, score) in enumerate([(a, 0.1), (b, 0.7), (c, 0.4)]):
        set_fields(
            sessions, cid, status="pending", score=score, created_at=now - timedelta(hours=3 - i)
        )
    return a, b, c


def test_worker_stores_reason_codes_and_intake_has_link(client, app, worker, key):
    linked = submit_ok(client, app, content="Mua ngay tại www.shop.example.com nhé", website="bot")
    plain = submit_ok(client, app)
    worker()
    assert ids(client, key, reason="links", status="spam") == [linked]
    assert ids(client, key, reason="honeypot", status="spam") == [linked]
    assert ids(client, key, has_link="true", status=["pending", "spam"]) == [linked]
    assert ids(client, key, has_link="false", status=["pending", "spam"]) == [plain]


def test_sorts_newest_oldest_and_score(client, key, three):
    a, b, c = three
    assert ids(client, key) == [c, b, a]
    assert ids(client, key, sort="oldest") == [a, b, c]
    assert ids(client, key, sort="score") == [b, c, a]


def test_score_sort_paginates_with_cursors(client, key, three):
    seen, cursor = [], None
    for _ in range(len(three) + 1):  # one page per comment, then one that ends the walk
        query = {"sort": "score", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get(BASE, query_string=query, headers=auth(key)).json
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    else:
        pytest.fail(f"the cursor walk did not end after {len(three) + 1} pages: {seen}")
    assert seen == [three[1], three[2], three[0]]


def test_a_cursor_of_another_sort_is_refused(client, key, three):
    cursor = client.get(BASE, query_string={"limit": 1}, headers=auth(key)).json["next_cursor"]
    response = client.get(BASE, query_string={"sort": "score", "cursor": cursor}, headers=auth(key))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["cursor"]["code"] == "invalid"


def test_filters(client, key, three, database_url):
    a, b, c = three
    assert ids(client, key, article="bai-2") == [c, b]
    assert ids(client, key, article=["bai-1", "bai-2"], sort="oldest") == [a, b, c]
    assert ids(client, key, score_min=0.3, score_max=0.5) == [c]
    assert ids(client, key, q="xăng") == [a]
    assert ids(client, key, q="khuyến") == [b]  # "K" folds on every backend
    # documented: PostgreSQL folds every letter, SQLite's LIKE only ASCII ones ("Ế" is not)
    assert ids(client, key, q="KHUYẾN") == ([] if database_url.startswith("sqlite") else [b])
    assert ids(client, key, q="abc.COM") == [b]
    assert ids(client, key, site="demo", sort="oldest") == [a, b, c]
    since = (datetime.now(UTC) - timedelta(hours=2, minutes=30)).isoformat()
    until = (datetime.now(UTC) - timedelta(hours=1, minutes=30)).isoformat()
    assert ids(client, key, since=since, until=until) == [b]


def test_text_search_treats_wildcards_literally(client, key, three):
    a, _, c = three
    assert ids(client, key, q="5%") == [a]
    assert ids(client, key, q="100_000") == [c]
    assert ids(client, key, q="%") == [a]
    assert ids(client, key, q="_") == [c]


def test_bad_filters_are_422(client, key):
    for query in (
        {"sort": "random"},
        {"score_min": "x"},
        {"reason": "Not A Code"},
        {"since": "yesterday"},
        {"q": "\ufb2c" * 67},  # 201 characters in NFC
    ):
        response = client.get(BASE, query_string=query, headers=auth(key))
        assert response.status_code == 422, query


@pytest.mark.parametrize(
    ("name", "moment"),
    # Valid RFC 3339 on their own, but a year past 9999 or before 1 in UTC.
    [("since", "9999-12-31T23:59:59-14:00"), ("until", "0001-01-01T00:00:00+14:00")],
)
@pytest.mark.parametrize("path", [BASE, f"{BASE}/counts"])
def test_times_no_datetime_can_hold_in_utc_are_422(client, key, path, name, moment):
    response = client.get(path, query_string={name: moment}, headers=auth(key))
    assert response.status_code == 422
    assert response.json["error"]["fields"][name]["code"] == "invalid"


def test_times_at_the_ends_of_the_range_filter_nothing_out(client, key, three):
    a, b, c = three
    assert ids(client, key, since="0001-01-01T00:00:00-14:00", until="9999-12-31T23:59:59Z") == [
        c,
        b,
        a,
    ]


def test_counts_per_status_follow_the_filters(client, app, worker, key, three, sessions):
    a, b, c = three
    client.post(f"{BASE}/{a}/approve", headers=auth(key))
    counts = client.get(f"{BASE}/counts", headers=auth(key)).json["counts"]
    assert counts == {"received": 0, "pending": 2, "spam": 0, "approved": 1, "rejected": 0}
    only_2 = client.get(f"{BASE}/counts", query_string={"article": "bai-2"}, headers=auth(key))
    assert only_2.json["counts"]["pending"] == 2 and only_2.json["counts"]["approved"] == 0


def test_counts_respect_the_key_scope(client, sessions, key, three):
    other = make_key(sessions, site_name="other-site")
    counts = client.get(f"{BASE}/counts", headers=auth(other)).json["counts"]
    assert sum(counts.values()) == 0
    response = client.get(f"{BASE}/counts", query_string={"site": "demo"}, headers=auth(other))
    assert response.status_code == 404 and response.json["error"]["code"] == "unknown_site"
