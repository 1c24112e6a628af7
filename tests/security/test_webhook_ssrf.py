"""Webhook SSRF: a site admin's webhook URL must not reach into the operator's network.

Every URL below was either accepted and delivered to loopback by some parser, or is a
notation of a loopback address. A real HTTP listener on 127.0.0.1 must receive nothing,
whether the URL is set through the admin API (refused there) or was stored before the
rules existed (refused by the worker at delivery, once and for all).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import socket
import ssl
import subprocess
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rq import Queue
from rq.job import Job

from commentgate.domain import ModerationMode
from commentgate.errors import WebhookUrlError
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Site
from commentgate.storage.sites import ensure_site
from commentgate.webhook_url import check_webhook_url, parse_webhook_url
from tests.helpers import auth, make_key, submit_ok
from tests.test_ops import metric, scrape
from workers.egress import pinned_session
from workers.notify import Delivery, DeliveryBlockedError, DeliveryError, send
from workers.runtime import install

A = "/api/v1/admin"
PINNED, REBOUND = "127.0.0.1", "127.0.0.2"
BLOCKED = 'commentgate_webhook_deliveries_total{outcome="blocked"}'


class Listener:
    """A host's webhook endpoint on one loopback address; counts every connection."""

    def __init__(
        self,
        address: str = PINNED,
        port: int = 0,
        status: int = 204,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.address, self.status = address, status
        self.connections = 0
        self.requests: list[dict[str, str]] = []
        self.location: str | None = None
        self.server = ThreadingHTTPServer((address, port), self._handler())
        self.server.verify_request = self._count
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _count(self, request, client_address) -> bool:
        self.connections += 1
        return True

    def _handler(self):
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                listener.requests.append(
                    {
                        "host": self.headers["Host"],
                        "local": self.connection.getsockname()[0],
                        "path": self.path,
                    }
                )
                self.send_response(listener.status)
                if listener.location:
                    self.send_header("Location", listener.location)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def reset(self) -> None:
        self.connections, self.requests = 0, []

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def listener_pair() -> tuple[Listener, Listener]:
    """Two listeners on the same port: the address a name is checked at, and the one a
    rebinding name would answer next."""
    for _ in range(20):
        pinned = Listener(PINNED)
        try:
            return pinned, Listener(REBOUND, pinned.port)
        except OSError:  # that port is taken on 127.0.0.2: try another
            pinned.close()
    raise RuntimeError("no port free on both loopback addresses")


def tricky_urls(port: int) -> list[tuple[str, str]]:
    """URLs that reach loopback (or the metadata service) through some reading, and the
    field code each is refused with."""
    return [
        (f"http://127.0.0.1:{port}\\@93.184.216.34/hook", "invalid"),
        (f"http://127.0.0.1:{port}\\@public.example/hook", "invalid"),
        ("http://169.254.169.254\\@public.example/", "invalid"),
        (f"http://a@127.0.0.1:{port}/", "invalid"),
        (f"http://127.1:{port}/", "not_public"),
        (f"http://2130706433:{port}/", "not_public"),
        (f"http://0x7f000001:{port}/", "not_public"),
        (f"http://0177.0.0.1:{port}/", "not_public"),
        (f"http://127.0.0.1.:{port}/", "not_public"),
        (f"http://%31%32%37.0.0.1:{port}/", "not_public"),
        (f"http://[::1]:{port}/", "not_public"),
        (f"http://[::ffff:127.0.0.1]:{port}/", "not_public"),
        (f"http://[::ffff:7f00:1]:{port}/", "not_public"),
        (f"http://localhost.:{port}/", "not_public"),
        (f"http://LocalHost:{port}/", "not_public"),
        (f"http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54:{port}/", "invalid"),
        ("http://10.0.0.1/<img/src/onerror=alert(document.domain)>", "invalid"),
    ]


ROWS = tricky_urls(0)  # for the ids; each test builds them again with its listener's port


@pytest.fixture
def settings(settings):
    """Production's rule: no webhooks to loopback, private or link-local addresses."""
    return settings.model_copy(update={"webhook_private_addresses": False})


@pytest.fixture
def listener():
    endpoint = Listener()
    yield endpoint
    endpoint.close()


@pytest.fixture
def admin(sessions, site):
    return make_key(sessions, "admin")


def post_moderated(sessions) -> None:
    with transaction(sessions) as session:
        ensure_site(session, "demo", mode=ModerationMode.POST)


def store_webhook(sessions, url: str) -> None:
    """Write the URL as an older release accepted it: straight into the row."""
    with transaction(sessions) as session:
        site = session.query(Site).filter_by(name="demo").one()
        site.webhook_url, site.webhook_secret = url, "s3cret-value"


def publish_one(client, app, sessions, worker) -> str:
    """Submit a comment that is published at once, then run the worker (scores, notifies)."""
    comment_id = submit_ok(client, app)
    with transaction(sessions) as session:
        session.get(Comment, comment_id).submit_seconds = 40.0
    worker()
    with sessions() as session:
        assert session.get(Comment, comment_id).status == "approved"
    return comment_id


@pytest.mark.parametrize("row", range(len(ROWS)), ids=[url for url, _ in ROWS])
def test_tricky_webhook_urls_are_refused_when_set(
    client, app, sessions, worker, admin, listener, row
):
    url, code = tricky_urls(listener.port)[row]
    response = client.patch(f"{A}/sites/demo", json={"webhook_url": url}, headers=auth(admin))
    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"]["webhook_url"]["code"] == code
    with sessions() as session:
        assert session.query(Site).filter_by(name="demo").one().webhook_url is None
    post_moderated(sessions)
    publish_one(client, app, sessions, worker)
    assert listener.connections == 0


@pytest.mark.parametrize("row", range(len(ROWS)), ids=[url for url, _ in ROWS])
def test_tricky_webhook_urls_stored_before_are_not_delivered_to(
    client, app, sessions, worker, admin, listener, redis_client, row
):
    url, code = tricky_urls(listener.port)[row]
    post_moderated(sessions)
    store_webhook(sessions, url)
    before = scrape(client)
    blocked_before = metric(before, BLOCKED) if BLOCKED in before else 0.0
    publish_one(client, app, sessions, worker)
    assert listener.connections == 0
    queue = Queue("moderation", connection=redis_client)
    # Ended, not failed: RQ has nothing to retry until an admin changes the URL.
    assert queue.scheduled_job_registry.get_job_ids() == []
    assert queue.failed_job_registry.get_job_ids() == []
    assert metric(scrape(client), BLOCKED) == blocked_before + 1
    shown = client.get(f"{A}/sites/demo", headers=auth(admin)).json
    assert shown["webhook_url"] == url and shown["webhook_url_error"] == code


def test_a_refused_stored_url_is_logged_once_and_shown_until_fixed(
    client, app, sessions, worker, admin, listener, caplog
):
    post_moderated(sessions)
    store_webhook(sessions, f"http://127.1:{listener.port}/hook")
    publish_one(client, app, sessions, worker)
    publish_one(client, app, sessions, worker)
    warnings = [r for r in caplog.records if r.name == "workers.notify" and "refused" in r.msg]
    assert len(warnings) == 1
    assert str(listener.port) not in warnings[0].getMessage()
    fixed = client.patch(
        f"{A}/sites/demo",
        json={"webhook_url": "https://hooks.news.example/cg"},
        headers=auth(admin),
    )
    assert fixed.status_code == 200 and fixed.json["webhook_url_error"] is None
    assert listener.connections == 0


def test_the_command_line_refuses_them_too(settings, sessions, site):
    from tests.test_cli import invoke

    for url, code in tricky_urls(8080):
        refused = invoke(settings, "sites", "set", "demo", "--webhook-url", url)
        assert refused.exit_code == 1 and "validation_failed" in refused.output, url
        said = "Invalid value" if code == "invalid" else "webhook_url=not_public"
        assert said in refused.output, url
    shown = json.loads(invoke(settings, "sites", "show", "demo").stdout)
    assert shown["webhook_url"] is None and shown["webhook_url_error"] is None


def test_the_settings_response_documents_the_refusal_field(client):
    schema = client.get("/openapi.json").json["components"]["schemas"]["SiteOut"]
    assert "webhook_url_error" in schema["properties"]


def test_a_name_with_any_private_answer_is_refused_at_delivery(listener):
    def resolver(host, port):
        return ["93.184.216.34", PINNED]

    delivery = Delivery(f"http://hooks.example:{listener.port}/h", b"{}", {}, "demo")
    with pytest.raises(DeliveryBlockedError, match="not a public address"):
        send(delivery, resolver=resolver)
    assert listener.connections == 0


def test_redirects_are_not_followed(listener):
    other = Listener(REBOUND, 0)
    try:
        listener.status, listener.location = 302, f"http://{REBOUND}:{other.port}/"
        delivery = Delivery(f"http://{PINNED}:{listener.port}/h", b"{}", {}, "demo")
        with pytest.raises(DeliveryError, match="answered 302"):
            send(delivery, private_ok=True)
        assert len(listener.requests) == 1 and other.connections == 0
    finally:
        other.close()


# ---------------------------------------------------------------- the address that was checked


class RebindingResolver:
    """A name answers the pinned address first, and another address every time after."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return [PINNED if self.calls == 1 else REBOUND]


@pytest.fixture(scope="module")
def listeners():
    pair = listener_pair()
    yield pair
    for endpoint in pair:
        endpoint.close()


def _ipv4_spellings(address: str) -> list[str]:
    number = int(ipaddress.IPv4Address(address))
    octets = [int(part) for part in address.split(".")]
    return [
        address,
        f"{address}.",
        str(number),
        hex(number),
        f"0X{number:08X}",
        ".".join(f"0{o:o}" for o in octets),
        f"{octets[0]}.{number & 0xFFFFFF}",
        f"{octets[0]}.{octets[1]}.{number & 0xFFFF}",
        f"0x{octets[0]:x}.{octets[1]}.{octets[2]}.{octets[3]}",
        f"[::ffff:{address}]",
        f"[::ffff:{number >> 16:x}:{number & 0xFFFF:x}]",
    ]


_LABELS = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True) | st.sampled_from(
    ["ví-dụ", "bücher", "tin-tức", "xn--bcher-kva", "Hooks", "localhost"]
)
_NAMES = st.builds(
    lambda labels, dot: ".".join(labels) + dot,
    st.lists(_LABELS, min_size=1, max_size=3),
    st.sampled_from(["", "."]),
)
_ADDRESSES = st.sampled_from([PINNED, REBOUND]).flatmap(
    lambda a: st.sampled_from(_ipv4_spellings(a))
)
# What parsers have read differently: each must be refused, or be harmless.
_DECORATIONS = st.sampled_from(
    ["", "", "", "user@", "a:b@", "127.0.0.2\\@", "x\\", " ", "\t", "%0a", "@"]
)


@st.composite
def webhook_urls(draw, port: int):
    host = draw(_NAMES | _ADDRESSES)
    decoration = draw(_DECORATIONS)
    before = draw(st.booleans())
    path = draw(st.text(alphabet="abc/-_.~=&?%", max_size=12))
    scheme = draw(st.sampled_from(["http", "HTTP", "Http"]))
    authority = f"{decoration}{host}:{port}" if before else f"{host}:{port}{decoration}"
    return f"{scheme}://{authority}/{path}"


def _checked(url: str) -> tuple[str, str] | None:
    """What the check read: the Host header and the address a delivery must reach."""
    try:
        target = check_webhook_url(url, private_ok=True)
    except WebhookUrlError:
        return None
    address = target.address
    if address is not None and address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return target.host_header, str(address) if address is not None else PINNED


@hypothesis_settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_delivery_connects_to_the_address_that_was_checked(listeners, data):
    pinned, rebound = listeners
    url = data.draw(webhook_urls(pinned.port))
    for endpoint in listeners:
        endpoint.reset()
    resolver = RebindingResolver()
    checked = _checked(url)
    try:
        send(Delivery(url, b"{}", {}, "demo"), private_ok=True, resolver=resolver)
        delivered = True
    except DeliveryError:
        delivered = False
    event("refused" if checked is None else f"reached {checked[1]}")
    if checked is None:
        assert not delivered
        assert pinned.connections == rebound.connections == 0
        return
    host_header, address = checked
    assert delivered, url
    reached = [e for e in listeners if e.connections]
    assert [e.address for e in reached] == [address], url
    (request,) = reached[0].requests
    assert request["local"] == address and request["host"] == host_header
    assert resolver.calls <= 1  # the second (rebound) answer is never asked for


def test_a_rebinding_name_is_resolved_once(listeners):
    pinned, rebound = listeners
    for endpoint in listeners:
        endpoint.reset()
    resolver = RebindingResolver()
    delivery = Delivery(f"http://ví-dụ.vn:{pinned.port}/hook", b"{}", {}, "demo")
    assert send(delivery, private_ok=True, resolver=resolver) == 204
    assert resolver.calls == 1 and rebound.connections == 0
    assert pinned.requests == [
        {"host": f"xn--v-d-rma6749a.vn:{pinned.port}", "local": PINNED, "path": "/hook"}
    ]


@pytest.fixture
def tls_host(tmp_path):
    """An HTTPS listener on 127.0.0.1 with a self-signed certificate for hooks.test; it
    records the server name (SNI) each client asks for."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=hooks.test", "-addext", "subjectAltName=DNS:hooks.test"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    endpoint = Listener(tls=context)
    endpoint.server_names = []
    context.sni_callback = lambda sock, name, ctx: endpoint.server_names.append(name)
    endpoint.cert = cert
    yield endpoint
    endpoint.close()


def test_tls_to_a_pinned_address_asks_for_the_name(tls_host):
    delivery = Delivery(f"https://hooks.test:{tls_host.port}/h", b"{}", {}, "demo")
    with pytest.raises(DeliveryError, match="certificate"):
        send(delivery, private_ok=True, resolver=lambda host, port: [PINNED])
    assert tls_host.server_names == ["hooks.test"]  # SNI: the name, not 127.0.0.1
    assert tls_host.requests == []  # self-signed, so refused before anything was posted


@pytest.mark.parametrize(("name", "accepted"), [("hooks.test", True), ("other.test", False)])
def test_tls_to_a_pinned_address_verifies_the_name(tls_host, name, accepted):
    target = parse_webhook_url(f"https://{name}:{tls_host.port}/h")
    headers = {"Host": target.host_header}
    with pinned_session(target, ipaddress.ip_address(PINNED)) as http:
        try:
            http.post(target.url, headers=headers, verify=str(tls_host.cert), timeout=10)
            verified = True
        except requests.exceptions.SSLError:
            verified = False
    assert verified is accepted
    assert [r["host"] for r in tls_host.requests] == ([target.host_header] if accepted else [])


# ---------------------------------------------------------------- what RQ keeps of a failure


MARKUP = "hook%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"


def failed_notification(redis_client, worker) -> str:
    """The traceback RQ keeps (and the dashboard shows) once the notification job that
    failed has no retries left."""
    queue = Queue("moderation", connection=redis_client)
    (job_id,) = queue.scheduled_job_registry.get_job_ids()
    job = Job.fetch(job_id, connection=redis_client)
    job.retries_left = 0  # its last attempt comes now rather than in hours
    job.save()
    queue.scheduled_job_registry.remove(job)
    queue.enqueue_job(job)
    worker()
    assert queue.failed_job_registry.get_job_ids() == [job_id]
    return Job.fetch(job_id, connection=redis_client).latest_result().exc_string


@pytest.mark.parametrize(
    ("case", "description"),
    [
        ("refused", "connection refused"),
        ("answered", "answered 500"),
        ("unresolved", "name did not resolve"),
    ],
)
def test_a_failed_delivery_names_only_the_site(
    client, app, sessions, worker, settings, redis_client, case, description
):
    private_ok = settings.model_copy(update={"webhook_private_addresses": True})
    endpoint = Listener(status=500)
    port = endpoint.port
    if case == "refused":
        endpoint.close()
    url = f"http://{PINNED}:{port}/{MARKUP}?token=SECRET-TOKEN"
    if case == "unresolved":
        url = f"http://secret-host.example:{port}/{MARKUP}?token=SECRET-TOKEN"

    def no_dns(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    changes = {"settings": private_ok, **({"resolver": no_dns} if case == "unresolved" else {})}
    install(dataclasses.replace(worker.runtime, **changes))
    try:
        post_moderated(sessions)
        store_webhook(sessions, url)
        publish_one(client, app, sessions, worker)
        stored = failed_notification(redis_client, worker)
    finally:
        if case != "refused":
            endpoint.close()
    assert f"DeliveryError: webhook of site demo: {description}" in stored
    for part in ("secret-host", str(port), "SECRET-TOKEN", "onerror", "%3C", PINNED):
        assert part not in stored, part


def test_a_failed_delivery_carries_no_chained_exception(listener):
    listener.status = 500
    url = f"http://{PINNED}:{listener.port}/{MARKUP}"
    with pytest.raises(DeliveryError) as caught:
        send(Delivery(url, b"{}", {}, "demo"), private_ok=True)
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    text = "".join(traceback.format_exception(caught.value))
    assert "onerror" not in text and str(listener.port) not in text
