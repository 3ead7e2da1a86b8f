"""Postal addresses as values (the address book with ids belongs to accounts)."""

from __future__ import annotations

import attrs

from commerce_core.errors import ValidationError
from commerce_core.validation import text

# what each line may hold: generous for any country's addresses, bounded for every store
LIMITS = {"line1": 200, "line2": 200, "name": 200, "city": 100, "region": 100,
          "postal_code": 20, "country": 2}


@attrs.frozen
class Address:
    line1: str
    city: str
    postal_code: str
    country: str
    region: str = ""
    line2: str = ""
    name: str = ""

    def __attrs_post_init__(self) -> None:
        for field, limit in LIMITS.items():  # before the blanks: country is checked below
            text(field, getattr(self, field), limit if field != "country" else 20)
        missing = {f: "required" for f in ("line1", "city", "postal_code", "country")
                   if not str(getattr(self, f)).strip()}
        if missing:
            raise ValidationError("address is incomplete", missing)
        country = self.country.strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError("country must be an ISO 3166 alpha-2 code",
                                  {"country": "expected 2 letters"})
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "region", self.region.strip().upper())
