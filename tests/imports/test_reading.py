"""Reading uploads: encodings, XLSX formulas and merged cells, dates, and every refusal with its message."""
import io
import zipfile
from datetime import date

import pytest

from crm.core.errors import RuleError
from crm.imports.reading import MAX_DATA_ROWS, MAX_FILE_BYTES, parse_date, read_upload
from tests.imports.conftest import csv_bytes, xlsx_bytes

HEADERS = ("기업명", "지역")
ROWS = [["공생공작", "강원도"], ["365공유경제사회적협동조합", "경상남도"]]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp949", "euc-kr"])
def test_a_csv_is_read_in_utf8_with_or_without_a_bom_and_in_cp949(app, encoding):
    table = read_upload(csv_bytes(HEADERS, ROWS, encoding=encoding), "기업.csv")

    assert table.headers == ["기업명", "지역"]
    assert table.rows == [(2, ["공생공작", "강원도"]), (3, ["365공유경제사회적협동조합", "경상남도"])]


def test_blank_rows_are_left_out_but_lines_keep_their_numbers(app):
    table = read_upload(csv_bytes(HEADERS, [ROWS[0], ["", ""], ROWS[1]]), "a.csv")

    assert [line for line, _cells in table.rows] == [2, 4]


def test_the_exports_formula_guard_is_removed_again(app):
    table = read_upload(csv_bytes(HEADERS, [["'=HYPERLINK(1)", "'-5"], ["it's", "'plain"]]), "a.csv")

    assert table.rows[0][1] == ["=HYPERLINK(1)", "-5"]
    assert table.rows[1][1] == ["it's", "'plain"]


def _with_cached_formula_values(data: bytes) -> bytes:
    """openpyxl writes formulas without a stored result; Excel stores one. Add it as Excel would."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<f>1000*12</f><v />", b"<f>1000*12</f><v>12000</v>")
                assert b"<v>12000</v>" in content
            target.writestr(item, content)
    return target_buffer.getvalue()


def test_an_xlsx_formula_gives_its_stored_value_and_is_not_run(app):
    data = _with_cached_formula_values(xlsx_bytes(("상품명", "가격"), [["쌀", "=1000*12"]]))

    table = read_upload(data, "상품.xlsx")

    assert table.rows == [(2, ["쌀", "12000"])]


def test_merged_cells_read_as_the_value_the_sheet_shows_in_each_cell(app):
    def merge(sheet):
        sheet.merge_cells("B2:B3")

    data = xlsx_bytes(HEADERS, [["공생공작", "서울특별시"], ["함께장터", None]], prepare=merge)

    table = read_upload(data, "기업.xlsx")

    assert table.rows == [(2, ["공생공작", "서울특별시"]), (3, ["함께장터", "서울특별시"])]


def test_xlsx_dates_and_numbers_become_text_as_people_wrote_them(app):
    data = xlsx_bytes(("발굴일", "가격", "번호"), [[date(2021, 11, 25), 12000.0, 1234567891]])

    assert read_upload(data, "a.xlsx").rows == [(2, ["2021-11-25", "12000", "1234567891"])]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "a.csv", "빈 파일입니다."),
    (b"\r\n\r\n", "a.csv", "첫 행에 열 제목이 없습니다"),
    ("기업명\r\n".encode(), "a.csv", "데이터 행이 없습니다"),
    (b"x" * (MAX_FILE_BYTES + 1), "a.csv", "10MB 이하"),
    ("기업명\r\n공생공작\r\n".encode(), "a.xlsx", "XLSX 파일이 아닙니다"),
    (b"PK\x03\x04 not really a zip", "a.xlsx", "XLSX 파일을 열 수 없습니다"),
    (xlsx_bytes(HEADERS, ROWS), "a.csv", "CSV 파일이 아닙니다"),
    (b"\x00\x01\x02binary", "a.csv", "CSV 파일이 아닙니다"),
    ("기업명\r\n공생공작\r\n".encode(), "a.xls", "CSV 또는 XLSX 파일만"),
    (b"\xff\xfe\xfa\xfb\xff\xff", "a.csv", "인코딩"),
])
def test_a_bad_file_is_refused_with_a_korean_reason(app, data, name, message):
    with pytest.raises(RuleError) as refused:
        read_upload(data, name)

    assert message in refused.value.message


def test_more_rows_than_the_limit_are_refused(app):
    data = ("기업명\r\n" + "공생공작\r\n" * (MAX_DATA_ROWS + 1)).encode()

    with pytest.raises(RuleError) as refused:
        read_upload(data, "a.csv")

    assert "50,000행" in refused.value.message


def test_exactly_the_row_limit_is_read(app):
    data = ("기업명\r\n" + "공생공작\r\n" * MAX_DATA_ROWS).encode()

    assert len(read_upload(data, "a.csv").rows) == MAX_DATA_ROWS


@pytest.mark.parametrize("text", ["2021-11-25", "2021.11.25", "2021. 11. 25.", "2021/11/25", "2021년 11월 25일",
                                  "44525", "2021-11-25 00:00:00"])
def test_dates_are_read_in_every_usual_format(app, text):
    assert parse_date(text) == date(2021, 11, 25)


@pytest.mark.parametrize("text", ["25/11/2021", "2021-13-01", "어제", "2021-02-30"])
def test_an_unreadable_date_is_refused(app, text):
    with pytest.raises(RuleError):
        parse_date(text)
