"""Author history as reasons: phone history both ways, IP history only against."""

from commentgate.storage.db import transaction
from commentgate.storage.models import Comment
from workers.author_book import AuthorBook
from workers.reputation import reputation_reasons


def add(session, site, status, phone=None, ip=None) -> Comment:
    comment = Comment(
        site_id=site.id,
        article="a",
        name="n",
        title="t",
        content="c",
        status=status,
        phone_hmac=phone,
        ip_hmac=ip,
    )
    session.add(comment)
    session.flush()
    return comment


def weights(session, comment):
    return [round(r.weight, 2) for r in reputation_reasons(session, comment, AuthorBook(b"key"))]


def test_approved_phone_history_earns_capped_credit(sessions, site):
    with transaction(sessions) as session:
        for _ in range(5):
            add(session, site, "approved", phone="p1")
        assert weights(session, add(session, site, "received", phone="p1")) == [-0.3]


def test_spam_phone_history_costs(sessions, site):
    with transaction(sessions) as session:
        add(session, site, "spam", phone="p2")
        add(session, site, "approved", phone="p2")
        assert weights(session, add(session, site, "received", phone="p2")) == [0.4]


def test_shared_ip_needs_repeated_spam_and_never_earns_credit(sessions, site):
    with transaction(sessions) as session:
        add(session, site, "spam", ip="i1")
        add(session, site, "approved", ip="i1")
        assert weights(session, add(session, site, "received", ip="i1")) == []
        add(session, site, "spam", ip="i1")
        assert weights(session, add(session, site, "received", ip="i1")) == [0.4]


def test_strangers_have_no_reputation(sessions, site):
    with transaction(sessions) as session:
        add(session, site, "spam", phone="p3", ip="i3")
        assert weights(session, add(session, site, "received", phone="p4", ip="i4")) == []
