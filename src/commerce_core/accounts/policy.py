"""Who may do what: one table of rules, consulted by the services themselves.

An :class:`Actor` is the authenticated caller. HTTP builds it from a verified token
(``AccountService.authenticate``); an embedding application builds it from its own sign-in.
Admins may do everything; every other rule names the roles allowed and whether they may act
only on what they own (their cart, orders and addresses; a seller's products, stock,
order items and refunds).
"""

from __future__ import annotations

import enum

import attrs

from commerce_core.errors import Forbidden, NotFound


class Role(enum.StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"
    ADMIN = "admin"


@attrs.frozen
class Actor:
    user_id: int
    role: Role = attrs.field(converter=Role)

    @classmethod
    def customer(cls, user_id: int) -> Actor:
        return cls(user_id, Role.CUSTOMER)

    @classmethod
    def seller(cls, user_id: int) -> Actor:
        return cls(user_id, Role.SELLER)

    @classmethod
    def admin(cls, user_id: int) -> Actor:
        return cls(user_id, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class Action(enum.StrEnum):
    # Anyone signed in, on what is theirs
    USE_CART = "use a cart"
    BUY = "place or pay for an order"
    VIEW_ORDER = "view an order"
    CANCEL_ORDER = "cancel an order"
    VIEW_PAYMENT = "view a payment"
    MANAGE_ACCOUNT = "manage an account"
    WRITE_REVIEW = "write or edit a review"
    VOTE_REVIEW = "vote on a review"
    USE_WISHLIST = "use a wishlist"
    VIEW_ACTIVITY = "view browsing activity"
    READ_NOTIFICATIONS = "read notifications"
    # Sellers, on what they sell
    MANAGE_PRODUCTS = "manage products"
    MANAGE_INVENTORY = "manage inventory"
    MANAGE_STORE = "manage a seller profile"
    VIEW_SALES = "view sales and order items"
    SHIP_ITEMS = "ship order items"
    REFUND_ITEMS = "refund order items"
    RESPOND_REVIEW = "respond to a review"
    # Admins only
    REFUND_PAYMENT = "refund any payment"
    MANAGE_CATEGORIES = "manage categories"
    MANAGE_USERS = "manage users"
    MANAGE_WEBHOOKS = "manage webhooks"
    MODERATE_REVIEWS = "moderate reviews"
    REVIEW_FRAUD = "review held orders"
    VIEW_DASHBOARD = "view the dashboard"
    MANAGE_SETTINGS = "manage shop settings"


@attrs.frozen
class Rule:
    roles: frozenset[Role]
    own_only: bool = True
    hide: bool = False  # refuse as "not found", so nobody can probe for others' records


_ANYONE = frozenset(Role)
_SELLERS = frozenset({Role.SELLER})
_ADMINS: frozenset[Role] = frozenset()

RULES: dict[Action, Rule] = {
    Action.USE_CART: Rule(_ANYONE),
    Action.BUY: Rule(_ANYONE, hide=True),
    Action.VIEW_ORDER: Rule(_ANYONE, hide=True),
    Action.CANCEL_ORDER: Rule(_ANYONE, hide=True),
    Action.VIEW_PAYMENT: Rule(_ANYONE, hide=True),
    Action.MANAGE_ACCOUNT: Rule(_ANYONE, hide=True),
    Action.WRITE_REVIEW: Rule(_ANYONE),
    Action.VOTE_REVIEW: Rule(_ANYONE, own_only=False),
    Action.USE_WISHLIST: Rule(_ANYONE),
    Action.VIEW_ACTIVITY: Rule(_ANYONE),
    Action.READ_NOTIFICATIONS: Rule(_ANYONE, hide=True),
    Action.MANAGE_PRODUCTS: Rule(_SELLERS),
    Action.MANAGE_INVENTORY: Rule(_SELLERS),
    Action.MANAGE_STORE: Rule(_SELLERS),
    Action.VIEW_SALES: Rule(_SELLERS),
    Action.SHIP_ITEMS: Rule(_SELLERS),
    Action.REFUND_ITEMS: Rule(_SELLERS),
    Action.RESPOND_REVIEW: Rule(_SELLERS),
    Action.REFUND_PAYMENT: Rule(_ADMINS),
    Action.MANAGE_CATEGORIES: Rule(_ADMINS),
    Action.MANAGE_USERS: Rule(_ADMINS),
    Action.MANAGE_WEBHOOKS: Rule(_ADMINS),
    Action.MODERATE_REVIEWS: Rule(_ADMINS),
    Action.REVIEW_FRAUD: Rule(_ADMINS),
    Action.VIEW_DASHBOARD: Rule(_ADMINS),
    Action.MANAGE_SETTINGS: Rule(_ADMINS),
}


def allowed(actor: Actor, action: Action, owner_id: int | None = None) -> bool:
    """Whether ``actor`` may do ``action`` to something owned by ``owner_id``."""
    if actor.is_admin:
        return True
    rule = RULES[action]
    if actor.role not in rule.roles:
        return False
    return not rule.own_only or owner_id == actor.user_id


def authorize(actor: Actor, action: Action, owner_id: int | None = None,
              resource: str = "") -> None:
    """Raise Forbidden (or NotFound for hidden records) unless ``actor`` may do ``action``.

    ``owner_id`` is the user who owns the target (None: nobody, so only admins pass an
    own-only rule); ``resource`` names it in the not-found message.
    """
    if allowed(actor, action, owner_id):
        return
    rule = RULES[action]
    if rule.hide and actor.role in rule.roles:
        raise NotFound(f"{resource or 'record'} not found")
    raise Forbidden(f"a {actor.role.value} may not {action.value}"
                    + (f" ({resource})" if resource else ""),
                    {"action": action.name.lower(), "role": actor.role.value})
