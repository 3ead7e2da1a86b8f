"""Shipping: carrier quotes, shipments per seller with tracking, and delivery."""
