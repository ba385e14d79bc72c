"""Limits that keep one broken or hostile file from losing data silently or taking the machine.

- A record (one JSON line, one CSV row) above `max_record_bytes` is a `record_too_large` reject;
  it is skipped while being read, never held in memory whole.
- A post text above `max_text_chars` characters is a `text_too_long` reject.
- A gzip / zip stream is read up to max(`decompressed_floor_bytes`, `max_decompression_ratio`
  x its compressed size); beyond that the rest of the file is one `decompression_limit` reject.
- A timestamp before its platform existed (`PLATFORM_LAUNCH`, `EARLIEST_POST` for other
  platforms) or later than the run time plus `future_skew_hours` is an
  `implausible_timestamp` reject.

Defaults are in `toolkit.core.config` (the `ingest:` section of a config sets them).
"""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass

from toolkit.core.config import (
    DECOMPRESSED_FLOOR_BYTES,
    FUTURE_SKEW_HOURS,
    MAX_DECOMPRESSION_RATIO,
    MAX_RECORD_BYTES,
    MAX_REJECT_SHARE,
    MAX_TEXT_CHARS,
)

RECORD_TOO_LARGE = "record_too_large"
TEXT_TOO_LONG = "text_too_long"
DECOMPRESSION_LIMIT = "decompression_limit"
IMPLAUSIBLE_TIMESTAMP = "implausible_timestamp"
CONFLICTING_DUPLICATE = "conflicting_duplicate"

#: The day each platform opened to the public (UTC); earlier posts cannot exist.
PLATFORM_LAUNCH: dict[str, dt.date] = {
    "facebook": dt.date(2004, 2, 4),
    "youtube": dt.date(2005, 2, 14),
    "reddit": dt.date(2005, 6, 23),
    "twitter": dt.date(2006, 3, 21),
    "instagram": dt.date(2010, 10, 6),
    "mastodon": dt.date(2016, 3, 16),
    "bluesky": dt.date(2022, 11, 1),  # invite-only beta; the protocol's first posts
}
#: Earliest plausible post on a platform not in PLATFORM_LAUNCH (forums, review sites...).
EARLIEST_POST = dt.date(1990, 1, 1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(day: dt.date) -> int:
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


_LAUNCH_MICROS = {name: _micros(day) for name, day in PLATFORM_LAUNCH.items()}
_EARLIEST_MICROS = _micros(EARLIEST_POST)


@dataclass(frozen=True)
class Limits:
    """The ingest limits (see the module docstring); picklable, sent to worker processes."""

    max_record_bytes: int = MAX_RECORD_BYTES
    max_text_chars: int = MAX_TEXT_CHARS
    max_decompression_ratio: float = MAX_DECOMPRESSION_RATIO
    decompressed_floor_bytes: int = DECOMPRESSED_FLOOR_BYTES
    future_skew_hours: float = FUTURE_SKEW_HOURS
    max_reject_share: float = MAX_REJECT_SHARE

    @classmethod
    def from_config(cls, settings) -> Limits:
        """From a config's `ingest:` section (`toolkit.core.config.IngestLimits`), or defaults for None."""
        if settings is None:
            return cls()
        return cls(**settings.model_dump())

    def latest_micros(self) -> int:
        """The latest plausible timestamp now, in microseconds since the epoch."""
        return int((time.time() + self.future_skew_hours * 3600) * 1_000_000)

    def decompressed_limit(self, compressed_bytes: int) -> int:
        """Bytes a stream of `compressed_bytes` may decompress to."""
        return max(
            self.decompressed_floor_bytes, int(compressed_bytes * self.max_decompression_ratio)
        )


DEFAULT_LIMITS = Limits()


def earliest_micros(platform: str | None) -> int:
    """The earliest plausible timestamp of a post on `platform`, in microseconds."""
    return _LAUNCH_MICROS.get(platform or "", _EARLIEST_MICROS)


def timestamp_problem(micros: int | None, platform: str | None, latest: int) -> str | None:
    """`implausible_timestamp` when `micros` is before the platform launched or after `latest`."""
    if micros is None:
        return None
    if micros < earliest_micros(platform) or micros > latest:
        return IMPLAUSIBLE_TIMESTAMP
    return None


class DecompressionLimitError(EOFError):
    """A compressed stream decompressed beyond its limit (probably a decompression bomb).

    An EOFError, so every reader that stops at a damaged gzip stream stops here too.
    """


@dataclass(frozen=True)
class TooLarge:
    """A record skipped because it exceeds `max_record_bytes`: its first bytes and its size."""

    head: bytes
    size: int

    def describe(self) -> str:
        text = self.head.decode("utf-8", errors="replace")
        return f"record of {self.size:,}+ bytes: {text}"


class BoundedStream(io.BufferedIOBase):
    """A decompressing stream that raises DecompressionLimitError past `limit` output bytes."""

    def __init__(self, inner, limit: int, name: str = ""):
        super().__init__()
        self._inner = inner
        self._limit = limit
        self._name = name

    def _allowed(self, size: int | None) -> int:
        """How much the next read may return: up to one byte past the limit, then an error
        (so the data before the limit is still handed out)."""
        left = self._limit + 1 - self._inner.tell()
        if left <= 0:
            raise DecompressionLimitError(
                f"{self._name}: decompressed beyond {self._limit:,} bytes "
                "(max_decompression_ratio x compressed size); the rest is not read"
            )
        return left if size is None or size < 0 else min(size, left)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._inner.seekable()

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # in steps, so that a bomb stops at the limit
            parts = []
            while chunk := self.read1(1 << 20):
                parts.append(chunk)
            return b"".join(parts)
        return self._inner.read(self._allowed(size))

    def read1(self, size: int = -1) -> bytes:
        return self._inner.read1(self._allowed(size if size and size > 0 else 1 << 20))

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        return self._inner.readinto(view[: self._allowed(len(view))])

    def readline(self, size: int | None = -1) -> bytes:
        return self._inner.readline(self._allowed(size))

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:
        self._inner.close()
        super().close()
