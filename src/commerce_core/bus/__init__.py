"""The event bus part: how committed domain events reach their consumers."""
