"""The brand's own posts: the scheduled calendar on every platform, the Glow Up campaign posts,
the weekly Reddit help thread, and the outage status updates with the Reddit megathread.
"""

from __future__ import annotations

import datetime as dt
import re

from toolkit.sample.compose import Ctx
from toolkit.sample.items import Item
from toolkit.sample.scenario import CAMPAIGN_END, CAMPAIGN_START, LOCAL_TZ, OUTAGE_START, UTC, days
from toolkit.sample.segments import Seg, render
from toolkit.sample.text import (
    BRAND_POSTS,
    OUTAGE_UPDATES,
    PROMO_LAST_DAY,
    PROMO_POSTS,
    PROMO_TEASER,
    PROMO_THANKS,
)
from toolkit.sample.timing import BRAND_HOURS
from toolkit.sample.world import Activity


class BrandPosts(Activity):
    """Brand posts on every platform."""

    def brand_post(
        self,
        platform: str,
        t: dt.datetime,
        template: str,
        topic: str | None,
        kind: str,
        account_index: int = 0,
        media: str = "",
    ) -> Item | None:
        """One brand post on `platform` from `template`."""
        ctx = Ctx(platform, topic, brand_post=True)
        if platform == "instagram":
            template = (
                template.replace("{url}", "Link in bio 🔗")
                + " "
                + self.rng.choice(
                    (
                        "#nimbushome #smarthome",
                        "#nimbushome #cozyhome #smartlighting",
                        "#nimbushome",
                    )
                )
            )
        segs = self.text.fill(template, ctx)
        sentiment = "neutral" if kind in ("outage", "tip", "announce") else "positive"
        item = Item(
            platform,
            "post",
            self.people.brand_account(platform, account_index),
            t,
            segs,
            "en",
            topic,
            sentiment,
            media=media,
            brand_kind=kind,
        )
        return self.world.add(item)

    def brand_content(self, day: dt.date) -> tuple[str, str | None, str]:
        """(template, topic, kind) of one scheduled brand post on `day`."""
        if dt.date(2026, 10, 29) <= day < CAMPAIGN_START:
            return PROMO_TEASER, "glow_up_promo", "promo"
        if day == CAMPAIGN_END:
            return PROMO_LAST_DAY, "glow_up_promo", "promo"
        if day == CAMPAIGN_END + dt.timedelta(days=1):
            return PROMO_THANKS, "glow_up_promo", "promo"
        if CAMPAIGN_START <= day < CAMPAIGN_END and self.rng.random() < 0.6:
            return self.rng.choice(PROMO_POSTS), "glow_up_promo", "promo"
        pool = [
            b
            for b in BRAND_POSTS
            if "Halloween" not in b[2] or dt.date(2026, 10, 20) <= day <= dt.date(2026, 10, 31)
        ]
        kind, topic, template = self.rng.choices(
            pool, weights=[{"announce": 0.7, "tip": 1.0, "engage": 1.1}[b[0]] for b in pool]
        )[0]
        return template, topic, kind

    def brand_calendar(self) -> None:
        """Scheduled posts: Twitter, Mastodon, Facebook, Instagram, and Reddit threads."""
        rate = {
            "twitter": (1.3, 0.45),
            "mastodon": (0.55, 0.25),
            "facebook": (1.0, 0.3),
            "instagram": (0.75, 0.5),
        }
        for day in days():
            weekend = day.weekday() >= 5
            for platform, (weekday_rate, weekend_rate) in rate.items():
                for _ in range(self.world.poisson(weekend_rate if weekend else weekday_rate)):
                    t = self.clock.on(day, BRAND_HOURS, minute_step=15)
                    if t is None:
                        continue
                    template, topic, kind = self.brand_content(day)
                    self.brand_post(
                        platform,
                        t,
                        template,
                        topic,
                        kind,
                        media=self.media_type(platform, template),
                    )
            if self.rng.random() < 0.12:
                t = self.clock.on(day, BRAND_HOURS, minute_step=15)
                if t is not None:
                    self.brand_post(
                        "twitter",
                        t,
                        "Our support team is here 7am-9pm CT on weekdays and 9am-5pm on weekends. DM us anytime! {help}",
                        "customer_service",
                        "announce",
                        1,
                    )
            self.reddit_brand_threads(day)

    def media_type(self, platform: str, template: str) -> str:
        """The CrowdTangle post type of a Facebook or Instagram post."""
        if platform == "facebook":
            kinds = (
                ("Photo", "Link", "Native Video", "Status")
                if "{url}" in template
                else ("Photo", "Native Video", "Status", "Album")
            )
            return self.rng.choices(kinds, weights=(0.5, 0.25, 0.15, 0.1))[0]
        if platform == "instagram":
            return self.rng.choices(("Photo", "Album", "Video"), weights=(0.55, 0.25, 0.2))[0]
        return ""

    def reddit_brand_threads(self, day: dt.date) -> None:
        """Brand threads on Reddit: the Monday help thread and occasional announcements."""
        account = self.people.brand_account("reddit")
        if day.weekday() == 0:  # weekly help thread, Monday 8am CT
            t = dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
            month = ("September", "October", "November")[day.month - 9]  # not strftime: locale-free
            title = f"Weekly Help & Questions Thread - {month} {day.day}, {day.year}"
            body = "Ask anything about setup, pairing, automations or your devices. Please don't post order numbers or personal details here, DM us instead."
            self.world.reddit_submission(
                account,
                t,
                title,
                [Seg(body)],
                None,
                "neutral",
                "NimbusHome",
                "Official",
                "help_thread",
            )
        elif day.weekday() in (1, 3) and self.rng.random() < 0.35:
            t = self.clock.on(day, BRAND_HOURS, minute_step=5)
            if t is not None:
                kind, topic, template = self.rng.choice(
                    [b for b in BRAND_POSTS if b[0] == "announce"]
                )
                segs = self.text.fill(template, Ctx("reddit", topic, brand_post=True))
                headline = re.split(r"(?<=[.:!])\s", render(segs).text)[0].rstrip(" .:")
                title = "[Official] " + re.sub(r"\s*https?://\S+", "", headline)[:100]
                self.world.reddit_submission(
                    account, t, title, segs, topic, "neutral", "NimbusHome", "Official", kind
                )

    def outage_updates(self) -> None:
        """Status updates during the outage on every platform, plus the Reddit megathread."""
        for hours, account_index, template in OUTAGE_UPDATES:
            t = (OUTAGE_START + dt.timedelta(hours=hours)).replace(second=self.rng.randrange(60))
            topic = "app_outage"
            self.brand_post("twitter", t, template, topic, "outage", account_index)
            if account_index == 0 or hours in (0.42, 28.0):
                mastodon = template.replace("@NimbusSupport", "our support team")
                self.brand_post("mastodon", t + dt.timedelta(minutes=3), mastodon, topic, "outage")
            if hours in (0.6, 32.0, 75.0):
                self.brand_post(
                    "facebook",
                    t + dt.timedelta(minutes=7),
                    template.replace("@NimbusSupport", "Nimbus Support"),
                    topic,
                    "outage",
                    media="Status" if hours < 1 else "Link",
                )
            if hours == 32.0:
                self.brand_post(
                    "instagram",
                    t + dt.timedelta(minutes=20),
                    "We're back. Thank you for your patience during yesterday's outage, and we're sorry. Nimbus Plus members get a one-month credit.",
                    topic,
                    "outage",
                    media="Photo",
                )
        t = OUTAGE_START + dt.timedelta(minutes=52)
        body = self.text.fill(
            "We're aware of an outage affecting the Nimbus app and cloud. Devices with local scenes keep working. We'll update this post as we learn more. Status page: {status}\n\nEDIT: fix rolling out, thanks for your patience.",
            Ctx("reddit", "app_outage", brand_post=True),
        )
        self.world.megathread = self.world.reddit_submission(
            self.people.brand_account("reddit"),
            t,
            "[Megathread] App and cloud outage - October 14",
            body,
            "app_outage",
            "neutral",
            "NimbusHome",
            "Official",
            "megathread",
        )
