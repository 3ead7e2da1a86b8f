"""The cache part: a key-value store with time to live, in front of the read models."""
