"""The OpenAPI document covers every route, error and header; /docs renders it offline."""

import re

import pytest

PROTECTED_PREFIXES = ("/api/v1/moderation", "/api/v1/admin", "/api/v1/host")


@pytest.fixture
def doc(client):
    return client.get("/openapi.json").json


def _flask_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_api_route_is_documented(app, doc):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = _flask_to_openapi(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"].get(path, {}), f"{method} {path}"


def test_protected_operations_declare_the_scheme_and_their_errors(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert any(c.startswith("4") for c in codes), f"{method} {path}"
            if path.startswith(PROTECTED_PREFIXES):
                assert operation["security"] == [{"bearer": []}], f"{method} {path}"
                assert {"401", "403", "422", "429", "503"} <= codes, f"{method} {path}"


def test_error_and_concurrency_headers_are_documented(doc):
    approve = doc["paths"]["/api/v1/moderation/comments/{comment_id}/approve"]["post"]
    assert approve["responses"]["200"]["headers"]["ETag"]["required"] is True
    assert "ETag" in approve["responses"]["412"]["headers"]
    assert "409" in approve["responses"] and "412" in approve["responses"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in approve["parameters"])
    for item in doc["paths"].values():
        for operation in item.values():
            for status in ("429", "503"):
                if status in operation["responses"]:
                    assert "Retry-After" in operation["responses"][status]["headers"]


def test_error_schema_names_conflict_and_readiness_details(doc):
    body = doc["components"]["schemas"]["ErrorBody"]["properties"]
    assert {"code", "message", "fields", "current", "checks"} <= set(body)


def test_docs_page_renders_the_document_without_a_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/openapi.json" in html and "https://" not in html
    script = client.get("/docs/assets/js/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.data) > 100_000
    assert client.get("/docs/assets/css/swagger-ui.css").status_code == 200
    missing = client.get("/docs/assets/../../../etc/passwd")
    assert missing.status_code == 404
    assert client.get("/docs/assets/nope.js").json["error"]["code"] == "not_found"


def test_every_operation_taking_a_body_documents_body_errors(doc):
    for path, item in doc["paths"].items():
        for method in set(item) & {"post", "patch", "put"}:
            codes = set(item[method]["responses"])
            assert {"400", "413", "415"} <= codes, f"{method} {path}"


def test_body_errors_really_happen_on_bodiless_posts(client, app):
    bad = client.post("/api/v1/captchas?site=demo", data="{", content_type="application/json")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "bad_json"
    wrong = client.post("/api/v1/captchas?site=demo", data="x", content_type="text/plain")
    assert wrong.status_code == 415
