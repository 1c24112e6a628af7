"""Telling the host site when what readers see changes (webhooks).

Events: ``comment.approved`` (it became public) and ``comment.removed`` (it
stopped being public). The body is the public view of the comment, signed
with the site's secret (HMAC-SHA256 over the raw body) so the host can trust
it. Delivery is an RQ job: a failed delivery raises, and RQ retries it with
back-off; a site without a webhook URL is simply not told. A delivery is
sent only while its event still holds: an ``approved`` retried after a
takedown would have the host publish a removed comment again.

The URL is read and checked by :mod:`commentgate.webhook_url`, as when it was set,
and its host resolved once: the request connects to the address that was checked
(:mod:`workers.egress`). A URL the rules refuse is not delivered to, nor retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

import redis
import requests

from commentgate import metrics
from commentgate.domain import WEBHOOK_EVENTS, CommentStatus, EventType
from commentgate.errors import WebhookUrlError
from commentgate.redis_keys import redis_key
from commentgate.storage.db import SessionFactory
from commentgate.storage.models import Comment, utcnow
from commentgate.webhook_url import IPAddress, WebhookTarget, check_webhook_url
from workers.egress import Resolver, UnresolvedError, pin_address, pinned_session, system_resolver

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = (3, 5)  # connect, read: a slow host must not hold a worker
APPROVED = WEBHOOK_EVENTS[EventType.PUBLISHED]


class DeliveryError(RuntimeError):
    """The host did not accept the webhook; RQ will retry.

    The text names the site and a fixed description, never the URL or the HTTP client's
    message about it: the URL is a site admin's input, and RQ keeps this text (with the
    exceptions it was raised from) for the ops dashboard to show.
    """

    def __init__(self, site: str, description: str) -> None:
        super().__init__(f"webhook of site {site}: {description}")


class DeliveryBlockedError(DeliveryError):
    """The rules refuse the webhook's URL or its address; retrying cannot help."""

    def __init__(self, site: str, reason: str) -> None:
        super().__init__(site, _BLOCKED.get(reason, reason))
        self.reason = reason


_BLOCKED = {"invalid": "invalid URL", "not_public": "not a public address"}


@dataclass(frozen=True)
class Delivery:
    """One webhook request, ready to send."""

    url: str
    body: bytes
    headers: dict[str, str]
    site: str = "?"
    site_id: str = ""


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
    return Delivery(site.webhook_url, body, headers, site.name, site.id)


def destination(
    delivery: Delivery, resolver: Resolver = system_resolver, *, private_ok: bool = False
) -> tuple[WebhookTarget, IPAddress]:
    """The URL read once and the one address the delivery will connect to, checked.

    Raises:
        DeliveryBlockedError: the URL breaks the rules, or its host is not public.
        DeliveryError: the name did not resolve.
    """
    try:
        target = check_webhook_url(delivery.url, private_ok=private_ok)
        return target, pin_address(target, resolver, private_ok=private_ok)
    except WebhookUrlError as exc:
        refused: DeliveryError = DeliveryBlockedError(delivery.site, exc.reason)
        outcome = "blocked"
    except UnresolvedError:
        refused, outcome = DeliveryError(delivery.site, "name did not resolve"), "error"
    # Raised outside the except clause: nothing of the URL rides along as its context.
    metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
    raise refused


def send(
    delivery: Delivery, *, private_ok: bool = False, resolver: Resolver = system_resolver
) -> int:
    """POST the delivery to the address its host was checked to have; returns the status
    code. Only to public addresses unless ``private_ok`` (development and tests); redirects
    are not followed.

    Raises:
        DeliveryBlockedError: the URL breaks the rules, or its host is not public.
        DeliveryError: the name did not resolve, a network failure or a non-2xx answer.
    """
    target, address = destination(delivery, resolver, private_ok=private_ok)
    headers = {**delivery.headers, "Host": target.host_header}
    with pinned_session(target, address) as http:
        response = _post(http, target.url, delivery.body, headers, delivery.site)
    if not 200 <= response.status_code < 300:
        metrics.WEBHOOK_DELIVERIES.labels("refused").inc()
        raise DeliveryError(delivery.site, f"answered {response.status_code}")
    metrics.WEBHOOK_DELIVERIES.labels("ok").inc()
    return response.status_code


def _post(
    http: requests.Session, url: str, body: bytes, headers: dict[str, str], site: str
) -> requests.Response:
    try:
        return http.post(
            url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as exc:
        outcome, description = _failure(exc)
    # Raised outside the except clause, so requests' message (which quotes the URL) is
    # neither the cause nor the context RQ would print under it.
    metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
    raise DeliveryError(site, description)


def _failure(exc: requests.RequestException) -> tuple[str, str]:
    """The metric outcome and a fixed description of what went wrong."""
    if isinstance(exc, requests.Timeout):
        return "timeout", "timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return "error", "TLS handshake or certificate check failed"
    if isinstance(exc, requests.ConnectionError):
        refused = _caused_by(exc, ConnectionRefusedError)
        return "error", "connection refused" if refused else "connection failed"
    return "error", "request failed"


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        stack += [current.__cause__, current.__context__, getattr(current, "reason", None)]
    return False


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
    resolver: Resolver = system_resolver,
    markers: redis.Redis | None = None,
) -> str:
    """Deliver one event about a comment; returns what happened.

    A URL the rules refuse ends the job ("blocked") rather than failing it: RQ retrying
    cannot help until an admin changes it. ``markers`` lets that be logged once per site
    and URL rather than once per comment.

    Raises:
        DeliveryError: the delivery failed in a way worth retrying.
    """
    with sessions() as session:
        comment = session.get(Comment, comment_id)
        delivery = build_delivery(comment, event, request_id) if comment else None
        superseded = delivery is not None and not still_holds(comment, event)
    if delivery is None:
        return "skipped"
    if superseded:
        log.info("webhook %s for comment %s superseded by a later change", event, comment_id)
        return "superseded"
    try:
        status = send(delivery, private_ok=private_ok, resolver=resolver)
    except DeliveryBlockedError as exc:
        _report_blocked(markers, delivery, exc.reason)
        return "blocked"
    log.info("webhook %s for comment %s delivered (%s)", event, comment_id, status)
    return "delivered"


def _report_blocked(markers: redis.Redis | None, delivery: Delivery, reason: str) -> None:
    url_hash = hashlib.sha256(delivery.url.encode()).hexdigest()[:16]
    key = redis_key("webhook", "blocked", delivery.site_id, url_hash)
    try:
        first = markers is None or bool(markers.set(key, reason, nx=True))
    except redis.RedisError:
        first = True  # better twice in the log than never
    if first:
        log.warning(
            "webhooks of site %s are not delivered: its webhook URL is refused (%s);"
            " an admin must change it",
            delivery.site,
            reason,
        )
