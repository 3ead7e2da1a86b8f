"""Redis adapters (redis-py): carts, the cache, rate limits and token revocations, rankings.

One module per port. URLs: ``redis://[:password@]host:port/db``, ``rediss://`` for TLS, and
``redis+cluster://host:port`` (or ``rediss+cluster://``) for a Redis Cluster, whose keys of one
cart, one limit or the revocation index share a hash tag so each script touches one slot.
"""
