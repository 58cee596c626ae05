from flask import current_app
from flask_sqlalchemy.pagination import SelectPagination

from crm.core.cache import cached
from crm.core.softdelete import deleted_rows_included, includes_deleted
from crm.extensions import db


class _CachedCountPagination(SelectPagination):
    """Counts the rows once per version of the domain data: a count of tens of thousands of joined rows costs
    more than the page itself, and it only changes when the data does."""

    def _query_count(self) -> int:
        select = self._query_args["select"]
        compiled = select.order_by(None).compile(db.engine)
        key = ("page_count", str(compiled), repr(sorted(compiled.params.items())), includes_deleted(select))
        return cached(key, super()._query_count)


def paginate(stmt, *, per_page: int | None = None, cache_count: bool = False) -> SelectPagination:
    """One page of a select, page number from ?page=; out-of-range pages answer 404.

    A select made with including_deleted() is counted with its deleted rows too. `cache_count` keeps the total
    until domain data changes: only for lists of domain records (the audit log grows without raising the version).
    """
    pagination_class = _CachedCountPagination if cache_count else SelectPagination
    with deleted_rows_included(includes_deleted(stmt)):
        return pagination_class(select=stmt, session=db.session(), page=None,
                                per_page=per_page or current_app.config["PAGE_SIZE"], max_per_page=200,
                                error_out=True, count=True)
