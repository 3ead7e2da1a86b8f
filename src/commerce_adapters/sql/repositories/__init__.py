"""SQL repositories, one module per group of ports (mirroring the memory adapters)."""

from commerce_adapters.sql.repositories.accounts import (
    SqlAddresses,
    SqlRevocations,
    SqlSellers,
    SqlUsers,
)
from commerce_adapters.sql.repositories.catalog import SqlCategories, SqlProducts
from commerce_adapters.sql.repositories.engagement import SqlFraud, SqlReviews, SqlWishlists
from commerce_adapters.sql.repositories.inventory import SqlInventory
from commerce_adapters.sql.repositories.misc import (
    SqlCoupons,
    SqlIdempotency,
    SqlOutbox,
    SqlSequences,
)
from commerce_adapters.sql.repositories.orders import SqlCheckouts, SqlOrders, SqlPayments
from commerce_adapters.sql.repositories.shipping import SqlNotifications, SqlShipments

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
    "SqlProducts",
    "SqlReviews",
    "SqlRevocations",
    "SqlSellers",
    "SqlSequences",
    "SqlShipments",
    "SqlUsers",
    "SqlWishlists",
]
