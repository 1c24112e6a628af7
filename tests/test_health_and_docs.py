"""Probes and the OpenAPI document."""

import redis

from tests.conftest import replace_services
from tests.services import free_port


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_redis_is_down(client, app):
    replace_services(app, redis=redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    assert response.json["error"]["checks"]["redis"].startswith("error")
    assert "Retry-After" in response.headers


def test_openapi_is_3_1_and_documents_every_operation(client):
    doc = client.get("/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    operations = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert operations >= {
        ("/api/v1/captchas", "post"),
        ("/api/v1/captchas/{captcha_id}/image.png", "get"),
        ("/api/v1/comments", "post"),
        ("/api/v1/comments", "get"),
        ("/api/v1/comments/counts", "get"),
        ("/api/v1/moderation/comments", "get"),
        ("/api/v1/moderation/comments/{comment_id}", "get"),
        ("/api/v1/moderation/comments/{comment_id}/approve", "post"),
        ("/api/v1/moderation/comments/{comment_id}/reject", "post"),
    }
    assert "bearer" in doc["components"]["securitySchemes"]


def test_unknown_route_and_method_are_json(client):
    assert client.get("/nope").json["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/captchas")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"


def test_captcha_image_endpoint(client):
    created = client.post("/api/v1/captchas?site=demo").json
    assert created["image_url"].startswith("http://")
    image = client.get(f"/api/v1/captchas/{created['id']}/image.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert client.get("/api/v1/captchas/unknown/image.png").status_code == 404


def test_rate_limit_answers_429_with_retry_after(settings, redis_client, sessions, site):
    from service.app import create_app

    limited = settings.model_copy(update={"rate_limits": "2/minute"})
    client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
    statuses = [client.post("/api/v1/captchas?site=demo").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    response = client.post("/api/v1/captchas?site=demo", headers={"Accept-Language": "en"})
    assert response.json["error"]["code"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= 60
