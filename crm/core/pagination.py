from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from crm.core.softdelete import deleted_rows_included, includes_deleted
from crm.extensions import db


def paginate(stmt, *, per_page: int | None = None) -> Pagination:
    """One page of a select, page number from ?page=; out-of-range pages answer 404.

    A select made with including_deleted() is counted with its deleted rows too."""
    with deleted_rows_included(includes_deleted(stmt)):
        return db.paginate(stmt, per_page=per_page or current_app.config["PAGE_SIZE"], max_per_page=200,
                           error_out=True)
