"""Sellers: store profiles with ratings, their stock, their order items and refunds."""
