import re

import pytest

from toolkit.privacy.pseudonymise import PSEUDONYM, Pseudonymiser


@pytest.fixture
def p():
    return Pseudonymiser(b"key-one", brand_handles=["NimbusHome", "@NimbusSupport"])


def test_pseudonym_is_stable_and_case_insensitive(p):
    assert p.pseudonym("dana_k") == p.pseudonym("@Dana_K")
    assert re.fullmatch(r"u_[0-9a-f]{16}", p.pseudonym("dana_k"))


def test_pseudonym_depends_on_key(p):
    other = Pseudonymiser(b"key-two", brand_handles=["NimbusHome"])
    assert p.pseudonym("dana_k") != other.pseudonym("dana_k")


def test_different_handles_differ(p):
    assert p.pseudonym("dana_k") != p.pseudonym("dana_j")


def test_brand_handles_stay_named(p):
    assert p.pseudonym("@nimbushome") == "nimbushome"
    assert p.is_brand("NIMBUSSUPPORT")
    assert not p.is_brand("dana_k")


def test_text_replaces_customer_handles_only(p):
    out = p.text("@NimbusHome my hub is dead, same as @dana_k and @bob@mastodon.example said")
    assert out.startswith("@NimbusHome ")
    assert "dana_k" not in out and "bob@mastodon" not in out
    assert len(PSEUDONYM.findall(out)) == 2


def test_emails_are_not_taken_for_handles(p):
    assert p.text("mail me at dana@example.com") == "mail me at dana@example.com"


def test_key_never_in_repr(p):
    assert "key-one" not in repr(p)


def test_empty_key_rejected():
    with pytest.raises(ValueError):
        Pseudonymiser(b"")


def test_dotted_instagram_handles_are_replaced_whole(p):
    out = p.text("thanks @jane.doe. and @bob_")
    assert "jane" not in out and ".doe" not in out and out.endswith(". and @" + p.pseudonym("bob_"))


# ------------------------------------------------------------------ the key
def _privacy(**kwargs):
    from toolkit.core.config import Privacy

    return Privacy(key_env="TOOLKIT_TEST_KEY_VAR", **kwargs)


def test_key_from_the_environment_first(monkeypatch, tmp_path):
    from toolkit.privacy.pseudonymise import load_key

    key_file = tmp_path / "key"
    key_file.write_text("file-key\n")
    key_file.chmod(0o600)
    monkeypatch.setenv("TOOLKIT_TEST_KEY_VAR", "env-key")
    assert load_key(_privacy(key_file=key_file)) == b"env-key"
    monkeypatch.delenv("TOOLKIT_TEST_KEY_VAR")
    assert load_key(_privacy(key_file=key_file)) == b"file-key"  # whitespace stripped


def test_relative_key_file_is_resolved_against_the_config_folder(monkeypatch, tmp_path):
    from toolkit.privacy.pseudonymise import load_key

    monkeypatch.delenv("TOOLKIT_TEST_KEY_VAR", raising=False)
    (tmp_path / "secret.key").write_text("k1")
    (tmp_path / "secret.key").chmod(0o400)
    assert load_key(_privacy(key_file="secret.key"), config_dir=tmp_path) == b"k1"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666])
def test_key_file_readable_by_others_is_refused_with_the_fix(monkeypatch, tmp_path, mode):
    from toolkit.privacy.pseudonymise import HmacKeyError, load_key

    monkeypatch.delenv("TOOLKIT_TEST_KEY_VAR", raising=False)
    key_file = tmp_path / "key"
    key_file.write_text("top-secret-value")
    key_file.chmod(mode)
    with pytest.raises(HmacKeyError, match="chmod 600") as caught:
        load_key(_privacy(key_file=key_file))
    assert "top-secret-value" not in str(caught.value)
    assert f"{mode:o}" in str(caught.value)


def test_missing_empty_or_absent_key_is_explained(monkeypatch, tmp_path):
    from toolkit.core.config import ConfigError
    from toolkit.privacy.pseudonymise import HmacKeyError, load_key

    monkeypatch.delenv("TOOLKIT_TEST_KEY_VAR", raising=False)
    with pytest.raises(HmacKeyError, match="does not exist"):
        load_key(_privacy(key_file=tmp_path / "nope"))
    empty = tmp_path / "empty"
    empty.write_text("  \n")
    empty.chmod(0o600)
    with pytest.raises(HmacKeyError, match="empty"):
        load_key(_privacy(key_file=empty))
    with pytest.raises(ConfigError, match="TOOLKIT_TEST_KEY_VAR is not set"):
        load_key(_privacy())


def test_demo_key_only_where_allowed(monkeypatch):
    from toolkit.privacy.pseudonymise import HmacKeyError, load_key

    monkeypatch.delenv("TOOLKIT_TEST_KEY_VAR", raising=False)
    assert load_key(_privacy(allow_demo_key=True), demo_key="demo") == b"demo"
    with pytest.raises(HmacKeyError):
        load_key(_privacy(allow_demo_key=False), demo_key="demo")


def test_pseudonyms_unlinkable_across_keys_for_many_handles():
    a, b = Pseudonymiser(b"key-one"), Pseudonymiser(b"key-two")
    handles = [f"user{i}" for i in range(200)]
    first = {a.pseudonym(h) for h in handles}
    second = {b.pseudonym(h) for h in handles}
    assert len(first) == len(second) == 200 and not first & second
    assert [a.pseudonym(h) for h in handles] == [
        Pseudonymiser(b"key-one").pseudonym(h) for h in handles
    ]


# ------------------------------------------------------------------ handle forms (issue 15)
@pytest.mark.parametrize(
    "written",
    [
        ".@dana_k thanks",
        "thanks.@dana_k",
        "w/@dana_k",
        "me w/@dana_k and",
        "(@dana_k)",
        "@dana_k's hub",
        "@dana_k’s hub",
        "@dana_k: yes",
        "RT @dana_k: yes",
        "RT@dana_k yes",
        "rt:@dana_k yes",
        "cc:@dana_k",
        "hey,@dana_k",
        "💙/@dana_k",
        "/@dana_k",
        "＠dana_k hi",
        "こんにちは@dana_k",
        '"@dana_k"',
        "[@dana_k]",
        "…@dana_k",
        "!@dana_k",
        "#@dana_k",
        "-@dana_k",
    ],
)
def test_every_handle_form_is_pseudonymised(p, written):
    out = p.text(written)
    assert "dana_k" not in out.lower(), out
    assert "@" + p.pseudonym("dana_k") in out


@pytest.mark.parametrize(
    "kept",
    [
        "mail dana@example.com now",
        "josé@example.com",
        "a+b@example.org",
        "https://mastodon.social/@dana_k",
        "see medium.com/@dana_k/post",
        "and/or@dana_k",
        "ART@dana_k",
    ],
)
def test_emails_and_links_are_not_handles(p, kept):
    assert p.text(kept) == kept


def test_public_accounts_keep_their_handles_and_default_list_is_used():
    from toolkit.privacy.pseudonymise import default_public_accounts

    assert {
        "twitter",
        "google",
        "youtube",
        "apple",
        "amazon",
        "microsoft",
    } <= default_public_accounts()
    p = Pseudonymiser(b"k", ["NimbusHome"])  # default list
    out = p.text("@Twitter @google w/@AmazonHelp and @dana_k")
    assert out.startswith("@Twitter @google w/@AmazonHelp and @u_")
    assert not p.is_brand("twitter") and p.is_kept("TWITTER")
    q = Pseudonymiser(b"k", ["NimbusHome"], public_handles=["SouthwestAir"])
    assert q.text("@SouthwestAir vs @twitter") == "@SouthwestAir vs @" + q.pseudonym("twitter")


def test_config_public_accounts_union_competitors_and_config(tmp_path):
    from toolkit.core.config import load_config
    from toolkit.privacy.pseudonymise import pseudonymiser_for, public_accounts

    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "name: t\nsources: [{path: d.csv, format: csv, platform: twitter}]\n"
        "brand: {name: United, accounts: {twitter: [united]}}\n"
        "competitors: {Southwest: [Southwest Airlines, '@SouthwestAir'], American: [AmericanAir]}\n"
        "privacy: {allow_demo_key: true, public_accounts: ['@FAANews']}\n"
    )
    config = load_config(cfg)
    kept = public_accounts(config)
    assert {"southwestair", "southwest", "americanair", "american", "faanews", "twitter"} <= kept
    assert "southwest airlines" not in kept  # a name with a space is no handle
    p = pseudonymiser_for(config)
    assert p.text("@SouthwestAir @AmericanAir @faanews @united @dana").endswith(
        "@united @" + p.pseudonym("dana")
    )
    assert p.is_brand("United") and not p.is_brand("SouthwestAir")


def test_identities_keep_public_accounts_out_of_identifiers():
    from toolkit.ingest.identities import Identities

    ids = Identities(
        Pseudonymiser(b"k", ["NimbusHome"], public_handles=["LumoraLights", "twitter"])
    )
    text, mentions = ids.text_and_mentions(".@LumoraLights is better, said w/@dana_k via @twitter")
    assert text.startswith(".@LumoraLights is better, said w/@u_") and text.endswith("via @twitter")
    assert mentions[0] == "LumoraLights" and mentions[2] == "twitter"
    assert ids.author("LumoraLights") == ("LumoraLights", False)
    ids.note("LumoraLights", None)
    assert ids.to_dict()["handles"] == ["dana_k"]


def test_ingest_stores_no_raw_handle_in_any_form(tmp_path):
    """Handles written .@name, w/@name, (@name), @name's, RT @name... are pseudonymised in the
    stored text and mentions (issue 15: 6 stayed raw in a real twarc2 file)."""
    from toolkit.ingest import ingest_file

    forms = [".@kim_lee1 hi", "me w/@kim_lee2", "(@kim_lee3)", "@kim_lee4's hub", "RT @kim_lee5: x",
             "RT@kim_lee6 x", "cc:@kim_lee7", "＠kim_lee8 yo", "💙/@kim_lee9"]  # fmt: skip
    rows = "".join(f'{i},2026-09-01T10:00:00Z,fan{i},"{t}"\n' for i, t in enumerate(forms))
    (tmp_path / "p.csv").write_text("id,created,user,body\n" + rows, encoding="utf-8")
    result = ingest_file(
        tmp_path / "p.csv",
        "csv",
        "twitter",
        {"post_id": "id", "created_at": "created", "author": "user", "text": "body"},
        pseudonymiser=Pseudonymiser(b"k", ["NimbusHome"]),
    )
    texts = list(result.posts["text"])
    mentions = [m for ms in result.posts["mentions"] for m in ms]
    assert not [t for t in texts + mentions if "kim_lee" in t], texts
    assert all(PSEUDONYM.search(t) for t in texts) and len(mentions) == len(forms)
