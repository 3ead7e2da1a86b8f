"""SQL repositories, one module per port (mirroring the core's ports and the memory adapters)."""

from commerce_adapters.sql.repositories.accounts import SqlAddresses, SqlUsers
from commerce_adapters.sql.repositories.catalog import SqlCategories, SqlProducts
from commerce_adapters.sql.repositories.checkout import SqlCheckouts
from commerce_adapters.sql.repositories.coupons import SqlCoupons
from commerce_adapters.sql.repositories.fraud import SqlFraud
from commerce_adapters.sql.repositories.idempotency import SqlIdempotency
from commerce_adapters.sql.repositories.inventory import SqlInventory
from commerce_adapters.sql.repositories.notifications import SqlNotifications
from commerce_adapters.sql.repositories.orders import SqlOrders
from commerce_adapters.sql.repositories.outbox import SqlOutbox
from commerce_adapters.sql.repositories.payments import SqlPayments
from commerce_adapters.sql.repositories.processed import SqlProcessedEvents
from commerce_adapters.sql.repositories.reviews import SqlReviews
from commerce_adapters.sql.repositories.sellers import SqlSellers
from commerce_adapters.sql.repositories.sequences import SqlSequences
from commerce_adapters.sql.repositories.settings import SqlSettings
from commerce_adapters.sql.repositories.shipping import SqlShipments
from commerce_adapters.sql.repositories.webhooks import SqlWebhooks
from commerce_adapters.sql.repositories.wishlist import SqlWishlists

__all__ = [
    "SqlAddresses",
    "SqlCategories",
    "SqlCheckouts",
    "SqlCoupons",
    "SqlFraud",
    "SqlIdempotency",
    "SqlInventory",
    "SqlNotifications",
    "SqlOrders",
    "SqlOutbox",
    "SqlPayments",
    "SqlProcessedEvents",
    "SqlProducts",
    "SqlReviews",
    "SqlSellers",
    "SqlSequences",
    "SqlSettings",
    "SqlShipments",
    "SqlUsers",
    "SqlWebhooks",
    "SqlWishlists",
]
