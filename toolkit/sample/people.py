"""The sample's accounts: the brand, its competitors, customers (with heavy-tailed activity) and
spammers on every platform, built from seeded Faker names.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass

from faker import Faker

from toolkit.sample.ids import B36, IdMaker
from toolkit.sample.scenario import BRAND_ACCOUNTS, COMPETITORS, HOME_INSTANCE, OTHER_INSTANCES, UTC
from toolkit.sample.text import BIOS, REDDIT_ADJECTIVES, REDDIT_NOUNS, SPAM_NAMES


@dataclass(eq=False)
class Account:
    """One account on one platform (customer, brand, competitor or spammer)."""

    platform: str
    id: str
    username: str
    name: str
    followers: int
    following: int
    statuses: int
    created: dt.datetime
    role: str = "customer"  # customer, brand, competitor, spam, influencer
    instance: str = ""
    description: str = ""
    verified: bool = False
    deleted: bool = False
    fullname: str = ""
    lang: str = "en"

    @property
    def is_brand(self) -> bool:
        """Whether the author is one of the brand's accounts."""
        return self.role == "brand"

    @property
    def acct(self) -> str:
        """Mastodon `acct`: bare for local accounts, user@instance for remote ones."""
        return (
            self.username if self.instance == HOME_INSTANCE else f"{self.username}@{self.instance}"
        )

    @property
    def profile_url(self) -> str:
        """The account's profile URL on its instance."""
        return f"https://{self.instance}/@{self.username}"


class People:
    """All accounts of the sample, with heavy-tailed activity weights for picking authors.

    Parameters
    ----------
    rng : random.Random
        The simulation's one random stream (accounts are drawn first, in a fixed order).
    fakers : dict of str to Faker
        Seeded Faker instances by locale, for names and usernames.
    ids : IdMaker
        Id factory.
    """

    SIZES = {"twitter": 2100, "reddit": 720, "mastodon": 420}
    FOREIGN = {"de": "de_DE", "es": "es_ES", "fr": "fr_FR"}

    def __init__(self, rng: random.Random, fakers: dict[str, Faker], ids: IdMaker):
        self.rng, self.fakers, self.ids = rng, fakers, ids
        self.taken: dict[str, set[str]] = {p: set() for p in BRAND_ACCOUNTS}
        self.brand = self._brand_accounts()
        self.competitors = [self._competitor(n, h) for n, h in COMPETITORS.items()]
        self.customers: dict[str, list[Account]] = {}
        self.cum_weights: dict[str, list[float]] = {}
        for platform, size in self.SIZES.items():
            self._customer_pool(platform, size)
        self.spammers = {
            p: [self._spammer(p) for _ in range(n)]
            for p, n in (("twitter", 24), ("mastodon", 6), ("reddit", 5))
        }

    # -- picking
    def pick(self, platform: str, exclude: Account | None = None) -> Account:
        """A customer, more active ones more often (never `exclude`)."""
        pool, cw = self.customers[platform], self.cum_weights[platform]
        while True:
            acc = self.rng.choices(pool, cum_weights=cw)[0]
            if acc is not exclude:
                return acc

    def brand_account(self, platform: str, index: int = 0) -> Account:
        """The brand's account on `platform` (index into BRAND_ACCOUNTS)."""
        return self.brand[(platform, BRAND_ACCOUNTS[platform][index])]

    def all_accounts(self) -> list[Account]:
        """Every account: brand, competitors, customers and spammers."""
        accounts = list(self.brand.values()) + self.competitors
        for platform in self.SIZES:
            accounts += self.customers[platform] + self.spammers[platform]
        return accounts

    # -- construction
    def _unique_name(self, platform: str, candidate: str, limit: int) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "", candidate)[:limit] or "user"
        name = base
        while name.lower() in self.taken[platform]:
            name = f"{base[: limit - 4]}{self.rng.randrange(10, 9999)}"
        self.taken[platform].add(name.lower())
        return name

    def _created(self, earliest: int = 2008) -> dt.datetime:
        start = dt.datetime(earliest, 1, 1, tzinfo=UTC)
        span = (dt.datetime(2026, 8, 15, tzinfo=UTC) - start).total_seconds()
        return start + dt.timedelta(seconds=int(self.rng.random() * span))

    def _account_id(self, platform: str, created: dt.datetime) -> str:
        if platform == "twitter":
            if created.year < 2011:
                return str(self.rng.randrange(10_000_000, 250_000_000))
            return self.ids.twitter(created)
        if platform == "mastodon":
            return self.ids.mastodon(created)
        return "t2_" + "".join(self.rng.choice(B36) for _ in range(self.rng.choice((8, 8, 9))))

    def _brand_accounts(self) -> dict[tuple[str, str], Account]:
        specs = {
            ("twitter", "NimbusHome"): (
                "Nimbus Home",
                184_300,
                "Smart lighting, heating & sensors that just work. Help: @NimbusSupport",
            ),
            ("twitter", "NimbusSupport"): (
                "Nimbus Support",
                41_250,
                "Official support for Nimbus Home. 7am-9pm CT weekdays. Status: status.nimbushome.example",
            ),
            ("reddit", "NimbusHome_Official"): ("Nimbus Home", 0, ""),
            ("mastodon", "nimbushome"): (
                "Nimbus Home",
                6_420,
                "Smart home devices. Official account.",
            ),
            ("facebook", "NimbusHome"): ("Nimbus Home", 412_000, ""),
            ("instagram", "nimbushome"): ("Nimbus Home", 96_400, ""),
        }
        accounts = {}
        for (platform, handle), (name, followers, bio) in specs.items():
            created = dt.datetime(2015, 4, 21, 14, 2, 11, tzinfo=UTC)
            acc = Account(
                platform,
                self._account_id(platform, created),
                handle,
                name,
                followers,
                310,
                15_400,
                created,
                role="brand",
                instance=HOME_INSTANCE if platform == "mastodon" else "",
                description=bio,
                verified=True,
            )
            acc.fullname = acc.id if platform == "reddit" else ""
            self.taken[platform].add(handle.lower())
            accounts[(platform, handle)] = acc
        return accounts

    def _competitor(self, name: str, handle: str) -> Account:
        created = self._created(2012)
        self.taken["twitter"].add(handle.lower())
        return Account(
            "twitter",
            self._account_id("twitter", created),
            handle,
            name,
            self.rng.randrange(60_000, 260_000),
            900,
            9_800,
            created,
            role="competitor",
            description=f"Official {name} account",
            verified=True,
        )

    def _customer_pool(self, platform: str, size: int) -> None:
        pool = [self._customer(platform) for _ in range(size)]
        activity = [self.rng.lognormvariate(0.0, 1.15) for _ in pool]
        for i in self.rng.sample(range(size), 4):  # a few very active regulars
            activity[i] *= 6
        for i in self.rng.sample(range(size), 6 if platform == "twitter" else 0):
            pool[i].role, pool[i].followers, pool[i].verified = (
                "influencer",
                self.rng.randrange(20_000, 260_000),
                True,
            )
        total, cw = 0.0, []
        for a in activity:
            total += a
            cw.append(total)
        self.customers[platform], self.cum_weights[platform] = pool, cw

    def _customer(self, platform: str) -> Account:
        rng = self.rng
        lang = rng.choices(("en", "de", "es", "fr"), weights=(0.9, 0.035, 0.04, 0.025))[0]
        fake = self.fakers[self.FOREIGN.get(lang, rng.choice(("en_US", "en_US", "en_US", "en_GB")))]
        first, last = fake.first_name(), fake.last_name()
        created = self._created(2008 if platform != "mastodon" else 2017)
        username = self._username(platform, fake, first, last)
        followers = int(rng.lognormvariate(4.7, 1.6)) if platform != "reddit" else 0
        acc = Account(
            platform,
            self._account_id(platform, created),
            username,
            self._display_name(first, last, username),
            followers,
            int(rng.lognormvariate(5.6, 1.0)),
            int(rng.lognormvariate(7.0, 1.5)) + 1,
            created,
            description=rng.choice(BIOS),
            lang=lang,
        )
        if platform == "mastodon":
            acc.instance = HOME_INSTANCE if rng.random() < 0.5 else rng.choice(OTHER_INSTANCES)
            acc.created = acc.created.replace(hour=0, minute=0, second=0)
        if platform == "reddit":
            acc.fullname, acc.deleted = acc.id, rng.random() < 0.04
        return acc

    def _username(self, platform: str, fake: Faker, first: str, last: str) -> str:
        rng = self.rng
        if platform == "reddit":
            style = rng.random()
            if style < 0.4:
                raw = f"{rng.choice(REDDIT_ADJECTIVES)}-{rng.choice(REDDIT_NOUNS)}-{rng.randrange(1000, 9999)}"
                return self._unique_name(platform, raw.replace("-", "_"), 20).replace("_", "-", 2)
            if style < 0.5:
                return self._unique_name(platform, f"throwaway_{rng.randrange(1000, 99999)}", 20)
            return self._unique_name(platform, fake.user_name(), 20)
        styles = (
            fake.user_name(),
            f"{first}{last[:1]}{rng.randrange(10, 99)}",
            f"{first}_{last}",
            f"the{last}{rng.randrange(1, 9)}",
        )
        name = rng.choices(styles, weights=(0.55, 0.2, 0.15, 0.1))[0]
        return self._unique_name(
            platform, unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode(), 15
        )

    def _display_name(self, first: str, last: str, username: str) -> str:
        rng, r = self.rng, self.rng.random()
        if r < 0.6:
            return f"{first} {last}"
        if r < 0.75:
            return f"{first} {rng.choice(('🌿', '☕', '🏡', '✨', '🎧', last[:1] + '.'))}"
        if r < 0.9:
            return username.lower()
        return (
            f"{first.lower()} {rng.choice(('the builder', 'in chicago', 'reads', 'makes things'))}"
        )

    def _spammer(self, platform: str) -> Account:
        created = dt.datetime(2026, self.rng.randrange(5, 9), self.rng.randrange(1, 28), tzinfo=UTC)
        raw = self.rng.choice(
            (
                "crypto_king",
                "follow4follow",
                "giveaway_",
                "earn_daily",
                "boost_followers",
                "nft_drop",
            )
        )
        username = self._unique_name(
            platform, f"{raw}{self.rng.randrange(100, 99999)}", 15 if platform == "twitter" else 20
        )
        acc = Account(
            platform,
            self._account_id(platform, created),
            username,
            self.rng.choice(SPAM_NAMES),
            self.rng.randrange(0, 40),
            self.rng.randrange(2000, 5000),
            self.rng.randrange(500, 20000),
            created,
            role="spam",
            description="💸 DM for promo 💸",
        )
        if platform == "mastodon":
            acc.instance = self.rng.choice(OTHER_INSTANCES)
        if platform == "reddit":
            acc.fullname = acc.id
        return acc
