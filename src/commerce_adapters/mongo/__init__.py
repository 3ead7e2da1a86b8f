"""MongoDB: the catalog part (products, categories, reviews and votes, user activity)."""
