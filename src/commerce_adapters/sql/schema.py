"""The schema: the seed's tables plus what the core needs, as SQLAlchemy Core tables.

Ids are the core's 64-bit snowflakes, never database sequences. User ids carry no foreign
key: an embedding application may bring its own users. Money is NUMERIC (see ``Amount``).
Alembic migrations in ``migrations/versions`` create exactly this; a change here needs a new
migration (``tests/integration/test_sql_backends.py`` checks that their indexes agree).
"""

from __future__ import annotations

import sqlalchemy as sa

from commerce_adapters.sql.types import Amount, UtcDateTime

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})


def _id(name: str = "id") -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, primary_key=True, autoincrement=False)


def _fk(name: str, target: str, *, ondelete: str | None = "CASCADE",
        nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, sa.ForeignKey(target, ondelete=ondelete),
                     nullable=nullable, index=True)


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


# Accounts -----------------------------------------------------------------------------------
users = sa.Table(
    "users", metadata, _id(),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("role", sa.String(16), nullable=False, index=True),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"),
    _ts("created_at"), _ts("updated_at"),
    # the seed's optional names (migration 0012); ``name`` is the display name, may be ""
    sa.Column("first_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("last_name", sa.String(100), nullable=False, server_default=""),
)

user_addresses = sa.Table(
    "user_addresses", metadata, _id(),
    sa.Column("user_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("label", sa.String(100), nullable=False, server_default=""),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("line1", sa.String(255), nullable=False),
    sa.Column("line2", sa.String(255), nullable=False, server_default=""),
    sa.Column("city", sa.String(100), nullable=False),
    sa.Column("region", sa.String(50), nullable=False, server_default=""),
    sa.Column("postal_code", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("is_default_shipping", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_default_billing", sa.Boolean, nullable=False, server_default=sa.false()),
)

revoked_tokens = sa.Table(
    "revoked_tokens", metadata,
    sa.Column("token_id", sa.String(64), primary_key=True),
    _ts("expires_at"),
)

sellers = sa.Table(
    "sellers", metadata, _id("user_id"),
    sa.Column("store_name", sa.String(120), nullable=False),
    sa.Column("store_key", sa.String(120), nullable=False, unique=True),  # casefolded name
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("rating_total", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("rating_count", sa.BigInteger, nullable=False, server_default="0"),
    _ts("created_at"), _ts("updated_at"),
)

# Catalog ------------------------------------------------------------------------------------
categories = sa.Table(
    "categories", metadata, _id(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("name_key", sa.String(100), nullable=False, unique=True),  # lower-cased name
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    _fk("parent_id", "categories.id", ondelete=None, nullable=True),
    _ts("created_at", nullable=True),
)

products = sa.Table(
    "products", metadata, _id(),
    sa.Column("seller_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    _fk("category_id", "categories.id", ondelete=None),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("min_price", Amount(), nullable=False, index=True),  # lowest active variant price
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),  # lower-cased
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("rating", Amount(), nullable=True),
    sa.Column("review_count", sa.Integer, nullable=False, server_default="0"),
    # some active variant has available stock: kept by the inventory repository in the
    # transaction that moves stock across zero, so listings filter without a join
    sa.Column("in_stock", sa.Boolean, nullable=False, server_default=sa.false()),
    _ts("created_at", nullable=True), _ts("updated_at", nullable=True),
    sa.Index("ix_products_created_at", "created_at"),
    # listings, each covering its filter so a page reads few rows: newest first, price
    # sorts, a price range in stock, a category's newest
    sa.Index("ix_products_active_newest", "is_active", "id"),
    sa.Index("ix_products_active_price", "is_active", "min_price", "id"),
    sa.Index("ix_products_listing_price", "is_active", "in_stock", "min_price", "id"),
    sa.Index("ix_products_category_listing", "category_id", "is_active", "id"),
)
# the rating sort's key, unrated last: the listing's ORDER BY and keyset compare exactly this
# expression, so the indexes below serve them (a literal -1, not a parameter, for the match);
# typed plain NUMERIC so SQLite is given a number to compare the key with, not text
RATING_KEY: sa.ColumnElement[object] = sa.type_coerce(
    sa.func.coalesce(products.c.rating, sa.literal_column("-1")), sa.Numeric(19, 4))
sa.Index("ix_products_active_rating", products.c.is_active, RATING_KEY, products.c.id)
# in stock: without it SQLite (no statistics) takes the in-stock price index and sorts
sa.Index("ix_products_listing_rating", products.c.is_active, products.c.in_stock, RATING_KEY,
         products.c.id)
sa.Index("ix_products_category_rating", products.c.category_id, products.c.is_active,
         RATING_KEY, products.c.id)

variants = sa.Table(
    "variants", metadata, _id(),
    _fk("product_id", "products.id"),
    sa.Column("sku", sa.String(64), nullable=False, unique=True),
    sa.Column("price", Amount(), nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("weight_grams", sa.Integer, nullable=False, server_default="0"),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("position", sa.Integer, nullable=False),
)

product_images = sa.Table(
    "product_images", metadata,
    _fk("product_id", "products.id"),
    sa.Column("display_order", sa.Integer, nullable=False),
    sa.Column("image_url", sa.String(500), nullable=False),
    sa.PrimaryKeyConstraint("product_id", "display_order"),
)

product_attributes = sa.Table(
    "product_attributes", metadata,
    _fk("product_id", "products.id"),
    sa.Column("attribute_name", sa.String(100), nullable=False),
    sa.Column("attribute_value", sa.String(255), nullable=False),
    sa.PrimaryKeyConstraint("product_id", "attribute_name"),
)

# Inventory ----------------------------------------------------------------------------------
inventory = sa.Table(
    "inventory", metadata, _id("variant_id"),
    sa.Column("product_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("seller_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("quantity_available", sa.Integer, nullable=False),
    sa.Column("quantity_reserved", sa.Integer, nullable=False),
    sa.Column("quantity_sold", sa.Integer, nullable=False),
    sa.Column("reorder_level", sa.Integer, nullable=False),
    _ts("last_restocked", nullable=True),
    sa.Column("warehouse_location", sa.String(255), nullable=False, server_default=""),
    _ts("updated_at", nullable=True),
    sa.CheckConstraint("quantity_available >= 0 AND quantity_reserved >= 0 "
                       "AND quantity_sold >= 0", name="ck_inventory_not_negative"),
)

stock_movements = sa.Table(
    "stock_movements", metadata, _id(),
    _fk("variant_id", "inventory.variant_id"),
    sa.Column("movement_type", sa.String(16), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(255), nullable=False),
    sa.Column("order_id", sa.BigInteger, nullable=True),
    sa.Column("reservation_id", sa.BigInteger, nullable=True),
    sa.Column("created_by", sa.BigInteger, nullable=True),
    _ts("created_at"),
)

reservations = sa.Table(
    "reservations", metadata, _id(),
    sa.Column("order_id", sa.BigInteger, nullable=True, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    # [[variant_id, quantity], ...]: a reservation's lines never change and are only ever
    # read with it, so they live in its row (one write to hold stock, one read to settle it)
    sa.Column("lines", sa.JSON, nullable=False),
    _ts("expires_at"), _ts("created_at"),
    # when it was committed, released or expired: with status and lines, the trail of a
    # hold (holds write no stock movements)
    _ts("ended_at", nullable=True),
    sa.Index("ix_reservations_active_expiry", "status", "expires_at"),
)

# Pricing ------------------------------------------------------------------------------------
coupons = sa.Table(
    "coupons", metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("data", sa.JSON, nullable=False),  # the coupon's rules, as written
    sa.Column("times_used", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_uses", sa.Integer, nullable=True),
    sa.Column("max_uses_per_user", sa.Integer, nullable=True),
    # the seller scope, also in data: a column so a seller's coupons are listed by index
    sa.Column("seller_id", sa.BigInteger, nullable=True, index=True),
)

coupon_redemptions = sa.Table(
    "coupon_redemptions", metadata,
    sa.Column("code", sa.String(64), sa.ForeignKey("coupons.code", ondelete="CASCADE"),
              nullable=False),
    sa.Column("order_id", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    _ts("redeemed_at"),
    sa.PrimaryKeyConstraint("code", "order_id"),
    sa.Index("ix_coupon_redemptions_user", "code", "user_id"),
)

# Shop settings: one row per section (tax, shipping, fraud), read by every checkout -------
shop_settings = sa.Table(
    "shop_settings", metadata,
    sa.Column("section", sa.String(32), primary_key=True),
    sa.Column("data", sa.JSON, nullable=True),  # null: reset, the defaults given in Python
    sa.Column("version", sa.Integer, nullable=False),  # +1 per write, never down
    _ts("updated_at"),
    sa.Column("updated_by", sa.BigInteger, nullable=True),
)

# Carts (the database is the default cart store) ---------------------------------------------
carts = sa.Table(
    "carts", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("cart_id", sa.String(64), nullable=False),
    sa.Column("coupon_code", sa.String(64), nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    _ts("created_at"), _ts("updated_at"),
)

cart_items = sa.Table(
    "cart_items", metadata, _id(),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("carts.user_id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("product_id", sa.BigInteger, nullable=False),
    sa.Column("variant_id", sa.BigInteger, nullable=False),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("product_name", sa.String(255), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", Amount(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("seller_id", sa.BigInteger, nullable=False),
    sa.Column("category_id", sa.BigInteger, nullable=False),
    sa.Column("weight_grams", sa.Integer, nullable=False),
    sa.Column("selected_attributes", sa.JSON, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.UniqueConstraint("user_id", "variant_id"),
)

# Orders, checkouts, payments ----------------------------------------------------------------
orders = sa.Table(
    "orders", metadata, _id(),
    sa.Column("order_number", sa.String(50), nullable=False, unique=True),
    sa.Column("user_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("subtotal", Amount(), nullable=False),
    sa.Column("discount", Amount(), nullable=False),
    sa.Column("shipping", Amount(), nullable=False),
    sa.Column("tax", Amount(), nullable=False),
    sa.Column("total_amount", Amount(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("payment_status", sa.String(24), nullable=False),
    sa.Column("shipping_address", sa.JSON, nullable=False),
    sa.Column("billing_address", sa.JSON, nullable=False),
    sa.Column("coupon_code", sa.String(64), nullable=True),
    sa.Column("payment_method", sa.String(50), nullable=False),
    sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("timeline", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    _ts("created_at"), _ts("updated_at"),
    sa.Index("ix_orders_created_at", "created_at"),
    sa.Index("ix_orders_user_created", "user_id", "created_at"),
)

order_items = sa.Table(
    "order_items", metadata, _id(),
    _fk("order_id", "orders.id"),
    sa.Column("product_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("variant_id", sa.BigInteger, nullable=False),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("product_name", sa.String(255), nullable=False),
    sa.Column("seller_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("category_id", sa.BigInteger, nullable=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", Amount(), nullable=False),
    sa.Column("subtotal", Amount(), nullable=False),
    sa.Column("discount", Amount(), nullable=False),
    sa.Column("tax", Amount(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

checkouts = sa.Table(
    "checkouts", metadata, _id(),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("order_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("reservation_id", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(24), nullable=False),
    sa.Column("coupon_code", sa.String(64), nullable=True),
    sa.Column("payment_id", sa.BigInteger, nullable=True),
    sa.Column("failure_code", sa.String(64), nullable=False, server_default=""),
    sa.Column("failure_message", sa.Text, nullable=False, server_default=""),
    _ts("created_at"), _ts("updated_at"),
    sa.Index("ix_checkouts_state_updated", "state", "updated_at"),
    sa.Index("ix_checkouts_created_at", "created_at"),
)

payments = sa.Table(
    "payments", metadata, _id(),
    sa.Column("order_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("amount", Amount(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("refunded", Amount(), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
    sa.Column("method", sa.String(50), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("transaction_id", sa.String(255), nullable=True, unique=True),
    sa.Column("failure_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("gateway_response", sa.JSON, nullable=False),
    _ts("created_at"), _ts("updated_at"),
    sa.Index("ix_payments_user_status", "user_id", "status", "updated_at"),
)

refunds = sa.Table(
    "refunds", metadata, _id(),
    _fk("payment_id", "payments.id"),
    sa.Column("order_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("amount", Amount(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("transaction_id", sa.String(255), nullable=True),
    sa.Column("failure_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("seller_id", sa.BigInteger, nullable=True),
    sa.Column("item_ids", sa.JSON, nullable=False),
    _ts("created_at"), _ts("updated_at"),
    sa.Index("ix_refunds_status_created", "status", "created_at"),
)

idempotency_keys = sa.Table(
    "idempotency_keys", metadata,
    sa.Column("scope", sa.String(128), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    _ts("created_at"),
    sa.PrimaryKeyConstraint("scope", "key"),
    sa.Index("ix_idempotency_keys_created_at", "created_at"),
)

outbox = sa.Table(
    "outbox", metadata, _id(),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("event", sa.JSON, nullable=False),
    _ts("created_at"), _ts("published_at", nullable=True),
)
# pending entries are found through this partial index; published ones stay out of it
sa.Index("ix_outbox_pending", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None),
         sqlite_where=outbox.c.published_at.is_(None))

# one row per event a consumer group has handled: redelivered events are dropped by it
processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("consumer_group", sa.String(128), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    _ts("processed_at"),
    sa.PrimaryKeyConstraint("consumer_group", "event_id"),
    sa.Index("ix_processed_events_processed_at", "processed_at"),
)

# outgoing webhooks: endpoints an admin registered, and one delivery per event and endpoint
webhook_endpoints = sa.Table(
    "webhook_endpoints", metadata, _id(),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("event_types", sa.JSON, nullable=False),
    sa.Column("secret", sa.String(128), nullable=False),
    _ts("created_at"),
    sa.Column("active", sa.Boolean, nullable=False),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries", metadata, _id(),
    _fk("endpoint_id", "webhook_endpoints.id"),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    _ts("created_at"), _ts("next_attempt_at"),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=False),
    _ts("sent_at", nullable=True),
    sa.UniqueConstraint("endpoint_id", "event_id"),
)
sa.Index("ix_webhook_deliveries_due", webhook_deliveries.c.next_attempt_at,
         postgresql_where=webhook_deliveries.c.state == "pending",
         sqlite_where=webhook_deliveries.c.state == "pending")

sequences = sa.Table(
    "sequences", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# Reviews, wishlists, fraud ------------------------------------------------------------------
reviews = sa.Table(
    "reviews", metadata, _id(),
    sa.Column("product_id", sa.BigInteger, nullable=False),
    sa.Column("seller_id", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("images", sa.JSON, nullable=False),
    sa.Column("author_name", sa.String(200), nullable=False),
    sa.Column("verified_purchase", sa.Boolean, nullable=False),
    sa.Column("helpful_count", sa.Integer, nullable=False),
    sa.Column("unhelpful_count", sa.Integer, nullable=False),
    sa.Column("is_hidden", sa.Boolean, nullable=False),
    sa.Column("hidden_reason", sa.Text, nullable=False),
    sa.Column("response", sa.Text, nullable=False),
    _ts("responded_at", nullable=True), _ts("created_at"), _ts("updated_at"),
    sa.UniqueConstraint("user_id", "product_id"),
    sa.Index("ix_reviews_product_visible", "product_id", "is_hidden", "rating"),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
)

review_votes = sa.Table(
    "review_votes", metadata,
    _fk("review_id", "reviews.id"),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.PrimaryKeyConstraint("review_id", "user_id"),
)

wishlist_items = sa.Table(
    "wishlist_items", metadata,
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("product_id", sa.BigInteger, nullable=False),
    _ts("added_at"),
    sa.PrimaryKeyConstraint("user_id", "product_id"),
)

fraud_checks = sa.Table(
    "fraud_checks", metadata, _id("order_id"),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("score", sa.SmallInteger, nullable=False),
    sa.Column("signals", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("total", Amount(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reviewed_by", sa.BigInteger, nullable=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    _ts("created_at"), _ts("updated_at"),
    sa.Index("ix_fraud_checks_queue", "status", "score", "created_at"),
)

# Shipping, notifications, activity ----------------------------------------------------------
shipments = sa.Table(
    "shipments", metadata, _id(),
    sa.Column("order_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("seller_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("item_ids", sa.JSON, nullable=False),
    sa.Column("carrier", sa.String(64), nullable=False),
    sa.Column("service_level", sa.String(16), nullable=False),
    sa.Column("tracking_number", sa.String(128), nullable=False),
    sa.Column("cost", Amount(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("label_url", sa.String(500), nullable=False, server_default=""),
    sa.Column("status", sa.String(24), nullable=False),
    _ts("created_at"), _ts("updated_at"),
    sa.UniqueConstraint("carrier", "tracking_number"),
)

tracking_events = sa.Table(
    "tracking_events", metadata,
    _fk("shipment_id", "shipments.id"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    _ts("occurred_at"),
    sa.Column("location", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("shipment_id", "position"),
)

notifications = sa.Table(
    "notifications", metadata, _id(),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("recipient", sa.String(255), nullable=False),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=False),
    _ts("created_at"), _ts("next_attempt_at"), _ts("sent_at", nullable=True),
    _ts("read_at", nullable=True),
    sa.UniqueConstraint("event_id", "channel"),
    sa.Index("ix_notifications_due", "status", "next_attempt_at"),
    sa.Index("ix_notifications_user", "user_id", "created_at"),
)

notification_preferences = sa.Table(
    "notification_preferences", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("channels", sa.JSON, nullable=False),
)

user_activity = sa.Table(
    "user_activity", metadata,
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),     # "view" or "search"
    sa.Column("subject", sa.String(200), nullable=False),  # product id or query text
    _ts("at"),
    sa.PrimaryKeyConstraint("user_id", "kind", "subject"),
    sa.Index("ix_user_activity_recent", "user_id", "kind", "at"),
)

# Snowflake node ids leased by the processes that mint ids on this database (sql/nodes.py)
node_leases = sa.Table(
    "node_leases", metadata,
    sa.Column("node_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("holder", sa.String(64), nullable=False),
    sa.Column("expires_at_ms", sa.BigInteger, nullable=False),
)

# The fake payment gateway's "account" (commerce_adapters/fake: NO MONEY MOVES), kept in the
# shop's database so every worker process sees every charge
fake_gateway_charges = sa.Table(
    "fake_gateway_charges", metadata,
    sa.Column("idempotency_key", sa.String(255), primary_key=True),
    sa.Column("transaction_id", sa.String(64), nullable=False, unique=True),
    sa.Column("amount", Amount(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("decline_reason", sa.String(100), nullable=False),
    sa.Column("refunded", Amount(), nullable=False),
    sa.Column("voided", sa.Boolean, nullable=False),
    sa.Column("answer_lost", sa.Boolean, nullable=False),
    sa.Column("client_secret", sa.String(100), nullable=False),
    sa.Column("metadata", sa.JSON, nullable=False),
)

fake_gateway_refunds = sa.Table(
    "fake_gateway_refunds", metadata,
    sa.Column("idempotency_key", sa.String(255), primary_key=True),
    sa.Column("refund_id", sa.String(64), nullable=False),
    sa.Column("transaction_id", sa.String(64), nullable=False),
    sa.Column("amount", Amount(), nullable=False),
)

# Search (migration 0009) --------------------------------------------------------------------
# The product index when the search part follows the database. The text columns hold terms
# already analysed by commerce_core.search.text; full-text matching is the dialect's own,
# made beside these tables by the migration: on SQLite an FTS5 table ``search_fts`` (rowid =
# product id) with its ``search_vocab``; on PostgreSQL a generated, weighted ``tsv`` column
# with a GIN index, and a pg_trgm index on the name. None of these has a foreign key: the
# index is eventually consistent with the catalog, fed by events.
search_documents = sa.Table(
    "search_documents", metadata,
    _id("product_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("name_terms", sa.Text, nullable=False),
    sa.Column("tags_terms", sa.Text, nullable=False),
    sa.Column("description_terms", sa.Text, nullable=False),
    sa.Column("seller_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("min_price", Amount(), nullable=False, index=True),
    sa.Column("price_bucket", sa.SmallInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("rating", Amount(), nullable=False, index=True),
    sa.Column("review_count", sa.Integer, nullable=False),
    sa.Column("in_stock", sa.Boolean, nullable=False),
    sa.Column("image", sa.Text, nullable=True),
    _ts("created_at"),
    sa.Index("ix_search_documents_created_at", "created_at"),
)

search_categories = sa.Table(  # a product's category and every ancestor of it
    "search_categories", metadata,
    sa.Column("product_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("category_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Index("ix_search_categories_category_id", "category_id", "product_id"),
)

search_attributes = sa.Table(  # values case-folded
    "search_attributes", metadata,
    sa.Column("product_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
    sa.Index("ix_search_attributes_key", "key", "value", "product_id"),
)

search_name_prefixes = sa.Table(  # suggestions: each name word's first 2 and 3 letters
    "search_name_prefixes", metadata,
    sa.Column("prefix", sa.String(3), primary_key=True),
    sa.Column("product_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("review_count", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("terms", sa.Text, nullable=False),  # the name's terms, " "-joined
    sa.Index("ix_search_name_prefixes_walk", "prefix", sa.desc("review_count"), "name"),
    sa.Index("ix_search_name_prefixes_product_id", "product_id"),
)
