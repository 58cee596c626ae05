"""Reading an upload into a header row and data rows of text cells, whatever the file: CSV (UTF-8 with or
without a BOM, or CP949 as Korean Excel writes it) or XLSX (read-only: formulas give their stored values and
are never run). Every refusal is a RuleError with a Korean message; nothing here touches the database."""
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from crm.core.errors import RuleError
from crm.core.export import FORMULA_STARTS

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DATA_ROWS = 50_000
ZIP_MAGIC = b"PK\x03\x04"
# An XLSX is checked as an archive before openpyxl opens it (ASVS 5.2.3): entries, size once unpacked, no DTD.
MAX_ARCHIVE_ENTRIES = 1000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
_DOCTYPE = b"<!DOCTYPE"
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included); serials in this range are plausible dates.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIAL_RANGE = range(1, 2958466)
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})"')
_MERGE_CELL_MAX = 200
_DATE_PARTS = re.compile(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?(\s+\d{1,2}:\d{2}(:\d{2})?)?")


@dataclass
class Table:
    headers: list[str]
    # (line number as a spreadsheet shows it, the header row being line 1; the row's cells as text)
    rows: list[tuple[int, list[str]]]


def _refuse(message: str) -> RuleError:
    return RuleError(message, field="file")


def read_upload(data: bytes, file_name: str) -> Table:
    if not data:
        raise _refuse(_("빈 파일입니다."))
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(_("파일이 너무 큽니다. 10MB 이하의 파일만 가져올 수 있습니다."))
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == "xlsx":
        if not data.startswith(ZIP_MAGIC):
            raise _refuse(_("XLSX 파일이 아닙니다. 파일 이름은 .xlsx이지만 내용은 엑셀 통합 문서가 아닙니다."))
        _check_archive(data)
        table = _read_xlsx(data)
    elif extension == "csv":
        if data.startswith(ZIP_MAGIC) or b"\x00" in data:  # NUL anywhere: no text file, and no database stores it
            raise _refuse(_("CSV 파일이 아닙니다. 파일 이름은 .csv이지만 내용은 텍스트가 아닙니다."))
        table = _read_csv(data)
    else:
        raise _refuse(_("CSV 또는 XLSX 파일만 가져올 수 있습니다."))
    if not any(table.headers):
        raise _refuse(_("첫 행에 열 제목이 없습니다. 첫 행에 기업명, 사업자등록번호 같은 열 제목을 넣으세요."))
    if not table.rows:
        raise _refuse(_("열 제목 아래에 데이터 행이 없습니다."))
    return table


def _too_many_rows() -> RuleError:
    return _refuse(_("행이 너무 많습니다. 한 번에 %(n)s행까지 가져올 수 있습니다.", n=f"{MAX_DATA_ROWS:,}"))


def _collect(records, first_line: int) -> Table:
    """Header and data rows from an iterator of cell lists; blank rows are left out but keep their numbers."""
    headers = None
    rows = []
    for line, cells in enumerate(records, start=first_line):
        cells = [_text(cell) for cell in cells]
        if headers is None:
            headers = cells
            if not any(headers):
                break
            continue
        if not any(cells):
            continue
        if len(rows) == MAX_DATA_ROWS:
            raise _too_many_rows()
        rows.append((line, cells))
    if headers is None:
        raise _refuse(_("빈 파일입니다."))
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, rows)


def _read_csv(data: bytes) -> Table:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(_("파일의 글자 인코딩을 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR)로 저장하세요."))
    try:
        return _collect(csv.reader(io.StringIO(text, newline="")), first_line=1)
    except csv.Error as error:
        raise _refuse(_("CSV 형식이 올바르지 않습니다: %(reason)s", reason=str(error))) from None


def _check_archive(data: bytes) -> None:
    """Refuse an archive bomb and XML with a document type (the way to an entity bomb) before anything parses it.

    zipfile never unpacks more than an entry's declared size, so the declared sizes bound the work."""
    unreadable = _refuse(_("XLSX 파일을 열 수 없습니다. 손상되었거나 엑셀 통합 문서가 아닙니다."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise unreadable from None
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise _refuse(_("XLSX 파일 안의 항목이 너무 많습니다 (%(n)s개까지).", n=f"{MAX_ARCHIVE_ENTRIES:,}"))
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise _refuse(_("XLSX 파일의 압축을 풀면 50MB를 넘습니다."))
    try:
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")) and _declares_doctype(archive, entry):
                raise _refuse(_("XLSX 파일에 문서 형식 선언(DTD)이 있어 열지 않습니다."))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        raise unreadable from None


def _declares_doctype(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(entry) as part:
        while chunk := part.read(1 << 20):
            if _DOCTYPE in tail + chunk:
                return True
            tail = chunk[-len(_DOCTYPE):]
    return False


def _read_xlsx(data: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise _refuse(_("XLSX 파일을 열 수 없습니다. 손상되었거나 엑셀 통합 문서가 아닙니다.")) from None
    try:
        if not workbook.worksheets:
            raise _refuse(_("빈 파일입니다."))
        sheet = workbook.worksheets[0]
        merged = _merged_ranges(sheet)
        records = (list(values) for values in sheet.iter_rows(values_only=True))
        table = _collect(_fill_merged(records, merged) if merged else records, first_line=1)
    finally:
        workbook.close()
    return table


def _merged_ranges(sheet) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (min_col, min_row, max_col, max_row). A read-only sheet does not parse them,
    and parsing the whole sheet's XML again would double the reading time, so its bytes are scanned for the
    <mergeCell ref="A2:A3"/> elements (which follow the cell data) a chunk at a time."""
    ranges = []
    tail = b""
    with sheet._get_source() as source:  # the read-only sheet's own XML stream
        while chunk := source.read(1 << 20):
            text = tail + chunk
            ranges.extend(range_boundaries(ref.decode()) for ref in _MERGE_CELL.findall(text))
            # Keep the end of the chunk (after the last match) in case an element is split between chunks.
            last = max((match.end() for match in _MERGE_CELL.finditer(text)), default=0)
            tail = text[max(last, len(text) - _MERGE_CELL_MAX):]
    return ranges


def _fill_merged(records, merged):
    """Every cell of a merged range reads as the range's top-left value, as the sheet shows it."""
    anchor_of = {}
    for min_col, min_row, max_col, max_row in merged:
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                anchor_of[(row, col)] = (min_row, min_col)
    anchors = set(anchor_of.values())
    width_of_row = {}
    for row, col in anchor_of:
        width_of_row[row] = max(width_of_row.get(row, 0), col)
    anchor_values = {}
    for row_number, cells in enumerate(records, start=1):
        width = max(len(cells), width_of_row.get(row_number, 0))
        cells = cells + [None] * (width - len(cells))
        for col_number in range(1, width + 1):
            key = (row_number, col_number)
            if key in anchors:
                anchor_values[key] = cells[col_number - 1]
            elif key in anchor_of:
                cells[col_number - 1] = anchor_values.get(anchor_of[key])
        yield cells


def _text(value) -> str:
    """A cell as text: numbers without a needless .0, dates as ISO dates, the export's formula guard removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def parse_date(text: str) -> date:
    """2021-11-25, 2021.11.25, 2021. 11. 25., 2021/11/25, 2021년 11월 25일 or an Excel serial (44525)."""
    text = text.strip()
    if text.isdigit() and int(text) in EXCEL_SERIAL_RANGE:
        return EXCEL_EPOCH + timedelta(days=int(text))
    match = _DATE_PARTS.fullmatch(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise RuleError(_("날짜를 읽을 수 없습니다: %(value)s (예: 2021-11-25, 2021. 11. 25.)", value=text))
