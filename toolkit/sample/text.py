"""The text of the bundled sample: templates, fragments and word lists, read from resources/*.yaml.

The YAML files under `toolkit/sample/resources/` hold every sentence and word the generator
composes posts from (the slots they use are listed at the top of each file). This module loads
them once and exposes each list under its upper-case name (in A-Z order under each file),
with YAML lists turned into tuples.
Changing any text there changes the sample's bytes: regenerate with `toolkit sample` and commit
the result.
"""

from __future__ import annotations

from importlib.resources import files

import yaml

RESOURCES = files("toolkit.sample") / "resources"


def as_tuples(value):
    """`value` with every list (at any depth) turned into a tuple; dicts keep their order.

    Parameters
    ----------
    value : object
        Parsed YAML: dicts, lists and scalars.
    """
    if isinstance(value, dict):
        return {key: as_tuples(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(as_tuples(item) for item in value)
    return value


def load_resource(name: str) -> dict:
    """The top-level mapping of `resources/<name>`, lists as tuples.

    Parameters
    ----------
    name : str
        File name under toolkit/sample/resources/, e.g. "fragments.yaml".
    """
    text = (RESOURCES / name).read_text(encoding="utf-8")
    return as_tuples(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


_customer_posts = load_resource("customer_posts.yaml")
CUSTOMER_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = _customer_posts["customer_templates"]
FOREIGN_TITLES: dict[str, tuple[str, ...]] = _customer_posts["foreign_titles"]
LATE_CODE_TEMPLATES: tuple[tuple[str, str], ...] = _customer_posts["late_code_templates"]
LOCALIZED_TEMPLATES: tuple[tuple[str, str, str, str], ...] = _customer_posts["localized_templates"]
PLANTED_VIRALS: tuple[dict, ...] = _customer_posts["planted_virals"]
REDDIT_TITLES: dict[str, dict[str, tuple[str, ...]]] = _customer_posts["reddit_titles"]

_fragments = load_resource("fragments.yaml")
CLOSERS: dict[str, tuple[str, ...]] = _fragments["closers"]
DETAILS: tuple[str, ...] = _fragments["details"]
ELONGATIONS: tuple[tuple[str, str], ...] = _fragments["elongations"]
EMOJI: dict[str, tuple[str, ...]] = _fragments["emoji"]
OPENERS: dict[str, tuple[str, ...]] = _fragments["openers"]
PRODUCTS: dict[str, tuple[str, ...]] = _fragments["products"]
REAL_CITIES: tuple[str, ...] = _fragments["real_cities"]
REPLY_OPENERS: dict[str, tuple[str, ...]] = _fragments["reply_openers"]
TOPIC_HASHTAGS: dict[str, tuple[str, ...]] = _fragments["topic_hashtags"]
TOPIC_PRODUCTS: dict[str, tuple[str, ...]] = _fragments["topic_products"]
WORDS: dict[str, tuple[str, ...]] = _fragments["words"]

_replies = load_resource("replies.yaml")
BRAND_REPLIES_LOCAL: dict[str, tuple[str, ...]] = _replies["brand_replies_local"]
BRAND_SECOND_REPLIES: dict[str, tuple[str, ...]] = _replies["brand_second_replies"]
BRAND_THANKS: tuple[str, ...] = _replies["brand_thanks"]
FOLLOW_UPS: dict[str, tuple[str, ...]] = _replies["follow_ups"]
PEER_REPLIES: dict[str, tuple[str, ...]] = _replies["peer_replies"]
QUOTE_TEMPLATES: tuple[tuple[str, str, str], ...] = _replies["quote_templates"]
SUPPORT_REPLIES: dict[str, tuple[str, ...]] = _replies["support_replies"]

_personal_data = load_resource("personal_data.yaml")
PII_ENTITY: dict[str, str] = _personal_data["pii_entity"]
PII_FOLLOW_UPS: tuple[str, ...] = _personal_data["pii_follow_ups"]
PII_SENTENCES: dict[str, tuple[str, ...]] = _personal_data["pii_sentences"]
PII_SENTENCES_LOCAL: dict[str, tuple[str, ...]] = _personal_data["pii_sentences_local"]
TEST_CARDS: tuple[str, ...] = _personal_data["test_cards"]

_brand_posts = load_resource("brand_posts.yaml")
BRAND_POSTS: tuple[tuple[str, str | None, str], ...] = _brand_posts["brand_posts"]
OUTAGE_UPDATES: tuple[tuple[float, int, str], ...] = _brand_posts["outage_updates"]
PROMO_LAST_DAY: str = _brand_posts["promo_last_day"]
PROMO_POSTS: tuple[str, ...] = _brand_posts["promo_posts"]
PROMO_TEASER: str = _brand_posts["promo_teaser"]
PROMO_THANKS: str = _brand_posts["promo_thanks"]

_accounts = load_resource("accounts.yaml")
BIOS: tuple[str, ...] = _accounts["bios"]
REDDIT_ADJECTIVES: tuple[str, ...] = _accounts["reddit_adjectives"]
REDDIT_NOUNS: tuple[str, ...] = _accounts["reddit_nouns"]
SPAM_LINKS: tuple[str, ...] = _accounts["spam_links"]
SPAM_NAMES: tuple[str, ...] = _accounts["spam_names"]
SPAM_TEMPLATES: tuple[str, ...] = _accounts["spam_templates"]
