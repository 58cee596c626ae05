"""Products of a company and their listing on each store: create, edit, delete, move a listing."""
import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from crm.auth.models import User
from crm.companies import timeline
from crm.companies.models import (
    LISTING_MOVES,
    Company,
    ListingChange,
    ListingStatus,
    Product,
    ProductListing,
    Store,
)
from crm.companies.services import visible_to
from crm.core.errors import RuleError, StaleEditError
from crm.core.softdelete import soft_delete
from crm.core.text import blank_to_none
from crm.core.time import utcnow
from crm.extensions import db

NAME_MAX = 200
CATEGORY_MAX = 100
# Far above any product's price, far below BIGINT: a typo of many zeros is refused, not stored.
PRICE_MAX = 10**12
# The product page shows at most this many listing changes (newest first).
HISTORY_LIMIT = 100
_PRICE_NOISE = re.compile(r"[\s,원₩]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _amount(value) -> Decimal | None:
    not_a_number = RuleError(_("가격은 숫자로 입력하세요 (예: 12,000)."), field="price")
    if value is None:
        return None
    if isinstance(value, str):
        text = _PRICE_NOISE.sub("", value)
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            raise not_a_number
        return Decimal(text)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise not_a_number
    amount = Decimal(value)
    if not amount.is_finite():
        raise not_a_number
    return amount


def clean_price(value) -> int | None:
    """A price in whole won: an integer ≥ 0, or None when not given. Forms and imports share this rule.

    Accepts 12000, "12,000", "12,000원" and "12000.0"; refuses negative, fractional and non-numeric values.
    """
    amount = _amount(value)
    if amount is None:
        return None
    if amount < 0:
        raise RuleError(_("가격은 0원 이상이어야 합니다."), field="price")
    if amount != amount.to_integral_value():
        raise RuleError(_("가격은 원 단위 정수로 입력하세요 (소수점 이하 금액은 쓸 수 없습니다)."), field="price")
    if amount > PRICE_MAX:
        raise RuleError(_("가격이 너무 큽니다."), field="price")
    return int(amount)


def clean_product_fields(name: str | None, category: str | None, price) -> dict:
    """Column values for a product, checked by the rules the product form and the import share."""
    name = blank_to_none(name)
    if not name:
        raise RuleError(_("상품명을 입력하세요."), field="name")
    if len(name) > NAME_MAX:
        raise RuleError(_("상품명은 %(n)d자 이하입니다.", n=NAME_MAX), field="name")
    category = blank_to_none(category)
    if category and len(category) > CATEGORY_MAX:
        raise RuleError(_("분류는 %(n)d자 이하입니다.", n=CATEGORY_MAX), field="category")
    return {"name": name, "category": category, "price": clean_price(price)}


def create_product(company: Company, *, name: str, category: str | None = None, price=None,
                   actor: User | None) -> Product:
    product = Product(company_id=company.id, **clean_product_fields(name, category, price))
    db.session.add(product)
    db.session.flush()
    return product


def update_product(product: Product, *, version: int | None, name: str, category: str | None = None, price=None,
                   actor: User | None) -> Product:
    if version is not None and version != product.version:
        raise StaleEditError()
    for key, value in clean_product_fields(name, category, price).items():
        setattr(product, key, value)
    db.session.flush()
    return product


def delete_product(product: Product, *, actor: User) -> None:
    soft_delete(product, actor=actor)
    db.session.flush()


def _listing_on(product: Product, store: Store) -> ProductListing | None:
    return db.session.scalar(sa.select(ProductListing).where(ProductListing.product_id == product.id,
                                                             ProductListing.store_id == store.id))


def move_listing(product: Product, store: Store, to_status: ListingStatus | str, *, note: str | None,
                 actor: User | None) -> ListingChange:
    """Move a product's listing on one store along LISTING_MOVES; a rejection needs its reason as the note.

    The listing row is made (미입점) on the first move; leaving 반려 clears the stored rejection reason.
    """
    try:
        to_status = ListingStatus(to_status)
    except ValueError:
        raise RuleError(_("알 수 없는 입점 상태입니다."), field="status") from None
    note = blank_to_none(note)
    listing = _listing_on(product, store)
    current = listing.status if listing is not None else ListingStatus.NOT_LISTED
    if to_status not in LISTING_MOVES[current]:
        raise RuleError(_("%(a)s에서 %(b)s(으)로 바꿀 수 없습니다.", a=current.label, b=to_status.label),
                        field="status")
    if to_status is ListingStatus.REJECTED and not note:
        raise RuleError(_("반려에는 사유가 필요합니다."), field="note")
    by_id = actor.id if actor is not None else None
    if listing is None:
        listing = ProductListing(product_id=product.id, store_id=store.id, status=ListingStatus.NOT_LISTED,
                                 status_since=utcnow())
        db.session.add(listing)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            # Somebody else made this listing at the same moment: the caller rolls back and shows it anew.
            raise StaleEditError() from None
    change = ListingChange(listing=listing, from_status=current, to_status=to_status, note=note, by_id=by_id)
    listing.status = to_status
    listing.status_since = utcnow()
    listing.rejection_reason = note if to_status is ListingStatus.REJECTED else None
    db.session.add(change)
    db.session.flush()
    return change


def stores() -> list[Store]:
    return list(db.session.scalars(sa.select(Store).order_by(Store.sort_order, Store.id)))


def store_by_id(store_id) -> Store | None:
    try:
        return db.session.get(Store, int(store_id))
    except (TypeError, ValueError):
        return None


def product_for(user: User, product_id: int) -> Product | None:
    """The live product with its company, listings and stores, if the user may see its company; else None."""
    stmt = (sa.select(Product).join(Product.company).where(Product.id == product_id)
            .options(contains_eager(Product.company),
                     selectinload(Product.listings).joinedload(ProductListing.store)))
    return db.session.scalar(visible_to(stmt, user))


def products_of(company: Company) -> list[Product]:
    """The company's live products with their listings and stores (two statements, however many)."""
    stmt = (sa.select(Product).where(Product.company_id == company.id)
            .options(selectinload(Product.listings).joinedload(ProductListing.store))
            .order_by(Product.name, Product.id))
    return list(db.session.scalars(stmt))


def listing_history(product: Product, limit: int = HISTORY_LIMIT) -> list[ListingChange]:
    """The product's listing changes on every store, newest first."""
    stmt = (sa.select(ListingChange).join(ListingChange.listing)
            .where(ProductListing.product_id == product.id)
            .options(contains_eager(ListingChange.listing).joinedload(ProductListing.store),
                     joinedload(ListingChange.by))
            .order_by(ListingChange.at.desc(), ListingChange.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class StoreListing:
    """A product's standing on one store, whether or not a listing row exists yet."""

    store: Store
    listing: ProductListing | None

    @property
    def status(self) -> ListingStatus:
        return self.listing.status if self.listing is not None else ListingStatus.NOT_LISTED

    @property
    def targets(self) -> list[ListingStatus]:
        """The statuses the table allows from here, in the order of the enum."""
        return [status for status in ListingStatus if status in LISTING_MOVES[self.status]]


def store_listings(product: Product, all_stores: list[Store] | None = None) -> list[StoreListing]:
    """One row per store, in store order, from the product's eagerly loaded listings."""
    by_store = {listing.store_id: listing for listing in product.listings}
    return [StoreListing(store, by_store.get(store.id)) for store in (all_stores if all_stores is not None
                                                                      else stores())]


def default_listing_status(product: Product) -> ListingStatus:
    """The status on the default store (e-store36.5), from the eagerly loaded listings."""
    for listing in product.listings:
        if listing.store.is_default:
            return listing.status
    return ListingStatus.NOT_LISTED


@timeline.register
def listing_timeline(company: Company, limit: int) -> list[timeline.TimelineEntry]:
    """The company's newest listing changes, in one statement."""
    by = aliased(User)
    stmt = (sa.select(ListingChange.at, ListingChange.from_status, ListingChange.to_status, ListingChange.note,
                      Product.id, Product.name, Store.name, by.name)
            .join(ProductListing, ListingChange.listing_id == ProductListing.id)
            .join(Product, ProductListing.product_id == Product.id)
            .join(Store, ProductListing.store_id == Store.id)
            .outerjoin(by, ListingChange.by_id == by.id)
            .where(Product.company_id == company.id)
            .order_by(ListingChange.at.desc(), ListingChange.id.desc()).limit(limit))
    entries = []
    for at, from_status, to_status, note, product_id, product_name, store_name, by_name in db.session.execute(stmt):
        if from_status is not None:
            title = _("상품 %(product)s · %(store)s: %(a)s → %(b)s", product=product_name, store=store_name,
                      a=from_status.label, b=to_status.label)
        else:
            title = _("상품 %(product)s · %(store)s: %(b)s", product=product_name, store=store_name, b=to_status.label)
        url = url_for("products.detail", product_id=product_id) if has_request_context() else None
        entries.append(timeline.TimelineEntry(at=at, kind="listing", title=title, detail=note, actor=by_name,
                                              url=url))
    return entries
