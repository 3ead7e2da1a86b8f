"""Inventory: stock per variant, reservations with expiry, and the movement audit trail."""
