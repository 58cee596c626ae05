import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import SelectPagination

from crm.core.cache import cached, kept_for_good
from crm.core.softdelete import deleted_rows_included, includes_deleted
from crm.extensions import db


def count_rows(stmt: sa.Select) -> int:
    """The number of rows a select gives."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))


def count_key(stmt: sa.Select) -> tuple:
    """A cache key that names everything a count of `stmt`'s rows depends on besides the data: its structure and
    values. SQLAlchemy's own statement cache key, built without compiling (compiling the SQL took 2.6 ms a page);
    a statement SQLAlchemy cannot key is keyed by its compiled SQL."""
    cache_key = stmt._generate_cache_key()
    if cache_key is None:
        compiled = stmt.compile(db.engine)
        return "count", str(compiled), repr(sorted(compiled.params.items())), includes_deleted(stmt)
    values = tuple(parameter.effective_value for parameter in cache_key.bindparams)
    return "count", cache_key.key, repr(values), includes_deleted(stmt)


def cached_count(stmt: sa.Select) -> int:
    """The number of rows of a select of domain records, kept until domain data changes."""
    return cached(count_key(stmt), lambda: count_rows(stmt))


class _CachedCountPagination(SelectPagination):
    """Counts the rows once per version of the domain data: a count of tens of thousands of joined rows costs
    more than the page itself, and it only changes when the data does."""

    def _query_count(self) -> int:
        return cached(count_key(self._query_args["select"]), super()._query_count)


class _CappedCountPagination(SelectPagination):
    """Counts at most `count_limit` rows: a filtered count over a million audit rows costs more than the page, and
    nobody pages through more than a few thousand; the list then says "N건 이상"."""

    count_capped = False

    def _query_count(self) -> int:
        limit = self._query_args["count_limit"]
        stmt = self._query_args["select"]

        def count() -> int:
            first_rows = stmt.order_by(None).limit(limit + 1).subquery()
            return self._query_args["session"].execute(sa.select(sa.func.count()).select_from(first_rows)).scalar()

        # Such lists only grow (the audit log is append-only): once past the limit, a filter stays past it.
        count = kept_for_good(("capped", limit, *count_key(stmt)), count, final=lambda rows: rows > limit)
        self.count_capped = count > limit
        return min(count, limit)


def paginate(stmt, *, per_page: int | None = None, cache_count: bool = False,
             count_limit: int | None = None) -> SelectPagination:
    """One page of a select, page number from ?page=; out-of-range pages answer 404.

    A select made with including_deleted() is counted with its deleted rows too. `cache_count` keeps the total
    until domain data changes: only for lists of domain records (the audit log grows without raising the version).
    `count_limit` counts no further than that many rows, for append-only lists that grow without bound (the audit
    log): a count past the limit is kept.
    """
    extra = {}
    pagination_class = SelectPagination
    if cache_count:
        pagination_class = _CachedCountPagination
    elif count_limit:
        pagination_class, extra = _CappedCountPagination, {"count_limit": count_limit}
    with deleted_rows_included(includes_deleted(stmt)):
        return pagination_class(select=stmt, session=db.session(), page=None,
                                per_page=per_page or current_app.config["PAGE_SIZE"], max_per_page=200,
                                error_out=True, count=True, **extra)
