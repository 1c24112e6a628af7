"""Captchas: issue + picture against drawing at issue time, picture latency, and the pool.

* Issue + image: closed loop, each unit one ``POST`` and one ``GET`` of the picture it
  names; the baseline handler draws with the ``captcha`` package when it issues.
* Image GET p99: captchas issued beforehand, each picture fetched once, open loop.
* Burst: issue + image at the open-loop rate, while a sampler reads the pool's size
  every 0.1 s. The pool is found by its key (``commentgate:…pool…``, a list, set,
  sorted set or hash); with none in Redis the row says "pool: not available".
"""

from __future__ import annotations

import threading

import redis

from bench.harness import wrk
from bench.harness.load import Call, captcha_pair, open_loop
from bench.harness.plan import Plan
from bench.harness.table import Row, judged, ratio
from bench.harness.world import SITE, World, answered_captchas, world
from commentgate.redis_keys import redis_key

TARGET, IMAGE_P99_MS = 2.0, 5.0
ISSUE = Call("POST", f"/api/v1/captchas?site={SITE}")
SIZE = {"list": "llen", "set": "scard", "zset": "zcard", "hash": "hlen"}


def run(plan: Plan) -> list[Row]:
    """The captcha rows."""
    with world(plan.main_backend) as here:
        return _measure(plan, here)


def _measure(plan: Plan, here: World) -> list[Row]:
    part, seconds = f"captcha ({here.backend})", plan.load_seconds
    baseline, web = here.start_baseline(), here.start_web()
    drawn = wrk.closed(baseline, [Call("POST", "/captchas")], "captcha", seconds)
    served = wrk.closed(web, [ISSUE], "captcha", seconds)
    images = _image_latency(web, here, plan)
    pool = PoolSampler(here.redis).start()
    burst = open_loop(
        web, lambda client, _: captcha_pair(client, ISSUE), plan.open_rate, plan.open_seconds
    )
    pool.stop()
    share = ratio(served.rate, drawn.rate)
    return [
        Row(part, "baseline: draw at issue, then GET the stored picture", f"{drawn.rate:,.0f} /s"),
        judged(
            part,
            "POST /api/v1/captchas + GET its image",
            f"{served.rate:,.0f} /s = {share:.2f}× drawing at issue{_errors(served)}",
            f"≥ {TARGET:g}×",
            share >= TARGET and served.errors == 0,
        ),
        judged(
            part,
            f"image GET p99 ({images.done} fresh captchas, {plan.open_rate:g}/s open loop)",
            f"{images.p99 * 1000:.1f} ms (p50 {images.p50 * 1000:.1f}){_errors(images)}",
            f"< {IMAGE_P99_MS:g} ms",
            images.p99 * 1000 < IMAGE_P99_MS and images.errors == 0,
        ),
        judged(
            part,
            f"burst: {plan.open_rate:g} captchas/s for {plan.open_seconds:g} s, pool size",
            f"{pool.summary()}; p99 {burst.p99 * 1000:.0f} ms{_errors(burst)}",
            "never empty, 0 errors",
            None if pool.key is None else pool.smallest > 0 and burst.errors == 0,
        ),
    ]


def _image_latency(web: str, here: World, plan: Plan):
    count = int(plan.open_rate * (2 if plan.quick else 6))
    ids = [captcha_id for captcha_id, _ in answered_captchas(web, here.redis, count)]
    paths = [Call("GET", f"/api/v1/captchas/{i}/image.png?site={SITE}") for i in ids]
    return open_loop(
        web, lambda client, i: client.send(paths[i]), plan.open_rate, len(paths) / plan.open_rate
    )


def find_pool(client: redis.Redis) -> str | None:
    """The key of the image captcha pool, if the service keeps one."""
    for key in client.scan_iter(match=redis_key("*pool*"), count=1000):
        name = key.decode()
        if "audio" not in name and "lock" not in name and client.type(key).decode() in SIZE:
            return name
    return None


class PoolSampler:
    """The pool's size every 0.1 s on a thread of its own (an emptied list has no key: 0)."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self.key = find_pool(client)
        self._kind = client.type(self.key).decode() if self.key else ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.smallest: int | None = None
        self.largest = 0

    def start(self) -> PoolSampler:
        if self.key is not None:
            self._thread.start()
        return self

    def _sample(self) -> None:
        size = getattr(self._client, SIZE[self._kind])
        while not self._stop.wait(0.1):
            now = size(self.key)
            self.smallest = now if self.smallest is None else min(self.smallest, now)
            self.largest = max(self.largest, now)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def summary(self) -> str:
        if self.key is None:
            return "pool: not available (no commentgate:*pool* key in Redis)"
        return f"pool {self.key}: smallest {self.smallest}, largest {self.largest}"


def _errors(result) -> str:
    return f", {result.errors} errors" if result.errors else ""
