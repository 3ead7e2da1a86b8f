"""Fraud screening: a rule-based risk score on every order and a review queue for admins."""
