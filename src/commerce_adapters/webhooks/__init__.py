"""Sending outgoing webhooks over HTTP."""
