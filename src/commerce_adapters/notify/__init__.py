"""Notifiers: where email, SMS and push messages go."""
