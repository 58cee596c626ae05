"""Helpers for import tests: files built in memory (CSV in any encoding, XLSX) and an upload through the view."""
import csv
import io
from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from crm.audit.models import AuditLog
from crm.companies.rules import BUSINESS_NUMBER_WEIGHTS
from crm.imports.models import ImportBatch, ImportRow

COMPANY_HEADERS = ("기업명", "기업유형", "사업자등록번호", "지역", "발굴일")


def business_number(serial: int) -> str:
    """A valid 사업자등록번호 (right check digit) made from a serial number."""
    digits = [int(d) for d in f"{100000000 + serial:09d}"[-9:]]
    total = sum(d * w for d, w in zip(digits, BUSINESS_NUMBER_WEIGHTS, strict=False)) + digits[8] * 5 // 10
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[object]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[object]], *, prepare=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    if prepare:
        prepare(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def company_rows(count: int, *, start: int = 1) -> list[list[str]]:
    return [[f"가져온기업{n}", "사회적기업", business_number(n), "서울특별시", "2021-11-25"]
            for n in range(start, start + count)]


@pytest.fixture
def upload(client_as, coordinator):
    """POST a file to /imports/ as the coordinator (or `user`); returns the response."""

    def send(data: bytes, file_name: str, kind: str = "companies", *, user=None, follow_redirects=True, **fields):
        client = client_as(user or coordinator)
        return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), file_name), **fields},
                           content_type="multipart/form-data", follow_redirects=follow_redirects)

    return send


def latest_batch(db) -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def problems_of(db, batch) -> list[tuple[int, str | None, str]]:
    """(line, column, reason) of every problem of the batch, in line order."""
    rows = db.session.scalars(sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.has_problems)
                              .order_by(ImportRow.line))
    return [(row.line, problem["column"], problem["message"]) for row in rows for problem in row.problems]


def audited_types(db, batch) -> set[str]:
    """The kinds of records the batch changed, as its audit rows name them."""
    return set(db.session.scalars(sa.select(AuditLog.record_type).where(AuditLog.import_batch_id == batch.id)))
