"""The API contract: operations declared once, from which the routes (``serve``), the
OpenAPI document (``document``) and the typed client (``client``) are made."""
