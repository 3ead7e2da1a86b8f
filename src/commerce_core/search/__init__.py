"""The search part: a product index with text queries, filters and suggestions."""
