"""Uploads and downloads (checklist T20, T27-T29) through the real /imports/ page and the company export:
all-or-nothing imports, the size limit, content checks and archive bombs refused before openpyxl opens the file,
file names that never reach the disk, exports served as attachments."""
import io
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm.coaching.models import CoachingSession
from crm.companies.models import Company
from crm.core.time import seoul_today
from crm.imports import reading
from crm.imports.models import ImportBatch, ImportRow
from tests.auth.test_security import table_snapshot
from tests.imports.conftest import COMPANY_HEADERS, company_rows, csv_bytes, xlsx_bytes

BOUNDARY = "checklist-boundary"
SHEET = "xl/worksheets/sheet1.xml"
BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10))
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> bytes:
    """A multipart/form-data body written out by hand, so that its exact length is known."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_upload(client, content: bytes, file_name: str, kind: str = "companies"):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(content), file_name)},
                       content_type="multipart/form-data")


def rebuilt_xlsx(data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
                 compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook `data` with some parts replaced and others added."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def valid_workbook() -> bytes:
    return xlsx_bytes(COMPANY_HEADERS, company_rows(2))


# --- T20 import validation and atomicity -------------------------------------------------------------------


def test_t20_999_valid_rows_and_one_bad_date_store_nothing_and_name_the_line_and_column(db, coordinator, client_as):
    rows = company_rows(1000)
    rows[499][4] = "2021-02-30"  # line 501 (the header is line 1): no such day
    client = client_as(coordinator)

    preview = post_upload(client, csv_bytes(COMPANY_HEADERS, rows), "기업.csv")
    batch = db.session.scalar(sa.select(ImportBatch))
    applied = client.post(f"/imports/{batch.id}/apply")

    assert preview.status_code == 302
    problems = db.session.scalars(sa.select(ImportRow).where(ImportRow.batch_id == batch.id,
                                                             ImportRow.has_problems)).all()
    assert [(row.line, [problem["column"] for problem in row.problems]) for row in problems] == [(501, ["발굴일"])]
    page = client.get(f"/imports/{batch.id}").text
    assert re.search(r"\b501\b", page) and "발굴일" in page
    assert applied.status_code == 422
    assert count(db, Company) == 0


def test_t20_a_coachs_file_naming_another_coachs_company_is_refused_by_line_and_stores_nothing(
        db, coach, make_company, make_coach, client_as):
    own = make_company("내기업", coaches=[coach])
    others = make_company("다른코치기업", coaches=[make_coach("다른 코치")])
    client = client_as(coach)
    rows = [["2021-11-25", own.name, "대면", "60", "온라인 판로 전략"],
            ["2021-11-26", others.name, "대면", "60", "남의 기업 코칭"]]

    preview = post_upload(client, csv_bytes(("일자", "기업", "방식", "시간(분)", "주제"), rows), "코칭.csv",
                          kind="coaching_sessions")
    batch = db.session.scalar(sa.select(ImportBatch))
    applied = client.post(f"/imports/{batch.id}/apply")

    assert preview.status_code == 302
    problems = db.session.scalars(sa.select(ImportRow).where(ImportRow.batch_id == batch.id,
                                                             ImportRow.has_problems)).all()
    assert [(row.line, [problem["column"] for problem in row.problems]) for row in problems] == [(3, ["기업"])]
    assert applied.status_code == 422
    assert count(db, CoachingSession) == 0


def test_t20_a_coach_may_not_import_companies(db, coach, client_as):
    client = client_as(coach)
    before = table_snapshot(db)

    response = post_upload(client, csv_bytes(COMPANY_HEADERS, company_rows(1)), "기업.csv")

    assert response.status_code == 422
    assert table_snapshot(db) == before


# --- T27 upload size ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra_bytes", "status"), [(0, 422), (1, 413)], ids=["at the limit", "one byte over"])
def test_t27_an_upload_one_byte_over_the_limit_gets_413_and_changes_nothing(app, db, coordinator, client_as,
                                                                           extra_bytes, status):
    limit = app.config["MAX_CONTENT_LENGTH"]
    header = multipart({"kind": "companies"}, "big.csv", b"")
    body = multipart({"kind": "companies"}, "big.csv", b"x" * (limit - len(header) + extra_bytes))
    client = client_as(coordinator)
    before = table_snapshot(db)

    response = client.post("/imports/", data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")

    assert len(body) == limit + extra_bytes
    assert response.status_code == status
    if status == 413:
        assert "파일이 너무 큽니다" in response.text
    assert table_snapshot(db) == before


# --- T28 upload type and archive bombs ---------------------------------------------------------------------


def _entries(count_: int) -> dict[str, bytes]:
    return {f"xl/media/padding{n}.bin": b"" for n in range(count_)}


BAD_FILES = {
    "an xlsx that is HTML": (b"<html><body><table><tr><td>\xea\xb8\xb0\xec\x97\x85\xeb\xaa\x85</td></tr></table>"
                             b"</body></html>", "기업.xlsx", "XLSX 파일이 아닙니다"),
    "a csv in Latin-1": ("Name,City\r\nCafé ÿ,Zürich\r\n".encode("latin-1"), "기업.csv", "UTF-8 또는 CP949"),
    "a csv in UTF-16": ("기업명\r\n공생공작\r\n".encode("utf-16"), "기업.csv", "CSV 파일이 아닙니다"),
    "an xlsx of 1001 zip entries": (lambda: rebuilt_xlsx(valid_workbook(), add=_entries(1001 - 9)),
                                    "기업.xlsx", "1,000개"),
    "an xlsx of over 50 MiB uncompressed": (
        lambda: rebuilt_xlsx(valid_workbook(), add={"xl/media/zeros.bin": bytes(50 * 1024 * 1024 + 1)}),
        "기업.xlsx", "50MB"),
    "an xlsx whose sheet declares an entity bomb": (lambda: rebuilt_xlsx(valid_workbook(),
                                                                         replace={SHEET: BILLION_LAUGHS}),
                                                    "기업.xlsx", "DTD"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_t28_bad_files_and_archive_bombs_are_refused_before_openpyxl_opens_them(db, coordinator, client_as,
                                                                                  monkeypatch, case):
    content, file_name, message = BAD_FILES[case]
    content = content() if callable(content) else content
    opened = []
    monkeypatch.setattr(reading, "load_workbook", lambda *args, **kwargs: opened.append(args))

    response = post_upload(client_as(coordinator), content, file_name)

    assert response.status_code == 422
    assert message in response.text
    assert opened == []
    assert count(db, ImportBatch) == 0


def test_t28_the_archive_checks_leave_a_real_workbook_alone(db, coordinator, client_as):
    assert len(zipfile.ZipFile(io.BytesIO(valid_workbook())).infolist()) == 9  # what _entries pads up to 1001

    response = post_upload(client_as(coordinator), valid_workbook(), "기업.xlsx")

    assert response.status_code == 302
    assert count(db, ImportBatch) == 1


def test_t28_a_cp949_csv_is_accepted(db, coordinator, client_as):
    response = post_upload(client_as(coordinator), csv_bytes(COMPANY_HEADERS, company_rows(2), encoding="cp949"),
                           "기업.csv")

    assert response.status_code == 302
    assert count(db, ImportRow) == 2


def test_t28_defusedxml_is_installed_and_openpyxl_parses_with_it():
    import defusedxml
    from openpyxl.xml import DEFUSEDXML

    assert defusedxml.__version__ and DEFUSEDXML is True


# --- T29 file names and downloads ----------------------------------------------------------------------------


def _files_under(root) -> set:
    return {path for path in root.rglob("*") if path.is_file()}


def test_t29_an_uploaded_file_name_with_dots_and_slashes_writes_nothing_to_disk(app, db, coordinator, client_as,
                                                                               tmp_path, monkeypatch):
    working = tmp_path / "a" / "b"
    working.mkdir(parents=True)
    monkeypatch.chdir(working)
    instance = Path(app.instance_path)
    instance_before = _files_under(instance)

    response = post_upload(client_as(coordinator), csv_bytes(COMPANY_HEADERS, company_rows(1)), "../../x.csv")

    assert response.status_code == 302
    assert _files_under(tmp_path) == set()
    assert _files_under(instance) == instance_before
    assert db.session.scalar(sa.select(ImportBatch.file_name)) == "../../x.csv"  # kept as a label, never a path


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_t29_the_company_export_is_a_dated_attachment_with_its_type_and_nosniff(make_company, coordinator, client_as,
                                                                                fmt, content_type):
    make_company("내보낼기업")

    response = client_as(coordinator).get(f"/companies/export.{fmt}")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="companies-{seoul_today():%Y%m%d}.{fmt}"'
    assert response.headers["Content-Type"] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_t28_an_entity_bomb_in_utf16_which_the_byte_scan_cannot_read_is_refused_by_defusedxml(db, coordinator,
                                                                                               client_as):
    bomb = BILLION_LAUGHS.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")

    response = post_upload(client_as(coordinator), rebuilt_xlsx(valid_workbook(), replace={SHEET: bomb}),
                           "기업.xlsx")

    assert response.status_code == 422
    assert "XLSX 파일을 열 수 없습니다" in response.text
    assert count(db, ImportBatch) == 0
