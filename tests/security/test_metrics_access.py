"""/metrics is not public: a configured Bearer token, or else clients on loopback only."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml

from service.app import create_app

TOKEN = "t0k3n-for-prometheus-only"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FAR_AWAY = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def guarded(settings, redis_client, sessions, site):
    """An app whose /metrics wants ``TOKEN``."""
    configured = settings.model_copy(update={"metrics_token": TOKEN})
    return create_app(configured, redis_client=redis_client, sessions=sessions).test_client()


def test_a_configured_token_is_required_from_anywhere(guarded):
    basic = base64.b64encode(f"x:{TOKEN}".encode()).decode()
    refused = [
        guarded.get("/metrics"),
        guarded.get("/metrics", headers={"Authorization": "Bearer wrong"}),
        guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}),
        guarded.get("/metrics", headers={"Authorization": f"Basic {basic}"}),
        guarded.get("/metrics", query_string={"token": TOKEN}),
    ]
    for response in refused:
        assert response.status_code == 401
        assert response.json["error"]["code"] == "metrics_token_required"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert b"commentgate_" not in response.data
    for environ in ({}, FAR_AWAY):
        answer = guarded.get(
            "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=environ
        )
        assert answer.status_code == 200 and b"commentgate_dependency_up" in answer.data


def test_without_a_token_only_loopback_may_scrape(client):
    for address in ("203.0.113.7", "10.0.0.2", "2001:db8::1"):
        refused = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
        assert refused.status_code == 403
        assert b"commentgate_" not in refused.data
    for address in ("127.0.0.1", "::1"):
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 200


def test_compose_gives_prometheus_the_token_the_web_wants():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert "COMMENTGATE_METRICS_TOKEN" in compose["services"]["web"]["environment"]
    prometheus = compose["services"]["prometheus"]
    assert "metrics_token" in prometheus["secrets"]
    assert compose["secrets"]["metrics_token"] == {"environment": "COMMENTGATE_METRICS_TOKEN"}
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    [job] = [j for j in scrape["scrape_configs"] if j["job_name"] == "commentgate-web"]
    assert job["authorization"]["credentials_file"] == "/run/secrets/metrics_token"
