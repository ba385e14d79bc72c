import pytest
from helpers import make_posts

from toolkit.analysis.scope import addresses_brand, describe, select

HANDLES = {"unitedair"}
NAMES = ["United", "United Airlines"]


def export():
    return make_posts(
        dict(post_id="1", author="united", is_brand=True, text="Welcome aboard", thread_id="1"),
        dict(post_id="2", author="u_a", text="@united my bag is lost", mentions=["unitedair"]),
        dict(post_id="3", author="u_b", text="flying United tomorrow"),
        dict(
            post_id="4",
            author="u_c",
            text="#unitedairlines again late",
            hashtags=["unitedairlines"],
        ),
        dict(
            post_id="5",
            author="u_d",
            text="thanks!",
            post_type="reply",
            reply_to_author="UnitedAir",
        ),
        dict(post_id="6", author="u_e", text="same here", post_type="reply", thread_id="1"),
        dict(
            post_id="7", author="u_f", text="@SouthwestAir great promo", mentions=["southwestair"]
        ),
        dict(post_id="8", author="u_g", text="the states are united in this", thread_id="9"),
    )


def test_brand_scope_keeps_posts_that_address_the_brand():
    kept = addresses_brand(export(), HANDLES, NAMES)
    assert kept.tolist() == [True, True, True, True, True, True, False, True]  # 8: a word match


def test_select_and_describe():
    posts = export()
    assert select(posts, "all", HANDLES, NAMES) is posts
    brand = select(posts, "brand", HANDLES, NAMES)
    assert "7" not in brand["post_id"].tolist() and len(brand) == 7
    assert "7 of 8 posts" in describe("brand", 7, 8) and describe("all", 8, 8).startswith("All 8")
    with pytest.raises(ValueError, match="scope"):
        select(posts, "everything", HANDLES, NAMES)
    assert select(posts.iloc[0:0], "brand", HANDLES, NAMES).empty


def test_config_accepts_scope(tmp_path):
    from toolkit.core.config import ConfigError, load_config

    data = tmp_path / "x.csv"
    data.write_text("a\n1\n")
    cfg = tmp_path / "c.yaml"
    base = f"name: x\nsources: [{{path: {data}, format: csv, platform: twitter}}]\nbrand: {{name: B, accounts: {{twitter: [b]}}}}\n"
    cfg.write_text(base + "scope: brand\n")
    assert load_config(cfg).scope == "brand"
    cfg.write_text(base)
    assert load_config(cfg).scope == "all"
    cfg.write_text(base + "scope: some\n")
    with pytest.raises(ConfigError, match="scope"):
        load_config(cfg)
