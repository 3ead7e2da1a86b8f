"""Catalog: products, variants, categories, listing and product detail."""
