"""A request's abuse limits, and the Redis step its view needs first, in one round trip.

Flask-Limiter checks each limit with a call of its own (four for a comment: per IP
and per site, each per minute and per hour), then once more for the headers, and
the view would then go to Redis again: intake to redeem the captcha a comment names,
the captcha views to take one from the pool or read its picture. Before
Flask-Limiter looks, this hook counts every abuse limit of the request with the
same keys and the same sliding window counter that ``limits`` uses, in one Lua
script that then runs the view's captcha step (:data:`commentgate.captcha.LUA_STEPS`)
when every limit let the request through: a refused request never spends a captcha
nor takes one from the pool, as before. Flask-Limiter's calls are then answered
from that result (:class:`service.fail_open.FailOpenStrategy`), and the view uses
the step's reply (:mod:`service.captcha_step`) without asking Redis again.

Which step a request takes is the view module's to say (:data:`STEPS`); a request
its view will refuse takes none. On a Redis outage nothing is counted here:
Flask-Limiter's own calls fail open, and the view's own step answers 503, exactly
as without this hook.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from math import floor, inf

import redis
from flask import Flask, Response, g, request
from limits import RateLimitItem, parse_many
from limits.util import WindowStats
from redis.commands.core import Script

from commentgate.captcha import LUA_STEPS, CaptchaStep
from commentgate.redis_conn import REDIS_OUTAGES
from service import captcha_step, captchas
from service.deps import Services, services
from service.fail_open import Counted
from service.intake import views as intake
from service.limits import NO_SITE, AbuseLimits, requested_site

LIMITED_BLUEPRINTS = ("intake", "captchas", "embed")
# Each endpoint's captcha step, made from its request (None: the request takes none). The
# no-JS form's redeem is not among them: it stays a round trip of its own.
STEPS: dict[str, Callable[[Services], CaptchaStep | None]] = {
    "intake.post_comment": intake.redeem_step,
    "captchas.create_captcha": captchas.take_step,
    "captchas.captcha_image": captchas.media_step,
    "captchas.captcha_audio": captchas.media_step,
}

# limits' acquire_sliding_window.lua for each item in turn, stopping at the first refusal
# as Flask-Limiter does; then the captcha step, if any, when every limit let it through.
# KEYS: previous and current window of each item, then the step's keys.
# ARGV: number of items, each item's amount and expiry in seconds, then the step's name
# ("" for none) and arguments.
_LIMITS = """
local n = tonumber(ARGV[1])
local results = {}
local passed = true
for i = 1, n do
  local prev, cur = KEYS[2 * i - 1], KEYS[2 * i]
  local limit = tonumber(ARGV[2 * i])
  local expiry = tonumber(ARGV[2 * i + 1]) * 1000
  if not passed then
    results[i] = {-1}
  else
    local current_ttl = tonumber(redis.call('pttl', cur))
    if current_ttl > 0 and current_ttl < expiry then
      redis.call('rename', cur, prev)
      redis.call('set', cur, 0, 'PX', current_ttl + expiry)
    end
    local previous_count = tonumber(redis.call('get', prev)) or 0
    local previous_ttl = tonumber(redis.call('pttl', prev)) or 0
    local current_count = tonumber(redis.call('get', cur)) or 0
    current_ttl = tonumber(redis.call('pttl', cur)) or 0
    if previous_ttl <= 0 then previous_ttl = 0 end
    if current_ttl <= 0 then current_ttl = 0 end
    local weighted = math.floor(previous_count * previous_ttl / expiry) + current_count
    local ok = 0
    if weighted + 1 <= limit then
      ok = 1
      if redis.call('exists', cur) == 1 then
        current_count = redis.call('incrby', cur, 1)
        current_ttl = tonumber(redis.call('pttl', cur))
      else
        redis.call('set', cur, 1, 'PX', expiry * 2)
        current_count, current_ttl = 1, expiry * 2
      end
    else
      passed = false
    end
    results[i] = {ok, previous_count, previous_ttl, current_count, current_ttl}
  end
end
local step, after = ARGV[2 * n + 2], {}
if passed and step ~= '' then
  local keys, args = {}, {}
  for i = 2 * n + 1, #KEYS do keys[#keys + 1] = KEYS[i] end
  for i = 2 * n + 3, #ARGV do args[#args + 1] = ARGV[i] end
  after = steps[step](keys, args)
end
return {results, after}
"""
_BATCH = LUA_STEPS + _LIMITS


def _stats(item: RateLimitItem, reply: list[int]) -> WindowStats:
    """``limits``' sliding window counter stats (remaining, reset) over the counts read."""
    previous, previous_ms, current, current_ms = reply[1:5]
    expiry = item.get_expiry()
    weighted = previous * (previous_ms / 1000) / expiry + current
    remaining = max(0, item.amount - floor(weighted))
    now = time.time()
    if not (previous or current):
        return WindowStats(now, remaining)
    previous_reset = (previous_ms / 1000) % (expiry / previous) if previous else inf
    # A window just opened has exactly twice the expiry left, which the modulo reads as
    # 0; limits reads it a moment later (one millisecond is enough) and says a window.
    current_reset = ((current_ms - 1) / 1000) % expiry if current else inf
    return WindowStats(now + min(previous_reset, current_reset), remaining)


def _items(limits: AbuseLimits, prefix: str, scope: str) -> list[tuple[RateLimitItem, str]]:
    """Each limit item of the request and its ``limits`` key, in Flask-Limiter's order."""
    site = requested_site()
    ip_limit, site_limit = limits.limits_of(site)
    groups = [(ip_limit, limits.ip_key_of(site))]
    if site != NO_SITE:
        groups.append((site_limit, limits.site_key_of(site)))
    pairs = [(item, key) for spec, key in groups for item in _parsed(spec)]
    pairs.sort(key=lambda pair: pair[0])  # stable, as Flask-Limiter's sort of its limits
    return [(item, item.key_for(prefix, key, scope)) for item, key in pairs]


@cache
def _parsed(spec: str) -> tuple[RateLimitItem, ...]:
    """The limit items of a limit string: a few strings, parsed on every request otherwise."""
    return tuple(parse_many(spec))


def _server(client: redis.Redis) -> tuple[object, ...]:
    kwargs = client.connection_pool.connection_kwargs
    return tuple(kwargs.get(k) for k in ("host", "port", "path", "db"))


def _window_keys(storage, items: list[tuple[RateLimitItem, str]]) -> tuple[list, list]:
    """The script's KEYS and ARGV for the limit items: ``limits``' own two keys each."""
    keys: list[str] = []
    args: list[object] = [len(items)]
    for item, key in items:
        keys += [
            storage.prefixed_key(storage._previous_window_key(key)),
            storage.prefixed_key(storage._current_window_key(key)),
        ]
        args += [item.amount, item.get_expiry()]
    return keys, args


def _count(svc: Services, limits: AbuseLimits, batch: Script, endpoint: str) -> None:
    storage = svc.limiter.limiter.storage
    counter: redis.Redis = storage.get_connection()
    items = _items(limits, svc.limiter._key_prefix, endpoint)
    keys, args = _window_keys(storage, items)
    step = None
    # The limits may count in another Redis than the captchas' (tests do): then apart.
    if endpoint in STEPS and _server(counter) == _server(svc.captchas.client):
        step = STEPS[endpoint](svc)
    keys += step.keys if step else ()
    args += step.argv() if step else [""]
    try:
        results, reply = batch(keys, args, client=counter)
    except REDIS_OUTAGES:
        return  # Flask-Limiter fails open by itself; the view's own step answers 503
    counts = CountedLimits(items, results)
    g.counted_limits = counts
    if items and all(window[0] == 1 for window in results):
        # Flask-Limiter's header limit when none is breached: the first of its sorted limits.
        g.limits_passed = (items[0][0], counts[items[0][1]].stats)
    if step is not None and reply:
        captcha_step.keep(step, reply)


class CountedLimits(Mapping[str, Counted]):
    """Each counted limit by its key, its window worked out when first asked: a request
    every limit let through reads one of them (for its headers), Flask-Limiter none."""

    def __init__(self, items: list[tuple[RateLimitItem, str]], results: list[list[int]]):
        # After a refusal, as in Flask-Limiter, the later limits were not counted.
        self._windows = {
            key: (item, window)
            for (item, key), window in zip(items, results, strict=True)
            if window[0] != -1
        }

    def __getitem__(self, key: str) -> Counted:
        item, window = self._windows[key]
        return Counted(bool(window[0]), _stats(item, window))

    def __iter__(self) -> Iterator[str]:
        return iter(self._windows)

    def __len__(self) -> int:
        return len(self._windows)


def _passed() -> bool:
    # Right only while the limits counted here are all Flask-Limiter has for these
    # blueprints (AbuseLimits.apply): a limit of its own on one of their views would be
    # skipped for a request that passed, so it would have to be counted here too.
    return "limits_passed" in g


def _limit_headers(response: Response) -> Response:
    """Flask-Limiter's headers for a request every limit let through, as it writes them."""
    passed = g.get("limits_passed")
    if passed is None:
        return response
    item, stats = passed
    reset_at = int(stats.reset_time + 1)
    response.headers.add("X-RateLimit-Limit", str(item.amount))
    response.headers.add("X-RateLimit-Remaining", str(stats.remaining))
    response.headers.add("X-RateLimit-Reset", str(reset_at))
    waited = response.headers.get("Retry-After")  # a 503's own: the later of the two
    if waited is not None and waited.isdigit():
        reset_at = max(int(time.time() + int(waited)), reset_at)
    response.headers.set("Retry-After", str(int(reset_at - time.time())))
    return response


def init_app(app: Flask, svc: Services) -> None:
    """Count before Flask-Limiter does (so this must be wired before the limiter).

    A request every limit let through is left alone by Flask-Limiter (one of its request
    filters), whose headers are written here from the same count; a refused request, and
    any request while Redis is out, goes through Flask-Limiter as before.
    """
    limits = AbuseLimits(svc.settings, svc.sites)
    batch = svc.redis.register_script(_BATCH)  # EVALSHA: the script's text is sent once

    def count_in_one_trip() -> None:
        req = request._get_current_object()  # one proxy lookup, not one an attribute
        if req.blueprint in LIMITED_BLUEPRINTS and req.method in ("GET", "POST"):
            _count(services(), limits, batch, req.endpoint or "")

    app.before_request(count_in_one_trip)
    app.after_request(_limit_headers)
    svc.limiter.request_filter(_passed)
