"""Webhooks to the host site, delivered to a real local HTTP server."""

import dataclasses
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from rq import Queue

from commentgate.domain import ModerationMode
from commentgate.queue import enqueue_notification
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Site
from commentgate.storage.sites import ensure_site
from tests.helpers import submit_ok
from tests.services import free_port
from workers.jobs import moderate_comment
from workers.notify import Delivery, DeliveryError, notify_comment, send
from workers.runtime import install

SECRET = "s3cret"


class Host:
    """A host site's webhook endpoint that records what it receives."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.received: list[tuple[dict, bytes]] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                host.received.append((dict(self.headers), body))
                self.send_response(host.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks/comments"


@pytest.fixture
def host(sessions, site):
    endpoint = Host()
    with transaction(sessions) as session:
        row = session.get(Site, site.id)
        row.webhook_url, row.webhook_secret = endpoint.url, SECRET
        ensure_site(session, "demo", mode=ModerationMode.POST)
    yield endpoint
    endpoint.server.shutdown()


def notify(sessions, comment_id, event):
    """Deliver as a worker of the test settings does: the host listens on 127.0.0.1."""
    return notify_comment(sessions, comment_id, event, None, private_ok=True)


def human_paced(sessions, comment_id):
    with transaction(sessions) as session:
        session.get(Comment, comment_id).submit_seconds = 40.0


def test_auto_approved_comment_is_announced_with_a_valid_signature(
    client, app, worker, sessions, host
):
    comment_id = submit_ok(client, app)
    human_paced(sessions, comment_id)
    worker()  # scores (approved on a post-moderated site), then delivers
    assert len(host.received) == 1
    headers, body = host.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Commentgate-Signature"] == expected
    assert headers["X-Commentgate-Event"] == "comment.approved"
    payload = json.loads(body)
    assert payload["comment"]["id"] == comment_id
    assert "phone" not in payload["comment"] and "ip" not in payload["comment"]
    assert headers.get("X-Request-ID")


def test_refused_delivery_raises_so_rq_retries(client, app, worker, sessions, host, redis_client):
    host.status = 500
    comment_id = submit_ok(client, app)
    human_paced(sessions, comment_id)
    worker()
    with pytest.raises(DeliveryError):
        notify(sessions, comment_id, "comment.approved")
    scheduled = Queue("moderation", connection=redis_client).scheduled_job_registry
    assert len(scheduled.get_job_ids()) == 1  # RQ's retry with back-off


BACK_OFF = [10, 60, 300, 900, 3600]  # 10 s, 1 min, 5 min, 15 min, 1 h


def test_deliveries_back_off_from_ten_seconds_to_an_hour(
    client, app, worker, sessions, host, redis_client
):
    queue = Queue("moderation", connection=redis_client)
    enqueue_notification(queue, "some-comment", "comment.approved")
    (queued,) = queue.jobs
    assert (queued.retries_left, queued.retry_intervals) == (5, BACK_OFF)
    queued.delete()
    host.status = 500
    comment_id = submit_ok(client, app)
    human_paced(sessions, comment_id)
    before = datetime.now(UTC).replace(microsecond=0)  # RQ schedules to the second
    worker()  # approves, then the delivery fails once
    after = datetime.now(UTC)
    registry = queue.scheduled_job_registry
    (job_id,) = registry.get_job_ids()
    failed = queue.fetch_job(job_id)
    assert failed.args[:2] == (comment_id, "comment.approved")
    assert (failed.retries_left, failed.retry_intervals) == (4, BACK_OFF)
    due = registry.get_scheduled_time(failed)
    assert before + timedelta(seconds=10) <= due <= after + timedelta(seconds=10)


def test_a_retried_delivery_does_not_announce_a_state_that_no_longer_holds(
    client, app, worker, sessions, host, moderator_key
):
    # The approval's delivery failed and waits for its retry; meanwhile the comment is
    # taken down and that is announced. The retry must not have the host publish it again.
    from tests.helpers import auth

    comment_id = submit_ok(client, app)
    human_paced(sessions, comment_id)
    host.status = 500
    worker()
    host.status, host.received = 204, []
    url = f"/api/v1/moderation/comments/{comment_id}"
    etag = client.get(url, headers=auth(moderator_key)).json["etag"]
    taken_down = client.post(
        f"{url}/reject",
        json={"reason": "abuse"},
        headers={**auth(moderator_key), "If-Match": etag},
    )
    assert taken_down.status_code == 200
    worker()
    assert [h["X-Commentgate-Event"] for h, _ in host.received] == ["comment.removed"]
    assert notify(sessions, comment_id, "comment.approved") == "superseded"
    assert notify(sessions, comment_id, "comment.removed") == "delivered"
    assert len(host.received) == 2


def test_auto_approval_stays_when_its_webhook_cannot_be_queued(
    client, app, worker, sessions, host, caplog
):
    comment_id = submit_ok(client, app)
    human_paced(sessions, comment_id)
    dead = Queue("moderation", connection=redis.Redis(port=free_port()))
    install(dataclasses.replace(worker.runtime, queue=dead))
    assert moderate_comment(comment_id) == "approved"  # no exception for RQ to retry
    assert "hosts can read the events feed" in caplog.text
    with sessions() as session:
        assert session.get(Comment, comment_id).status == "approved"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://localhost/hook",
    ],
)
def test_webhooks_go_only_to_public_addresses(url):
    delivery = Delivery(url, b"{}", {})
    with pytest.raises(DeliveryError, match="not a public address"):
        send(delivery)


def test_a_worker_does_not_deliver_to_a_private_address_unless_allowed(
    client, app, worker, sessions, host
):
    comment_id = submit_ok(client, app)
    human_paced(sessions, comment_id)
    worker()  # approved, and announced: the test settings allow 127.0.0.1
    assert len(host.received) == 1
    # Refused for good (no exception for RQ to retry): an admin must change the URL.
    assert notify_comment(sessions, comment_id, "comment.approved", None) == "blocked"
    assert len(host.received) == 1


def test_site_without_webhook_is_skipped(client, app, sessions):
    comment_id = submit_ok(client, app)
    assert notify(sessions, comment_id, "comment.approved") == "skipped"


def test_moderator_approval_and_takedown_are_announced(
    client, app, worker, sessions, host, moderator_key
):
    from tests.helpers import auth

    with transaction(sessions) as session:
        ensure_site(session, "demo", mode=ModerationMode.PRE)
    comment_id = submit_ok(client, app)
    worker()
    assert host.received == []  # pending is nothing the public sees
    url = f"/api/v1/moderation/comments/{comment_id}"
    etag = client.post(f"{url}/approve", headers=auth(moderator_key)).json["etag"]
    worker()
    headers = {**auth(moderator_key), "If-Match": etag}
    assert (
        client.post(f"{url}/reject", json={"reason": "abuse"}, headers=headers).status_code == 200
    )
    worker()
    events = [h["X-Commentgate-Event"] for h, _ in host.received]
    assert events == ["comment.approved", "comment.removed"]


def test_bulk_decisions_teach_the_model(client, app, worker, redis_client, moderator_key):
    from tests.helpers import auth

    ids = [submit_ok(client, app) for _ in range(2)]
    worker()
    response = client.post(
        "/api/v1/moderation/comments/bulk",
        json={"ids": ids, "action": "reject", "reason": "spam"},
        headers=auth(moderator_key),
    )
    assert response.json["counts"] == {"ok": 2}
    queued = Queue("moderation", connection=redis_client).job_ids
    assert [job_id for job_id in queued if job_id.startswith("learn-")]


def test_a_ban_that_unpublishes_and_its_lift_are_announced(
    client, app, worker, sessions, host, moderator_key
):
    from tests.helpers import auth

    comment_id = submit_ok(client, app, phone="0912345678")
    human_paced(sessions, comment_id)
    worker()  # approved at once on the post-moderated site
    assert [h["X-Commentgate-Event"] for h, _ in host.received] == ["comment.approved"]
    body = {"kind": "phone", "value": "0912345678", "reject_recent_hours": 24}
    created = client.post("/api/v1/moderation/bans", json=body, headers=auth(moderator_key))
    assert created.json["rejected"] == [comment_id]
    worker()
    lift_url = f"/api/v1/moderation/bans/{created.json['ban']['id']}/lift"
    assert client.post(lift_url, headers=auth(moderator_key)).json["restored"] == [comment_id]
    worker()
    events = [h["X-Commentgate-Event"] for h, _ in host.received]
    assert events == ["comment.approved", "comment.removed", "comment.approved"]
