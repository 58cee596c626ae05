"""Bulk writing for the synthetic dataset (crm.core.bulk): ids chosen by the generator, parents written before
their children; emptying the database; sequences and statistics after.

This goes past the ORM on purpose, and so past the audit listener: `flask demo scale` is the one writer
allowed to (DESIGN.md), and it writes its own synthetic audit rows."""
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crm.core.bulk import BulkWriter
from crm.extensions import db


class SyntheticWriter(BulkWriter):
    """Gives ids itself, after whatever each table holds, on PostgreSQL too (no round trip to a sequence per row):
    nobody else writes while the dataset is made, and finish_loading moves the sequences past them."""

    def new_id(self, table: sa.Table) -> int:
        return self._ids_after_the_largest(table, 1).start

    def ids_given(self, table: sa.Table) -> range:
        return range(self._first_ids.get(table, 1), self._next_ids.get(table, 1))


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
