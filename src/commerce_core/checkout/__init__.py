"""Checkout: the order-creation saga with compensation, recovery and idempotency."""
