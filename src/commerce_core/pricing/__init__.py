"""Pricing: coupons, tax and shipping rate tables, and cart totals."""
