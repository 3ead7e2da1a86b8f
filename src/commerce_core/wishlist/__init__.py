"""Wishlists: products a customer keeps for later, and moving them into the cart."""
