"""Helpers for import tests: files built in memory (CSV in any encoding, XLSX) and an upload through the view."""
import csv
import io
from collections.abc import Sequence

import pytest
from openpyxl import Workbook

from crm.companies.rules import BUSINESS_NUMBER_WEIGHTS

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

    def send(data: bytes, file_name: str, kind: str = "companies", *, user=None, follow_redirects=True):
        client = client_as(user or coordinator)
        return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), file_name)},
                           content_type="multipart/form-data", follow_redirects=follow_redirects)

    return send
