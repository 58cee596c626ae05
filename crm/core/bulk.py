"""Many rows written past the ORM: COPY on PostgreSQL, one executemany a chunk on SQLite, every value converted
once by its column type's own bind processor. SQLAlchemy's per-row parameter handling, and on PostgreSQL psycopg
rewriting the placeholders of a multi-row INSERT, take longer than the database does to store the rows.

Past the ORM is past the audit listener. Only `flask demo scale` may write domain records so without audit rows
(DESIGN.md); any other writer adds them with `add_audited`, which writes beside each record the audit row the
listener writes for its insert, so that the writer is itself the data layer that audits the change."""
import enum
from collections import Counter
from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crm.audit.context import current_actor, current_ip
from crm.audit.listener import REDACTED, UNTRACKED, Audited
from crm.audit.models import AuditAction, AuditLog
from crm.core.time import utcnow
from crm.extensions import db

CHUNK_SIZE = 5_000
# Types the audit log holds values of as they are: most values of a snapshot, so they are tested for first.
PLAIN_TYPES = frozenset({str, int, bool, type(None)})


class BulkWriter:
    """Buffers rows per table and writes them a chunk at a time; a table's buffered parents go first, so
    foreign keys hold at every statement. Every row of a table must carry the same keys."""

    def __init__(self, connection: Connection, chunk_size: int = CHUNK_SIZE):
        self.connection = connection
        self.chunk_size = chunk_size
        self.counts: Counter[str] = Counter()
        self._buffers: dict[sa.Table, list[dict]] = {}
        self._first_ids: dict[sa.Table, int] = {}
        self._next_ids: dict[sa.Table, int] = {}

    def reserve_ids(self, table: sa.Table, count: int) -> list[int]:
        """`count` new ids of the table, in increasing order, for rows this writer is to add. PostgreSQL draws
        them from the table's sequence, as an INSERT would. SQLite takes those after the largest id the table
        holds (or this writer gave): a writing transaction holds the database's write lock (crm.core.sqlite
        begins it IMMEDIATE), so nobody else can take them meanwhile."""
        if self.connection.dialect.name == "postgresql":
            return sorted(self.connection.scalars(
                sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                {"table": table.name, "count": count}))
        return list(self._ids_after_the_largest(table, count))

    def _ids_after_the_largest(self, table: sa.Table, count: int) -> range:
        if table not in self._next_ids:
            self._first_ids[table] = self._next_ids[table] = (
                self.connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        first = self._next_ids[table]
        self._next_ids[table] += count
        return range(first, first + count)

    def add(self, table: sa.Table, row: dict) -> None:
        buffer = self._buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= self.chunk_size:
            self.flush(table)

    def add_audited(self, model: type[Audited], row: dict) -> None:
        """A new record of an audited model (one without many-to-many collections) and the audit row the listener
        writes for its insert: a snapshot of every tracked column, all of which `row` must give, the id too."""
        snapshot = {key: REDACTED if redacted else _logged(row[key]) for key, redacted in _tracked_columns(model)}
        actor = current_actor()
        self.add(model.__table__, row)
        self.add(AuditLog.__table__, {
            "at": utcnow(), "actor_id": actor.user_id, "actor_label": actor.label, "ip": current_ip(),
            "action": AuditAction.INSERT, "record_type": model.__name__, "record_id": str(row["id"]),
            "changes": snapshot, "import_batch_id": actor.import_batch_id})

    def flush(self, table: sa.Table) -> None:
        for key in table.foreign_keys:
            parent = key.column.table
            if parent is not table and self._buffers.get(parent):
                self.flush(parent)
        rows = self._buffers.pop(table, None)
        if not rows:
            return
        dialect = self.connection.dialect
        keys = list(rows[0])
        # Converted a column at a time: map() over a column is several times faster than a loop over each row.
        columns_of_values = []
        for key in keys:
            column = [row[key] for row in rows]
            process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
            columns_of_values.append(column if process is None else list(map(process, column)))
        values = list(zip(*columns_of_values, strict=True))
        quote = dialect.identifier_preparer.quote
        columns = ", ".join(quote(key) for key in keys)
        if dialect.name == "postgresql":
            statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
            dbapi_error = dialect.loaded_dbapi.Error
            try:
                with self.connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in values:
                        copy.write_row(row)
            except dbapi_error as error:
                # As SQLAlchemy raises it for a statement it runs itself: callers catch sa.exc.IntegrityError.
                raise sa.exc.DBAPIError.instance(statement, None, error, dbapi_error) from error
        else:
            placeholders = ", ".join("?" for _key in keys)
            self.connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})",
                                            values)
        self.counts[table.name] += len(rows)

    def flush_all(self) -> None:
        for table in db.metadata.sorted_tables:
            self.flush(table)


@cache
def _tracked_columns(model: type[Audited]) -> list[tuple[str, bool]]:
    """The columns the listener logs (crm.audit.listener), each with whether its values are redacted."""
    skip = UNTRACKED | model.__audit_ignore__
    return [(key, key in model.__audit_redact__) for key in model.__table__.columns.keys() if key not in skip]


def _logged(value):
    """A value as the audit listener logs it (crm.audit.listener): an enum as its value, a date or a timestamp
    (timezone-aware UTC, as the models keep them) in ISO form."""
    if type(value) in PLAIN_TYPES:
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
