"""Figures that are expensive to compute (funnels, counts of long lists), kept per worker process and used only
while no transaction has changed domain data since.

Every transaction that makes a change the audit log records raises the `domain` row of `data_versions` before
its first write; a cached value carries the version it was computed at. Reading the version is one primary-key
lookup, so a change made through any worker, or any server sharing the database, invalidates the caches of all of them.
Taking that row's lock first in every writing transaction also gives all writers one lock order.
"""
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from itertools import chain
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from crm.audit.listener import Audited, writes_audit_row
from crm.core.models import DataVersion
from crm.extensions import db

DOMAIN = "domain"
MAX_ENTRIES = 1024
# What a worker keeps in all: the result report's body alone is megabytes at national scale, and a worker must stay
# well under 200 MB resident whatever pages its readers open.
MAX_BYTES = 64 * 1024 * 1024
# What a kept value that is not text counts for: figures and small lists, little beside a rendered page.
OTHER_VALUE_BYTES = 1024
_RAISED = "data_version_raised"
# The version as this transaction first read it: a page asks for several cached figures, one lookup serves them.
_READ = "data_version_read"
T = TypeVar("T")


def _size(value) -> int:
    return sys.getsizeof(value) if isinstance(value, str | bytes) else OTHER_VALUE_BYTES


class _Store:
    """A map of key → (version, value) bounded in entries and in the size of its text, least recently used out
    first; shared by a worker's threads."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.lock = threading.Lock()
        self.entries: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.size = 0

    def get(self, key: Hashable, version: int):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, version: int, value) -> None:
        if _size(value) > self.max_bytes:
            return
        with self.lock:
            if key in self.entries:
                self.size -= _size(self.entries.pop(key)[1])
            self.entries[key] = (version, value)
            self.size += _size(value)
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                self.size -= _size(self.entries.popitem(last=False)[1][1])


def _store() -> _Store:
    # One store per app: a test's fresh database starts its versions again, and must not meet old entries.
    return current_app.extensions.setdefault("crm_cache", _Store())


def _raise_version(session: Session) -> None:
    session.info[_RAISED] = True
    session.info.pop(_READ, None)
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = DataVersion.__table__
    connection.execute(insert(table).values(name=DOMAIN, version=1)
                       .on_conflict_do_update(index_elements=[table.c.name], set_={"version": table.c.version + 1}))


def raise_data_version(session: Session) -> None:
    """Raise the version once in this transaction, for audited writes made past the ORM (crm.core.bulk)."""
    if not session.info.get(_RAISED):
        _raise_version(session)


@event.listens_for(Session, "before_flush")
def _raise_before_the_first_domain_write(session: Session, flush_context, instances) -> None:
    if session.info.get(_RAISED):
        return
    if any(isinstance(obj, Audited) and writes_audit_row(obj, session)
           for obj in chain(session.new, session.dirty, session.deleted)):
        _raise_version(session)


def _locks_rows(state: ORMExecuteState) -> bool:
    # SELECT … FOR UPDATE takes row locks before the writes that follow: the version row must be locked first.
    return state.is_select and getattr(state.statement, "_for_update_arg", None) is not None


@event.listens_for(Session, "do_orm_execute")
def _raise_before_a_bulk_write(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete or _locks_rows(state)) \
            and not state.session.info.get(_RAISED):
        _raise_version(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget_the_raise(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_RAISED, None)
        session.info.pop(_READ, None)


def current_version() -> int:
    info = db.session.info
    if _READ not in info:
        info[_READ] = db.session.scalar(sa.select(DataVersion.version).where(DataVersion.name == DOMAIN)) or 0
    return info[_READ]


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """compute()'s value, or the one kept for `key` when domain data has not changed since it was computed.

    `key` must name everything the value depends on besides domain data (the filters, the viewer when the value
    depends on what they may see). A value computed by a transaction that has itself changed data is not kept:
    it could still be rolled back."""
    version = current_version()
    entry = _store().get(key, version)
    if entry is not None:
        return entry[1]
    value = compute()
    if not db.session.info.get(_RAISED):
        _store().put(key, version, value)
    return value


# The version under which `kept_for_good` keeps its values: one no transaction ever reaches.
_FOR_GOOD = -1


def kept_for_good(key: Hashable, compute: Callable[[], T], *, final: Callable[[T], bool]) -> T:
    """compute()'s value, kept for the life of the worker once `final(value)` holds: for facts no later change can
    undo, such as an append-only table having reached a size."""
    entry = _store().get(key, _FOR_GOOD)
    if entry is not None:
        return entry[1]
    value = compute()
    if final(value):
        _store().put(key, _FOR_GOOD, value)
    return value


def cached_rendering(key: tuple, template: str, context: Callable[[], dict]) -> Markup:
    """A part of a page rendered from `template` with `context()`, kept like `cached` values, per language.

    `key` must name everything the part shows besides domain data and the language: the record, and the reader's
    role or visibility or the day where the part depends on them. The part must hold nothing of one reader alone
    (no CSRF token, no form values): it is shown to every reader with the same key."""
    return cached(("rendering", template, str(get_locale()), *key),
                  lambda: Markup(render_template(template, **context())))
