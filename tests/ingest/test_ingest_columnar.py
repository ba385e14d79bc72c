"""Column-at-a-time generic conversion: same rows and reasons as the per-record reference."""

import pytest

from toolkit.ingest.base import RowError
from toolkit.ingest.columnar import ABSENT, convert_columns
from toolkit.ingest.generic import MISSING, generic_row
from toolkit.ingest.identities import Identities
from toolkit.privacy.pseudonymise import Pseudonymiser

PS = Pseudonymiser(b"columnar-key", ["NimbusHome"])
KEYS = ("post_id", "created_at", "author", "text", "platform", "post_type", "reply_to_id",
        "likes", "hashtags", "mentions", "language")  # fmt: skip
RECORDS = [
    {"post_id": 1, "created_at": "2026-10-01T12:00:00Z", "author": "dana_k",
     "text": "Hi @NimbusHome and @sam_r #Glow https://x.example/a.", "likes": "1,204"},
    {"post_id": "  ", "created_at": "2026-10-01", "author": "a", "text": "no id"},
    {"post_id": "2", "created_at": "", "author": "a", "text": "blank time"},
    {"post_id": "3", "created_at": "2026-09-03 09:05:00 XYZ", "author": "a", "text": "zone"},
    {"post_id": "4", "created_at": 1788615000, "author": "  ", "text": "no author"},
    {"post_id": "5", "created_at": 1788615000.5, "author": "b", "text": ABSENT},
    {"post_id": "6", "created_at": "1788615000", "author": "b", "text": None, "platform": "  "},
    {"post_id": "7", "created_at": "2026-10-01T12:00:00+02:00", "author": 42, "text": "x",
     "post_type": "Retweet", "likes": 2.0, "hashtags": "#A, b", "mentions": ["@NimbusHome", "c"]},
    {"post_id": "8", "created_at": "2026-10-01T12:00:00Z", "author": "b", "text": "y",
     "post_type": "weird", "reply_to_id": 7},
    {"post_id": 9.0, "created_at": "Wed Oct 10 20:19:24 +0000 2018", "author": "[deleted]",
     "text": "Caf\u00c3\u00a9 mojibake\r\nline", "likes": True, "language": "de", "reply_to_id": "8"},
]  # fmt: skip


def _reference(record: dict, platform: str | None):
    def get(key):
        if key not in KEYS:
            return MISSING
        value = record.get(key, MISSING)
        return MISSING if value is ABSENT else value

    try:
        return generic_row(get, platform, Identities(PS)), None
    except RowError as exc:
        return None, exc.reason


@pytest.mark.parametrize("platform", ["forum", None])
def test_convert_columns_matches_the_per_record_reference(platform):
    raw = {k: [r.get(k, ABSENT if k == "text" else None) for r in RECORDS] for k in KEYS}
    columns, reasons = convert_columns(raw, len(RECORDS), platform, Identities(PS))
    for i, record in enumerate(RECORDS):
        expected, reason = _reference(record, platform)
        assert reasons[i] == reason, (i, reasons[i], reason)
        if expected is None:
            continue
        got = {name: values[i] for name, values in columns.items()}
        got = {k: (v.as_py() if hasattr(v, "as_py") else v) for k, v in got.items()}
        for name, value in expected.items():
            assert got[name] == value, (i, name, got[name], value)


def test_hand_computed_values():
    raw = {k: [r.get(k, ABSENT if k == "text" else None) for r in RECORDS] for k in KEYS}
    columns, reasons = convert_columns(raw, len(RECORDS), "forum", Identities(PS))
    assert reasons[:7] == [None, "missing_field:post_id", "missing_field:created_at",
                           "unknown_timezone:XYZ", "missing_field:author", "missing_field:text",
                           None]  # fmt: skip
    assert reasons[8] == "bad_post_type:weird"
    sam = PS.pseudonym("sam_r")
    assert columns["text"][0] == f"Hi @NimbusHome and @{sam} #Glow https://x.example/a."
    assert columns["mentions"][0] == ["NimbusHome", sam]
    assert columns["hashtags"][0] == ["glow"] and columns["urls"][0] == ["https://x.example/a"]
    assert columns["likes"][0] == 1204
    assert columns["created_at"][0] == 1790856000000000
    assert columns["text"][6] == "" and columns["platform"][6] == "forum"
    assert columns["post_type"][7] == "share" and columns["hashtags"][7] == ["a", "b"]
    assert columns["author"][9] == "deleted" and columns["post_id"][9] == "9"
    assert columns["text"][9] == "Café mojibake\nline"
    assert columns["post_type"][9] == "reply"
