"""The result report's tables as one XLSX workbook: a sheet per table, safe cells, an audit entry."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.audit.context import acting_as
from crm.audit.models import AuditLog
from crm.demo import load_demo
from crm.reports.result import _sheet_title


@pytest.fixture
def demo(db):
    with acting_as(None):
        load_demo()
    db.session.commit()


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data))


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_workbook_holds_a_sheet_per_table_of_the_2021_report(demo, client_as, coordinator):
    response = client_as(coordinator).get("/reports/export.xlsx?year=2021")

    workbook = workbook_of(response)
    assert 'filename="result-report-2021-' in response.headers["Content-Disposition"]
    names = workbook.sheetnames
    assert names[0] == "성과 요약"
    assert {"참여기업 성과", "코칭", "발굴 퍼널", "데이터 품질"} <= set(names)
    sales_sheets = [name for name in names if name.startswith("매출 ")]
    assert len(sales_sheets) == 1 and "해피빈" in sales_sheets[0]
    assert all(len(name) <= 31 for name in names)

    summary = rows_of(workbook["성과 요약"])
    assert summary[0][:3] == ("세부 사업명", "사업 내용", "지원 기업 수 (기록)")
    existing_channels = next(row for row in summary if row[0] == "기존 협력 유통채널 간 협업사업 추진 지원")
    assert existing_channels[2] == 10
    assert "롯데온 기획전 259개 (집계)" in existing_channels[3]
    assert "265,418,348원 (집계)" in existing_channels[4] and "234,656,330원 (집계)" in existing_channels[4]

    happybean = rows_of(workbook[sales_sheets[0]])
    total = next(row for row in happybean if row[0] == "합계")
    assert total[1:4] == (100_285_830, 138_961_890, "39%")
    stated = next(row for row in happybean if row[0] == "보고서 기재")
    assert stated[1:4] == (100_285_830, 144_115_890, "44%")
    outcomes = rows_of(workbook["참여기업 성과"])
    assert len({row[1] for row in outcomes[1:]}) == 7
    assert len(rows_of(workbook["코칭"])) == 1 + 3


def test_cells_that_a_spreadsheet_would_run_are_written_as_text(db, client_as, coordinator, make_program,
                                                                 make_campaign, make_company, make_participation):
    program = make_program("=SUM(1,2)", year=2021)
    campaign = make_campaign("@기획전", program=program)
    make_participation(campaign, make_company("=HYPERLINK(\"http://x\")"), sales_before=1, sales_after=2)

    workbook = workbook_of(client_as(coordinator).get("/reports/export.xlsx?year=2021"))

    summary = workbook["성과 요약"]
    assert summary["A2"].value == "=SUM(1,2)" and summary["A2"].data_type == "s"
    sales = workbook[workbook.sheetnames[1]]
    assert workbook.sheetnames[1] == "매출 @기획전"
    assert sales["A2"].value == '=HYPERLINK("http://x")' and sales["A2"].data_type == "s"


def test_taking_the_report_out_is_recorded_in_the_audit_log(db, client_as, coordinator, make_program):
    make_program(year=2021)

    client_as(coordinator).get("/reports/export.xlsx?year=2021")

    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id.desc()))
    assert entry is not None and entry.actor_id == coordinator.id
    assert entry.changes["list"] == "result-report" and entry.changes["year"] == 2021


def test_sheet_titles_are_made_acceptable_and_unique():
    taken: set[str] = set()

    first = _sheet_title("매출 [해피빈]: 가을/선물?*" + "가" * 40, taken)
    second = _sheet_title("매출 [해피빈]: 가을/선물?*" + "가" * 40, taken)

    assert not set("[]:*?/\\") & set(first)
    assert len(first) == 31 and len(second) == 31 and first != second
