"""Analyses for the privacy-risk report: how much personal data customer posts carry, where,
and how much of it is contact details posted in public.

`find_personal_data` returns private rows (which post carries which type); everything else
returns aggregates with `n_posts` and `n_authors` so that small groups can be suppressed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from toolkit.core.config import Config
from toolkit.privacy.pseudonymise import PSEUDONYM

#: Types counted as personal data in this report (handles are pseudonymised at ingest and
#: URLs are mostly product links, so neither counts here).
REPORTED_TYPES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "UK_NINO",
    "PASSPORT",
    "US_DRIVER_LICENSE",
    "UK_SORT_CODE",
    "DATE_TIME",
    "AGE",
    "IP_ADDRESS",
    "ORDER_NUMBER",
)
CONTACT_TYPES = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS"})
#: Label of margin rows (see `toolkit.privacy.disclosure.suppress_small_groups`).
TOTAL = "Total"
FINDING_COLUMNS = ["platform", "post_id", "author", "created_at", "post_type", "entity_type"]
#: Columns of `weekly_share` that describe the authors with personal data (blank them together).
WEEKLY_VALUES = [
    "with_personal_data",
    "with_contact_details",
    "share_personal_data",
    "share_contact_details",
]
#: Buckets of `author_concentration`: posts with personal data per author.
CONCENTRATION_BUCKETS = (
    (1, 1, "1 post"),
    (2, 2, "2 posts"),
    (3, 5, "3-5 posts"),
    (6, None, "6+ posts"),
)


def customer_posts(posts: pd.DataFrame) -> pd.DataFrame:
    """Posts written by customers (not the brand), shares excluded: the text is theirs."""
    return posts[~posts["is_brand"].astype(bool) & posts["post_type"].ne("share")]


def find_personal_data(posts: pd.DataFrame, detect=None) -> pd.DataFrame:
    """One row per customer post and personal-data type found in its text (private rows).

    Parameters
    ----------
    posts : canonical posts frame.
    detect : callable text -> spans; default `toolkit.privacy.detect.analyzer.detect`.
    """
    if detect is None:
        from toolkit.privacy.detect.analyzer import default_detector

        detect = default_detector().detect
    customers = customer_posts(posts)
    prime = getattr(getattr(detect, "__self__", None), "prime", None)
    if prime is not None:  # a Detector's NER layer parses the texts in batches, once
        prime(customers["text"].tolist())
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
        "share with contact details": (
            contact[["platform", "post_id"]].drop_duplicates().shape[0] / n
        )
        if n
        else 0.0,
        "authors exposing contact details": contact["author"].nunique(),
    }
    return pd.DataFrame({"value": pd.Series(values, dtype="float64")}).rename_axis("metric")


def prevalence(
    posts: pd.DataFrame, findings: pd.DataFrame, by: list[str], totals: bool = False
) -> pd.DataFrame:
    """Posts carrying each personal-data type per group, with distinct authors and share.

    ``share = posts in the group carrying the type / customer posts in the group`` (the group
    without `entity_type`). `by` must contain "entity_type".

    Parameters
    ----------
    posts : canonical posts frame.
    findings : from `find_personal_data`.
    by : list of str
        Grouping columns, "entity_type" among them.
    totals : bool
        Add, for each type, a row with "Total" in the other `by` columns (all groups
        together). `suppress_small_groups` then treats it as a margin: a per-type total that
        is also published elsewhere cannot give away a suppressed cell.
    """
    if "entity_type" not in by:
        raise ValueError("prevalence groups by entity_type (and optionally platform, ...)")
    table = _prevalence(posts, findings, by)
    base_by = [c for c in by if c != "entity_type"]
    if totals and base_by:
        margin = _prevalence(posts, findings, ["entity_type"]).assign(
            **dict.fromkeys(base_by, TOTAL)
        )
        table = pd.concat([table, margin[table.columns]], ignore_index=True)
    return table


def _prevalence(posts: pd.DataFrame, findings: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    counts = (
        findings.groupby(by)
        .agg(n_posts=("post_id", "size"), n_authors=("author", "nunique"))
        .reset_index()
    )
    base_by = [c for c in by if c != "entity_type"]
    customers = customer_posts(posts)
    if base_by:
        base = customers.groupby(base_by).size().rename("customer_posts").reset_index()
        counts = counts.merge(base, on=base_by, how="left")
    else:
        counts["customer_posts"] = len(customers)
    counts["share"] = counts["n_posts"] / counts["customer_posts"]
    return counts.sort_values(
        [*base_by, "n_posts"], ascending=[True] * len(base_by) + [False]
    ).reset_index(drop=True)


def contact_exposure(posts: pd.DataFrame, findings: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Customer replies and comments that post contact details in public, per group."""
    replies = customer_posts(posts)
    replies = replies[replies["post_type"].isin(["reply", "comment"])]
    contact = findings[
        findings["entity_type"].isin(CONTACT_TYPES)
        & findings["post_type"].isin(["reply", "comment"])
    ]
    contact = contact.drop_duplicates(["platform", "post_id"])
    out = contact.groupby(by).agg(n_posts=("post_id", "size"), n_authors=("author", "nunique"))
    out = out.join(replies.groupby(by).size().rename("public_replies"), how="right").fillna(0)
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].astype("int64")
    out["share_of_replies"] = out["n_posts"] / out["public_replies"]
    return out.reset_index()


def prevalence_by_topic(
    posts: pd.DataFrame, findings: pd.DataFrame, assignments_path: Path
) -> pd.DataFrame | None:
    """Prevalence of personal data per topic, using the private topic assignments of 02_topics."""
    if not Path(assignments_path).exists():
        return None
    topics = pd.read_parquet(assignments_path)[["platform", "post_id", "topic_label"]]
    with_topic = findings.merge(topics, on=["platform", "post_id"], how="inner")
    base = customer_posts(posts).merge(topics, on=["platform", "post_id"], how="inner")
    out = (
        with_topic.drop_duplicates(["platform", "post_id"])
        .groupby("topic_label")
        .agg(n_posts=("post_id", "size"), n_authors=("author", "nunique"))
    )
    out = out.join(base.groupby("topic_label").size().rename("topic_posts"), how="right").fillna(0)
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].astype("int64")
    out["share"] = out["n_posts"] / out["topic_posts"]
    return out.reset_index().sort_values("share", ascending=False, ignore_index=True)


def weekly_share(posts: pd.DataFrame, findings: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Per local week: customer posts, posts with personal data, posts with contact details, shares.

    ``n_authors`` is the number of distinct authors *with personal data* that week (what the
    week's figures describe, so `suppress_small_groups(weekly, by="week", k=k, value_cols=
    WEEKLY_VALUES)` blanks weeks with too few); ``customer_authors`` counts all customer authors.
    """
    customers = customer_posts(posts)
    week = lambda s: s.dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("W").dt.start_time  # noqa: E731
    base = customers.groupby(week(customers["created_at"])).agg(
        customer_posts=("post_id", "size"), customer_authors=("author", "nunique")
    )
    pii = findings.drop_duplicates(["platform", "post_id"])
    contact = findings[findings["entity_type"].isin(CONTACT_TYPES)].drop_duplicates(
        ["platform", "post_id"]
    )
    base["with_personal_data"] = pii.groupby(week(pii["created_at"])).size()
    base["with_contact_details"] = contact.groupby(week(contact["created_at"])).size()
    base["n_authors"] = pii.groupby(week(pii["created_at"]))["author"].nunique()
    base = base.fillna(0).astype(
        {"with_personal_data": "int64", "with_contact_details": "int64", "n_authors": "int64"}
    )
    base["share_personal_data"] = base["with_personal_data"] / base["customer_posts"]
    base["share_contact_details"] = base["with_contact_details"] / base["customer_posts"]
    return base.rename_axis("week").reset_index()


def author_concentration(findings: pd.DataFrame) -> pd.DataFrame:
    """Do a few customers expose most of the personal data, or many customers once each?

    Authors are bucketed by how many of their posts carry personal data (1, 2, 3-5, 6+).
    Returns one row per bucket: ``bucket``, ``n_authors``, ``n_posts`` (posts with personal
    data by those authors) and ``share_of_posts`` (of all posts with personal data).

    Parameters
    ----------
    findings : DataFrame
        From `find_personal_data`.
    """
    per_author = findings.drop_duplicates(["platform", "post_id"]).groupby("author").size()
    total = int(per_author.sum())
    rows = []
    for low, high, label in CONCENTRATION_BUCKETS:
        selected = per_author[(per_author >= low) & ((per_author <= high) if high else True)]
        rows.append((label, len(selected), int(selected.sum())))
    out = pd.DataFrame(rows, columns=["bucket", "n_authors", "n_posts"])
    out["share_of_posts"] = out["n_posts"] / total if total else 0.0
    return out


def top_author_share(findings: pd.DataFrame, top: float = 0.1) -> float:
    """Share of posts with personal data written by the `top` fraction of such authors (most first).

    Parameters
    ----------
    findings : DataFrame
        From `find_personal_data`.
    top : float
        Fraction of authors, e.g. 0.1 for the top 10 %; at least one author.
    """
    per_author = findings.drop_duplicates(["platform", "post_id"]).groupby("author").size()
    if per_author.empty:
        return 0.0
    n = max(1, int(round(top * len(per_author))))
    return float(per_author.nlargest(n).sum() / per_author.sum())


def contact_recommendation(summary: pd.DataFrame) -> str:
    """The recommendation for customers posting contact details in public, with the figures.

    Parameters
    ----------
    summary : DataFrame
        From `exposure_summary`.
    """
    value = summary["value"]
    authors = int(value.get("authors exposing contact details", 0))
    share = float(value.get("share with contact details", 0.0))
    if authors == 0:
        return (
            "No customer posted an email, phone number or street address in public: nothing to do."
        )
    return (
        f"{authors:,} customers posted an email, phone number or street address in public "
        f"({share:.1%} of customer posts). Reply to such posts by asking the customer to move "
        "to a private channel (DM or a support form), never repeat the details in the public "
        "reply, and hide or delete the post where the platform allows it."
    )


def pseudonymisation_summary(posts: pd.DataFrame, config: Config) -> pd.DataFrame:
    """How identities were protected at ingest (counts and method; never the key)."""
    customers = posts[~posts["is_brand"].astype(bool)]
    pseudonymous = customers["author"].map(lambda a: bool(PSEUDONYM.fullmatch(a)))
    key_source = _key_source(config)
    rows = [
        ("method", "HMAC-SHA256, keyed; pseudonym = u_ + 16 hex"),
        ("key source", key_source),
        ("customer authors", f"{customers['author'].nunique():,}"),
        ("customer authors pseudonymised", f"{customers.loc[pseudonymous, 'author'].nunique():,}"),
        (
            "brand accounts (named)",
            ", ".join(sorted(posts.loc[posts["is_brand"].astype(bool), "author"].unique())),
        ),
        (
            "customer handles replaced in text (@name, u/name)",
            f"{sum(len(PSEUDONYM.findall(t)) for t in posts['text']):,}",
        ),
        ("smallest group published (k distinct authors)", str(config.privacy.min_group_size)),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def _key_source(config: Config) -> str:
    """Where the key came from (never the key itself)."""
    if os.environ.get(config.privacy.key_env):
        return f"environment variable {config.privacy.key_env}"
    if config.privacy.key_file:
        return "key file (owner-only permissions)"
    if config.privacy.allow_demo_key:
        return "demo key (sample only)"
    return "not configured"
