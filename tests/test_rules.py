"""The Flask-free rules on their own: settings, scopes, links, cursors, decisions."""

import base64
import json
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from commentgate import links
from commentgate.access import CLI, Principal
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.domain import DecisionAction, RejectReason, Role
from commentgate.errors import ForbiddenError, ValidationFailedError
from commentgate.links import has_link
from commentgate.site_settings import NewSite, SiteSettings, apply_settings
from commentgate.storage.db import unit_of_work
from commentgate.storage.keys import find_key
from commentgate.storage.models import AuditEntry, Comment, Site
from commentgate.storage.pagination import decode_cursor_values, id_key, time_key
from service.moderation.bulk import Outcome, decide_many
from service.moderation.decisions import DecisionRequest
from tests.helpers import make_key, submit_ok


def new_site(**values) -> Site:
    site = Site(name="s", mode="pre", spam_at=1.0, approve_below=0.3)
    site.blocked_domains, site.allowed_domains, site.custom_words = [], [], []
    for name, value in values.items():
        setattr(site, name, value)
    return site


def test_settings_normalise_lists_and_report_changed_fields():
    site = new_site()
    changes = SiteSettings.model_validate(
        {"blocked_domains": ["Ví-Dụ.VN", "ví-dụ.vn"], "custom_words": [" Lô  Đề "], "mode": "post"}
    )
    assert apply_settings(site, changes) == ["blocked_domains", "custom_words", "mode"]
    assert site.blocked_domains == ["ví-dụ.vn".encode("idna").decode()]
    assert site.custom_words == ["lô đề"]
    assert site.mode == "post"


def test_thresholds_must_not_cross():
    site = new_site(spam_at=0.5)
    with pytest.raises(ValidationFailedError) as caught:
        apply_settings(site, SiteSettings(approve_below=0.6))
    assert "approve_below" in caught.value.fields
    assert site.approve_below == 0.3


@pytest.mark.parametrize("name", ["", "-x", "a b", "x" * 101, "ý"])
def test_site_names_are_plain(name):
    with pytest.raises(ValidationError):
        NewSite(name=name)


def test_principal_scope():
    local = Principal("k", Role.ADMIN, frozenset({"s1"}))
    assert local.covers("s1") and not local.covers("s2") and not local.covers(None)
    assert CLI.covers(None)
    with pytest.raises(ForbiddenError):
        local.require_global()


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("xem tại abc.com nhé", True),
        ("https://x", True),
        ("WWW.A", True),
        ("Tp.HCM rất đẹp", False),
        ("giá 1.5 triệu", False),
        ("node.js hay", False),
        ("xem abc.com.vn", True),
        ("tệp abc.com.txt", False),
        ("vào tại.abc.com", True),
        ("abc.com-khuyen-mai", True),
        ("xhttp://", True),
        ("a.www.b", True),
        # Long runs of labels: a domain found or refused in one pass over the run
        # (bench.links times these; they once took seconds of CPU).
        ("a." * 2500, False),
        ("a-" * 2500, False),
        ("a." * 2500 + "com", True),
        ("a-" * 2500 + "a.vn", True),
    ],
)
def test_has_link(text, linked):
    assert has_link(text) is linked


# Pieces of links, in both cases, and "https" with its long s (which IGNORECASE reads as s).
_LINKISH = ["www", "WWW", "w", ".", "com", "COM", "vn", "txt", "http", "https", "http\u017f"]
_LINKISH += ["://", "a", "-", " "]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_LINKISH), max_size=8).map("".join))
def test_has_link_answers_as_its_scans_alone(text):
    # The cheap checks before the scans only skip texts in which the scans find nothing.
    scans = bool(links._SCHEME_OR_WWW.search(text) or links._names_domain(text))
    assert has_link(text) is scans


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"a": 1}',
        b'["2026-01-01T00:00:00", "id"]',
        b'["x", "id"]',
        b'["2026-01-01T00:00:00+00:00", 5]',
        b"[1]",
    ],
)
def test_foreign_cursors_are_refused(raw):
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with pytest.raises(ValidationFailedError):
        decode_cursor_values(cursor, [time_key(Comment.created_at), id_key(Comment.id)])


@pytest.mark.parametrize("raw", [b"[2147483648]", b"[-2147483649]", b"[1e3]", b"[false]"])
def test_integer_cursors_must_fit_the_column(raw):
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with pytest.raises(ValidationFailedError):
        decode_cursor_values(cursor, [id_key(AuditEntry.id, int)])


def test_cursor_roundtrip_values():
    raw = json.dumps(["2026-01-01T00:00:00+00:00", "abc"]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode()
    at, ident = decode_cursor_values(cursor, [time_key(Comment.created_at), id_key(Comment.id)])
    assert at.tzinfo is not None and ident == "abc"


@contextmanager
def lifecycle(app, sessions):
    with unit_of_work(sessions) as uow:
        yield CommentLifecycle(uow=uow, queue=app.extensions["commentgate"].queue)


def test_decide_many_directly(client, app, worker, sessions, site):
    ids = [submit_ok(client, app) for _ in range(2)]
    worker()
    with sessions() as session:
        key_id = find_key(session, make_key(sessions)).id
    principal = Principal(key_id, Role.MODERATOR, None)
    template = DecisionRequest(DecisionAction.REJECT, RejectReason.SPAM)
    with lifecycle(app, sessions) as life:
        results = decide_many(life, [*ids, "missing"], principal, template, {})
    assert [r.result for r in results] == [Outcome.OK, Outcome.OK, Outcome.NOT_FOUND]
    assert {r.status for r in results[:2]} == {"spam"}
    elsewhere = Principal(key_id, Role.MODERATOR, frozenset({"another-site"}))
    with lifecycle(app, sessions) as life:
        hidden = decide_many(life, ids, elsewhere, template, {})
    assert {r.result for r in hidden} == {Outcome.NOT_FOUND}
