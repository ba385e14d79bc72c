"""Planted personal data: the emails, phone numbers, order numbers, addresses, names and test
card numbers that customers overshare in the sample (labels.jsonl records where each one is).
"""

from __future__ import annotations

import random
import unicodedata

from faker import Faker

from toolkit.sample.text import TEST_CARDS


class PiiMaker:
    """Planted personal data: unique-ish emails, phones, order numbers, addresses, names, cards.

    Phone numbers use ranges reserved for fiction where a country has them (US 555-01xx,
    UK Ofcom drama numbers, FR ARCEP fiction ranges); emails use reserved example domains.

    Parameters
    ----------
    rng : random.Random
        Source of randomness.
    fakers : dict of str to Faker
        Seeded Faker instances by locale.
    """

    EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")

    def __init__(self, rng: random.Random, fakers: dict[str, Faker]):
        self.rng, self.fakers = rng, fakers
        self.used: set[str] = set()
        self.cards_left = 8

    def _fresh(self, make) -> str:
        for _ in range(50):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value
        return value

    def make(self, slot: str, lang: str = "en") -> str:
        """One value for a PII slot (EMAIL, PHONE, ORDER, ADDRESS, NAME, FIRST, CARD)."""
        maker = {
            "EMAIL": self.email,
            "PHONE": lambda: self.phone(lang),
            "ORDER": self.order,
            "ADDRESS": self.address,
            "NAME": self.name,
            "FIRST": self.first,
            "CARD": self.card,
        }[slot]
        return self._fresh(maker)

    def email(self) -> str:
        """An email address on a reserved example domain."""
        fake = self.fakers[self.rng.choice(("en_US", "en_US", "en_GB", "de_DE", "fr_FR", "es_ES"))]
        first, last = (
            self._ascii(fake.first_name()).lower(),
            self._ascii(fake.last_name()).lower(),
        )
        local = self.rng.choice(
            (
                f"{first}.{last}",
                f"{first}{last}{self.rng.randrange(1, 99)}",
                f"{first[0]}{last}",
                f"{first}_{last[0]}",
                f"{last}.{first}{self.rng.randrange(70, 99)}",
            )
        )
        return f"{local}@{self.rng.choice(self.EMAIL_DOMAINS)}"

    def phone(self, lang: str = "en") -> str:
        """A phone number in a national or international format (fiction ranges where they exist)."""
        rng = self.rng
        country = {"de": "DE", "fr": "FR", "es": "ES"}.get(lang) or rng.choices(
            ("US", "GB", "DE", "FR", "ES"), weights=(0.55, 0.17, 0.1, 0.1, 0.08)
        )[0]
        d = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))  # noqa: E731
        if country == "US":
            area, line = (
                rng.choice(("312", "773", "512", "415", "206", "617", "303", "404", "214", "646")),
                f"01{d(2)}",
            )
            return rng.choice(
                (
                    f"({area}) 555-{line}",
                    f"{area}-555-{line}",
                    f"{area}.555.{line}",
                    f"+1 {area} 555 {line}",
                    f"+1-{area}-555-{line}",
                )
            )
        if country == "GB":
            tail = f"0{d(3)}"
            return rng.choice(
                (
                    f"020 7946 {tail}",
                    f"+44 20 7946 {tail}",
                    f"0161 496 {tail}",
                    f"+44 (0)161 496 {tail}",
                    f"0113 496 {tail}",
                )
            )
        if country == "DE":
            tail = d(3)
            return rng.choice(
                (
                    f"030 23125 {tail}",
                    f"+49 30 23125{tail}",
                    f"+49 (0)30 23125 {tail}",
                    f"030/23125{tail}",
                )
            )
        if country == "FR":
            a, b = d(2), d(2)
            return rng.choice(
                (
                    f"01 99 00 {a} {b}",
                    f"+33 1 99 00 {a} {b}",
                    f"01.99.00.{a}.{b}",
                    f"06 39 98 {a} {b}",
                )
            )
        return rng.choice(
            (
                f"+34 6{d(2)} {d(2)} {d(2)} {d(2)}",
                f"6{d(2)} {d(3)} {d(3)}",
                f"+34 91 {d(3)} {d(2)} {d(2)}",
            )
        )

    def order(self) -> str:
        """A Nimbus order number, NH-123456 or NH123456."""
        digits = str(self.rng.randrange(100000, 999999))
        return self.rng.choice((f"NH-{digits}", f"NH{digits}", f"NH-{digits}"))

    def address(self) -> str:
        """A US or UK street address on one line."""
        if self.rng.random() < 0.7:
            f = self.fakers["en_US"]
            return f"{f.street_address()}, {f.city()}, {f.state_abbr(include_territories=False)} {f.zipcode()}".replace(
                "\n", ", "
            )
        f = self.fakers["en_GB"]
        return f"{f.street_address()}, {f.city()} {f.postcode()}".replace("\n", ", ")

    def name(self) -> str:
        """A full name."""
        fake = self.fakers[self.rng.choice(("en_US", "en_US", "en_GB", "es_ES", "de_DE"))]
        return f"{fake.first_name()} {fake.last_name()}"

    def first(self) -> str:
        """A first name."""
        return self.fakers["en_US"].first_name()

    def card(self) -> str:
        """A Luhn-valid test card number, grouped by spaces or dashes."""
        number = self.rng.choice(TEST_CARDS)
        sep = self.rng.choice((" ", "-"))
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))

    @staticmethod
    def _ascii(text: str) -> str:
        return (
            unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "")
        )
