"""GET /widget.js and GET /demo: what a host page and a reader's browser load first."""

import gzip
import hashlib

from commentgate.messages import FIELDS

IDENTITY = {"Accept-Encoding": "identity"}


def test_widget_js_is_javascript_with_a_content_hash_etag(client):
    response = client.get("/widget.js", headers=IDENTITY)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()[:32]}"'
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Encoding" not in response.headers


def test_widget_js_revalidates_with_304(client):
    etag = client.get("/widget.js", headers=IDENTITY).headers["ETag"]
    again = client.get("/widget.js", headers={**IDENTITY, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_widget_js_is_gzipped_for_browsers_that_accept_it(client):
    plain = client.get("/widget.js", headers=IDENTITY)
    zipped = client.get("/widget.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]


def test_widget_js_stays_small(client):
    raw = client.get("/widget.js", headers=IDENTITY).data
    wire = client.get("/widget.js", headers={"Accept-Encoding": "gzip"}).data
    assert len(raw) < 32 * 1024 and len(wire) < 10 * 1024


def test_widget_js_carries_the_servers_messages_and_limits(client):
    script = client.get("/widget.js", headers=IDENTITY).get_data(as_text=True)
    assert "__COMMENTGATE_CONFIG__" not in script
    assert FIELDS["required"]["vi"] in script and FIELDS["phone_invalid"]["en"] in script
    assert '"content":5000' in script and '"name":80' in script
    assert "Lấy lại mã bảo mật" in script and "Bình luận của bạn đang chờ kiểm duyệt" in script


def test_widget_js_renders_reader_text_only_as_text(client):
    script = client.get("/widget.js", headers=IDENTITY).get_data(as_text=True)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_demo_page_is_an_article_with_the_widget(client):
    response = client.get("/demo")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page and "<h1>" in page
    assert 'data-commentgate data-site="demo"' in page
    assert '<script src="/widget.js" defer>' in page
    assert '<noscript><iframe src="/embed/form?site=demo&amp;article=' in page


def test_demo_page_can_show_the_widget_in_english(client):
    assert 'data-lang="en"' in client.get("/demo?lang=en").get_data(as_text=True)
    assert 'data-lang="en"' not in client.get("/demo").get_data(as_text=True)
