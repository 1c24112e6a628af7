"""No client can add series to /metrics: unknown methods and paths share fixed labels."""

from __future__ import annotations

import random
import string

ROUTES = ("/api/v1/comments", "/healthz", "/widget.js")


def exposition(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def series(client) -> int:
    """How many samples /metrics exposes now."""
    return sum(1 for line in exposition(client).splitlines() if line and line[0] != "#")


def odd_request(client, rng: random.Random) -> None:
    """A made-up method, on a made-up path or on a real route that does not take it."""
    method = "".join(rng.choices(string.ascii_uppercase + "-_", k=rng.randint(3, 12)))
    path = rng.choice(ROUTES + ("/" + "".join(rng.choices(string.ascii_lowercase, k=16)),))
    client.open(path, method=method)


def test_random_methods_and_paths_add_no_series(client):
    rng = random.Random(16)
    # One of each kind first: its `unmatched`/`other` series are created once, legitimately.
    for path in ("/nowhere", *ROUTES):
        client.open(path, method="BREW")
    series(client)
    before = series(client)
    for _ in range(100):
        odd_request(client, rng)
    assert series(client) - before <= 10


def test_standard_methods_keep_their_names(client):
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "TRACE"):
        client.open("/healthz", method=method)
    text = exposition(client)
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"):
        assert f'method="{method}"' in text, method
    assert 'method="get"' not in text and 'method="TRACE"' not in text
