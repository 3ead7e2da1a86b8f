"""The signed-in customer's own things: saved addresses, the wishlist, recent activity and
the in-app inbox."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from commerce_core.accounts.model import SavedAddress
from commerce_core.activity.service import RecentActivity
from commerce_core.notifications.model import Message
from commerce_core.wishlist.service import WishlistEntry
from commerce_http.api.cart import CartOut, cart_out
from commerce_http.api.common import PageQuery
from commerce_http.api.orders import PostalAddressIn
from commerce_http.contract.operation import Call, Operation, Reply
from commerce_http.contract.wire import (
    Amount,
    Body,
    Id,
    Limit,
    Model,
    Page,
    Query,
    Text100,
    Timestamp,
    money,
)

API = "/api/v1"


# Addresses --------------------------------------------------------------------------------
class NewAddress(Body):
    address: PostalAddressIn
    label: Text100 = ""
    default_shipping: bool = False
    default_billing: bool = False


class AddressChange(Body):
    """Left out: unchanged. Defaults are only moved here, never cleared."""

    address: PostalAddressIn | None = None
    label: Text100 | None = None
    default_shipping: bool = False
    default_billing: bool = False


class SavedAddressOut(Model):
    address_id: Id
    label: str
    line1: str
    city: str
    postal_code: str
    country: str
    region: str
    line2: str
    name: str
    is_default_shipping: bool
    is_default_billing: bool


class AddressesOut(Model):
    addresses: list[SavedAddressOut]


def saved_address_out(entry: SavedAddress) -> SavedAddressOut:
    a = entry.address
    return SavedAddressOut(address_id=Id(entry.id), label=entry.label, line1=a.line1,
                           city=a.city, postal_code=a.postal_code, country=a.country,
                           region=a.region, line2=a.line2, name=a.name,
                           is_default_shipping=entry.is_default_shipping,
                           is_default_billing=entry.is_default_billing)


def _addresses(call: Call[object, None]) -> AddressesOut:
    return AddressesOut(addresses=[saved_address_out(a)
                                   for a in call.shop.accounts.addresses(call.who())])


def _add_address(call: Call[object, NewAddress]) -> SavedAddressOut:
    b = call.body
    return saved_address_out(call.shop.accounts.add_address(
        call.who(), b.address.value("address"), b.label, default_shipping=b.default_shipping,
        default_billing=b.default_billing))


def _change_address(call: Call[object, AddressChange]) -> SavedAddressOut:
    b = call.body
    return saved_address_out(call.shop.accounts.update_address(
        call.who(), call.path["address_id"],
        address=None if b.address is None else b.address.value("address"), label=b.label,
        default_shipping=b.default_shipping, default_billing=b.default_billing))


def _forget_address(call: Call[object, None]) -> None:
    call.shop.accounts.delete_address(call.who(), call.path["address_id"])


# The wishlist ------------------------------------------------------------------------------
class WishlistItemOut(Model):
    """``available`` false once the product is withdrawn (its fields are then null)."""

    product_id: Id
    added_at: Timestamp
    available: bool
    name: str | None
    price: Amount | None
    currency: str | None
    image_url: str | None


class WishlistOut(Model):
    items: list[WishlistItemOut]
    total_count: int


class Keep(Body):
    product_id: Id


class KeptOut(Model):
    product_id: Id
    added: bool  # false: it was on the list already (answered 200, not 201)


def wishlist_item_out(entry: WishlistEntry) -> WishlistItemOut:
    p = entry.product
    return WishlistItemOut(
        product_id=Id(entry.item.product_id), added_at=entry.item.added_at,
        available=p is not None and p.is_active, name=p.name if p else None,
        price=money(p.min_price) if p else None, currency=p.currency if p else None,
        image_url=p.images[0] if p and p.images else None)


def _wishlist(call: Call[PageQuery, None]) -> WishlistOut:
    found = call.shop.wishlist.items(call.who(), call.query.page, call.query.limit)
    return WishlistOut(items=[wishlist_item_out(e) for e in found.items],
                       total_count=found.total_count)


def _keep(call: Call[object, Keep]) -> KeptOut | Reply:
    added = call.shop.wishlist.add(call.who(), call.body.product_id)
    kept = KeptOut(product_id=call.body.product_id, added=added)
    return kept if added else Reply(kept, 200)


def _drop(call: Call[object, None]) -> None:
    call.shop.wishlist.remove(call.who(), call.path["product_id"])


# The cart a wishlist item moves into (the seed's cart response) ----------------------------
class MoveToCart(Body):
    quantity: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1
    selected_attributes: dict[Text100, Text100] = msgspec.field(default_factory=dict)


def _move_to_cart(call: Call[object, MoveToCart]) -> CartOut:
    b = call.body
    return cart_out(call.shop.wishlist.move_to_cart(call.who(), call.path["product_id"],
                                                    b.quantity, b.selected_attributes))


# Activity and the inbox --------------------------------------------------------------------
class ViewedOut(Model):
    product_id: Id
    at: Timestamp


class SearchedOut(Model):
    query: str
    at: Timestamp


class ActivityOut(Model):
    viewed_products: list[ViewedOut]
    search_queries: list[SearchedOut]


def activity_out(recent: RecentActivity) -> ActivityOut:
    return ActivityOut(
        viewed_products=[ViewedOut(product_id=Id(v.product_id), at=v.at) for v in recent.viewed],
        search_queries=[SearchedOut(query=s.query, at=s.at) for s in recent.searched])


def _activity(call: Call[object, None]) -> ActivityOut:
    return activity_out(call.shop.activity.recent(call.who()))


class InboxQuery(Query):
    unread_only: bool = False
    page: Page = 1
    limit: Limit = 20


class NotificationOut(Model):
    notification_id: Id
    type: Literal["order_placed", "payment_confirmed", "order_shipped", "order_delivered",
                  "payment_failed", "refund_issued", "review_request"]
    channel: Literal["email", "sms", "push", "in_app"]
    subject: str
    body: str
    status: Literal["PENDING", "SENT", "FAILED"]
    attempts: int
    last_error: str | None
    created_at: Timestamp
    sent_at: Timestamp | None
    read: bool


class InboxOut(Model):
    notifications: list[NotificationOut]
    total_count: int


def notification_out(m: Message) -> NotificationOut:
    return NotificationOut(
        notification_id=Id(m.id), type=m.type.value, channel=m.channel.value,
        subject=m.subject, body=m.body, status=m.status.value,
        attempts=m.attempts, last_error=m.last_error or None, created_at=m.created_at,
        sent_at=m.sent_at, read=m.read_at is not None)


def _inbox(call: Call[InboxQuery, None]) -> InboxOut:
    q = call.query
    found = call.shop.notifications.inbox(call.who(), q.unread_only, q.page, q.limit)
    return InboxOut(notifications=[notification_out(m) for m in found.items],
                    total_count=found.total_count)


def _mark_read(call: Call[object, None]) -> NotificationOut:
    return notification_out(call.shop.notifications.mark_read(call.who(),
                                                              call.path["notification_id"]))


ME = f"{API}/users/me"
list_addresses = Operation("GET", f"{ME}/addresses", "list_addresses", "My addresses",
                           _addresses, response=AddressesOut, tag="customer")
add_address = Operation("POST", f"{ME}/addresses", "add_address",
                        "Save an address (the first is both defaults)", _add_address,
                        body=NewAddress, response=SavedAddressOut, status=201,
                        tag="customer")
change_address = Operation("PUT", f"{ME}/addresses/{{address_id}}", "change_address",
                           "Change a saved address, or make it a default", _change_address,
                           body=AddressChange, response=SavedAddressOut, errors=(404,),
                           tag="customer")
forget_address = Operation("DELETE", f"{ME}/addresses/{{address_id}}", "forget_address",
                           "Forget an address", _forget_address, status=204, errors=(404,),
                           tag="customer")
get_activity = Operation("GET", f"{ME}/activity", "get_activity",
                         "Recently viewed and searched", _activity, response=ActivityOut,
                         tag="customer")
list_notifications = Operation("GET", f"{ME}/notifications", "list_notifications",
                               "In-app inbox, newest first", _inbox, query=InboxQuery,
                               response=InboxOut, tag="customer")
mark_notification_read = Operation(
    "POST", f"{ME}/notifications/{{notification_id}}/read", "mark_notification_read",
    "Mark read", _mark_read, response=NotificationOut, errors=(404,), tag="customer")
list_wishlist = Operation("GET", f"{API}/wishlist", "list_wishlist", "My wishlist",
                          _wishlist, query=PageQuery, response=WishlistOut, tag="customer")
keep_product = Operation("POST", f"{API}/wishlist", "keep_product",
                         "Keep a product (200 if it was kept already)", _keep, body=Keep,
                         response=KeptOut, status=201, also=(200,), errors=(404,),
                         tag="customer")
drop_product = Operation("DELETE", f"{API}/wishlist/{{product_id}}", "drop_product",
                         "Drop a product", _drop, status=204, tag="customer")
move_to_cart = Operation("POST", f"{API}/wishlist/{{product_id}}/move-to-cart",
                         "move_to_cart", "Move to the cart (kept here if the cart refuses)",
                         _move_to_cart, body=MoveToCart, response=CartOut,
                         errors=(404, 409), tag="customer")

OPERATIONS = (list_addresses, add_address, change_address, forget_address, get_activity,
              list_notifications, mark_notification_read, list_wishlist, keep_product,
              drop_product, move_to_cart)
