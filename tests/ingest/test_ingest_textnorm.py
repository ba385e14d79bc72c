"""Text clean-up used by every loader."""

import unicodedata

import pytest

from toolkit.ingest.textnorm import (
    extract_hashtags,
    extract_mentions,
    extract_reddit_users,
    extract_urls,
    html_to_text,
    normalise_text,
    safe_str,
    unescape_basic,
)


def test_normalise_text_applies_nfc_and_strips():
    decomposed = "  Cafe\u0301\r\nline two \x00 "
    assert normalise_text(decomposed) == "Caf\u00e9\nline two"
    assert unicodedata.is_normalized("NFC", normalise_text(decomposed))


def test_normalise_text_repairs_mojibake_only_when_broken():
    assert normalise_text("donâ€™t cafÃ© ðŸ˜€") == "don’t café 😀"
    # curly quotes and full-width characters the author typed are kept
    assert normalise_text("“quoted” ＡＢＣ") == "“quoted” ＡＢＣ"


@pytest.mark.parametrize("value, expected", [(None, ""), (42, "42"), ("", "")])
def test_normalise_text_non_strings(value, expected):
    assert normalise_text(value) == expected


def test_lone_surrogates_are_replaced():
    assert normalise_text("bad \ud83d end") == "bad \ufffd end"
    assert safe_str("x\udc00") == "x\ufffd"
    assert safe_str(None) is None


def test_unescape_basic_only_the_three_api_entities():
    assert (
        unescape_basic("a &amp; b &lt;3 &gt; c &quot;x&quot; &amp;lt;")
        == "a & b <3 > c &quot;x&quot; &lt;"
    )


def test_html_to_text_mastodon_markup():
    html = (
        '<p><span class="h-card"><a href="https://m.social/@dana" class="u-url mention">@<span>dana</span></a></span>'
        ' hi <a href="https://m.social/tags/NimbusGlowUp" class="mention hashtag" rel="tag">#<span>NimbusGlowUp</span></a>'
        '<br />see <a href="https://ex.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" target="_blank">'
        '<span class="invisible">https://</span><span class="ellipsis">ex.com/a?b=1&amp;</span><span class="invisible">c=2</span></a>'
        "</p><p>5 &lt; 6 &amp; &lt;b&gt;not bold&lt;/b&gt;</p>"
    )
    assert (
        html_to_text(html)
        == "@dana hi #NimbusGlowUp\nsee https://ex.com/a?b=1&c=2\n\n5 < 6 & <b>not bold</b>"
    )


def test_html_to_text_empty_and_plain():
    assert html_to_text(None) == ""
    assert html_to_text("") == ""
    assert html_to_text("a &amp; b") == "a & b"


def test_extract_hashtags_lowercase_unique_not_numbers_or_anchors():
    text = "#NimbusGlowUp is #great #GREAT #1 https://ex.com/#frag &#39; #été"
    assert extract_hashtags(text) == ["nimbusglowup", "great", "été"]


def test_extract_mentions_keeps_mastodon_instances_not_emails():
    text = "@dana_k and @sam@fosstodon.org, mail me at bob@example.com @dana_k"
    assert extract_mentions(text) == ["dana_k", "sam@fosstodon.org"]


def test_extract_reddit_users():
    assert extract_reddit_users("ping u/sam_r and /u/Dana-K, not you/there") == ["sam_r", "Dana-K"]


def test_extract_urls_strips_trailing_punctuation():
    text = "See https://ex.com/a. And (www.ex.org/b), http://x.io/c?d=1!"
    assert extract_urls(text) == ["https://ex.com/a", "www.ex.org/b", "http://x.io/c?d=1"]
    assert extract_urls("no links here") == []
