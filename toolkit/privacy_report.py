"""Analyses for the privacy-risk report: how much personal data customer posts carry, where,
and how much of it is contact details posted in public.

`find_personal_data` returns private rows (which post carries which type); everything else
returns aggregates with `n_posts` and `n_authors` so that small groups can be suppressed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from toolkit.config import Config
from toolkit.pseudonymise import PSEUDONYM

#: Types counted as personal data in this report (handles are pseudonymised at ingest and
#: URLs are mostly product links, so neither counts here).
REPORTED_TYPES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS", "CREDIT_CARD",
                  "IBAN_CODE", "IP_ADDRESS", "ORDER_NUMBER")
CONTACT_TYPES = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS"})
FINDING_COLUMNS = ["platform", "post_id", "author", "created_at", "post_type", "entity_type"]


def customer_posts(posts: pd.DataFrame) -> pd.DataFrame:
    """Posts written by customers (not the brand), shares excluded: the text is theirs."""
    return posts[~posts["is_brand"].astype(bool) & posts["post_type"].ne("share")]


def find_personal_data(posts: pd.DataFrame, detect=None) -> pd.DataFrame:
    """One row per customer post and personal-data type found in its text (private rows).

    Parameters
    ----------
    posts : canonical posts frame.
    detect : callable text -> spans; default `toolkit.privacy.detect`.
    """
    if detect is None:
        from toolkit.privacy import detect
    customers = customer_posts(posts)
    rows = []
    for rec in customers[FINDING_COLUMNS[:-1] + ["text"]].itertuples(index=False):
        types = {s.entity_type for s in detect(rec.text)} & set(REPORTED_TYPES)
        rows.extend((*rec[:-1], t) for t in sorted(types))
    if not rows:  # keep the column dtypes (created_at stays a UTC timestamp)
        return customers[FINDING_COLUMNS[:-1]].iloc[:0].assign(entity_type=pd.Series(dtype=object))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def exposure_summary(posts: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Headline numbers: posts scanned, share with personal data, share with contact details."""
    customers = customer_posts(posts)
    n = len(customers)
    with_pii = findings.drop_duplicates(["platform", "post_id"])
    contact = findings[findings["entity_type"].isin(CONTACT_TYPES)]
    values = {
        "customer posts scanned": n,
        "customer authors": customers["author"].nunique(),
        "posts with personal data": len(with_pii),
        "share with personal data": len(with_pii) / n if n else 0.0,
        "posts with contact details": contact[["platform", "post_id"]].drop_duplicates().shape[0],
        "share with contact details": (contact[["platform", "post_id"]].drop_duplicates().shape[0] / n) if n else 0.0,
        "authors exposing contact details": contact["author"].nunique(),
    }
    return pd.DataFrame({"value": pd.Series(values, dtype="float64")}).rename_axis("metric")


def prevalence(posts: pd.DataFrame, findings: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Posts carrying each personal-data type per group, with distinct authors and share.

    ``share = posts in the group carrying the type / customer posts in the group`` (the group
    without `entity_type`). `by` must contain "entity_type".
    """
    if "entity_type" not in by:
        raise ValueError("prevalence groups by entity_type (and optionally platform, ...)")
    counts = findings.groupby(by).agg(n_posts=("post_id", "size"), n_authors=("author", "nunique")).reset_index()
    base_by = [c for c in by if c != "entity_type"]
    customers = customer_posts(posts)
    if base_by:
        base = customers.groupby(base_by).size().rename("customer_posts").reset_index()
        counts = counts.merge(base, on=base_by, how="left")
    else:
        counts["customer_posts"] = len(customers)
    counts["share"] = counts["n_posts"] / counts["customer_posts"]
    return counts.sort_values([*base_by, "n_posts"], ascending=[True] * len(base_by) + [False]).reset_index(drop=True)


def contact_exposure(posts: pd.DataFrame, findings: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Customer replies and comments that post contact details in public, per group."""
    replies = customer_posts(posts)
    replies = replies[replies["post_type"].isin(["reply", "comment"])]
    contact = findings[findings["entity_type"].isin(CONTACT_TYPES) & findings["post_type"].isin(["reply", "comment"])]
    contact = contact.drop_duplicates(["platform", "post_id"])
    out = contact.groupby(by).agg(n_posts=("post_id", "size"), n_authors=("author", "nunique"))
    out = out.join(replies.groupby(by).size().rename("public_replies"), how="right").fillna(0)
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].astype("int64")
    out["share_of_replies"] = out["n_posts"] / out["public_replies"]
    return out.reset_index()


def prevalence_by_topic(posts: pd.DataFrame, findings: pd.DataFrame, assignments_path: Path) -> pd.DataFrame | None:
    """Prevalence of personal data per topic, using the private topic assignments of 02_topics."""
    if not Path(assignments_path).exists():
        return None
    topics = pd.read_parquet(assignments_path)[["platform", "post_id", "topic_label"]]
    with_topic = findings.merge(topics, on=["platform", "post_id"], how="inner")
    base = customer_posts(posts).merge(topics, on=["platform", "post_id"], how="inner")
    out = with_topic.drop_duplicates(["platform", "post_id"]).groupby("topic_label").agg(
        n_posts=("post_id", "size"), n_authors=("author", "nunique"))
    out = out.join(base.groupby("topic_label").size().rename("topic_posts"), how="right").fillna(0)
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].astype("int64")
    out["share"] = out["n_posts"] / out["topic_posts"]
    return out.reset_index().sort_values("share", ascending=False, ignore_index=True)


def weekly_share(posts: pd.DataFrame, findings: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Per local week: customer posts, posts with personal data, posts with contact details, shares."""
    customers = customer_posts(posts)
    week = lambda s: s.dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("W").dt.start_time  # noqa: E731
    base = customers.groupby(week(customers["created_at"])).agg(
        customer_posts=("post_id", "size"), n_authors=("author", "nunique"))
    pii = findings.drop_duplicates(["platform", "post_id"])
    contact = findings[findings["entity_type"].isin(CONTACT_TYPES)].drop_duplicates(["platform", "post_id"])
    base["with_personal_data"] = pii.groupby(week(pii["created_at"])).size()
    base["with_contact_details"] = contact.groupby(week(contact["created_at"])).size()
    base = base.fillna(0).astype({"with_personal_data": "int64", "with_contact_details": "int64"})
    base["share_personal_data"] = base["with_personal_data"] / base["customer_posts"]
    base["share_contact_details"] = base["with_contact_details"] / base["customer_posts"]
    return base.rename_axis("week").reset_index()


def pseudonymisation_summary(posts: pd.DataFrame, config: Config) -> pd.DataFrame:
    """How identities were protected at ingest (counts and method; never the key)."""
    customers = posts[~posts["is_brand"].astype(bool)]
    pseudonymous = customers["author"].map(lambda a: bool(PSEUDONYM.fullmatch(a)))
    key_source = ("demo key (sample only)" if config.privacy.allow_demo_key and not os.environ.get(config.privacy.key_env)
                  else f"environment variable {config.privacy.key_env}")
    rows = [
        ("method", "HMAC-SHA256, keyed; pseudonym = u_ + 16 hex"),
        ("key source", key_source),
        ("customer authors", f"{customers['author'].nunique():,}"),
        ("customer authors pseudonymised", f"{customers.loc[pseudonymous, 'author'].nunique():,}"),
        ("brand accounts (named)", ", ".join(sorted(posts.loc[posts['is_brand'].astype(bool), 'author'].unique()))),
        ("customer handles replaced in text (@name, u/name)", f"{sum(len(PSEUDONYM.findall(t)) for t in posts['text']):,}"),
        ("smallest group published (k distinct authors)", str(config.privacy.min_group_size)),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
