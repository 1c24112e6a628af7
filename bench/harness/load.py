"""Load from Python: closed loops of keep-alive connections, and open loops on a schedule.

The closed loop is the fallback when wrk is not installed (:mod:`bench.harness.wrk`);
Python's client costs more CPU per request than wrk's, on the same two cores as the
server, so its rates are lower and its ratios nearer 1. The open loop is what the
latency targets use: request ``i`` is due at ``start + i / rate`` whether or not
earlier replies came back, and its latency counts from when it was due, so a stalled
server is not hidden by a client that waits for it.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.harness.table import ratio

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Call:
    """One HTTP request: method, path (with its query) and a JSON body, if any."""

    method: str
    path: str
    body: bytes = b""


@dataclass(frozen=True)
class Reply:
    """What one call got: its HTTP status (0: no answer), body and seconds taken; in an
    open loop, also how late the client itself sent it (``sent_late``, seconds after due)."""

    status: int
    body: bytes
    seconds: float
    sent_late: float = 0.0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


@dataclass
class LoadResult:
    """How many units of work completed (requests, or captcha pairs) in how long."""

    done: int
    seconds: float
    errors: int
    p50: float = 0.0  # seconds
    p99: float = 0.0
    replies: list[tuple[int, float, Reply]] = field(default_factory=list)  # open loop only

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


def combined(results: list[LoadResult]) -> LoadResult:
    """Closed-loop runs as one: their work over their time (no latencies)."""
    return LoadResult(
        done=sum(r.done for r in results),
        seconds=sum(r.seconds for r in results),
        errors=sum(r.errors for r in results),
    )


@dataclass(frozen=True)
class Turns:
    """A part measured in turns with its baseline: each turn's ratio to the baseline's turn
    before it. This host's speed drifts by a fifth within a minute, and side by side a drift
    weighs on both rates of a turn alike; a stall of the host (a neighbour's, up to a second
    here) falls on one turn of one side. The median turn is the verdict's figure: such a
    stall moves it no more than any other turn's ratio, where it could take a tenth off all
    the turns' work over their seconds.
    """

    ratios: tuple[float, ...]
    baseline: LoadResult  # all the baseline's turns as one
    measure: LoadResult  # all the measured turns as one

    @classmethod
    def of(cls, baselines: list[LoadResult], measures: list[LoadResult]) -> Turns:
        """The turns of ``measures``, each after the baseline's turn of the same index."""
        pairs = zip(baselines, measures, strict=True)
        shares = tuple(ratio(m.rate, b.rate) for b, m in pairs)
        return cls(shares, combined(baselines), combined(measures))

    @property
    def median(self) -> float:
        return statistics.median(self.ratios) if self.ratios else 0.0

    @property
    def overall(self) -> float:
        """Every turn's work over its seconds, to the baseline's the same way."""
        return ratio(self.measure.rate, self.baseline.rate)

    def spread(self) -> str:
        """The lowest and highest turn, and all turns together, in brackets ("" for one)."""
        if len(self.ratios) < 2:
            return ""
        low, high = min(self.ratios), max(self.ratios)
        return f" (turns {low:.2f}-{high:.2f}×, all together {self.overall:.2f}×)"


class Client:
    """One keep-alive connection to ``base``; reconnects once when the server closed it."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(*self._address, timeout=30)

    def send(self, call: Call) -> Reply:
        """Make ``call``; a connection error is a reply with status 0."""
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                headers = JSON if call.body else {}
                self._conn.request(call.method, call.path, body=call.body or None, headers=headers)
                response = self._conn.getresponse()
                body = response.read()
                return Reply(response.status, body, time.perf_counter() - started)
            except (OSError, http.client.HTTPException):
                self._conn.close()
                self._conn = self._connect()
                if attempt == 2:
                    return Reply(0, b"", time.perf_counter() - started)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._conn.close()


def image_path(issued: Reply) -> str | None:
    """The path of an issued captcha's picture (its ``image_url`` without scheme and host)."""
    try:
        url = urlsplit(json.loads(issued.body)["image_url"])
    except (ValueError, KeyError, TypeError):
        return None
    return f"{url.path}?{url.query}" if url.query else url.path


def captcha_pair(client: Client, issue: Call) -> Reply:
    """Issue a captcha and fetch its picture: one reply covering both requests."""
    issued = client.send(issue)
    path = image_path(issued) if issued.ok else None
    if path is None:
        return Reply(issued.status or 0, issued.body, issued.seconds)
    image = client.send(Call("GET", path))
    return Reply(image.status, image.body, issued.seconds + image.seconds)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def closed_loop(
    base: str, work: Callable[[Client], Reply | None], connections: int, seconds: float
) -> LoadResult:
    """Each of ``connections`` threads repeats ``work`` until time is up or it returns None."""
    deadline = time.perf_counter() + seconds
    replies: list[Reply] = []
    lock = threading.Lock()

    def loop() -> None:
        client = Client(base)
        try:
            while time.perf_counter() < deadline:
                reply = work(client)
                if reply is None:
                    return
                with lock:
                    replies.append(reply)
        finally:
            client.close()

    started = time.perf_counter()
    _run_all([threading.Thread(target=loop) for _ in range(connections)])
    return summary(replies, time.perf_counter() - started)


def take_from(calls: Iterator[Call]) -> Callable[[Client], Reply | None]:
    """Work sending the next of ``calls`` (shared by all threads); None once none is left."""
    lock = threading.Lock()

    def work(client: Client) -> Reply | None:
        with lock:
            call = next(calls, None)
        return None if call is None else client.send(call)

    return work


def open_loop(
    base: str,
    work: Callable[[Client, int], Reply],
    rate: float,
    seconds: float,
    threads: int = 32,
) -> LoadResult:
    """``work(client, i)`` for i = 0, 1, … each due at ``start + i / rate``, for ``seconds``."""
    total = int(rate * seconds)
    counter = iter(range(total))
    lock = threading.Lock()
    replies: list[tuple[int, float, Reply]] = []
    start = time.perf_counter() + 0.2

    def loop() -> None:
        client = Client(base)
        try:
            while (i := _next(counter, lock)) is not None:
                due = start + i / rate
                time.sleep(max(0.0, due - time.perf_counter()))
                sent_late = time.perf_counter() - due
                reply = work(client, i)
                late = time.perf_counter() - due  # from when it was due, not when it was sent
                with lock:
                    replies.append(
                        (i, time.time(), Reply(reply.status, reply.body, late, sent_late))
                    )
        finally:
            client.close()

    _run_all([threading.Thread(target=loop) for _ in range(threads)])
    result = summary([r for _, _, r in replies], time.perf_counter() - start)
    result.replies = sorted(replies, key=lambda item: item[0])
    return result


def each_once(base: str, calls: list[Call], rate: float) -> LoadResult:
    """Each of ``calls`` sent once, in order, open loop at ``rate`` a second."""
    return open_loop(base, lambda client, i: client.send(calls[i]), rate, len(calls) / rate)


def _next(counter: Iterator[int], lock: threading.Lock) -> int | None:
    with lock:
        return next(counter, None)


def _run_all(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def summary(replies: list[Reply], seconds: float) -> LoadResult:
    """The replies' count, errors and latencies (p50, p99 of the answered ones)."""
    ok = [r.seconds for r in replies if r.ok]
    return LoadResult(
        done=len(ok),
        seconds=seconds,
        errors=len(replies) - len(ok),
        p50=percentile(ok, 50),
        p99=percentile(ok, 99),
    )
