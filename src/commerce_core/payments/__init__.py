"""Payments: payment records, the gateway port, retries, circuit breaker and refunds."""
