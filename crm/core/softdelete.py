"""One global criterion leaves soft-deleted rows out of every ORM query and relationship load."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from crm.core.mixins import SoftDeleteMixin
from crm.core.time import utcnow

INCLUDE_DELETED = "include_deleted"
# Set while statements derived from an including_deleted() select run (a paginator's count query wraps the
# statement in a subquery and so loses its execution options).
_deleted_rows_wanted: ContextVar[bool] = ContextVar("deleted_rows_wanted", default=False)


@contextmanager
def deleted_rows_included(wanted: bool = True):
    token = _deleted_rows_wanted.set(wanted)
    try:
        yield
    finally:
        _deleted_rows_wanted.reset(token)


def includes_deleted(stmt: sa.Select) -> bool:
    return bool(stmt.get_execution_options().get(INCLUDE_DELETED))


@event.listens_for(Session, "do_orm_execute")
def _hide_soft_deleted(state: ORMExecuteState) -> None:
    if _deleted_rows_wanted.get():
        return
    if state.is_select and not state.is_column_load and not state.execution_options.get(INCLUDE_DELETED):
        state.statement = state.statement.options(
            with_loader_criteria(SoftDeleteMixin, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )


def including_deleted(stmt: sa.Select) -> sa.Select:
    """The statement with soft-deleted rows included (the trash, restoring)."""
    return stmt.execution_options(**{INCLUDE_DELETED: True})


def soft_delete(record: SoftDeleteMixin, *, actor, at: datetime | None = None) -> None:
    """Hide a record everywhere; the audit log records it as a delete, and an admin can restore it.

    Records deleted together share `at`, so that restoring the main one can bring the others back."""
    # Read the actor's id first: loading it could autoflush half of the change into its own audit row.
    actor_id = actor.id if actor is not None else None
    record.deleted_at = at or utcnow()
    record.deleted_by_id = actor_id


def restore(record: SoftDeleteMixin, *, actor) -> None:
    record.deleted_at = None
    record.deleted_by_id = None
