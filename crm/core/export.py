"""Writers for list exports: CSV (UTF-8 with a BOM, so that Excel shows Korean) and XLSX.

A spreadsheet runs a cell that starts with = + - @ (or a tab, carriage return or NUL before one) as a formula:
an exported company name such as `=HYPERLINK(…)` would be a trap for whoever opens the file. Text cells
that start so are written as text — in CSV with a leading single quote, in XLSX as a string cell —
while numbers stay numbers.
"""
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from flask import Response, request, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from crm.core.time import SEOUL, as_utc, seoul_today

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UTF8_BOM = "\ufeff"

Row = Sequence[object]


def safe_cell(value: object) -> object:
    """A value for a CSV cell: text that a spreadsheet would run gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: object) -> object:
    """A value as a cell holds it: None, a number, a date, a Seoul wall-clock time, or text (lazy text made str)."""
    if isinstance(value, datetime):
        return as_utc(value).astimezone(SEOUL).replace(tzinfo=None)
    if value is None or isinstance(value, bool | int | float | date | str):
        return value
    return str(value)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_chunks(headers: Sequence[str], rows: Iterable[Row], *, rows_per_chunk: int = 500) -> Iterator[str]:
    """The CSV text a few hundred rows at a time, so that a long list is sent while it is still being read."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(header) for header in headers])
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(value) for value in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(headers: Sequence[str], rows: Iterable[Row]) -> str:
    return "".join(csv_chunks(headers, rows))


def _csv_value(value: object) -> object:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Row]) -> Response:
    """Streamed: the rows may be a generator reading the database chunk by chunk (the request stays open)."""
    chunks = (chunk.encode("utf-8") for chunk in csv_chunks(headers, rows))
    return Response(stream_with_context(chunks), content_type=CSV_MIMETYPE, headers=_attachment(filename))


def _xlsx_cell(sheet, value: object) -> WriteOnlyCell:
    value = _plain(value)
    if isinstance(value, str):
        # Text is a string cell whatever it starts with (openpyxl would make "=…" a formula); control
        # characters that XLSX cannot hold are dropped.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Row], *, sheet_title: str = "Sheet1") -> bytes:
    return xlsx_workbook_bytes([(sheet_title, headers, rows)])


def xlsx_workbook_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Row]]]) -> bytes:
    """One workbook with a sheet per (title, headers, rows), every cell written the formula-safe way."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title)
        sheet.append([_xlsx_cell(sheet, header) for header in headers])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Row], *,
                  sheet_title: str = "Sheet1") -> Response:
    return Response(xlsx_bytes(headers, rows, sheet_title=sheet_title), mimetype=XLSX_MIMETYPE,
                    headers=_attachment(filename))


def export_response(fmt: str, basename: str, headers: Sequence[str], rows: Iterable[Row], *,
                    sheet_title: str, row_count: int | None = None) -> Response:
    """A list exported as `<basename>-YYYYMMDD.<fmt>` (Seoul date), CSV or XLSX.

    Taking data out is itself an event of the audit log (who, which list, how many rows, with what filters).
    Rows given as a generator are streamed; the caller then counts them beforehand (`row_count`)."""
    from crm.audit.services import record_security_event
    from crm.extensions import db

    if row_count is None:
        rows = list(rows)
        row_count = len(rows)
    filename = f"{basename}-{seoul_today():%Y%m%d}.{fmt}"
    record_security_event("export", detail={"list": basename, "format": fmt, "rows": row_count,
                                            "query": request.query_string.decode("utf-8", "replace")[:500]})
    db.session.commit()
    if fmt == "xlsx":
        return xlsx_response(filename, headers, rows, sheet_title=sheet_title)
    return csv_response(filename, headers, rows)
