"""Every list page exports exactly its filtered rows (every page of them) as CSV with a BOM and as XLSX, with
Korean headers, text that a spreadsheet would run made inert, a coach's export holding only what the coach's
page shows, and each export written to the audit log."""
import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.campaigns.models import ChannelKind
from crm.campaigns.services import ChannelFields, create_channel
from crm.coaching import pool
from crm.coaching.models import SessionMode
from crm.coaching.sessions import ActionItemFields, create_session
from crm.companies.pipeline import Stage
from crm.companies.products import create_product, delete_product
from crm.core.export import UTF8_BOM
from crm.core.time import seoul_today
from tests.conftest import log_in

FORMULA = "=HYPERLINK(\"http://evil.example\")"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(text[len(UTF8_BOM):])))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_text_cell(response, value: str):
    """The XLSX cell holding `value`: it must be a string cell, never a formula."""
    sheet = load_workbook(io.BytesIO(response.data)).active
    [cell] = [cell for row in sheet.iter_rows() for cell in row if cell.value == value]
    return cell


def export_events(db) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id)))


def column(rows: list[list], header: str) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


# --- programmes and cohorts -------------------------------------------------------------------------------------


def test_the_programme_export_holds_every_filtered_programme_and_not_the_others(
        app, db, make_program, coordinator, client_as):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        make_program(f"판로개척 {number}", year=2021)
    make_program("홍보콘텐츠", year=2021)
    make_program("판로개척 2022", year=2022)
    client = client_as(coordinator)

    rows = read_csv(client.get("/programs/export.csv?year=2021&name=판로"))
    sheet = read_xlsx(client.get("/programs/export.xlsx?year=2021&name=판로"))

    assert rows[0] == ["연도", "사업명", "담당자", "과정 수", "참여 기업 수", "비고"]
    assert sorted(column(rows, "사업명")) == ["판로개척 0", "판로개척 1", "판로개척 2"]
    assert sheet[0] == rows[0]
    assert sorted(column(sheet, "사업명")) == ["판로개척 0", "판로개척 1", "판로개척 2"]
    assert [(event.changes["list"], event.changes["rows"]) for event in export_events(db)] == [
        ("programs", 3), ("programs", 3)]


def test_the_programme_export_counts_cohorts_and_enrollments_and_makes_a_formula_inert(
        db, make_program, make_cohort, make_enrollment, coordinator, client_as):
    program = make_program("사업", note=FORMULA)
    make_enrollment(make_cohort(program=program))
    client = client_as(coordinator)

    rows = read_csv(client.get("/programs/export.csv"))
    response = client.get("/programs/export.xlsx")

    assert rows[1] == ["2021", "사업", "", "1", "1", "'" + FORMULA]
    assert xlsx_text_cell(response, FORMULA).data_type == "s"


def test_the_cohort_export_holds_the_filtered_cohorts_with_their_dates(
        db, make_program, make_cohort, make_enrollment, coordinator, client_as):
    kept = make_program("유지", year=2021)
    other = make_program("다른 사업", year=2021)
    cohort = make_cohort(FORMULA, program=kept, start_on=date(2021, 5, 3))
    make_enrollment(cohort)
    make_cohort("다른 기수", program=other)
    client = client_as(coordinator)

    rows = read_csv(client.get(f"/cohorts/export.csv?program_id={kept.id}"))
    response = client.get(f"/cohorts/export.xlsx?program_id={kept.id}")

    assert rows[0] == ["과정", "사업", "시작일", "종료일", "주 수", "이번 주차", "참여 기업 수"]
    assert rows[1:] == [["'" + FORMULA, "2021 유지", "2021-05-03", "2021-10-31", "26",
                         str(cohort.week_of(seoul_today()) or ""), "1"]]
    assert xlsx_text_cell(response, FORMULA).data_type == "s"
    assert [event.changes["list"] for event in export_events(db)] == ["cohorts", "cohorts"]


def test_an_invalid_filter_gives_the_list_back_not_a_file(coordinator, client_as):
    response = client_as(coordinator).get("/programs/export.csv?name=" + "가" * 500)

    assert response.status_code == 422
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("url", ["/programs/export.csv", "/cohorts/export.csv", "/channels/export.csv",
                                 "/campaigns/unlisted/export.csv", "/admin/users/export.csv",
                                 "/admin/audit/export.csv", "/admin/trash/export.csv"])
def test_a_coach_may_not_export_coordination_lists(url, coach, client_as):
    assert client_as(coach).get(url).status_code == 403


# --- channels and the unlisted worklist ---------------------------------------------------------------------------


def test_the_channel_export_holds_every_channel_with_its_campaign_count(db, make_campaign, coordinator, client_as):
    make_campaign(channel="해피빈")
    make_campaign(channel="해피빈")
    client = client_as(coordinator)

    rows = read_csv(client.get("/channels/export.csv"))
    sheet = read_xlsx(client.get("/channels/export.xlsx"))

    assert rows[0] == ["채널", "유형", "주소", "메모", "사용", "캠페인 수"]
    happybean = next(row for row in rows if row[0] == "해피빈")
    assert happybean[4:] == ["사용 중", "2"]
    assert len(sheet) == len(rows) > 2
    assert [event.changes["list"] for event in export_events(db)] == ["channels", "channels"]


def test_a_channel_note_that_looks_like_a_formula_is_exported_inert(db, coordinator, client_as):
    create_channel(ChannelFields(name="새 채널", kind=ChannelKind.OPEN_MARKET, note="@SUM(A1)"), actor=coordinator)
    db.session.commit()

    rows = read_csv(client_as(coordinator).get("/channels/export.csv"))

    assert next(row for row in rows if row[0] == "새 채널")[3] == "'@SUM(A1)"


def test_the_unlisted_export_holds_every_company_taking_part_before_listing(
        app, db, make_company, make_participation, make_campaign, coordinator, client_as):
    app.config["PAGE_SIZE"] = 1
    campaign = make_campaign("가을 기획전")
    make_participation(campaign, make_company("+발굴기업", stage=Stage.SOURCED))
    make_participation(campaign, make_company("신청기업", stage=Stage.APPLIED))
    make_participation(campaign, make_company("입점기업", stage=Stage.LISTED))
    make_company("참여 안 한 기업")
    client = client_as(coordinator)

    rows = read_csv(client.get("/campaigns/unlisted/export.csv"))
    response = client.get("/campaigns/unlisted/export.xlsx")

    assert rows == [["기업명", "사업자등록번호", "단계", "참여"],
                    ["'+발굴기업", "", "발굴", "가을 기획전"],
                    ["신청기업", "", "입점신청", "가을 기획전"]]
    assert xlsx_text_cell(response, "+발굴기업").data_type == "s"
    assert [event.changes["list"] for event in export_events(db)] == ["unlisted", "unlisted"]


# --- action items and the coach pool (coaches too) ----------------------------------------------------------------


@pytest.fixture
def two_coaches_items(db, make_company, make_user, coordinator):
    """Coach 1 and coach 2, each with a company and a session with two items of their own, one of them done."""
    coach_one = make_user(Role.COACH, login_id="coach-one", name="코치하나")
    coach_two = make_user(Role.COACH, login_id="coach-two", name="코치둘")
    for coach, company_name, what in ((coach_one, "하나상회", FORMULA), (coach_two, "둘상회", "둘의 과제")):
        company = make_company(company_name, coaches=[coach])
        items = [ActionItemFields(what=what, owner_user_id=coach.id, due_on=date(2099, 1, 1)),
                 ActionItemFields(what=f"{what} 끝난 것", owner_user_id=coach.id, due_on=date(2021, 9, 30),
                                  done_on=date(2021, 9, 20))]
        create_session(company, coach=coach, held_on=date(2021, 9, 1), duration_minutes=60,
                       mode=SessionMode.IN_PERSON, topic=f"{company_name} 코칭", action_items=items, actor=coordinator)
    db.session.commit()
    return coach_one, coach_two


def test_a_coachs_action_item_export_holds_only_their_own_open_items(db, two_coaches_items, client_as):
    coach_one, _coach_two = two_coaches_items
    client = client_as(coach_one)

    rows = read_csv(client.get("/actions/export.csv"))
    response = client.get("/actions/export.xlsx")

    assert rows[0] == ["실행과제", "기업", "코칭 일자", "코칭 주제", "코치", "담당", "기한", "완료일", "기한 지남"]
    assert rows[1:] == [["'" + FORMULA, "하나상회", "2021-09-01", "하나상회 코칭", "코치하나", "코치하나",
                         "2099-01-01", "", ""]]
    assert xlsx_text_cell(response, FORMULA).data_type == "s"
    assert [(event.actor_id, event.changes["list"], event.changes["rows"]) for event in export_events(db)] == [
        (coach_one.id, "action-items", 1), (coach_one.id, "action-items", 1)]


def test_a_coordinators_action_item_export_follows_the_owner_and_done_filters(db, two_coaches_items, coordinator,
                                                                               client_as):
    _coach_one, coach_two = two_coaches_items
    client = client_as(coordinator)

    everyone = read_csv(client.get("/actions/export.csv"))
    theirs = read_csv(client.get(f"/actions/export.csv?owner={coach_two.id}&done=y"))

    assert sorted(column(everyone, "실행과제")) == ["'" + FORMULA, "둘의 과제"]
    # In the page's order: by due date once no item is overdue.
    assert [(row[0], row[7]) for row in theirs[1:]] == [("둘의 과제 끝난 것", "2021-09-20"), ("둘의 과제", "")]


def test_the_pool_export_names_only_the_coachs_own_companies_to_a_coach(db, two_coaches_items, client_as):
    coach_one, coach_two = two_coaches_items
    pool.save_profile(coach_one, bio=FORMULA, contact=None, specialty_ids=[], version=None, actor=coach_one)
    db.session.commit()

    rows = read_csv(client_as(coach_one).get("/coaches/export.csv"))

    assert rows[0] == ["이름", "전문 분야", "소개", "연락처", "담당 기업 수", "담당 기업", "코칭 횟수"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["코치하나"][2] == "'" + FORMULA
    assert by_name["코치하나"][4:] == ["1", "하나상회", "1"]
    assert by_name["코치둘"][4:] == ["1", "", "1"]
    assert "둘상회" not in str(rows)
    assert [event.actor_id for event in export_events(db)] == [coach_one.id]


def test_the_pool_export_follows_the_specialty_filter(db, two_coaches_items, coordinator, client_as):
    coach_one, _coach_two = two_coaches_items
    specialty = pool.add_specialty("라이브커머스", actor=None)
    pool.save_profile(coach_one, bio=None, contact=None, specialty_ids=[specialty.id], version=None, actor=None)
    db.session.commit()
    client = client_as(coordinator)

    rows = read_csv(client.get(f"/coaches/export.csv?specialty={specialty.id}"))
    sheet = read_xlsx(client.get(f"/coaches/export.xlsx?specialty={specialty.id}"))

    assert rows[1:] == [["코치하나", "라이브커머스", "", "", "1", "하나상회", "1"]]
    assert [row[0] for row in sheet[1:]] == ["코치하나"]


# --- admin lists: users, the audit log, the trash ---------------------------------------------------------------


def test_the_user_export_holds_the_filtered_users(db, admin, make_user, client_as):
    make_user(Role.COACH, login_id="coach-kept", name=FORMULA)
    make_user(Role.COACH, login_id="coach-gone", name="비활성 코치", active=False)
    make_user(Role.COORDINATOR, login_id="coord-other")
    client = client_as(admin)

    rows = read_csv(client.get("/admin/users/export.csv?role=coach&active=1"))
    response = client.get("/admin/users/export.xlsx?role=coach&active=1")

    assert rows == [["아이디", "이름", "이메일", "역할", "상태", "마지막 로그인"],
                    ["coach-kept", "'" + FORMULA, "", "코치", "활성", ""]]
    assert xlsx_text_cell(response, FORMULA).data_type == "s"
    assert [event.changes["list"] for event in export_events(db)] == ["users", "users"]


def test_the_audit_log_export_holds_the_filtered_entries_with_a_formula_made_inert(db, admin, client, client_as):
    tried = FORMULA.lower()  # a failed login is logged under the login id it was tried with, in lower case
    log_in(client, tried)
    admin_client = client_as(admin)

    rows = read_csv(admin_client.get("/admin/audit/export.csv?action=login_failed"))
    response = admin_client.get("/admin/audit/export.xlsx?action=login_failed")

    assert rows[0] == ["시각", "사용자", "아이디", "동작", "기록 종류", "기록 번호", "내용", "IP"]
    assert [(row[2], row[3]) for row in rows[1:]] == [("'" + tried, "로그인 실패")]
    assert xlsx_text_cell(response, tried).data_type == "s"
    [first, second] = export_events(db)
    assert (first.actor_id, first.changes["list"], first.changes["rows"]) == (admin.id, "audit-log", 1)
    assert "action=login_failed" in second.changes["query"]


def test_the_trash_export_holds_every_deleted_record_of_the_tab(app, db, admin, make_company, coordinator, client_as):
    app.config["PAGE_SIZE"] = 1
    company = make_company("상품있는기업")
    for name in ("-삭제상품", "또삭제상품", "남은상품"):
        create_product(company, name=name, actor=coordinator)
    db.session.commit()
    for product in company.products:
        if product.name != "남은상품":
            delete_product(product, actor=coordinator)
    db.session.commit()
    client = client_as(admin)

    rows = read_csv(client.get("/admin/trash/export.csv?kind=product"))
    response = client.get("/admin/trash/export.xlsx?kind=product")

    assert rows[0] == ["번호", "종류", "기록", "기업", "삭제한 사용자", "삭제 시각"]
    assert sorted(row[2] for row in rows[1:]) == ["'-삭제상품", "또삭제상품"]
    assert {(row[1], row[3], row[4]) for row in rows[1:]} == {("상품", "상품있는기업", "코디1 (coordinator1)")}
    assert xlsx_text_cell(response, "-삭제상품").data_type == "s"
    assert [event.changes["list"] for event in export_events(db)] == ["trash-product", "trash-product"]


def test_the_trash_export_of_an_unknown_kind_is_not_found(admin, client_as):
    assert client_as(admin).get("/admin/trash/export.csv?kind=nothing").status_code == 404


# --- the links on the pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "export"), [
    ("/programs/?year=2021", "/programs/export.csv?year=2021"),
    ("/cohorts/?year=2021", "/cohorts/export.xlsx?year=2021"),
    ("/channels/", "/channels/export.csv"),
    ("/campaigns/unlisted", "/campaigns/unlisted/export.xlsx"),
    ("/actions/?done=y", "/actions/export.csv?done=y"),
    ("/coaches/", "/coaches/export.xlsx"),
    ("/admin/users/?role=coach&page=1", "/admin/users/export.csv?role=coach"),
    ("/admin/audit/?action=login", "/admin/audit/export.xlsx?action=login"),
    ("/admin/trash/?kind=product", "/admin/trash/export.csv?kind=product"),
])
def test_each_list_links_to_its_export_with_its_filters_but_not_its_page(page, export, admin, client_as):
    response = client_as(admin).get(page)

    assert f'href="{export}"' in response.text
