"""Notifications: domain events rendered to email, SMS, push and in-app messages."""
