"""The commerce domain: models, rules, ports and application services.

Imports only the standard library and ``attrs``. Adapters (``commerce_adapters``) implement
the ports; ``commerce_adapters.connect()`` wires them into a :class:`Commerce` facade.
"""

from commerce_core.errors import CommerceError
from commerce_core.money import Money
from commerce_core.version import __version__

__all__ = ["CommerceError", "Money", "__version__"]
