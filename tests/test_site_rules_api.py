"""Site rules through the admin API with a real worker: shadow first, promote, retire,
try before saving, reports; post-moderation holds; audit."""

from sqlalchemy import select

from commentgate.domain import ModerationMode
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Verdict
from commentgate.storage.sites import ensure_site
from tests.helpers import audit_actions, auth, make_key, submit_ok

R = "/api/v1/admin/sites/demo/rules"
BAIT = {"name": "bait", "conditions": {"content": "khuyen mai"}, "action": "spam"}


def admin(sessions):
    return auth(make_key(sessions, "admin"))


def human(sessions, comment_id, seconds=30.0):
    with transaction(sessions) as session:
        session.get(Comment, comment_id).submit_seconds = seconds


def outcome(sessions, comment_id):
    with sessions() as session:
        verdict = session.scalars(
            select(Verdict).where(Verdict.comment_id == comment_id).order_by(Verdict.id.desc())
        ).first()
        return session.get(Comment, comment_id).status, verdict.reasons


def rule_reasons(reasons):
    return [r for r in reasons if r["code"] == "site_rule"]


def decide(client, headers, comment_id, action, reason=None):
    body = {"reason": reason} if reason else None
    url = f"/api/v1/moderation/comments/{comment_id}/{action}"
    assert client.post(url, json=body, headers=headers).status_code == 200


def test_a_new_rule_is_recorded_in_the_shadow_until_promoted(client, app, worker, sessions):
    headers = admin(sessions)
    created = client.post(R, json=BAIT, headers=headers)
    assert created.status_code == 201 and created.json["state"] == "shadow"
    rule_id = created.json["id"]

    first = submit_ok(client, app, content="Có khuyến mãi gì không ạ, cảm ơn tác giả.")
    worker()
    status, reasons = outcome(sessions, first)
    (recorded,) = rule_reasons(reasons)
    assert status == "pending"
    assert recorded["weight"] == 0 and recorded["shadow"] is True
    assert recorded["rule"]["id"] == rule_id

    promoted = client.post(f"{R}/{rule_id}/promote", headers=headers)
    assert promoted.status_code == 200 and promoted.json["state"] == "active"
    second = submit_ok(client, app, content="Có khuyến mãi gì không ạ, cảm ơn tác giả!")
    worker()
    status, reasons = outcome(sessions, second)
    assert status == "spam" and rule_reasons(reasons)[0]["shadow"] is False

    assert client.post(f"{R}/{rule_id}/retire", headers=headers).json["state"] == "retired"
    # another author: the first one's spam now counts against them
    third = submit_ok(
        client, app, phone="0987 654 321", content="Khuyến mãi thật à? Cảm ơn tác giả nhiều."
    )
    worker()
    status, reasons = outcome(sessions, third)
    assert status == "pending" and rule_reasons(reasons) == []
    assert client.post(f"{R}/{rule_id}/promote", headers=headers).status_code == 409
    moves = [a for a, kind, _ in audit_actions(sessions) if kind == "rule"]
    assert moves == ["rule.create", "rule.promote", "rule.retire"]


def test_rewriting_a_rule_puts_it_back_in_the_shadow(client, sessions):
    headers = admin(sessions)
    rule_id = client.post(R, json=BAIT, headers=headers).json["id"]
    client.post(f"{R}/{rule_id}/promote", headers=headers)
    changed = client.put(f"{R}/{rule_id}", json={**BAIT, "action": "pending"}, headers=headers)
    assert changed.status_code == 200
    assert changed.json["state"] == "shadow" and changed.json["action"] == "pending"
    listed = client.get(R, query_string={"state": "shadow"}, headers=headers).json["items"]
    assert [r["id"] for r in listed] == [rule_id]


def test_unsafe_patterns_and_bad_rules_are_refused(client, sessions):
    headers = admin(sessions)
    body = {"name": "r", "conditions": {"content_regex": "(a+)+$"}, "action": "spam"}
    refused = client.post(R, json=body, headers=headers)
    assert refused.status_code == 422
    assert client.post(f"{R}/try", json={"rule": body}, headers=headers).status_code == 422
    assert client.get(f"{R}/999", headers=headers).status_code == 404


def test_trying_a_draft_shows_its_hits_and_stores_nothing(client, app, worker, sessions):
    headers = admin(sessions)
    bait = submit_ok(client, app, content="Shop có khuyến mãi lớn, ghé xem nhé.")
    submit_ok(client, app, content="Bài viết rất hay, cảm ơn tác giả.")
    worker()
    tried = client.post(f"{R}/try", json={"rule": BAIT, "last": 10}, headers=headers)
    assert tried.status_code == 200
    assert tried.json["tried"] == 2 and [h["id"] for h in tried.json["hits"]] == [bait]
    phone = {"name": "p", "conditions": {"phone_prefix": "+8491"}, "weight": 0.5}
    assert len(client.post(f"{R}/try", json={"rule": phone}, headers=headers).json["hits"]) == 2
    assert client.get(R, headers=headers).json["items"] == []


def test_reports_compare_rules_and_verdicts_with_moderators(client, app, worker, sessions):
    headers = admin(sessions)
    rule_id = client.post(R, json=BAIT, headers=headers).json["id"]
    spam = submit_ok(client, app, content="Khuyến mãi lớn hôm nay, ghé shop nhé.")
    ham = submit_ok(client, app, content="Khuyến mãi kiểu này thì ai tin được?")
    missed = submit_ok(client, app, content="Ghé shop của mình xem hàng đẹp nhé.")
    worker()
    decide(client, headers, spam, "reject", "spam")
    decide(client, headers, ham, "approve")
    decide(client, headers, missed, "reject", "spam")
    report = client.get(f"{R}/{rule_id}/report", headers=headers).json
    assert report["hits"] == 2 and report["decided_hits"] == 2 and report["agreed"] == 1
    assert report["precision"] == 0.5 and report["recall"] == 0.5
    engine = client.get("/api/v1/admin/sites/demo/report", headers=headers).json
    assert engine["scored"] == 3 and engine["decided"] == 3
    assert engine["spam"]["recall"] == 0.0  # the worker held all three for review
    assert engine["override_rate"] is None  # and moved none on its own


def test_post_moderation_holds_first_time_authors_links_and_marked_authors(
    client, app, worker, sessions
):
    with transaction(sessions) as session:
        ensure_site(session, "demo", mode=ModerationMode.POST)
    headers = admin(sessions)

    def scored(**fields):
        comment_id = submit_ok(client, app, **fields)
        human(sessions, comment_id)
        worker()
        return outcome(sessions, comment_id)

    assert scored()[0] == "approved"  # nothing held yet
    client.patch("/api/v1/admin/sites/demo", json={"hold_first_time": True}, headers=headers)
    status, reasons = scored(phone="0987 654 321")
    assert status == "pending" and "held: first-time author" in [r["detail"] for r in reasons]
    assert scored(phone=None, consent=...)[0] == "pending"  # no phone: first-time
    assert scored()[0] == "approved"  # 0912 345 678 has an approved comment

    client.patch("/api/v1/admin/sites/demo", json={"hold_links": True}, headers=headers)
    assert scored(content="Nguồn: vnexpress.net, cảm ơn tác giả nhiều.")[0] == "pending"

    with sessions() as session:
        first = session.scalars(select(Comment).order_by(Comment.created_at)).first().id
    marked = client.post(f"/api/v1/moderation/comments/{first}/hold-author", headers=headers)
    assert marked.json == {"held": True, "changed": True}
    status, reasons = scored()
    assert status == "pending"
    assert "held: author marked always pre-moderate" in [r["detail"] for r in reasons]
    client.post(f"/api/v1/moderation/comments/{first}/release-author", headers=headers)
    status, reasons = scored()
    assert "held: author marked always pre-moderate" not in [r["detail"] for r in reasons]
    assert [a for a, _, _ in audit_actions(sessions) if a.startswith("author.")] == [
        "author.hold",
        "author.release",
    ]


def test_an_author_without_a_phone_cannot_be_held(client, app, sessions):
    comment_id = submit_ok(client, app, phone=None, consent=...)
    url = f"/api/v1/moderation/comments/{comment_id}/hold-author"
    refused = client.post(url, headers=admin(sessions))
    assert refused.status_code == 409 and refused.json["error"]["code"] == "no_phone"
