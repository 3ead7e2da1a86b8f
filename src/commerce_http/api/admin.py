"""The admin area: users and roles, categories, the fraud queue, review moderation and the
shop's figures. Every operation is for admins (``roles``); the core's policy still decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from commerce_core.accounts.policy import Role
from commerce_core.analytics.service import Dashboard, period
from commerce_core.catalog.model import Category
from commerce_core.errors import ValidationError
from commerce_core.fraud.model import FraudCheck
from commerce_http.api.accounts import UserOut, user_out
from commerce_http.api.reviews import ReviewOut, review_out
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    Amount,
    Body,
    Day,
    Email,
    Id,
    Limit,
    Model,
    Moment,
    Page,
    Password,
    Query,
    Text40,
    Text100,
    Text200,
    Text500,
    Text1000,
    Text5000,
    Timestamp,
    money,
)

API = "/api/v1"
ADMINS = frozenset({Role.ADMIN})
RoleName = Literal["customer", "seller", "admin"]
FraudStatusName = Literal["HELD", "APPROVED", "REJECTED", "CLEAR"]


# Users -------------------------------------------------------------------------------------
class UserQuery(Query):
    email: Email | None = None  # part of the address
    role: RoleName | None = None
    is_active: bool | None = None
    page: Page = 1
    limit: Limit = 20


class UsersOut(Model):
    users: list[UserOut]
    total_count: int


class NewUser(Body):
    """As registration takes it: email and password; names are optional."""

    email: Email
    password: Password
    first_name: Text100 = ""
    last_name: Text100 = ""
    name: Text200 = ""  # a display name, when not first and last
    role: RoleName = "customer"
    phone: Text40 = ""


class UserChange(Body):
    """At least one of them; both: the activation first, then the role."""

    is_active: bool | None = None
    role: RoleName | None = None


def _users(call: Call[UserQuery, None]) -> UsersOut:
    q = call.query
    found = call.shop.accounts.find_users(call.who(), email=q.email, role=q.role,
                                          is_active=q.is_active, page=q.page, limit=q.limit)
    return UsersOut(users=[user_out(u) for u in found.items], total_count=found.total_count)


def _create_user(call: Call[object, NewUser]) -> UserOut:
    b = call.body
    return user_out(call.shop.accounts.create_user(
        call.who(), b.email, b.password, b.name, b.role, b.phone, first_name=b.first_name,
        last_name=b.last_name))


def _user(call: Call[object, None]) -> UserOut:
    return user_out(call.shop.accounts.profile(call.who(), call.path["user_id"]))


def _change_user(call: Call[object, UserChange]) -> UserOut:
    b, who, user_id = call.body, call.who(), call.path["user_id"]
    user = None
    if b.is_active is not None:
        user = call.shop.accounts.set_active(who, user_id, b.is_active)
    if b.role is not None:
        user = call.shop.accounts.change_role(who, user_id, b.role)
    if user is None:  # nothing was asked, so nothing changed
        raise ValidationError("send is_active and/or role", {"body": "is_active, role"})
    return user_out(user)


# Categories --------------------------------------------------------------------------------
class CategoryOut(Model):
    category_id: Id
    name: str
    parent_id: Id | None


def category_out(c: Category) -> CategoryOut:
    return CategoryOut(category_id=Id(c.id), name=c.name,
                       parent_id=None if c.parent_id is None else Id(c.parent_id))


class NewCategory(Body):
    name: Text100
    parent_id: Id | None = None
    description: Text5000 = ""


class CategoryChange(Body):
    """``name`` renames; ``parent_id`` moves (null: to the top; left out: stays)."""

    name: Text100 | None = None
    parent_id: Id | msgspec.UnsetType | None = msgspec.UNSET


def _create_category(call: Call[object, NewCategory]) -> CategoryOut:
    b = call.body
    return category_out(call.shop.catalog.create_category(call.who(), b.name, b.parent_id,
                                                          b.description))


def _change_category(call: Call[object, CategoryChange]) -> CategoryOut:
    b, who, category_id = call.body, call.who(), call.path["category_id"]
    category = None
    if b.name is not None:
        category = call.shop.catalog.rename_category(who, category_id, b.name)
    if not isinstance(b.parent_id, msgspec.UnsetType):
        category = call.shop.catalog.move_category(who, category_id, b.parent_id)
    if category is None:  # nothing was asked, so nothing changed
        raise ValidationError("send name and/or parent_id", {"body": "name, parent_id"})
    return category_out(category)


def _delete_category(call: Call[object, None]) -> None:
    call.shop.catalog.delete_category(call.who(), call.path["category_id"])


# The fraud queue ---------------------------------------------------------------------------
class FraudQuery(Query):
    status: FraudStatusName = "HELD"
    page: Page = 1
    limit: Limit = 20


class FraudCaseOut(Model):
    order_id: Id
    user_id: Id
    score: int
    signals: list[str]
    status: FraudStatusName
    total: Amount
    currency: str
    reviewed_by: Id | None  # null: not reviewed yet, or by the local operator (no account)
    note: str
    created_at: Timestamp


class FraudQueueOut(Model):
    orders: list[FraudCaseOut]
    total_count: int


class Decision(Body):
    note: Text1000 = ""


def fraud_case_out(c: FraudCheck) -> FraudCaseOut:
    return FraudCaseOut(order_id=Id(c.order_id), user_id=Id(c.user_id), score=c.score,
                        signals=list(c.signals), status=c.status.value, total=money(c.total),
                        currency=c.total.currency,
                        reviewed_by=Id(c.reviewed_by) if c.reviewed_by else None,
                        note=c.note, created_at=c.created_at)


def _fraud_queue(call: Call[FraudQuery, None]) -> FraudQueueOut:
    q = call.query
    found = call.shop.fraud.queue(call.who(), q.status, q.page, q.limit)
    return FraudQueueOut(orders=[fraud_case_out(c) for c in found.items],
                         total_count=found.total_count)


def _approve(call: Call[object, Decision]) -> FraudCaseOut:
    return fraud_case_out(call.shop.fraud.approve(call.who(), call.path["order_id"],
                                                  call.body.note))


def _reject(call: Call[object, Decision]) -> FraudCaseOut:
    return fraud_case_out(call.shop.fraud.reject(call.who(), call.path["order_id"],
                                                 call.body.note))


# Moderation and figures --------------------------------------------------------------------
class Hide(Body):
    reason: Text500


def _hide(call: Call[object, Hide]) -> ReviewOut:
    return review_out(call.shop.reviews.hide(call.who(), call.path["review_id"],
                                             call.body.reason))


class PeriodQuery(Query):
    """Both days included (UTC); left out: the 30 days up to ``to`` (or today)."""

    from_: Moment | None = msgspec.field(default=None, name="from")
    to: Moment | None = None


class CategoryFiguresOut(Model):
    category_id: Id | None  # None: items of a category since deleted
    name: str
    revenue: dict[str, Amount]  # per currency


class DashboardOut(Model):
    """Amounts per currency; only paid orders count. ``conversion_rate``: checkouts
    completed over started (null when none started)."""

    start: Day
    end: Day
    gmv: dict[str, Amount]
    orders: int
    average_order_value: dict[str, Amount]
    refunds: dict[str, Amount]
    checkouts_started: int
    carts_converted: int
    conversion_rate: float | None
    top_categories: list[CategoryFiguresOut]


def amounts(by_currency: dict[str, Decimal]) -> dict[str, Decimal]:
    return {currency: money(amount, currency) for currency, amount in by_currency.items()}


def dashboard_out(d: Dashboard) -> DashboardOut:
    return DashboardOut(
        start=d.start, end=d.end, gmv=amounts(d.gmv), orders=d.orders,
        average_order_value=amounts(d.average_order_value), refunds=amounts(d.refunds),
        checkouts_started=d.checkouts_started, carts_converted=d.carts_converted,
        conversion_rate=None if d.conversion_rate is None else float(d.conversion_rate),
        top_categories=[CategoryFiguresOut(
            category_id=None if c["category_id"] is None else Id(c["category_id"]),
            name=c["name"], revenue=amounts(c["revenue"])) for c in d.top_categories])


def _dashboard(call: Call[PeriodQuery, None]) -> DashboardOut:
    q = call.query
    start, end = period(q.from_ and q.from_.date(), q.to and q.to.date(),
                        call.shop.clock.now().date())
    return dashboard_out(call.shop.analytics.dashboard(call.who(), start, end))


ADMIN = f"{API}/admin"
find_users = Operation("GET", f"{ADMIN}/users", "find_users", "Find users, oldest first",
                       _users, query=UserQuery, response=UsersOut, roles=ADMINS, tag="admin")
create_user = Operation("POST", f"{ADMIN}/users", "create_user",
                        "Create an account of any role", _create_user, body=NewUser,
                        response=UserOut, status=201, roles=ADMINS, errors=(409,),
                        tag="admin")
get_user = Operation("GET", f"{ADMIN}/users/{{user_id}}", "get_user", "A user", _user,
                     response=UserOut, roles=ADMINS, errors=(404,), tag="admin")
change_user = Operation("PUT", f"{ADMIN}/users/{{user_id}}", "change_user",
                        "Deactivate, reactivate, change role", _change_user, body=UserChange,
                        response=UserOut, roles=ADMINS, errors=(404,), tag="admin")
create_category = Operation("POST", f"{ADMIN}/categories", "create_category",
                            "Create a category", _create_category, body=NewCategory,
                            response=CategoryOut, status=201, roles=ADMINS,
                            errors=(404, 409), tag="admin")
change_category = Operation("PUT", f"{ADMIN}/categories/{{category_id}}", "change_category",
                            "Rename or move a category", _change_category,
                            body=CategoryChange, response=CategoryOut, roles=ADMINS,
                            errors=(404, 409), tag="admin")
delete_category = Operation("DELETE", f"{ADMIN}/categories/{{category_id}}",
                            "delete_category",
                            "Delete a category with no sub-categories and no products",
                            _delete_category, status=204, roles=ADMINS, errors=(404, 409),
                            tag="admin")
fraud_queue = Operation("GET", f"{ADMIN}/fraud", "fraud_queue",
                        "Orders held for review (or in another status), riskiest first",
                        _fraud_queue, query=FraudQuery, response=FraudQueueOut,
                        roles=ADMINS, tag="admin")
approve_order = Operation("POST", f"{ADMIN}/fraud/{{order_id}}/approve", "approve_order",
                          "Release a held order", _approve, body=Decision,
                          response=FraudCaseOut, roles=ADMINS, errors=(404, 409),
                          tag="admin")
reject_order = Operation("POST", f"{ADMIN}/fraud/{{order_id}}/reject", "reject_order",
                         "Cancel and refund a held order", _reject, body=Decision,
                         response=FraudCaseOut, roles=ADMINS, errors=(404, 409),
                         tag="admin")
hide_review = Operation("POST", f"{ADMIN}/reviews/{{review_id}}/hide", "hide_review",
                        "Hide a review (it leaves the listing and the rating)", _hide,
                        body=Hide, response=ReviewOut, roles=ADMINS, errors=(404,),
                        tag="admin")
get_dashboard = Operation("GET", f"{ADMIN}/dashboard", "get_dashboard",
                          "Shop figures: GMV, orders, conversion, top categories",
                          _dashboard, query=PeriodQuery, response=DashboardOut,
                          roles=ADMINS, tag="admin")

OPERATIONS = (find_users, create_user, get_user, change_user, create_category,
              change_category, delete_category, fraud_queue, approve_order, reject_order,
              hide_review, get_dashboard)
