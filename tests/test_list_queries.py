"""A page of a moderation list costs the same SQL statements whatever its size."""

from __future__ import annotations

import pytest

from commentgate.domain import BanKind, CommentStatus
from commentgate.storage.db import transaction
from commentgate.storage.models import Ban, BanRejection, Comment, Verdict
from tests.helpers import auth, executed, make_key

MANY = 12


@pytest.fixture
def key(sessions, site):
    return make_key(sessions)


def page_and_statements(client, sessions, key, path: str, limit: int) -> tuple[list, int]:
    with executed(sessions.kw["bind"]) as statements:
        response = client.get(path, query_string={"limit": limit}, headers=auth(key))
    assert response.status_code == 200, response.json
    assert len(response.json["items"]) == limit
    return response.json["items"], len(statements)


def verdict(comment_id: str, score: float) -> Verdict:
    reasons = [{"code": "links", "weight": score, "detail": f"{score}"}]
    return Verdict(
        comment_id=comment_id, score=score, reasons=reasons, model_version="m1", status="pending"
    )


@pytest.fixture
def pending(sessions, site) -> dict[str, float | None]:
    """Pending comments with none, one or two verdicts; the newest verdict's score each."""
    newest: dict[str, float | None] = {}
    with transaction(sessions) as session:
        for n in range(MANY):
            comment = Comment(
                site_id=site.id,
                article="bai-1",
                name="Nguyễn Văn An",
                title=f"Bình luận {n}",
                content="Bài viết rất hay.",
                status=CommentStatus.PENDING.value,
            )
            session.add(comment)
            session.flush()
            scores = [n / 100, n / 10][: n % 3]
            session.add_all(verdict(comment.id, score) for score in scores)
            newest[comment.id] = scores[-1] if scores else None
    return newest


def test_review_queue_page_queries_do_not_grow_with_its_size(client, sessions, key, pending):
    path = "/api/v1/moderation/comments"
    client.get(path, headers=auth(key))  # connections opened, nothing left to warm up
    _, one = page_and_statements(client, sessions, key, path, 1)
    items, many = page_and_statements(client, sessions, key, path, MANY)
    assert many == one
    for item in items:
        expected = pending[item["id"]]
        assert (item["verdict"] or {}).get("score") == expected
        if expected is not None:
            assert item["verdict"]["reasons"][0]["detail"] == f"{expected}"


@pytest.fixture
def bans(sessions, site, pending) -> dict[str, int]:
    """Bans that rejected none, one or a few comments; how many each."""
    rejected: dict[str, int] = {}
    comment_ids = list(pending)
    with transaction(sessions) as session:
        for n in range(MANY):
            ban = Ban(site_id=site.id, kind=BanKind.IP.value, value_hmac=f"{n:064x}")
            session.add(ban)
            session.flush()
            victims = comment_ids[: n % 4]
            session.add_all(
                BanRejection(ban_id=ban.id, comment_id=c, version=2, from_status="pending")
                for c in victims
            )
            rejected[ban.id] = len(victims)
    return rejected


def test_ban_list_page_queries_do_not_grow_with_its_size(client, sessions, key, bans):
    path = "/api/v1/moderation/bans"
    client.get(path, headers=auth(key))
    _, one = page_and_statements(client, sessions, key, path, 1)
    items, many = page_and_statements(client, sessions, key, path, MANY)
    assert many == one
    assert {item["id"]: item["rejected_count"] for item in items} == bans
