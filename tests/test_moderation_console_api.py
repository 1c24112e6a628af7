"""What the moderator console reads: its sites and their counts, an author's other comments."""

import pytest

from commentgate.domain import ModerationMode
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from tests.conftest import TEST_ORIGIN
from tests.helpers import auth, comment_fields, make_key, new_captcha, submit_ok

BASE = "/api/v1/moderation"
ZERO = {"received": 0, "pending": 0, "spam": 0, "approved": 0, "rejected": 0}


@pytest.fixture
def two_sites(sessions, site):
    with transaction(sessions) as session:
        ensure_site(session, "other", ["https://other.example"], ModerationMode.POST)


def test_a_global_key_moderates_every_site_with_counts(
    client, app, worker, moderator_key, two_sites
):
    ids = [submit_ok(client, app) for _ in range(3)]
    worker()
    client.post(f"{BASE}/comments/{ids[0]}/approve", headers=auth(moderator_key))
    submit_ok(client, app)  # not scored yet: received
    response = client.get(f"{BASE}/sites", headers=auth(moderator_key))
    assert response.status_code == 200
    assert response.json["items"] == [
        {
            "name": "demo",
            "mode": "pre",
            "counts": {**ZERO, "pending": 2, "approved": 1, "received": 1},
        },
        {"name": "other", "mode": "post", "counts": ZERO},
    ]


def test_a_site_key_moderates_its_site_only(client, sessions, two_sites):
    key = make_key(sessions, site_name="other")
    items = client.get(f"{BASE}/sites", headers=auth(key)).json["items"]
    assert items == [{"name": "other", "mode": "post", "counts": ZERO}]


def test_sites_need_a_moderating_key(client, sessions, two_sites):
    assert client.get(f"{BASE}/sites").status_code == 401
    host = make_key(sessions, role="host")
    assert client.get(f"{BASE}/sites", headers=auth(host)).status_code == 403


def post_as(client, app, ip: str, phone: str | None, site: str = "demo") -> str:
    """A comment from ``ip`` with ``phone``, on ``site``."""
    captcha_id, answer = new_captcha(client, app, site)
    body = comment_fields(site=site, phone=phone, captcha_id=captcha_id, captcha_answer=answer)
    response = client.post("/api/v1/comments", json=body, environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 202, response.json
    return response.json["id"]


@pytest.fixture
def authors(client, app, worker, moderator_key, sessions, site):
    """An author known by phone on two addresses, one by IP only, strangers, another site."""
    with transaction(sessions) as session:
        ensure_site(session, "other", [TEST_ORIGIN], ModerationMode.PRE)
    made = {
        "first": post_as(client, app, "203.0.113.1", "0912 345 678"),
        "same_phone": post_as(client, app, "198.51.100.2", "0912 345 678"),
        "same_ip": post_as(client, app, "203.0.113.1", None),
        "stranger": post_as(client, app, "192.0.2.3", "0987 654 321"),
        "other_site": post_as(client, app, "203.0.113.1", "0912 345 678", site="other"),
    }
    worker()
    client.post(f"{BASE}/comments/{made['same_phone']}/approve", headers=auth(moderator_key))
    reject = {"json": {"reason": "spam"}, "headers": auth(moderator_key)}
    client.post(f"{BASE}/comments/{made['same_ip']}/reject", **reject)
    return made


def same_author(client, key, comment_id, **query):
    query = {"same_author_as": comment_id, **query}
    return client.get(f"{BASE}/comments", query_string=query, headers=auth(key))


def test_same_author_by_phone_and_by_ip_with_counts(client, authors, moderator_key):
    page = same_author(client, moderator_key, authors["first"]).json
    found = {c["id"] for c in page["items"]}
    assert found == {authors["same_phone"], authors["same_ip"], authors["other_site"]}
    assert page["author"] == {"approved": 1, "rejected": 0, "spam": 1, "pending": 1, "total": 3}
    by_ip_only = same_author(client, moderator_key, authors["same_ip"]).json
    assert {c["id"] for c in by_ip_only["items"]} == {authors["first"], authors["other_site"]}
    assert "hmac" not in str(page) and "fingerprint" not in str(page)


def test_same_author_is_scoped_to_the_keys_sites(client, sessions, authors):
    demo_key = make_key(sessions, site_name="demo")
    page = same_author(client, demo_key, authors["first"]).json
    assert {c["id"] for c in page["items"]} == {authors["same_phone"], authors["same_ip"]}
    assert page["author"]["total"] == 2
    other_key = make_key(sessions, site_name="other")
    assert same_author(client, other_key, authors["first"]).status_code == 404


def test_same_author_takes_the_queues_filters_and_pages(client, authors, moderator_key):
    approved = same_author(client, moderator_key, authors["first"], status="approved").json
    assert [c["id"] for c in approved["items"]] == [authors["same_phone"]]
    assert approved["author"]["total"] == 3  # the counts ignore the filters
    first = same_author(client, moderator_key, authors["first"], limit=2).json
    rest = same_author(
        client, moderator_key, authors["first"], limit=2, cursor=first["next_cursor"]
    ).json
    ids = [c["id"] for c in first["items"] + rest["items"]]
    assert len(ids) == 3 and len(set(ids)) == 3 and rest["next_cursor"] is None


def test_a_stranger_has_no_other_comments(client, authors, moderator_key):
    page = same_author(client, moderator_key, authors["stranger"]).json
    assert page["items"] == [] and page["author"]["total"] == 0
    assert "author" not in client.get(f"{BASE}/comments", headers=auth(moderator_key)).json


SPAMMY = (
    "Anh em ơi NHÀ CÁI UY TÍN nạp đầu tặng 100%, vào Bit.ly/KhuyenMai "
    "hoặc gọi 0912.345.678 (Zalo) để nhận thưởng"
)


def highlighted(comment: dict) -> dict[str, list[str]]:
    """Each reason's code with the stored text its spans cover."""
    return {
        r["code"]: [comment[s["field"]][s["start"] : s["end"]] for s in r["spans"]]
        for r in comment["verdict"]["reasons"]
    }


def test_reasons_point_at_their_evidence_in_the_stored_text(client, app, worker, moderator_key):
    comment_id = submit_ok(client, app, content=SPAMMY, title="Khuyến mãi tại W88.com")
    worker()
    comment = client.get(f"{BASE}/comments/{comment_id}", headers=auth(moderator_key)).json
    found = highlighted(comment)
    assert found["links"] == ["Bit.ly/KhuyenMai", "W88.com"]
    assert found["link_shortener"] == ["Bit.ly/KhuyenMai"]
    assert found["contact_phone"] == ["0912.345.678"]
    assert found["contact_zalo"] == ["Zalo"]
    assert "NHÀ CÁI UY TÍN" in found["lexicon_betting"]
    assert "nạp đầu" in found["lexicon_betting"]
    spans = [s for r in comment["verdict"]["reasons"] for s in r["spans"]]
    assert {s["field"] for s in spans} == {"title", "content"}


def test_spans_count_code_points_of_the_stored_text(client, app, worker, moderator_key):
    # Astral emoji are two UTF-16 units and one code point; the span counts code points.
    content = "😀😀 Liên hệ 0987 654 321 nhé các bạn"
    comment_id = submit_ok(client, app, content=content)
    worker()
    comment = client.get(f"{BASE}/comments/{comment_id}", headers=auth(moderator_key)).json
    (span,) = next(r for r in comment["verdict"]["reasons"] if r["code"] == "contact_phone")[
        "spans"
    ]
    assert (span["start"], span["end"]) == (11, 23)
    assert comment["content"][11:23] == "0987 654 321"


def test_an_edit_after_scoring_drops_the_spans(client, app, worker, moderator_key):
    comment_id = submit_ok(client, app, content=SPAMMY)
    worker()
    url = f"{BASE}/comments/{comment_id}"
    assert any(
        r["spans"] for r in client.get(url, headers=auth(moderator_key)).json["verdict"]["reasons"]
    )
    edited = client.patch(url, json={"content": "Cảm ơn " + SPAMMY}, headers=auth(moderator_key))
    assert edited.status_code == 200
    assert all(r["spans"] == [] for r in edited.json["verdict"]["reasons"])
