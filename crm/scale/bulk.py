"""Bulk writing for the synthetic dataset: Core inserts of many rows per statement, ids chosen by the
generator, parents written before their children; emptying the database; sequences and statistics after.

This goes past the ORM on purpose, and so past the audit listener: `flask demo scale` is the one writer
allowed to (DESIGN.md), and it writes its own synthetic audit rows."""
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crm.extensions import db

CHUNK_SIZE = 5_000


class BulkWriter:
    """Buffers rows per table and inserts them a chunk at a time; a table's buffered parents go first, so
    foreign keys hold at every statement. Every row of a table must carry the same keys."""

    def __init__(self, connection: Connection, chunk_size: int = CHUNK_SIZE):
        self.connection = connection
        self.chunk_size = chunk_size
        self.counts: Counter[str] = Counter()
        self._buffers: dict[sa.Table, list[dict]] = {}
        self._first_ids: dict[sa.Table, int] = {}
        self._next_ids: dict[sa.Table, int] = {}

    def new_id(self, table: sa.Table) -> int:
        """The next free id of the table (after whatever it already holds)."""
        if table not in self._next_ids:
            self._first_ids[table] = self._next_ids[table] = (
                self.connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        self._next_ids[table] += 1
        return self._next_ids[table] - 1

    def ids_given(self, table: sa.Table) -> range:
        return range(self._first_ids.get(table, 1), self._next_ids.get(table, 1))

    def add(self, table: sa.Table, row: dict) -> None:
        buffer = self._buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= self.chunk_size:
            self.flush(table)

    def flush(self, table: sa.Table) -> None:
        for key in table.foreign_keys:
            parent = key.column.table
            if parent is not table and self._buffers.get(parent):
                self.flush(parent)
        rows = self._buffers.pop(table, None)
        if not rows:
            return
        # The column types' own conversions, applied here once per value: SQLAlchemy's per-row parameter
        # handling would take longer than the database does to store the rows.
        dialect = self.connection.dialect
        keys = list(rows[0])
        processors = [(key, table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) for key in keys]
        values = [tuple(row[key] if process is None else process(row[key]) for key, process in processors)
                  for row in rows]
        quote = dialect.identifier_preparer.quote
        columns = ", ".join(quote(key) for key in keys)
        if dialect.name == "postgresql":
            # COPY: several times faster than INSERT for many rows.
            with self.connection.connection.driver_connection.cursor() as cursor, \
                    cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join("?" for _key in keys)
            self.connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})",
                                            values)
        self.counts[table.name] += len(rows)

    def flush_all(self) -> None:
        for table in db.metadata.sorted_tables:
            self.flush(table)


def has_companies(connection: Connection) -> bool:
    companies = db.metadata.tables["companies"]
    return connection.scalar(sa.select(companies.c.id).limit(1)) is not None


def empty_database(connection: Connection) -> None:
    """Every row of every table of the app, users and the audit log included (not Alembic's version)."""
    tables = db.metadata.sorted_tables
    if connection.dialect.name == "postgresql":
        names = ", ".join(connection.dialect.identifier_preparer.quote(table.name) for table in tables)
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    for table in reversed(tables):
        connection.execute(table.delete())


def prepare_for_loading(connection: Connection) -> None:
    """SQLite keeps a 2 MB page cache by default: far too little for index pages of a million-row table."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size=-262144")


def finish_loading(connection: Connection) -> None:
    """Move PostgreSQL's id sequences past the ids the generator chose, and refresh the planners' statistics."""
    if connection.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, sa.Integer):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce(max(id), 0) + 1, false) FROM {connection.dialect.identifier_preparer.quote(table.name)}")
    connection.exec_driver_sql("ANALYZE")
