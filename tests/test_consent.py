"""Consent to the site's privacy notice: asked where needed, refused without, recorded."""

import pytest

from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Site
from commentgate.storage.sites import find_site
from launch.processes import DEMO_NOTICE_VERSION, prepare_local
from tests.helpers import auth, make_key, submit, submit_ok
from tests.test_embed_form import filled_form, open_form, post_form

A = "/api/v1/admin"
PURPOSE = "Số điện thoại chỉ dùng để liên hệ về bình luận."


@pytest.fixture
def noticed(sessions, site) -> Site:
    """The demo site with a privacy notice."""
    with transaction(sessions) as session:
        demo = find_site(session, "demo")
        demo.privacy_notice_url = "https://news.example/quyen-rieng-tu"
        demo.privacy_notice_version = "2026-01"
        demo.privacy_purpose = PURPOSE
    return demo


def stored(sessions, comment_id) -> Comment:
    with sessions() as session:
        return session.get(Comment, comment_id)


def test_a_phone_without_consent_is_refused_beside_the_field(client, app, noticed):
    response = submit(client, app, consent=False)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["consent"]["code"] == "consent_required"
    assert "đồng ý" in response.json["error"]["fields"]["consent"]["message"]
    english = submit(client, app, headers={"Accept-Language": "en"}, consent=None)
    assert english.status_code == 422
    assert english.json["error"]["fields"]["consent"]["message"].startswith("Agree to the")


def test_consent_is_recorded_with_the_notice_version_purpose_and_time(
    client, app, sessions, noticed
):
    comment = stored(sessions, submit_ok(client, app, consent=True))
    assert (comment.consent_version, comment.consent_purpose) == ("2026-01", PURPOSE)
    assert comment.consent_at is not None
    assert abs((comment.consent_at - comment.created_at).total_seconds()) < 60


def test_without_a_phone_consent_is_asked_only_when_the_site_says_always(
    client, app, sessions, noticed
):
    plain = stored(sessions, submit_ok(client, app, phone=None, consent=False))
    assert plain.consent_version is None
    with transaction(sessions) as session:
        find_site(session, "demo").consent_always = True
    app.extensions["commentgate"].sites.forget()  # as the admin API does after a change
    refused = submit(client, app, phone=None, consent=False)
    assert refused.json["error"]["fields"]["consent"]["code"] == "consent_required"


def test_a_site_without_a_notice_asks_no_consent(client, app, sessions, site):
    comment = stored(sessions, submit_ok(client, app, consent=False))
    assert comment.consent_version is None and comment.phone_sealed


def test_the_notice_is_public_and_set_through_the_admin_api(client, sessions, site):
    admin = make_key(sessions, role="admin")
    body = {
        "privacy_notice_url": "https://news.example/privacy",
        "privacy_notice_version": " v3 ",
        "privacy_purpose": PURPOSE,
        "consent_always": True,
        "erasure": "anonymise",
    }
    shown = client.patch(f"{A}/sites/demo", json=body, headers=auth(admin)).json
    assert {k: shown[k] for k in body} == {**body, "privacy_notice_version": "v3"}
    notice = client.get("/api/v1/privacy", query_string={"site": "demo"}).json
    assert notice == {
        "site": "demo",
        "notice_url": "https://news.example/privacy",
        "notice_version": "v3",
        "purpose": PURPOSE,
        "consent_always": True,
    }
    bad = client.patch(
        f"{A}/sites/demo", json={"privacy_notice_url": "ftp://x"}, headers=auth(admin)
    )
    assert bad.json["error"]["fields"]["privacy_notice_url"]["code"] == "invalid"


def test_the_form_shows_the_notice_and_refuses_a_phone_without_consent(
    client, app, sessions, noticed
):
    _, page = open_form(client)
    assert page.find("input", name="consent")["type"] == "checkbox"
    assert PURPOSE in page.find("p", id="cg-consent-hint").text
    fields = filled_form(client, app)
    del fields["consent"]
    response, refused = post_form(client, fields)
    assert response.status_code == 422
    assert refused.find("input", name="consent").get("aria-invalid") == "true"
    assert "đồng ý" in refused.find("p", id="cg-consent-error").text
    response, _ = post_form(client, filled_form(client, app, consent="true"))
    assert response.status_code == 202
    with sessions() as session:
        [comment] = session.query(Comment).all()
    assert comment.consent_version == "2026-01"


def test_a_site_without_a_notice_shows_no_consent_box(client, site):
    _, page = open_form(client)
    assert page.find("input", name="consent") is None


def test_the_demo_site_make_run_seeds_has_a_notice(settings, sessions):
    prepare_local(settings.model_copy(update={"seed_corpora": "nothing/*.jsonl"}))
    with sessions() as session:
        demo = find_site(session, "demo")
        assert demo.privacy_notice_version == DEMO_NOTICE_VERSION and demo.privacy_purpose
        assert demo.privacy_notice_url.endswith("/demo#privacy")
