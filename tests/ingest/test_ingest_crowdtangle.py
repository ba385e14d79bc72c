"""CrowdTangle CSV loader (Facebook and Instagram layouts), on hand-written fixtures."""

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.schema import validate_posts
from toolkit.ingest import ingest_file
from toolkit.ingest.crowdtangle import post_id_from_url
from toolkit.privacy.pseudonymise import Pseudonymiser

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
PS = Pseudonymiser(b"test-key", ["NimbusHome", "nimbushome"])


@pytest.fixture(scope="module")
def facebook():
    return ingest_file(FIXTURES / "facebook.csv", pseudonymiser=PS)


@pytest.fixture(scope="module")
def instagram():
    return ingest_file(FIXTURES / "instagram.csv", pseudonymiser=PS)


def test_facebook_reconciliation(facebook):
    assert facebook.format == "crowdtangle"
    assert (facebook.rows_in, facebook.n_loaded, facebook.n_rejected, facebook.n_duplicates) == (
        4,
        2,
        2,
        0,
    )
    assert facebook.rejects_by_reason == {"missing_field:URL": 1, "unknown_timezone:XYZ": 1}
    assert sorted(facebook.rejects["source_line"]) == [3, 4]
    validate_posts(facebook.posts)


def test_facebook_cdt_post(facebook):
    row = facebook.posts.set_index("post_id").loc["1234567890"]
    assert row["platform"] == "facebook"
    assert row["created_at"] == pd.Timestamp("2026-09-03T14:05:00Z")  # 09:05 CDT = UTC-5
    assert row["likes"] == 20 + 3 + 1 + 1  # Likes + Love + Wow + Care
    assert (row["shares"], row["replies"], row["author_followers"]) == (2, 4, 5200)
    assert pd.isna(row["views"])
    assert row["author"] == "NimbusHome" and row["is_brand"]
    assert (
        row["text"]
        == f"Fall is here 🍂 Try the Nimbus bulbs, thanks @{PS.pseudonym('dana_k')} for the photo! #NimbusHome"
    )
    assert list(row["hashtags"]) == ["nimbushome"]


def test_facebook_cst_video_with_multiline_message(facebook):
    row = facebook.posts.set_index("post_id").loc["1234567891"]  # URL had a trailing slash
    assert row["created_at"] == pd.Timestamp("2026-11-11T00:30:00Z")  # 18:30 CST = UTC-6
    assert row["views"] == 1500  # Post Views before Total Views
    assert row["text"] == 'Glow Up deals, "today only"\nCode GLOW25 https://nimbushome.example/glow'


def test_instagram_layout(instagram):
    assert (instagram.rows_in, instagram.n_loaded, instagram.n_rejected) == (2, 2, 0)
    posts = instagram.posts.set_index("post_id")
    assert set(posts["platform"]) == {"instagram"}
    photo, video = posts.loc["CxYz123AbC"], posts.loc["CzAa999"]
    assert photo["created_at"] == pd.Timestamp("2026-10-20T13:00:00Z")
    assert (photo["likes"], photo["replies"], photo["author_followers"]) == (150, 12, 3000)
    assert pd.isna(photo["shares"]) and pd.isna(photo["views"])
    assert (
        photo["text"]
        == f"Cozy nights with Nimbus ✨ #NimbusGlowUp vs @{PS.pseudonym('lumoralights')}"
    )
    assert video["views"] == 800
    assert video["text"] == "Caf\u00e9 vibes" and unicodedata.is_normalized("NFC", video["text"])


def test_platform_argument_overrides_header(tmp_path):
    result = ingest_file(
        FIXTURES / "instagram.csv", format="crowdtangle", platform="threads", pseudonymiser=PS
    )
    assert set(result.posts["platform"]) == {"threads"}


def test_latin1_crlf_bom_variants(tmp_path):
    raw = (FIXTURES / "instagram.csv").read_text(encoding="utf-8")
    text = unicodedata.normalize("NFC", raw).replace("✨", "").replace("\n", "\r\n")
    latin = tmp_path / "ig_latin1.csv"
    latin.write_bytes(text.encode("cp1252"))
    bom = tmp_path / "ig_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    utf16 = tmp_path / "ig_utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    for path in (latin, bom, utf16):
        result = ingest_file(path, pseudonymiser=PS)
        assert result.format == "crowdtangle", path.name
        assert result.n_loaded == 2, path.name
        assert result.posts.set_index("post_id").loc["CzAa999", "text"] == "Café vibes", path.name


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.facebook.com/NimbusHome/posts/123", "123"),
        ("https://www.instagram.com/p/AbC_1/", "AbC_1"),
        ("https://www.facebook.com/NimbusHome/posts/123?ref=x#y", "123"),
        ("", None),
        ("https://www.facebook.com/", None),
    ],
)
def test_post_id_from_url(url, expected):
    assert post_id_from_url(url) == expected


def test_cut_off_gzip_csv(tmp_path):
    import gzip

    data = (FIXTURES / "facebook.csv").read_bytes()
    packed = gzip.compress(data + data.split(b"\n", 1)[1] * 50)  # header + many rows
    path = tmp_path / "fb.csv.gz"
    path.write_bytes(packed[:-40])  # the end of the stream and its trailer are missing
    result = ingest_file(path, pseudonymiser=PS)
    assert result.format == "crowdtangle"
    assert result.rows_in == result.n_loaded + result.n_rejected + result.n_duplicates
    assert result.rejects_by_reason.get("corrupt_gzip") == 1
    assert result.n_loaded + result.n_duplicates > 50  # rows before the damage are read
