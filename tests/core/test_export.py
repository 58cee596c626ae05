import csv
import io
from datetime import UTC, date, datetime

import pytest
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from crm.core.export import FORMULA_STARTS, UTF8_BOM, csv_response, csv_text, safe_cell, xlsx_bytes, xlsx_response

FORMULA_LIKE = ["=1+1", "+82-10-1234-5678", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\0=1+1",
                '=HYPERLINK("http://evil.example","클릭")']


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(UTF8_BOM))))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_t19_text_a_spreadsheet_would_run_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["공생공작", "a=b", " =1", "", "123-45-67890", "'quoted"])
def test_t19_other_text_is_left_as_it_is(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-12.5, -3, 0, 265418348, None, date(2021, 11, 25)])
def test_t19_numbers_and_dates_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_t19_csv_starts_with_a_bom_and_reads_back_as_written():
    text = csv_text(["기업명", "금액", "날짜"],
                    [["공생공작", 265418348, date(2021, 11, 25)], ["쉼표, 따옴표\"", None, None]])

    assert read_csv(text) == [["기업명", "금액", "날짜"], ["공생공작", "265418348", "2021-11-25"],
                              ["쉼표, 따옴표\"", "", ""]]


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_t19_a_csv_cell_that_starts_like_a_formula_starts_with_a_quote(value):
    [_, row] = read_csv(csv_text(["값"], [[value]]))

    assert row == ["'" + value]


def test_t19_a_negative_number_in_csv_stays_a_number():
    [_, row] = read_csv(csv_text(["값"], [[-12.5]]))

    assert row == ["-12.5"]


def test_csv_timestamps_are_written_in_seoul_time():
    [_, row] = read_csv(csv_text(["시각"], [[datetime(2021, 11, 24, 15, 30, tzinfo=UTC)]]))

    assert row == ["2021-11-25 00:30"]


def test_t29_the_csv_response_is_an_attachment_in_utf8(app):
    with app.test_request_context("/companies/export.csv"):
        response = csv_response("companies-20211125.csv", ["기업명"], [["공생공작"]])

        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="companies-20211125.csv"'
        body = response.get_data()
        assert body.startswith(UTF8_BOM.encode("utf-8"))
        assert read_csv(body.decode("utf-8")) == [["기업명"], ["공생공작"]]


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_t19_an_xlsx_cell_that_starts_like_a_formula_is_a_string_cell(value):
    sheet = read_xlsx(xlsx_bytes(["값"], [[value]]))

    cell = sheet["A2"]
    assert cell.data_type == "s"
    # XML reads a carriage return back as a line feed, and cannot hold a NUL at all.
    assert cell.value == value.replace("\r", "\n").replace("\0", "")


def test_t19_an_xlsx_file_holds_no_formula_at_all():
    sheet = read_xlsx(xlsx_bytes(FORMULA_LIKE, [FORMULA_LIKE, FORMULA_LIKE]))

    assert [cell.data_type for row in sheet.iter_rows() for cell in row if cell.data_type == "f"] == []


def test_t19_xlsx_keeps_numbers_numeric_and_dates_as_dates():
    sheet = read_xlsx(xlsx_bytes(["숫자", "음수", "날짜", "시각", "빈칸"],
                                 [[265418348, -12.5, date(2021, 11, 25), datetime(2021, 11, 24, 15, 30, tzinfo=UTC),
                                   None]]))

    number, negative, day, moment, empty = sheet[2]
    assert (number.value, number.data_type) == (265418348, "n")
    assert (negative.value, negative.data_type) == (-12.5, "n")
    assert day.value.date() == date(2021, 11, 25) and day.is_date
    assert moment.value == datetime(2021, 11, 25, 0, 30)  # Seoul wall-clock time
    assert empty.value is None


def test_xlsx_writes_lazy_text_and_drops_characters_a_workbook_cannot_hold(app):
    with app.test_request_context():
        sheet = read_xlsx(xlsx_bytes(["유형", "이름"], [[_l("협동조합"), "공생\x00공작\x1b"]]))

    assert [cell.value for cell in sheet[2]] == ["협동조합", "공생공작"]


def test_t29_the_xlsx_response_is_an_attachment():
    response = xlsx_response("companies-20211125.xlsx", ["기업명"], [["공생공작"]], sheet_title="기업")

    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="companies-20211125.xlsx"'
    sheet = read_xlsx(response.get_data())
    assert sheet.title == "기업"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["기업명"], ["공생공작"]]


HYPERLINK = 'HYPERLINK("http://x","클릭")'


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r", "\0"],
                         ids=["equals", "plus", "minus", "at", "tab", "carriage return", "nul"])
def test_t19_a_company_named_like_a_formula_is_exported_as_text_in_csv_and_xlsx(db, coordinator, client_as, lead):
    client = client_as(coordinator)
    typed = lead + HYPERLINK

    saved = client.post("/companies/new", data={"name": typed, "enterprise_type": "other"})
    client.post("/companies/new", data={"name": '쉼표, "따옴표"', "enterprise_type": "other"})
    csv_rows = read_csv(client.get("/companies/export.csv").get_data(as_text=True))
    sheet = read_xlsx(client.get("/companies/export.xlsx").get_data())

    names = sorted(row[0] for row in csv_rows[1:])
    if lead == "\0":
        assert saved.status_code == 400  # no form sends a NUL; PostgreSQL could not store it anyway
        assert names == ['쉼표, "따옴표"']
    elif lead in "\t\r":
        assert saved.status_code == 302
        assert names == [HYPERLINK, '쉼표, "따옴표"']  # the form strips leading white space
    else:
        assert saved.status_code == 302
        assert names == ["'" + typed, '쉼표, "따옴표"']
    assert not any(cell.startswith(FORMULA_STARTS) for row in csv_rows for cell in row)
    xlsx_names = sorted(cell.value for cell in sheet["A"][1:])
    assert xlsx_names == sorted(name.removeprefix("'") for name in names)
    assert {cell.data_type for cell in sheet["A"]} == {"s"}
    assert [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"] == []
