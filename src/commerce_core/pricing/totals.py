"""Cart and order totals: subtotal, coupon discount spread over lines, shipping and tax."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import attrs

from commerce_core.money import Money, total
from commerce_core.pricing.coupons import Coupon
from commerce_core.pricing.rates import PricingRules


@attrs.frozen
class LineInput:
    key: int
    unit_price: Money
    quantity: int
    seller_id: int
    category_id: int
    weight_grams: int = 0


@attrs.frozen
class PricedLine:
    key: int
    unit_price: Money
    quantity: int
    subtotal: Money
    discount: Money
    tax: Money

    @property
    def total(self) -> Money:
        return self.subtotal - self.discount + self.tax


@attrs.frozen
class Totals:
    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    coupon_code: str | None = None

    @property
    def total(self) -> Money:
        return self.subtotal - self.discount + self.shipping + self.tax

    def line(self, key: int) -> PricedLine:
        return next(line for line in self.lines if line.key == key)


def price_lines(lines: Sequence[LineInput], currency: str, rules: PricingRules, *,
                country: str | None = None, region: str | None = None,
                coupon: Coupon | None = None,
                ancestors: Mapping[int, Collection[int]] | None = None) -> Totals:
    """Price a cart. The coupon's discount and the tax are each rounded once for the whole
    cart and then allocated over lines by largest remainder, so line figures add up exactly.

    A coupon that does not fit (scope, minimum) raises ValidationError naming the reason.
    """
    ancestors = ancestors or {}
    country = country or rules.default_country
    region = rules.default_region if region is None else region
    subtotals = [line.unit_price * line.quantity for line in lines]
    subtotal = total(subtotals, currency)
    discounts = [Money.zero(currency)] * len(lines)
    free_shipping = False
    if coupon is not None:
        eligible = [coupon.in_scope(line.seller_id, line.category_id,
                                    ancestors.get(line.category_id, ()))
                    for line in lines]
        eligible_total = total([s for s, ok in zip(subtotals, eligible, strict=True) if ok],
                               currency)
        coupon.check_subtotal(eligible_total)
        free_shipping = coupon.frees_shipping
        discount = coupon.discount_on(eligible_total)
        weights = [s.minor_units if ok else 0 for s, ok in zip(subtotals, eligible, strict=True)]
        discounts = discount.allocate(weights)
    discounted = [s - d for s, d in zip(subtotals, discounts, strict=True)]
    after_discount = total(discounted, currency)
    weight = sum(line.weight_grams * line.quantity for line in lines)
    shipping = (Money.zero(currency) if free_shipping or not lines
                else rules.shipping.quote(country, after_discount, weight))
    tax_total = after_discount.times_rate(rules.tax.rate_for(country, region))
    taxes = (tax_total.allocate([d.minor_units for d in discounted]) if lines else [])
    priced = tuple(
        PricedLine(line.key, line.unit_price, line.quantity, s, d, t)
        for line, s, d, t in zip(lines, subtotals, discounts, taxes, strict=True)
    )
    return Totals(currency, priced, subtotal, total(discounts, currency), shipping,
                  tax_total, coupon.code if coupon else None)
