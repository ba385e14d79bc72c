"""Entity types the detector reports (named as Presidio names them) and `Span`, one detection.

The pattern recognisers under `recognizers/` define the types they add (AGE, US_SSN, ...);
this module lists every type in report order and the groups the rest of the toolkit uses
(types only the NER layer finds, contact details, types never published raw).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from toolkit.privacy.detect.recognizers import (
    AGE,
    DATE_TIME,
    PASSPORT,
    UK_NINO,
    UK_SORT_CODE,
    US_DRIVER_LICENSE,
    US_SSN,
)

EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
IP_ADDRESS = "IP_ADDRESS"
URL = "URL"
HANDLE = "HANDLE"
ORDER_NUMBER = "ORDER_NUMBER"
STREET_ADDRESS = "STREET_ADDRESS"
PERSON = "PERSON"
# From the statistical NER layer (`toolkit.privacy.detect.ner`) and the place gazetteer
# (`toolkit.privacy.detect.places`), named as Presidio names them.
LOCATION = "LOCATION"
ORGANIZATION = "ORGANIZATION"
NRP = "NRP"

#: Every entity type `detect` can return, in report order.
ENTITY_TYPES: tuple[str, ...] = (
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    CREDIT_CARD,
    IBAN_CODE,
    US_SSN,
    UK_NINO,
    PASSPORT,
    US_DRIVER_LICENSE,
    UK_SORT_CODE,
    STREET_ADDRESS,
    DATE_TIME,
    AGE,
    PERSON,
    LOCATION,
    ORGANIZATION,
    NRP,
    HANDLE,
    ORDER_NUMBER,
    IP_ADDRESS,
    URL,
)
#: Places, organisations, dates and groups: what a post is about more than who wrote it
#: (topic text keeps them). The NER layer finds them; places also come from a gazetteer
#: (`places`) and dates of birth from a pattern (`recognizers.date_of_birth`).
CONTEXT_TYPES = frozenset({LOCATION, ORGANIZATION, NRP, DATE_TIME})
#: Types that let someone contact the person directly.
CONTACT_TYPES = frozenset({EMAIL_ADDRESS, PHONE_NUMBER, STREET_ADDRESS})
#: Types that are redacted even under the "full" quote policy: everything but URLs. PERSON is
#: included because the report gate treats every name found in customer posts as a customer
#: identifier; order numbers and IPs link a post to a customer record; an age or a date of
#: birth narrows a person down among the few who wrote about the same thing.
NEVER_RAW_TYPES = frozenset(ENTITY_TYPES) - {URL}


@dataclass(frozen=True)
class Span:
    """One piece of personal data: character offsets into the original text, type, confidence."""

    start: int
    end: int
    entity_type: str
    score: float
    text: str


def contains_contact_details(spans: Iterable[Span]) -> bool:
    """True if any span is an email address, phone number or street address."""
    return any(span.entity_type in CONTACT_TYPES for span in spans)
