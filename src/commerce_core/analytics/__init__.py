"""Figures over a date range: a seller's sales, and the admin dashboard."""
