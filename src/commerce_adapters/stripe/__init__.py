"""Stripe: the payment gateway on the official SDK (``gateway.py``, needs the ``stripe``
extra) and Stripe's webhook format and signature scheme (``events.py``, stdlib only, which
the fake gateway shares so both feed one webhook endpoint)."""
