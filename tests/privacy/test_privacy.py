"""Tests for toolkit.privacy.detect.analyzer: detection, redaction, quoting, small-group suppression."""

from __future__ import annotations

import json
import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.core.paths import SAMPLE_DIR
from toolkit.privacy.detect.analyzer import Detector, detect, resolve_overlaps, summarise
from toolkit.privacy.detect.entities import ENTITY_TYPES, Span, contains_contact_details
from toolkit.privacy.disclosure import suppress_small_groups
from toolkit.privacy.quoting import QUOTE_MAX_CHARS, quote, redact

_RULES = Detector(ner=None)


@pytest.fixture(autouse=True)
def _rules_only(monkeypatch):
    """These tests pin the pattern, checksum and name-list layers; the statistical NER layer
    (on by default) has its own tests in tests/privacy/test_ner.py."""
    import toolkit.privacy.detect.analyzer

    monkeypatch.setattr(toolkit.privacy.detect.analyzer, "default_detector", lambda: _RULES)


def finishes_within(fn, seconds: float = 60.0):
    """Run `fn` in a thread and fail if it has not returned after `seconds` (a generous bound
    for catastrophic backtracking on a shared machine, not a speed test); return its result."""
    result, error = [], []

    def target():
        try:
            result.append(fn())
        except BaseException as exc:  # re-raised in the test thread
            error.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"did not finish within {seconds} s"
    if error:
        raise error[0]
    return result[0]


def found(text: str, entity_type: str | None = None) -> list[tuple[str, str]]:
    """(type, text) of each detected span, optionally of one type only."""
    return [
        (s.entity_type, s.text)
        for s in detect(text)
        if entity_type is None or s.entity_type == entity_type
    ]


# ------------------------------------------------------------------ emails
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DM me or mail jane.doe+nimbus@example.co.uk thanks", "jane.doe+nimbus@example.co.uk"),
        ("reach me: john dot smith at gmail dot com", "john dot smith at gmail dot com"),
        ("send it to jane(at)example.com pls", "jane(at)example.com"),
        ("jane [at] example [dot] org", "jane [at] example [dot] org"),
        ("my mail is bob @ example.net.", "bob @ example.net"),
        ("write to dana.w at gmail.com today", "dana.w at gmail.com"),
    ],
)
def test_emails_plain_and_obfuscated(text, expected):
    assert found(text, "EMAIL_ADDRESS") == [("EMAIL_ADDRESS", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "look at this.com it is funny",
        "I was at home at 5 dot com bubble",
        "meet me at the store",
        "@NimbusSupport any news?",
    ],
)
def test_ordinary_at_is_not_an_email(text):
    assert found(text, "EMAIL_ADDRESS") == []


def test_email_split_by_zero_width_space_is_found_with_original_offsets():
    text = "mail: j\u200bane@exam\u200bple.com ok"
    (span,) = detect(text, ["EMAIL_ADDRESS"])
    assert span.text == "j\u200bane@exam\u200bple.com"
    assert text[span.start : span.end] == span.text


# ------------------------------------------------------------------ phones
@pytest.mark.parametrize(
    "phone",
    [
        "(312) 555-0142",  # US
        "+1 312 555 0142",
        "+44 20 7946 0958",  # GB
        "020 7946 0958",
        "07911 123456",
        "+49 30 12345678",  # DE
        "030 12345678",
        "01 23 45 67 89",  # FR
        "+33 6 12 34 56 78",
        "612 34 56 78",  # ES
        "+39 06 1234 5678",  # IT
        "+31 6 12345678",  # NL
        "+91 98765 43210",  # IN
        "0412 345 678",  # AU
        "01.99.00.53.02",
        "(11) 98765-4321",  # BR
        "+52 55 1234 5678",  # MX
    ],
)
def test_phone_numbers_in_national_and_international_formats(phone):
    text = f"app is dead again, call me on {phone} asap!!"
    assert found(text, "PHONE_NUMBER") == [("PHONE_NUMBER", phone)]


def test_full_width_phone_digits_are_found():
    text = "tel ＋４４ ２０ ７９４６ ０９５８"
    assert found(text, "PHONE_NUMBER") == [("PHONE_NUMBER", "＋４４ ２０ ７９４６ ０９５８")]


def test_phone_with_non_breaking_spaces_keeps_original_text():
    text = "ring +44\u00a020\u00a07946\u00a00958 now"
    assert found(text, "PHONE_NUMBER") == [("PHONE_NUMBER", "+44\u00a020\u00a07946\u00a00958")]


def test_bare_digit_run_needs_a_phone_cue():
    assert found("batch 3125550142 shipped", "PHONE_NUMBER") == []
    assert found("text me at 3125550142", "PHONE_NUMBER") == [("PHONE_NUMBER", "3125550142")]


@pytest.mark.parametrize(
    "text",
    [
        "outage since 2026-10-14 13:00:00 UTC",
        "dates 14.10.2026 and 10/14/2026",
        "paid $1,299.99 for 12 bulbs in 2026",
        "1,234,567 impressions and 1.234.567 views",
        "status/1834567890123456789 is the tweet",
        "firmware 2.3.1 then 10.0.19045",
        "pi is 3.14159265",
        "years 2019-2026",
        "sha 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
        "M 123.456 789.012 L 1 2 3 4 5 6 7",
    ],
)
def test_dates_prices_years_ids_are_not_phones(text):
    assert found(text, "PHONE_NUMBER") == []


def test_order_numbers_are_not_confused_with_phones():
    text = "order #55512345 and ticket 3125550142 still open"
    assert found(text) == [("ORDER_NUMBER", "55512345"), ("ORDER_NUMBER", "3125550142")]


# ------------------------------------------------------------------ cards, IBAN
@pytest.mark.parametrize(
    "card", ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "4012888888881881"]
)
def test_luhn_valid_cards(card):
    assert found(f"charged twice on {card} !!", "CREDIT_CARD") == [("CREDIT_CARD", card)]


@pytest.mark.parametrize(
    "number",
    ["4111 1111 1111 1112", "1234 5678 9012 3452", "0000 0000 0000 0000", "4111111111111111999"],
)
def test_luhn_invalid_or_non_card_numbers_are_not_cards(number):
    assert found(f"ref {number}", "CREDIT_CARD") == []


def test_card_followed_by_expiry_is_found():
    assert found("4111 1111 1111 1111 12/27", "CREDIT_CARD") == [
        ("CREDIT_CARD", "4111 1111 1111 1111")
    ]


def test_iban_checksum():
    assert found("refund to DE89 3704 0044 0532 0130 00 please", "IBAN_CODE") == [
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00")
    ]
    assert found("refund to DE89 3704 0044 0532 0130 01 please", "IBAN_CODE") == []


# ------------------------------------------------------------------ IP, URL, handles, orders
def test_ip_addresses_and_urls():
    text = "hub at 192.168.1.20 / 2001:db8::1 at 13:00:45, see https://example.com/x?a=1)."
    assert found(text) == [
        ("IP_ADDRESS", "192.168.1.20"),
        ("IP_ADDRESS", "2001:db8::1"),
        ("URL", "https://example.com/x?a=1"),
    ]


def test_handles_including_pseudonyms_mastodon_and_reddit():
    text = "@NimbusSupport cc @u_0123456789abcdef @dana@example.social and u/someone_else"
    assert found(text) == [
        ("HANDLE", "@NimbusSupport"),
        ("HANDLE", "@u_0123456789abcdef"),
        ("HANDLE", "@dana@example.social"),
        ("HANDLE", "u/someone_else"),
    ]


def test_order_numbers_default_patterns():
    text = "order #12345678, order number 123456 and NH-1234567 (Order: AB-998877)"
    assert found(text) == [
        ("ORDER_NUMBER", "12345678"),
        ("ORDER_NUMBER", "123456"),
        ("ORDER_NUMBER", "NH-1234567"),
        ("ORDER_NUMBER", "AB-998877"),
    ]


def test_order_patterns_are_configurable():
    detector = Detector(ner=None, order_patterns=[r"\bZX(?P<id>\d{4})\b"])
    spans = detector.detect("ticket ZX1234 and NH-1234567")
    assert [(s.entity_type, s.text) for s in spans] == [("ORDER_NUMBER", "1234")]


# ------------------------------------------------------------------ addresses, names
@pytest.mark.parametrize(
    "address",
    [
        "123 Main St, Springfield, IL 62704",
        "4500 W. Elm Avenue Apt 4B, Chicago, IL 60601",
        "12 Baker Street, London NW1 6XE",
        "221B Baker Street",
        "742 Evergreen Terrace, Springfield",
        "Hauptstraße 5, 10115 Berlin",
        "12 rue de la Paix, 75002 Paris",
        "PO Box 1234",
        "470 Steven Ports Apt. 125, Johnside, WV 28244",  # any street word with a US tail
        "Flat 98, Graham Pine, Port Janet B7 9XF",  # UK: flat first, postcode last
    ],
)
def test_street_addresses(address):
    text = f"ship the replacement to {address} please"
    assert found(text, "STREET_ADDRESS") == [("STREET_ADDRESS", address)]


def test_numbers_before_ordinary_words_are_not_addresses():
    assert found("I have 3 smart plugs in the way and 2 Bulbs", "STREET_ADDRESS") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, my name is Dana Whitfield and the hub is dead", "Dana Whitfield"),
        ("my name is Priyanka, still no reply", "Priyanka"),
        ("I'm John Smith and I want a refund", "John Smith"),
        ("ask Maria at the Main St store", "Maria"),
        ("big thanks to Tom for fixing it", "Tom"),
        ("Signed, Jake Miller", "Jake Miller"),
        ("hello, this is Kwame from the Austin office", "Kwame"),
        ("still waiting for a callback.\n- Dana W.", "Dana W."),
        ("Sarah Connor said the hub is fine", "Sarah Connor"),
    ],
)
def test_person_names_by_cue_and_gazetteer(text, name):
    assert found(text, "PERSON") == [("PERSON", name)]


@pytest.mark.parametrize(
    "text",
    [
        "I'm Really Angry about this",
        "Thanks Nimbus Support for nothing",
        "Will Nimbus fix it? Alexa Routines broke",
        "my name is Not Important",
        "Sign Up Today for the Glow Up",
    ],
)
def test_capitalised_ordinary_words_are_not_names(text):
    assert found(text, "PERSON") == []


# ------------------------------------------------------------------ overlaps, redaction
def test_overlapping_spans_merge_into_the_most_specific_type():
    text = "see https://x.example/?m=jane@example.com now"
    spans = detect(text)
    assert [(s.entity_type, s.text) for s in spans] == [
        ("EMAIL_ADDRESS", "https://x.example/?m=jane@example.com")
    ]


def test_resolve_overlaps_keeps_contained_span_type_and_union():
    text = "abcdefghij"
    spans = [Span(0, 6, "URL", 0.6, "abcdef"), Span(4, 8, "PHONE_NUMBER", 0.75, "efgh")]
    assert resolve_overlaps(text, spans) == [Span(0, 8, "PHONE_NUMBER", 0.75, "abcdefgh")]


def test_redact_placeholder_and_mask():
    text = "mail jane@example.com or call (312) 555-0142"
    assert redact(text) == "mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>"
    assert redact(text, operator="mask") == f"mail {'*' * 16} or call {'*' * 14}"


def test_redact_given_spans_and_bad_operator():
    text = "0123456789"
    assert redact(text, [Span(2, 4, "PERSON", 1.0, "23")]) == "01<PERSON>456789"
    with pytest.raises(ValueError):
        redact(text, [], operator="shuffle")


def test_contains_contact_details():
    assert contains_contact_details(detect("call (312) 555-0142"))
    assert contains_contact_details(detect("12 Baker Street, London NW1 6XE"))
    assert not contains_contact_details(detect("order #12345678 via @NimbusSupport"))


def test_summarise_counts_spans_and_texts_per_type():
    texts = ["a@example.com b@example.com", "call (312) 555-0142", None, "nothing here"]
    table = summarise(texts).set_index("entity_type")
    assert list(table.index) == list(ENTITY_TYPES)
    assert table.loc["EMAIL_ADDRESS", "n_spans"] == 2
    assert table.loc["EMAIL_ADDRESS", "n_texts"] == 1
    assert table.loc["PHONE_NUMBER", "n_texts"] == 1
    assert table.loc["EMAIL_ADDRESS", "share_texts"] == pytest.approx(0.25)
    assert table.loc["PERSON", "n_spans"] == 0


# ------------------------------------------------------------------ quotes
POST = (
    "@NimbusSupport @u_0123456789abcdef my name is Dana Whitfield, order #12345678 never came. "
    "Email dana.w@example.com or call (312) 555-0142. I live at 742 Evergreen Terrace, "
    "Springfield. Card 4111 1111 1111 1111 was charged twice!!"
)


def test_quote_none_returns_nothing():
    assert quote(POST, "none") is None
    assert quote(None, "redacted") is None


def test_quote_redacted_removes_everything_and_truncates():
    result = quote(POST, "redacted")
    assert len(result) <= QUOTE_MAX_CHARS
    assert result.endswith("…")
    assert result.startswith("<HANDLE> <HANDLE> my name is <PERSON>, order #<ORDER_NUMBER> never")
    for secret in ("Dana", "12345678", "u_0123", "Nimbus"):
        assert secret not in result


def test_quote_redacted_never_cuts_a_placeholder():
    text = "x" * 130 + " jane@example.com and more"
    result = quote(text, "redacted")
    assert result == "x" * 130 + "…"


def test_quote_full_keeps_the_text_but_not_personal_data():
    result = quote(POST, "full", keep_handles=["NimbusSupport"])
    assert result == (
        "@NimbusSupport <HANDLE> my name is <PERSON>, order #<ORDER_NUMBER> never came. "
        "Email <EMAIL_ADDRESS> or call <PHONE_NUMBER>. I live at <STREET_ADDRESS>. "
        "Card <CREDIT_CARD> was charged twice!!"
    )


def test_quote_rejects_unknown_policy():
    with pytest.raises(ValueError):
        quote(POST, "raw")


# ------------------------------------------------------------------ robustness
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                list("aZ@.:#+-()/ 0123456789\n\u200b\u202e\u00a0＠٣") + ["dot", " at "]
            ),
            st.characters(),
        ),
        max_size=150,
    ).map("".join)
)
def test_detect_never_raises_and_spans_are_in_bounds(text):
    spans = detect(text)
    previous_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= previous_end
        assert span.text == text[span.start : span.end]
        assert span.entity_type in ENTITY_TYPES
        previous_end = span.end
    redact(text, spans)


@pytest.mark.parametrize(
    "pattern",
    [
        "a" * 60 + "@",
        "1 ",
        "a dot ",
        "12 Main Main Main ",
        "Dana Whitfield ",
        "deadbeef:",
        "\u200b@x.",
        "(0) 12 ",
        "my name is ",
        "DE89 ",
        "five ",
        "0 7 7 ",
        "Mr Anna ",
        "thanks Anna and ",
        "order AB12 ",
        "x at y dot ",
        "1234 5678 ",
        "\u202eAnna\u202c \u200b",
        "日本語 Anna Ünal ",
    ],
)
def test_100k_adversarial_input_finishes(pattern):
    text = (pattern * (100_000 // len(pattern) + 1))[:100_000]
    spans = finishes_within(lambda: detect(text))
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


def test_100k_distinct_phone_like_numbers_finish():
    rng = np.random.default_rng(0)
    text = " ".join(
        f"0{a} {b} {c}" for a, b, c in rng.integers([10, 1000, 1000], [99, 9999, 9999], (7000, 3))
    )
    finishes_within(lambda: detect(text))


# ------------------------------------------------------------------ suppression
def test_suppression_one_dimension_with_total_and_complementary_cell():
    table = pd.DataFrame(
        {
            "topic": ["app", "bulbs", "hub", "plugs", "Total"],
            "n_authors": [12, 3, 15, 20, 45],
            "n_posts": [40, 5, 30, 25, 100],
        }
    )
    out = suppress_small_groups(table, by="topic", k=10)
    # bulbs (3 < 10) is primary; it alone could be recovered from Total, so the smallest
    # remaining cell (app, 12 authors) is suppressed too. Total stays.
    assert out["suppressed"].tolist() == [True, True, False, False, False]
    assert out["n_posts"].tolist()[2:] == [30.0, 25.0, 100.0]
    assert np.isnan(out.loc[0, "n_posts"]) and np.isnan(out.loc[1, "n_authors"])
    assert table["n_posts"].tolist() == [40, 5, 30, 25, 100]  # input untouched


def test_suppression_without_margin_has_no_complementary_cell():
    table = pd.DataFrame({"topic": ["app", "bulbs", "hub"], "n_authors": [12, 3, 15]})
    out = suppress_small_groups(table, by="topic", k=10)
    assert out["suppressed"].tolist() == [False, True, False]


def test_suppression_two_dimensions_with_margins():
    # platform x sentiment with row and column totals (hand-computed).
    rows = [
        ("reddit", "neg", 12), ("reddit", "pos", 4), ("reddit", "Total", 16),
        ("twitter", "neg", 30), ("twitter", "pos", 25), ("twitter", "Total", 55),
        ("Total", "neg", 42), ("Total", "pos", 29), ("Total", "Total", 71),
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=["platform", "sentiment", "n_authors"])
    table["n_posts"] = table["n_authors"] * 2
    out = suppress_small_groups(table, by=["platform", "sentiment"], k=5)
    # primary: reddit/pos (4). Row reddit then has one hidden cell -> reddit/neg too.
    # Column pos: reddit/pos hidden alone -> twitter/pos (25) too; column neg likewise
    # -> twitter/neg. Row twitter now has both hidden: stable.
    hidden = out.loc[out["suppressed"], ["platform", "sentiment"]].apply(tuple, axis=1).tolist()
    assert hidden == [("reddit", "neg"), ("reddit", "pos"), ("twitter", "neg"), ("twitter", "pos")]


def test_suppression_from_raw_rows_counts_distinct_authors():
    posts = pd.DataFrame(
        {
            "topic": ["app"] * 4 + ["hub"] * 3,
            "author": ["a", "a", "b", "c", "d", "e", "f"],
            "likes": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    out = suppress_small_groups(posts, by="topic", k=3, value_cols=["likes"])
    assert out["topic"].tolist() == ["app", "hub"]
    assert out["n_posts"].tolist() == [4.0, 3.0]
    assert out["n_authors"].tolist() == [3.0, 3.0]
    assert out["likes"].tolist() == [10.0, 18.0]
    out = suppress_small_groups(posts, by="topic", k=4, value_cols=["likes"])
    assert out["suppressed"].tolist() == [True, True]
    assert out[["n_posts", "n_authors", "likes"]].isna().all().all()


def test_suppression_validates_arguments():
    table = pd.DataFrame({"topic": ["a"], "n_authors": [3]})
    with pytest.raises(ValueError):
        suppress_small_groups(table, by="topic", k=0)
    with pytest.raises(KeyError):
        suppress_small_groups(table, by="missing", k=2)
    with pytest.raises(KeyError):
        suppress_small_groups(pd.DataFrame({"topic": ["a"]}), by="topic", k=2)


# ------------------------------------------------------------------ the bundled sample
LABELS = SAMPLE_DIR / "labels.jsonl"


@pytest.mark.skipif(not LABELS.exists(), reason="bundled sample not generated")
def test_recall_and_precision_on_the_sample_ground_truth():
    """Every planted piece of personal data is covered by a span; few spans hit clean text."""
    planted, covered, spurious = 0, 0, 0
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        spans = detect(item["text"])
        for gold in item["pii"]:
            planted += 1
            covered += any(s.start <= gold["start"] and s.end >= gold["end"] for s in spans)
        spurious += sum(
            s.entity_type in {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD"}
            and not any(s.start < g["end"] and g["start"] < s.end for g in item["pii"])
            for s in spans
        )
    assert planted > 100
    assert covered / planted >= 0.95
    assert spurious <= 0.05 * planted


def test_suppression_blanks_text_that_describes_a_small_cell():
    table = pd.DataFrame(
        {
            "topic": [0, 1],
            "label": ["outage", "rare words"],
            "keywords": [["a"], ["b"]],
            "size": [50, 4],
            "n_authors": [40, 3],
        }
    )
    out = suppress_small_groups(table, by="topic", k=10)
    assert out.loc[0, "label"] == "outage" and out.loc[0, "size"] == 50
    assert (
        out.loc[1, "label"] is None
        and out.loc[1, "keywords"] is None
        and np.isnan(out.loc[1, "size"])
    )
    assert out["suppressed"].tolist() == [False, True]


def test_suppression_against_a_total_published_elsewhere():
    table = pd.DataFrame(
        {
            "bucket": ["1", "2", "3-5", "6+"],
            "n_authors": [190, 28, 12, 4],
            "n_posts": [190, 56, 40, 30],
        }
    )
    # without the flag only 6+ (4 < 10) is blank; but 316 posts in all is printed in the
    # summary, so 6+ = 316 - 190 - 56 - 40: the smallest other cell (3-5, 12 authors) goes too.
    plain = suppress_small_groups(table, by="bucket", k=10)
    assert plain["suppressed"].tolist() == [False, False, False, True]
    out = suppress_small_groups(table, by="bucket", k=10, published_total=True)
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out["n_posts"].tolist()[:2] == [190.0, 56.0] and np.isnan(out.loc[2, "n_posts"])
    # two cells already hidden: nothing more to do
    table.loc[2, "n_authors"] = 5
    assert suppress_small_groups(table, by="bucket", k=10, published_total=True)[
        "suppressed"
    ].tolist() == [False, False, True, True]


def test_suppression_two_dimensions_cascades_until_stable():
    # 2 x 2 cells with row and column totals. Only (a, x) is small. Row a: hide (a, y) too.
    # Column y then has one hidden cell: hide (b, y). Column x: (a, x) hidden alone -> hide (b, x).
    rows = [
        ("a", "x", 3),
        ("a", "y", 20),
        ("b", "x", 30),
        ("b", "y", 40),
        ("a", "Total", 23),
        ("b", "Total", 70),
        ("Total", "x", 33),
        ("Total", "y", 60),
    ]
    table = pd.DataFrame(rows, columns=["r", "c", "n_authors"]).assign(
        n_posts=lambda d: d["n_authors"]
    )
    out = suppress_small_groups(table, by=["r", "c"], k=10).set_index(["r", "c"])["suppressed"]
    assert out[("a", "x")] and out[("a", "y")] and out[("b", "x")] and out[("b", "y")]
    assert not out[("a", "Total")] and not out[("Total", "x")]
