"""Orders: the order and item state machines, timeline and history."""
