"""What the public page and the public PDF may show of an adopted version: no personal contact details.

A fiche's free texts (référents « et coordonnées », governance members, partners…) often carry a person's phone
number or e-mail address. The members' documents keep them; the public renderings never do. The consent that would
allow publishing them belongs to each person named, which a free text cannot record, so the rule is simple and
checkable: every e-mail address and phone number found in any text of the snapshot is replaced by a neutral mention.
The organisation's own contact stays reachable through the legal pages.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers (05 53 00 00 00, 05.53.00.00.00, 0553000000, +33 5 53 00 00 00, +33 (0)5 53…, 0033…) and other
# international numbers (+44 20 7946 0958). Amounts, dates, SIREN and commune codes never match: they have no
# leading 0 followed by 9 digits, nor a leading +.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?!\d)"
    r"|(?<![\w+])\+[1-9]\d{0,2}(?:[\s.\-]?\(?\d{1,4}\)?){2,5}(?!\d)"
)

# Keys whose values are images or identifiers, never free text.
_SKIPPED_KEYS = {"image", "pk", "ref", "key"}


def redact_text(text: str) -> str:
    hidden = _("[coordonnées non publiées]")
    return PHONE.sub(hidden, EMAIL.sub(hidden, text))


def public_snapshot(value: Any) -> Any:
    """The snapshot (or any part of it) with every e-mail address and phone number replaced."""
    if isinstance(value, str):
        return value if value.startswith("data:") else redact_text(value)
    if isinstance(value, dict):
        return {k: v if k in _SKIPPED_KEYS else public_snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [public_snapshot(v) for v in value]
    return value
