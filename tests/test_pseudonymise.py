import re

import pytest

from toolkit.pseudonymise import PSEUDONYM, Pseudonymiser


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
