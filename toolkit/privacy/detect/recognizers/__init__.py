"""Pattern recognisers for the quasi-identifiers in post text, one per file (Presidio style).

Each recogniser finds one entity type with regexes, context words and a validate step (see
`base.PatternRecognizer`); `toolkit.privacy.detect.analyzer.Detector` runs them next to the core
recognisers (emails, phones, cards, names, ...). To add one: subclass `PatternRecognizer` in a
new file, add it to `default_recognizers`, and add a new entity type to
`toolkit.privacy.detect.entities.ENTITY_TYPES`.
"""

from __future__ import annotations

from toolkit.privacy.detect.recognizers.age import AGE, AgeRecognizer
from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer
from toolkit.privacy.detect.recognizers.date_of_birth import DATE_TIME, DateOfBirthRecognizer
from toolkit.privacy.detect.recognizers.passport import PASSPORT, PassportRecognizer
from toolkit.privacy.detect.recognizers.postal_block import PostalBlockRecognizer
from toolkit.privacy.detect.recognizers.postcode import PostcodeRecognizer
from toolkit.privacy.detect.recognizers.profile_url import ProfileUrlRecognizer, handle_of
from toolkit.privacy.detect.recognizers.street_address import StreetAddressRecognizer
from toolkit.privacy.detect.recognizers.uk_nino import UK_NINO, UkNinoRecognizer
from toolkit.privacy.detect.recognizers.uk_sort_code import UK_SORT_CODE, UkSortCodeRecognizer
from toolkit.privacy.detect.recognizers.us_driver_license import (
    US_DRIVER_LICENSE,
    UsDriverLicenseRecognizer,
)
from toolkit.privacy.detect.recognizers.us_ssn import US_SSN, UsSsnRecognizer

__all__ = [
    "AGE",
    "DATE_TIME",
    "PASSPORT",
    "UK_NINO",
    "UK_SORT_CODE",
    "US_DRIVER_LICENSE",
    "US_SSN",
    "AgeRecognizer",
    "DateOfBirthRecognizer",
    "PassportRecognizer",
    "Pattern",
    "PatternRecognizer",
    "PostalBlockRecognizer",
    "PostcodeRecognizer",
    "ProfileUrlRecognizer",
    "StreetAddressRecognizer",
    "UkNinoRecognizer",
    "UkSortCodeRecognizer",
    "UsDriverLicenseRecognizer",
    "UsSsnRecognizer",
    "default_recognizers",
    "handle_of",
]


def default_recognizers() -> tuple[PatternRecognizer, ...]:
    """One instance of every recogniser, in the order the detector runs them."""
    return (
        StreetAddressRecognizer(),
        PostcodeRecognizer(),
        PostalBlockRecognizer(),
        AgeRecognizer(),
        DateOfBirthRecognizer(),
        UsSsnRecognizer(),
        UsDriverLicenseRecognizer(),
        PassportRecognizer(),
        UkSortCodeRecognizer(),
        UkNinoRecognizer(),
        ProfileUrlRecognizer(),
    )
