"""Telling the host site when what readers see changes (webhooks).

Events: ``comment.approved`` (it became public) and ``comment.removed`` (it
stopped being public). The body is the public view of the comment, signed
with the site's secret (HMAC-SHA256 over the raw body) so the host can trust
it. Delivery is an RQ job: a failed delivery raises, and RQ retries it with
back-off; a site without a webhook URL is simply not told. A delivery is
sent only while its event still holds: an ``approved`` retried after a
takedown would have the host publish a removed comment again.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from commentgate import metrics
from commentgate.domain import WEBHOOK_EVENTS, CommentStatus, EventType
from commentgate.storage.db import SessionFactory
from commentgate.storage.models import Comment, utcnow

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = (3, 5)  # connect, read: a slow host must not hold a worker
APPROVED = WEBHOOK_EVENTS[EventType.PUBLISHED]


class DeliveryError(RuntimeError):
    """The host did not accept the webhook; RQ will retry."""


@dataclass(frozen=True)
class Delivery:
    """One webhook request, ready to send."""

    url: str
    body: bytes
    headers: dict[str, str]


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>`` of the body under the site's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def build_delivery(comment: Comment, event: str, request_id: str | None) -> Delivery | None:
    """The request to send, or None when the site has no webhook."""
    site = comment.site
    if not site.webhook_url:
        return None
    payload = {
        "event": event,
        "site": site.name,
        "occurred_at": utcnow().isoformat().replace("+00:00", "Z"),
        "comment": {
            "id": comment.id,
            "article": comment.article,
            "status": comment.status,
            "name": comment.name,
            "title": comment.title,
            "content": comment.content,
        },
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "X-Commentgate-Event": event}
    if site.webhook_secret:
        headers["X-Commentgate-Signature"] = signature(site.webhook_secret, body)
    if request_id:
        headers["X-Request-ID"] = request_id
    return Delivery(site.webhook_url, body, headers)


def check_destination(url: str) -> None:
    """Refuse a webhook whose host resolves to an address that is not public.

    A site's admin chooses the URL, and the worker sits inside the operator's network:
    loopback, private and link-local addresses (a cloud's metadata service) are not theirs
    to reach. A name that resolves differently when requests connects a moment later (DNS
    rebinding) is not caught here; an egress proxy is the complete answer.

    Raises:
        DeliveryError: the host does not resolve, or resolves to a non-public address.
    """
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or default_port)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise DeliveryError(f"{url}: {exc}") from exc
    for *_, address in found:
        if not ipaddress.ip_address(address[0].split("%", 1)[0]).is_global:
            metrics.WEBHOOK_DELIVERIES.labels("blocked").inc()
            raise DeliveryError(f"{url}: {address[0]} is not a public address")


def send(
    delivery: Delivery, session: requests.Session | None = None, *, private_ok: bool = False
) -> int:
    """POST the delivery; returns the status code. Only to public addresses unless
    ``private_ok`` (development and tests).

    Raises:
        DeliveryError: a non-public destination, a network failure or a non-2xx answer.
    """
    if not private_ok:
        check_destination(delivery.url)
    http = session or requests
    try:
        response = http.post(
            delivery.url,
            data=delivery.body,
            headers=delivery.headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        outcome = "timeout" if isinstance(exc, requests.Timeout) else "error"
        metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
        raise DeliveryError(f"{delivery.url}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        metrics.WEBHOOK_DELIVERIES.labels("refused").inc()
        raise DeliveryError(f"{delivery.url} answered {response.status_code}")
    metrics.WEBHOOK_DELIVERIES.labels("ok").inc()
    return response.status_code


def still_holds(comment: Comment, event: str) -> bool:
    """Whether ``event`` still describes the comment: public for ``approved``, not public
    for ``removed``. A later change has queued its own event."""
    public = comment.status == CommentStatus.APPROVED.value
    return public if event == APPROVED else not public


def notify_comment(
    sessions: SessionFactory,
    comment_id: str,
    event: str,
    request_id: str | None,
    *,
    private_ok: bool = False,
) -> str:
    """Deliver one event about a comment; returns what happened."""
    with sessions() as session:
        comment = session.get(Comment, comment_id)
        delivery = build_delivery(comment, event, request_id) if comment else None
        superseded = delivery is not None and not still_holds(comment, event)
    if delivery is None:
        return "skipped"
    if superseded:
        log.info("webhook %s for comment %s superseded by a later change", event, comment_id)
        return "superseded"
    status = send(delivery, private_ok=private_ok)
    log.info("webhook %s for comment %s delivered (%s)", event, comment_id, status)
    return "delivered"
