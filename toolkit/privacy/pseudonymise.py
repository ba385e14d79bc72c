"""Keyed HMAC pseudonyms for customer identities.

A pseudonym is stable for one key (the same handle always maps to the same pseudonym)
and unlinkable across keys. What is pseudonymised is people, not organisations: the brand's
accounts, the competitors' and platform / service accounts (`default_public_accounts`, the
shipped list in `toolkit/resources/public_accounts.txt`) keep their handles. The key comes from an
environment variable or from a file only its owner can read (`load_key`); it is never
logged, printed or written to any output.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import stat
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.core.config import DEMO_HMAC_KEY, Config, ConfigError
from toolkit.core.text import HANDLE_IN_TEXT

PSEUDONYM_PREFIX = "u_"
PSEUDONYM = re.compile(r"\bu_[0-9a-f]{16}\b")


@functools.lru_cache(maxsize=1)
def default_public_accounts() -> frozenset[str]:
    """Platform and service accounts kept as written (lower case, no '@'): the shipped list
    `toolkit/resources/public_accounts.txt`, extended per dataset by `privacy.public_accounts`."""
    raw = resources.files("toolkit").joinpath("resources", "public_accounts.txt").read_text("utf-8")
    return frozenset(
        line.strip().lstrip("@").lower()
        for line in raw.splitlines()
        if line.strip() and not line.startswith("#")
    )


def public_accounts(config: Config) -> set[str]:
    """Handles kept as written at ingest besides the brand's (lower case, no '@'):
    competitors' handles, `privacy.public_accounts` and the shipped platform / service list.
    Organisations, not people: share of voice counts them, the gate does not look for them."""
    competitors = {
        term.strip().lstrip("@").lower()
        for name, terms in config.competitors.items()
        for term in (name, *terms)
        if term.strip() and not any(c.isspace() for c in term.strip())
    }
    configured = {h.strip().lstrip("@").lower() for h in config.privacy.public_accounts}
    return (set(default_public_accounts()) | competitors | configured) - {""}


def hmac_key(config: Config) -> bytes:
    """The pseudonymisation key of a dataset: `privacy.key_env`, else `privacy.key_file` (0600,
    relative to the config's folder), else the demo key where allowed; a ConfigError says how to
    create one otherwise."""
    return load_key(config.privacy, config.path.parent if config.path else None, DEMO_HMAC_KEY)


def pseudonymiser_for(config: Config) -> Pseudonymiser:
    """The `Pseudonymiser` for one dataset: its key, brand handles and public accounts."""
    return Pseudonymiser(hmac_key(config), config.brand.handles(), public_accounts(config))


class Pseudonymiser:
    """Map customer handles to `u_<16 hex>` with HMAC-SHA256; leave organisations' handles as they are.

    Parameters
    ----------
    key : bytes
        Secret key; never logged or written to any output.
    brand_handles : iterable of str
        The brand's own handles (any platform, with or without '@'); matched case-insensitively.
    public_handles : iterable of str, optional
        Other organisations' accounts that keep their handles (competitors, platforms and
        services); matched case-insensitively. None: `default_public_accounts()`.
    """

    def __init__(self, key: bytes, brand_handles=(), public_handles=None):
        if not key:
            raise ValueError("an empty HMAC key protects nothing")
        self._key = bytes(key)
        self.brand_handles = {h.lower().lstrip("@") for h in brand_handles}
        if public_handles is None:
            public_handles = default_public_accounts()
        self.public_handles = frozenset(h.strip().lower().lstrip("@") for h in public_handles)
        self._kept = self.brand_handles | self.public_handles

    def __repr__(self) -> str:  # never show the key
        return f"Pseudonymiser(brand_handles={sorted(self.brand_handles)})"

    def is_brand(self, handle: str | None) -> bool:
        return bool(handle) and _normalise(handle) in self.brand_handles

    def is_kept(self, handle: str | None) -> bool:
        """True for the brand's and other organisations' handles, which are not pseudonymised."""
        return bool(handle) and _normalise(handle) in self._kept

    def pseudonym(self, handle: str) -> str:
        """The pseudonym of one customer handle (brand and public handles are returned unchanged)."""
        norm = _normalise(handle)
        if norm in self._kept:
            return handle.strip().lstrip("@")
        digest = hmac.new(self._key, norm.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:16]

    def text(self, text: str) -> str:
        """Replace every customer @handle in `text` with '@' + its pseudonym."""
        return HANDLE_IN_TEXT.sub(lambda m: "@" + self.pseudonym(m.group(1)), text)


def _normalise(handle: str) -> str:
    """Lower-case, without '@', and for Mastodon's user@instance keep only the user part
    when the instance is absent elsewhere, so '@dana' and '@dana@example.social' differ."""
    return handle.strip().lstrip("@").lower()


class HmacKeyError(ConfigError):
    """The pseudonymisation key is missing, empty or insecurely stored."""


#: Shown when no key is found: how to create one (the key itself never appears in messages).
KEY_HELP = (
    "Create a secret key once and keep it out of git, e.g.\n"
    "  python -c 'import secrets; print(secrets.token_hex(32))' > ~/.toolkit_key && chmod 600 ~/.toolkit_key\n"
    "then set `privacy.key_file: ~/.toolkit_key` in the config (or export {env}=...).\n"
    "Use the same key for every run whose pseudonyms must match."
)


def load_key(
    privacy: Any, config_dir: Path | str | None = None, demo_key: str | None = None
) -> bytes:
    """The HMAC key: environment variable first, then the key file, then the demo key.

    Parameters
    ----------
    privacy : toolkit.core.config.Privacy
        Uses ``key_env``, ``key_file`` and ``allow_demo_key``.
    config_dir : path, optional
        Folder a relative ``key_file`` is resolved against (the config's folder).
    demo_key : str, optional
        The public demo key, returned only when ``allow_demo_key`` is true and no key is set.

    Raises
    ------
    HmacKeyError
        No key, an empty key, or a key file that group or others may read or write.
    """
    value = os.environ.get(privacy.key_env)
    if value:
        return value.encode()
    key_file = getattr(privacy, "key_file", None)
    if key_file:
        return read_key_file(_resolve(Path(key_file), config_dir))
    if privacy.allow_demo_key and demo_key:
        return demo_key.encode()
    raise HmacKeyError(
        f"no pseudonymisation key: environment variable {privacy.key_env} is not set and "
        "privacy.key_file is not configured.\n" + KEY_HELP.format(env=privacy.key_env)
    )


def read_key_file(path: Path | str) -> bytes:
    """The key stored in `path` (surrounding whitespace removed); the file must be 0600 or stricter.

    Parameters
    ----------
    path : path
        Key file, readable and writable by its owner only (``chmod 600``).
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise HmacKeyError(
            f"privacy.key_file: {path} does not exist.\n" + KEY_HELP.format(env="TOOLKIT_HMAC_KEY")
        ) from None
    loose = stat.S_IMODE(mode) & (stat.S_IRWXG | stat.S_IRWXO)
    if loose:
        raise HmacKeyError(
            f"privacy.key_file: {path} has permissions {stat.S_IMODE(mode):o}: group or others "
            f"can access it. Restrict it to its owner:\n  chmod 600 {path}"
        )
    key = path.read_bytes().strip()
    if not key:
        raise HmacKeyError(f"privacy.key_file: {path} is empty")
    return key


def _resolve(path: Path, config_dir: Path | str | None) -> Path:
    path = path.expanduser()
    if not path.is_absolute() and config_dir is not None:
        path = Path(config_dir) / path
    return path
