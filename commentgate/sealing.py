"""Phone numbers sealed at rest: AES-256-GCM under a keyring whose ciphertexts name their key.

A sealed value reads ``v1:<key id>:<base64url(nonce + ciphertext + tag)>``. The key id is
the start of the key's SHA-256, so no list of ids is configured: a row sealed under an old
key opens as long as that key is among the old ones (``COMMENTGATE_OLD_DATA_KEYS``, or
``var/old_data_keys`` for a generated key), and ``commentgate keys rotate-data-key``
re-seals such rows under the current key batch by batch.

Only what must show a phone opens it (:func:`reveal_phone`); finding an author goes
through the HMAC fingerprint (:mod:`commentgate.fingerprint`) and never opens anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from commentgate.config import DATA_KEY_FILE, OLD_DATA_KEYS_FILE, Settings
from commentgate.errors import DataKeyError
from commentgate.local_files import create_private_file, make_private_dir
from commentgate.storage.comments import (
    count_sealed_elsewhere,
    replace_sealed_phone,
    sealed_elsewhere,
)

VERSION = "v1"
_NONCE_BYTES = 12
# Bound to what is sealed, so a sealed phone cannot pass for another kind of value.
_PURPOSE = b"commentgate:phone"


def key_id(key: bytes) -> str:
    """The id a ciphertext names its key by: 8 hex digits of the key's SHA-256."""
    return hashlib.sha256(b"commentgate-data-key:" + key).hexdigest()[:8]


def parse_key(text: str) -> bytes:
    """A key from its text form (base64url of 32 bytes, padding optional).

    Raises:
        DataKeyError: it is not 32 bytes of base64url.
    """
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DataKeyError("a data key is not base64url") from exc
    if len(key) != 32:
        raise DataKeyError("a data key must be 32 bytes (base64url, 43 characters)")
    return key


def new_key_text() -> str:
    """A fresh random key in its text form."""
    return secrets.token_urlsafe(32)


class DataKeyring:
    """The current key, which seals, and old keys, which only open."""

    def __init__(self, current: bytes, old: Sequence[bytes] = ()) -> None:
        self.current_id = key_id(current)
        self._ciphers = {key_id(k): AESGCM(k) for k in old}
        self._ciphers[self.current_id] = AESGCM(current)

    @classmethod
    def from_texts(cls, current: str, old: Sequence[str] = ()) -> DataKeyring:
        """A keyring from keys in text form.

        Raises:
            DataKeyError: a key does not parse.
        """
        return cls(parse_key(current), [parse_key(k) for k in old])

    def seal(self, plaintext: str) -> str:
        """``plaintext`` encrypted and authenticated under the current key."""
        nonce = os.urandom(_NONCE_BYTES)
        body = self._ciphers[self.current_id].encrypt(nonce, plaintext.encode(), _PURPOSE)
        encoded = base64.urlsafe_b64encode(nonce + body).decode().rstrip("=")
        return f"{VERSION}:{self.current_id}:{encoded}"

    def open(self, sealed: str) -> str:
        """The plaintext of a sealed value.

        Raises:
            DataKeyError: the value is not sealed, names a key not in the keyring, or
                was altered.
        """
        version, kid, encoded = _parts(sealed)
        cipher = self._ciphers.get(kid)
        if version != VERSION or cipher is None:
            raise DataKeyError(f"no data key {kid!r} (is it in COMMENTGATE_OLD_DATA_KEYS?)")
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        try:
            return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _PURPOSE).decode()
        except InvalidTag as exc:
            raise DataKeyError("a sealed value does not authenticate") from exc

    def is_current(self, sealed: str) -> bool:
        """Whether ``sealed`` is already under the current key."""
        return sealed.startswith(f"{VERSION}:{self.current_id}:")


def _parts(sealed: str) -> tuple[str, str, str]:
    parts = sealed.split(":", 2)
    if len(parts) != 3:
        raise DataKeyError("not a sealed value")
    return parts[0], parts[1], parts[2]


def data_keyring(settings: Settings) -> DataKeyring:
    """The keyring the settings name (see :meth:`Settings.resolved_data_keys`).

    Raises:
        DataKeyError: a configured key does not parse.
    """
    current, old = settings.resolved_data_keys()
    return DataKeyring.from_texts(current, old)


def reveal_phone(settings: Settings, comment: object) -> str | None:
    """A comment's phone number in clear, for the few places that must show it.

    Raises:
        DataKeyError: the key that sealed it is no longer configured.
    """
    sealed = getattr(comment, "phone_sealed", None)
    return data_keyring(settings).open(sealed) if sealed else None


def rotate_generated_key(var_dir: Path) -> str:
    """Replace the generated key under ``var_dir`` by a new one, keeping the old readable.

    The old key is appended to ``old_data_keys`` before the new one replaces it, so a
    crash in between loses nothing. Returns the new key's id.
    """
    make_private_dir(var_dir)
    current = var_dir / DATA_KEY_FILE
    old_file = var_dir / OLD_DATA_KEYS_FILE
    if current.exists():
        create_private_file(old_file)
        with old_file.open("a") as out:
            out.write(current.read_text().strip() + "\n")
    fresh = new_key_text()
    staged = var_dir / f"{DATA_KEY_FILE}.new"
    staged.unlink(missing_ok=True)
    create_private_file(staged)
    staged.write_text(fresh)
    staged.replace(current)
    return key_id(parse_key(fresh))


def reseal_batch(
    session: Session, keyring: DataKeyring, after_id: str, limit: int
) -> tuple[int, str]:
    """Re-seal up to ``limit`` phones after ``after_id`` under the current key; returns
    how many rows it read (0: none left) and the last one's id.

    Raises:
        DataKeyError: a row names a key the keyring lacks.
    """
    prefix = f"{VERSION}:{keyring.current_id}:"
    rows = sealed_elsewhere(session, prefix, after_id, limit)
    for comment_id, sealed in rows:
        replace_sealed_phone(session, comment_id, sealed, keyring.seal(keyring.open(sealed)))
    return len(rows), rows[-1][0] if rows else after_id


def left_to_reseal(session: Session, keyring: DataKeyring) -> int:
    """How many phones are sealed under another key than the current one."""
    return count_sealed_elsewhere(session, f"{VERSION}:{keyring.current_id}:")
