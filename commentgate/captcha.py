"""One-time captchas kept in Redis: issue, draw, speak, redeem.

Redeeming is atomic (GETDEL): a captcha answers exactly one comment request,
right or wrong, so a bot cannot try answers against the same image.

An *audio* captcha is the same thing with a digits-only answer, so it can be
both drawn and read aloud (the ``captcha`` package's voices for 0-9); it is
redeemed exactly like an image captcha.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
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
LENGTH = 5


class CaptchaKind(str, Enum):
    """What the reader is given: a picture, or a picture of digits that can also be heard."""

    IMAGE = "image"
    AUDIO = "audio"

    def alphabet(self) -> str:
        return DIGITS if self is CaptchaKind.AUDIO else ALPHABET


@dataclass(frozen=True)
class Challenge:
    """A freshly issued captcha."""

    id: str
    expires_in: int
    kind: CaptchaKind = CaptchaKind.IMAGE


@dataclass(frozen=True)
class Redemption:
    """What redeeming a captcha told us."""

    error: str | None  # None, "captcha_invalid" or "captcha_expired"
    issued_at: float | None  # unix time the captcha was issued, when known

    @property
    def ok(self) -> bool:
        return self.error is None


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
    ) -> None:
        self._redis = client
        self._ttl = ttl_seconds
        self._clock = clock
        self._drawer = ImageCaptcha(width=180, height=64)
        self._speaker = AudioCaptcha(voicedir=str(voice_dir) if voice_dir else None)

    def issue(self, kind: CaptchaKind = CaptchaKind.IMAGE) -> Challenge:
        """Store a new random answer of ``kind`` and return its id."""
        # Hex, not URL-safe base64: an id starting with "-" reads as an option on the command
        # line (`commentgate captcha answer ID` failed on one id in 64).
        captcha_id = secrets.token_hex(16)
        answer = "".join(secrets.choice(kind.alphabet()) for _ in range(LENGTH))
        value = f"{answer}:{self._clock():.3f}"
        self._redis.set(redis_key("captcha", captcha_id), value, ex=self._ttl)
        return Challenge(captcha_id, self._ttl, kind)

    def _peek(self, captcha_id: str) -> tuple[str, float] | None:
        raw = self._redis.get(redis_key("captcha", captcha_id))
        return _parse(raw) if raw else None

    def answer(self, captcha_id: str) -> str | None:
        """The answer of a live captcha without consuming it (operators, tests)."""
        stored = self._peek(captcha_id)
        return stored[0] if stored else None

    def image(self, captcha_id: str) -> bytes | None:
        """The PNG of a live captcha, or None if unknown or expired."""
        answer = self.answer(captcha_id)
        return self._drawer.generate(answer, format="png").getvalue() if answer else None

    def audio(self, captcha_id: str) -> bytes | None:
        """A WAV reading out a live digits captcha, or None (unknown, expired, or letters)."""
        answer = self.answer(captcha_id)
        if not answer or not answer.isdigit():
            return None
        return bytes(self._speaker.generate(answer))

    def redeem(self, captcha_id: str, answer: str) -> Redemption:
        """Check ``answer`` and consume the captcha whatever the outcome."""
        raw = self._redis.getdel(redis_key("captcha", captcha_id))
        if not raw:
            return Redemption("captcha_expired", None)
        expected, issued_at = _parse(raw)
        if self._clock() - issued_at > self._ttl:  # TTL is the backstop; this is exact
            return Redemption("captcha_expired", issued_at)
        # Bytes: compare_digest refuses str with non-ASCII characters, which readers can type.
        if not secrets.compare_digest(answer.strip().upper().encode(), expected.encode()):
            return Redemption("captcha_invalid", issued_at)
        return Redemption(None, issued_at)


def _parse(raw: bytes | str) -> tuple[str, float]:
    text = raw.decode() if isinstance(raw, bytes) else raw
    answer, issued = text.split(":", 1)
    return answer, float(issued)
