"""Fakes that behave like the real services, for demos and tests."""
