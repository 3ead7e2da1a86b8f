"""Outgoing webhooks: the shop's own integrators told of its events over HTTP."""
