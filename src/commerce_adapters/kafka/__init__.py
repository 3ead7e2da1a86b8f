"""Kafka: the event bus fed by the outbox relay, and the consumer groups (confluent-kafka)."""
