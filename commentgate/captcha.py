"""One-time captchas kept in Redis: issue, draw, speak, redeem.

A captcha is one Redis hash (answer, site, kind, issue time, and once drawn
its picture and sound) that lives for the captcha's TTL. Redeeming reads and
deletes it in one transaction: a captcha answers exactly one comment request,
right or wrong, and only for the site it was issued for, so a bot cannot try
answers against the same image, nor spend one site's captchas on another.

The picture and the sound are drawn once and kept beside the answer: every
request for them gets the same bytes, so averaging noisy redraws gains
nothing and repeated requests cost no CPU (speaking takes about 0.25 s).

Drawing costs more than everything else a captcha request does, so a pool of
captchas drawn in advance by a background job waits in Redis
(:mod:`commentgate.captcha_pool`): issuing takes one off the pool, binds it to
the site at hand-out, and its picture is the stored bytes. An empty pool is no
error: the captcha is drawn on its first picture request, as without a pool.

An *audio* captcha is the same thing with a longer digits-only answer, so it
can be both drawn and read aloud (the ``captcha`` package's voices for 0-9);
it is redeemed exactly like an image captcha.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import redis
from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha

from commentgate.redis_keys import redis_key

# No look-alikes: 0/O, 1/I/L are left out so a reader never has to guess.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# Spoken letters are easy to mishear (B/D/P/T/V); audio challenges use digits only.
DIGITS = "0123456789"
# Ten digits are guessed more easily than 31 letters, and speech is the easier
# channel for a machine: audio answers are longer (10^7 against 31^5 ≈ 2.9·10^7).
LENGTHS = {"image": 5, "audio": 7}
# How long one request may hold the right to draw; others wait for its bytes meanwhile.
DRAW_LOCK_SECONDS = 10
DRAW_POLL_SECONDS = 0.05

# The steps a captcha request takes in Redis, as Lua functions ``step(keys, args)``. One
# script here runs one step (:meth:`CaptchaService.run`); ``service.limit_batch`` runs one
# after a request's abuse limits, in the same round trip, when every limit let it through.
LUA_STEPS = """
local steps = {}
-- Read the fields and delete the captcha: it answers one comment, right or wrong.
function steps.redeem(keys, args)
  local fields = redis.call('HMGET', keys[1], unpack(args))
  redis.call('DEL', keys[1])
  return fields
end
-- Read some fields: a picture or a sound, and what drawing it would need.
function steps.read(keys, args)
  return redis.call('HMGET', keys[1], unpack(args))
end
-- A pooled captcha becomes a live one: popped from the pool, its hash renamed to the
-- captcha's key, bound to the site and given the captcha's TTL, in one step so that no
-- two requests get the same one. Pool entries whose hash expired are skipped.
function steps.take(keys, args)
  local id = ''
  while true do
    local popped = redis.call('LPOP', keys[1])
    if not popped then break end
    local pooled = args[1] .. popped
    if redis.call('EXISTS', pooled) == 1 then
      local live = args[2] .. popped
      redis.call('RENAME', pooled, live)
      redis.call('HSET', live, 'site', args[3], 'issued', args[5])
      redis.call('EXPIRE', live, args[4])
      id = popped
      break
    end
  end
  return {id, redis.call('LLEN', keys[1])}
end
"""
_RUN_STEP = LUA_STEPS + "return steps[ARGV[1]](KEYS, {unpack(ARGV, 2)})"

# Keep a drawing only while its captcha lives: a plain HSETNX after the captcha
# was redeemed or expired would leave a hash without TTL behind.
_STORE_ONCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HGET', KEYS[1], ARGV[1])
"""


class CaptchaKind(str, Enum):
    """What the reader is given: a picture, or a picture of digits that can also be heard."""

    IMAGE = "image"
    AUDIO = "audio"

    def alphabet(self) -> str:
        return DIGITS if self is CaptchaKind.AUDIO else ALPHABET

    def length(self) -> int:
        return LENGTHS[self.value]


@dataclass(frozen=True)
class Challenge:
    """A freshly issued captcha; ``pool_left`` is what its pool holds now (None: no pool)."""

    id: str
    expires_in: int
    kind: CaptchaKind = CaptchaKind.IMAGE
    pool_left: int | None = None


@dataclass(frozen=True)
class Redemption:
    """What redeeming a captcha told us."""

    error: str | None  # None, "captcha_invalid" or "captcha_expired"
    issued_at: float | None  # unix time the captcha was issued, when known

    @property
    def ok(self) -> bool:
        return self.error is None


# What redeeming reads of a captcha's hash as it deletes it.
TAKEN_FIELDS = ("answer", "site", "issued")


@dataclass(frozen=True)
class TakenCaptcha:
    """A captcha's fields as it was consumed (all None: it was not there)."""

    id: str
    answer: bytes | None
    site: bytes | None
    issued: bytes | None


@dataclass(frozen=True)
class CaptchaStep:
    """One step of :data:`LUA_STEPS` for one request: its name, keys and arguments."""

    name: str  # "redeem", "read" or "take"
    keys: tuple[str, ...]
    args: tuple[str | int, ...]
    # The moment it was made, for a step that records it (after ``args``): two steps made
    # for the same request are the same step whenever they were made.
    moment: tuple[float, ...] = field(default=(), compare=False)

    def argv(self) -> list[str | int | float]:
        """Its name and arguments, as its script reads them."""
        return [self.name, *self.args, *self.moment]


def captcha_key(captcha_id: str) -> str:
    """The Redis hash of one captcha."""
    # Not "captcha:<id>": those were plain strings naming no site; they expire unread.
    return redis_key("challenge", captcha_id)


def pool_key(kind: CaptchaKind) -> str:
    """The Redis list of pooled captchas' ids of ``kind``, oldest first."""
    return redis_key("captcha-pool", kind.value)


def pooled_key(captcha_id: str) -> str:
    """The Redis hash of one pooled captcha (answer, kind and picture; no site yet)."""
    return redis_key("captcha-pool", "drawn", captcha_id)


def new_captcha_id() -> str:
    """A fresh random captcha id."""
    # Hex, not URL-safe base64: an id starting with "-" reads as an option on the command
    # line (`commentgate captcha answer ID` failed on one id in 64).
    return secrets.token_hex(16)


def new_answer(kind: CaptchaKind) -> str:
    """A fresh random answer of ``kind``."""
    return "".join(secrets.choice(kind.alphabet()) for _ in range(kind.length()))


class CaptchaService:
    """Captchas for one Redis; ``clock`` is injectable so tests can move time.

    ``voice_dir`` holds other recordings for the audio captcha (``0/*.wav`` …
    ``9/*.wav``, 8 kHz mono 8-bit); by default the package's own voices speak.
    """

    def __init__(
        self,
        client: redis.Redis,
        ttl_seconds: int,
        clock: Callable[[], float] = time.time,
        voice_dir: Path | None = None,
        *,
        pooled: bool = True,
    ) -> None:
        self._redis = client
        self._ttl = ttl_seconds
        self._pooled = pooled
        self._clock = clock
        self._drawer = ImageCaptcha(width=180, height=64)
        self._speaker = AudioCaptcha(voicedir=str(voice_dir) if voice_dir else None)
        self._store_once = client.register_script(_STORE_ONCE)
        self._run_step = client.register_script(_RUN_STEP)

    @property
    def client(self) -> redis.Redis:
        """The Redis the captchas live in."""
        return self._redis

    def issue(
        self, kind: CaptchaKind = CaptchaKind.IMAGE, *, site: str, taken: list | None = None
    ) -> Challenge:
        """A captcha of ``kind``, good only for ``site``: from the pool, else a new answer.

        ``taken`` is the reply of :meth:`take_step` if the caller ran it already.
        """
        if taken is None and self._pooled:
            taken = self.run(self.take_step(kind, site))
        pool_left = None
        if taken is not None:
            taken_id, pool_left = taken
            if taken_id:
                return Challenge(taken_id.decode(), self._ttl, kind, pool_left)
        captcha_id = new_captcha_id()
        answer = new_answer(kind)
        fields = {"answer": answer, "site": site, "kind": kind.value, "issued": self._clock()}
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(captcha_key(captcha_id), mapping=fields)
            pipe.expire(captcha_key(captcha_id), self._ttl)
            pipe.execute()
        return Challenge(captcha_id, self._ttl, kind, pool_left)

    def take_step(self, kind: CaptchaKind, site: str) -> CaptchaStep | None:
        """Taking a pooled captcha of ``kind`` for ``site`` (None: there is no pool)."""
        if not self._pooled:
            return None
        args = (pooled_key(""), captcha_key(""), site, self._ttl)
        return CaptchaStep("take", (pool_key(kind),), args, moment=(self._clock(),))

    def redeem_step(self, captcha_id: str) -> CaptchaStep:
        """Consuming a captcha: its :data:`TAKEN_FIELDS` as it is deleted."""
        return CaptchaStep("redeem", (captcha_key(captcha_id),), TAKEN_FIELDS)

    def media_step(self, captcha_id: str, part: str) -> CaptchaStep:
        """Reading a captcha's ``part`` ("image" or "audio") and what drawing it needs."""
        return CaptchaStep("read", (captcha_key(captcha_id),), (part, "answer", "kind"))

    def run(self, step: CaptchaStep | None) -> list | None:
        """The reply of ``step``, run on its own (None for no step)."""
        if step is None:
            return None
        return self._run_step(keys=list(step.keys), args=step.argv())

    def draw(self, kind: CaptchaKind) -> tuple[str, dict[str, str | bytes]]:
        """A new captcha id and its pooled fields: an answer of ``kind`` and its picture."""
        answer = new_answer(kind)
        image = self._render("image", answer)
        return new_captcha_id(), {"answer": answer, "kind": kind.value, "image": image}

    def answer(self, captcha_id: str) -> str | None:
        """The answer of a live captcha without consuming it (operators, tests)."""
        answer = self._redis.hget(captcha_key(captcha_id), "answer")
        return answer.decode() if answer else None

    def image(self, captcha_id: str, read: list | None = None) -> bytes | None:
        """The PNG of a live captcha, or None if unknown or expired.

        ``read`` is the reply of its :meth:`media_step` if the caller ran it already.
        """
        return self._drawn(captcha_id, "image", read)

    def audio(self, captcha_id: str, read: list | None = None) -> bytes | None:
        """A WAV reading out a live audio captcha, or None (unknown, expired, or an image one)."""
        return self._drawn(captcha_id, "audio", read)

    def redeem(self, captcha_id: str, answer: str, site: str) -> Redemption:
        """Check ``answer`` for ``site`` and consume the captcha whatever the outcome.

        A captcha of another site is refused as a wrong answer is: the reply
        does not tell which of the two was wrong.
        """
        taken = self.run(self.redeem_step(captcha_id))
        return self.judge(TakenCaptcha(captcha_id, *taken), answer, site)

    def judge(self, taken: TakenCaptcha, answer: str, site: str) -> Redemption:
        """The verdict on ``answer`` for ``site``, given what consuming the captcha read."""
        expected, issued_for, issued = taken.answer, taken.site, taken.issued
        if expected is None or issued is None:
            return Redemption("captcha_expired", None)
        issued_at = float(issued)
        if self._clock() - issued_at > self._ttl:  # TTL is the backstop; this is exact
            return Redemption("captcha_expired", issued_at)
        # Bytes: compare_digest refuses str with non-ASCII characters, which readers can type.
        right_answer = secrets.compare_digest(answer.strip().upper().encode(), expected)
        right_site = secrets.compare_digest(site.encode(), issued_for or b"")
        if not (right_answer and right_site):
            return Redemption("captcha_invalid", issued_at)
        return Redemption(None, issued_at)

    def _render(self, part: str, answer: str) -> bytes:
        if part == "audio":
            return bytes(self._speaker.generate(answer))
        return self._drawer.generate(answer, format="png").getvalue()

    def _drawn(self, captcha_id: str, part: str, read: list | None) -> bytes | None:
        """The stored ``part`` of a live captcha, rendered and stored by its first request."""
        key = captcha_key(captcha_id)
        lock = redis_key("challenge", captcha_id, "drawing", part)
        stored, answer = self._stored(captcha_id, part, read)
        if stored is not None or answer is None:
            return stored
        ours = bool(self._redis.set(lock, 1, nx=True, ex=DRAW_LOCK_SECONDS))
        if not ours:
            self._wait_while_locked(key, part, lock)
        # Read again even when the lock is ours: another request may have stored
        # the part and let go of the lock between our first read and our taking it.
        stored, answer = self._stored(captcha_id, part)
        if stored is None and answer is not None:
            # Drawn here also when the holder gave up or ran out of time; the first
            # stored bytes win, should the lock have run out meanwhile.
            stored = self._store_once(keys=[key], args=[part, self._render(part, answer)])
        if ours:
            self._redis.delete(lock)
        return stored

    def _stored(
        self, captcha_id: str, part: str, read: list | None = None
    ) -> tuple[bytes | None, str | None]:
        """``part`` if already drawn, and the answer to draw it from (None: nothing to draw).

        ``read`` is the reply of the media step if it ran already.
        """
        if read is None:
            read = self.run(self.media_step(captcha_id, part))
        stored, answer, kind = read
        if part == "audio" and kind != CaptchaKind.AUDIO.value.encode():
            return None, None  # letters are not read aloud, nor image captchas' short answers
        return stored, answer.decode() if answer else None

    def _wait_while_locked(self, key: str, part: str, lock: str) -> None:
        """Until another request stored ``part``, or gave up the right to draw it."""
        while self._redis.hget(key, part) is None and self._redis.exists(lock):
            time.sleep(DRAW_POLL_SECONDS)
