"""The files in deploy/: alert rules, the Grafana dashboard, the compose file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

import commentgate.metrics as metrics

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# Gauges /metrics computes at scrape time (service/ops/metrics.py), besides commentgate.metrics.
SCRAPE_TIME = {
    "commentgate_queue_jobs",
    "commentgate_queue_oldest_job_age_seconds",
    "commentgate_workers_alive",
    "commentgate_captcha_pool",
    "commentgate_comments",
    "commentgate_oldest_received_comment_age_seconds",
    "commentgate_dependency_up",
}


def known_series() -> set[str]:
    names = set(SCRAPE_TIME)
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for family in value.describe():
                base = family.name
                names.update({f"{base}_total", f"{base}_bucket", f"{base}_count", f"{base}_sum"})
    return names


def referenced(expr: str) -> set[str]:
    return set(re.findall(r"\bcommentgate_[a-z_]+", expr))


def test_alert_rules_pass_promtool():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian's prometheus package; .ci/run installs it)")
    result = subprocess.run(
        [promtool, "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_and_dashboard_use_only_metrics_we_export():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    board = json.loads((DEPLOY / "grafana" / "commentgate.json").read_text())
    exprs += [t["expr"] for panel in board["panels"] for t in panel["targets"]]
    unknown = set().union(*map(referenced, exprs)) - known_series()
    assert not unknown


def test_compose_runs_web_worker_redis_and_postgres_from_one_image():
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert {"web", "worker", "redis", "postgres"} <= set(services)
    assert services["web"]["command"] == ["commentgate", "web"]
    assert services["worker"]["command"] == ["commentgate", "worker"]
    assert services["web"]["image"] == services["worker"]["image"]
