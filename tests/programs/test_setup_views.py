"""Programme setup pages: programme and cohort lists, creating and editing a cohort with its stage and indicator
rows, enrolling companies and editing an enrollment; refusals beside their field; coordination only; bounded
statement counts."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditAction, AuditLog
from crm.auth.models import Role
from crm.core.softdelete import including_deleted, soft_delete
from crm.core.time import seoul_today
from crm.programs.models import Cohort, CohortStage, Enrollment, EnrollmentStatus, Indicator, Program


def cohort_form(program, **overrides) -> dict:
    """A new cohort with three stages and two indicators, as the form sends it (with one blank row of each)."""
    data = {"program_id": str(program.id), "name": "2021 공동판로개척 26주", "start_on": "2021-05-03", "weeks": "26",
            "note": ""}
    for index, (name, first, last) in enumerate((("준비", "1", "4"), ("실행", "5", "20"), ("확산", "21", "26"),
                                                 ("", "", ""))):
        data.update({f"stages-{index}-name": name, f"stages-{index}-first_week": first,
                     f"stages-{index}-last_week": last, f"stages-{index}-id": ""})
    for index, (name, unit, targets) in enumerate((("라이브커머스 횟수", "회", ("0", "3", "5", "")),
                                                   ("매출액", "원", ("0", "5,000,000", "10,000,000", "")),
                                                   ("", "", ("", "", "", "")))):
        data.update({f"indicators-{index}-name": name, f"indicators-{index}-unit": unit,
                     f"indicators-{index}-id": ""})
        data.update({f"indicators-{index}-targets-{stage}": value for stage, value in enumerate(targets)})
    data.update(overrides)
    return data


def error_beside(response, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-errors">(.*?)</div>\s*</div>', response.text, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(including_deleted(sa.select(sa.func.count()).select_from(model)))


def assert_no_inline_code(response) -> None:
    assert "<script>" not in response.text and "style=" not in response.text and "onclick=" not in response.text


@pytest.fixture
def program(make_program):
    return make_program("지역·업종별 사회적경제 공동판로개척 지원사업")


@pytest.fixture
def staff(coordinator, client_as):
    return client_as(coordinator)


# --- cohorts ------------------------------------------------------------------------------------------------

def test_the_new_cohort_form_offers_blank_stage_and_indicator_rows_with_a_target_per_stage(staff, program):
    response = staff.get(f"/cohorts/new?program_id={program.id}")

    assert response.status_code == 200
    assert 'for="stages-3-first_week"' in response.text and 'name="stages-4-name"' not in response.text
    assert 'for="indicators-2-targets-3"' in response.text
    assert f'<option selected value="{program.id}">' in response.text
    assert 'value="26"' in response.text
    assert_no_inline_code(response)


def test_a_coordinator_sets_up_a_cohort_with_three_stages_and_two_indicators(db, staff, program, coordinator):
    response = staff.post("/cohorts/new", data=cohort_form(program))

    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort))
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    assert [(s.name, s.first_week, s.last_week) for s in cohort.stages] == [("준비", 1, 4), ("실행", 5, 20),
                                                                           ("확산", 21, 26)]
    assert [(i.name, sorted(t.value for t in i.targets)) for i in cohort.indicators] == [
        ("라이브커머스 횟수", [0, 3, 5]), ("매출액", [0, 5_000_000, 10_000_000])]
    actors = set(db.session.scalars(sa.select(AuditLog.actor_id).where(AuditLog.record_type.in_(
        ("Cohort", "CohortStage", "Indicator", "IndicatorTarget")))))
    assert actors == {coordinator.id}


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"stages-1-first_week": "6"}, "stages-1-first_week", "5주차가 어느 단계에도 없습니다"),
    ({"stages-1-first_week": "4"}, "stages-1-first_week", "4주차가 두 단계에 겹칩니다"),
    ({"stages-2-last_week": "30"}, "stages-2-last_week", "30주차는 과정 기간(26주) 밖입니다"),
    ({"indicators-1-targets-1": "-5"}, "indicators-1-targets-1", "0 이상"),
    ({"indicators-0-targets-2": "2"}, "indicators-0-targets-2", "줄어들 수 없습니다"),
    ({"weeks": "-1"}, "weeks", "0 이상"),
    ({"weeks": "200"}, "weeks", "너무 큽니다"),
    ({"program_id": "999"}, "program_id", "사업을 선택하세요"),
    ({"start_on": ""}, "start_on", "시작일을 입력하세요"),
])
def test_a_bad_cohort_is_refused_beside_the_field_and_nothing_is_stored(db, staff, program, overrides, field_id,
                                                                        message):
    response = staff.post("/cohorts/new", data=cohort_form(program, **overrides))

    assert response.status_code == 422
    assert message in error_beside(response, field_id)
    assert count(db, Cohort) == 0 and count(db, CohortStage) == 0 and count(db, Indicator) == 0


def test_the_setup_page_shows_the_cohort_as_it_is_and_saves_a_change_keeping_row_ids(db, staff, program):
    staff.post("/cohorts/new", data=cohort_form(program))
    cohort = db.session.scalar(sa.select(Cohort))
    stage_ids = [stage.id for stage in cohort.stages]

    page = staff.get(f"/cohorts/{cohort.id}/edit")
    assert page.status_code == 200
    assert 'value="5,000,000"' in page.text
    assert f'name="stages-0-id" type="hidden" value="{stage_ids[0]}"' in page.text
    data = cohort_form(program, **{"stages-0-id": str(stage_ids[0]), "stages-1-id": str(stage_ids[1]),
                                   "stages-2-id": str(stage_ids[2]), "stages-0-last_week": "6",
                                   "stages-1-first_week": "7", "version": str(cohort.version),
                                   "indicators-0-id": str(cohort.indicators[0].id),
                                   "indicators-1-id": str(cohort.indicators[1].id)})
    response = staff.post(f"/cohorts/{cohort.id}/edit", data=data)

    assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{cohort.id}"
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert [stage.id for stage in cohort.stages] == stage_ids
    assert (cohort.stages[0].last_week, cohort.stages[1].first_week, cohort.version) == (6, 7, 2)


def test_a_stale_cohort_edit_answers_409_with_the_current_values(db, staff, program):
    staff.post("/cohorts/new", data=cohort_form(program))
    cohort = db.session.scalar(sa.select(Cohort))
    stale = str(cohort.version)
    staff.post(f"/cohorts/{cohort.id}/edit", data=cohort_form(program, name="먼저 저장한 이름", version=stale,
                                                              **_ids(cohort)))

    response = staff.post(f"/cohorts/{cohort.id}/edit", data=cohort_form(program, name="늦은 이름", version=stale,
                                                                         **_ids(cohort)))

    assert response.status_code == 409
    assert "다른 사용자가 먼저 저장했습니다" in response.text and 'value="먼저 저장한 이름"' in response.text
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).name == "먼저 저장한 이름"


def _ids(cohort) -> dict:
    ids = {f"stages-{index}-id": str(stage.id) for index, stage in enumerate(cohort.stages)}
    ids.update({f"indicators-{index}-id": str(indicator.id) for index, indicator in enumerate(cohort.indicators)})
    return ids


def test_a_cohort_with_enrollments_is_not_deleted(db, staff, make_enrollment):
    enrollment = make_enrollment()

    response = staff.post(f"/cohorts/{enrollment.cohort_id}/delete")

    assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{enrollment.cohort_id}/edit"
    db.session.expire_all()
    assert not db.session.get(Cohort, enrollment.cohort_id).is_deleted


def test_an_empty_cohort_is_deleted_and_leaves_the_lists(db, staff, make_cohort):
    cohort = make_cohort("지울 과정")

    response = staff.post(f"/cohorts/{cohort.id}/delete")

    assert response.status_code == 302
    assert "지울 과정" not in staff.get("/cohorts/").text
    assert staff.get(f"/cohorts/{cohort.id}/edit").status_code == 404


# --- enrollments --------------------------------------------------------------------------------------------

def test_the_enroll_form_offers_only_live_companies_not_yet_in_the_cohort(db, staff, make_cohort, make_company,
                                                                          make_enrollment, coordinator):
    cohort = make_cohort()
    make_enrollment(cohort=cohort, company=make_company("이미참여"))
    make_company("새기업")
    gone = make_company("삭제된기업")
    soft_delete(gone, actor=coordinator)
    db.session.commit()

    response = staff.get(f"/cohorts/{cohort.id}/enrollments/new")

    assert response.status_code == 200
    assert "새기업" in response.text and "이미참여" not in response.text and "삭제된기업" not in response.text


def test_a_coordinator_enrolls_three_companies(db, staff, make_cohort, make_company):
    cohort = make_cohort()
    companies = [make_company(name) for name in ("㈜공공디자인이즘", "들애초", "워킹맘")]

    for company, title in zip(companies, ("공생공작 쇼핑라이브", "순회판매", "공공급식"), strict=True):
        response = staff.post(f"/cohorts/{cohort.id}/enrollments/new",
                              data={"company_id": str(company.id), "project_title": title, "budget": "5,000,000"})
        assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{cohort.id}"

    rows = db.session.execute(sa.select(Enrollment.company_id, Enrollment.project_title, Enrollment.budget)
                              .order_by(Enrollment.id)).all()
    assert rows == [(companies[0].id, "공생공작 쇼핑라이브", 5_000_000), (companies[1].id, "순회판매", 5_000_000),
                    (companies[2].id, "공공급식", 5_000_000)]


@pytest.mark.parametrize("case, field_id, message", [
    ("duplicate", "company_id", "이미 이 과정에 참여"),
    ("deleted", "company_id", "삭제되었거나 없는 기업"),
    ("negative", "budget", "0 이상"),
    ("blank_title", "project_title", "입력하세요"),
])
def test_a_bad_enrollment_is_refused_beside_the_field(db, staff, make_cohort, make_company, make_enrollment,
                                                      coordinator, case, field_id, message):
    cohort, company = make_cohort(), make_company()
    if case == "duplicate":
        make_enrollment(cohort=cohort, company=company)
    if case == "deleted":
        soft_delete(company, actor=coordinator)
        db.session.commit()
    before = count(db, Enrollment)
    data = {"company_id": str(company.id), "project_title": "" if case == "blank_title" else "라이브",
            "budget": "-5" if case == "negative" else ""}

    response = staff.post(f"/cohorts/{cohort.id}/enrollments/new", data=data)

    assert response.status_code == 422
    assert message in error_beside(response, field_id)
    assert count(db, Enrollment) == before


def enrollment_form(enrollment, **overrides) -> dict:
    data = {"project_title": enrollment.project_title, "budget": "10,000,000", "status": "completed",
            "final_report_status": "reviewed", "final_report_submitted_on": "2021-11-25",
            "final_report_comment": "", "settlement_status": "settled", "settlement_amount": "9,500,000",
            "settlement_comment": "", "version": str(enrollment.version)}
    data.update(overrides)
    return data


def test_an_enrollment_edit_records_final_report_and_settlement(db, staff, make_enrollment):
    enrollment = make_enrollment(budget=10_000_000)
    page = staff.get(f"/enrollments/{enrollment.id}/edit")
    assert page.status_code == 200 and 'value="10,000,000"' in page.text

    response = staff.post(f"/enrollments/{enrollment.id}/edit", data=enrollment_form(enrollment))

    assert response.status_code == 302 and response.headers["Location"] == f"/enrollments/{enrollment.id}"
    db.session.expire_all()
    enrollment = db.session.get(Enrollment, enrollment.id)
    assert (enrollment.status, enrollment.final_report_submitted_on, enrollment.settlement_amount) == \
        (EnrollmentStatus.COMPLETED, date(2021, 11, 25), 9_500_000)


def test_spending_more_than_the_budget_is_refused_beside_the_amount(db, staff, make_enrollment):
    enrollment = make_enrollment(budget=10_000_000)

    response = staff.post(f"/enrollments/{enrollment.id}/edit",
                          data=enrollment_form(enrollment, settlement_amount="12,000,000"))

    assert response.status_code == 422
    assert "지원금" in error_beside(response, "settlement_amount")
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).settlement_amount is None


def test_a_stale_enrollment_edit_answers_409(db, staff, make_enrollment):
    enrollment = make_enrollment()
    stale = enrollment_form(enrollment)
    staff.post(f"/enrollments/{enrollment.id}/edit", data=enrollment_form(enrollment, project_title="먼저"))

    response = staff.post(f"/enrollments/{enrollment.id}/edit", data={**stale, "project_title": "나중"})

    assert response.status_code == 409 and 'value="먼저"' in response.text
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).project_title == "먼저"


def test_deleting_an_enrollment_hides_it_and_is_audited(db, staff, make_enrollment, coordinator):
    enrollment = make_enrollment()

    response = staff.post(f"/enrollments/{enrollment.id}/delete")

    assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{enrollment.cohort_id}"
    assert staff.get(f"/enrollments/{enrollment.id}/edit").status_code == 404
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.record_type == "Enrollment",
                                                        AuditLog.action == AuditAction.DELETE))
    assert audit.actor_id == coordinator.id


# --- programmes ---------------------------------------------------------------------------------------------

def test_a_coordinator_registers_a_programme_and_sees_it_with_its_cohorts(db, staff, make_cohort, coordinator):
    response = staff.post("/programs/new", data={"year": "2021", "name": "신규 협력채널 발굴", "description": "와디즈",
                                                 "note": "", "owner_id": str(coordinator.id)})

    program = db.session.scalar(sa.select(Program))
    assert response.status_code == 302 and response.headers["Location"] == f"/programs/{program.id}"
    make_cohort("와디즈 과정", program=program)
    detail = staff.get(f"/programs/{program.id}")
    assert detail.status_code == 200 and "와디즈 과정" in detail.text and coordinator.name in detail.text
    assert_no_inline_code(detail)


def test_a_bad_year_is_refused_beside_the_field(db, staff):
    response = staff.post("/programs/new", data={"year": "21년", "name": "x", "owner_id": ""})

    assert response.status_code == 422
    assert "정수" in error_beside(response, "year")
    assert count(db, Program) == 0


def test_the_programme_list_filters_by_year_and_name(staff, make_program):
    make_program("공동판로개척", year=2021)
    make_program("카탈로그", year=2021)
    make_program("공동판로개척 후속", year=2022)

    response = staff.get("/programs/?year=2021&name=판로")

    assert response.status_code == 200
    assert "공동판로개척" in response.text and "카탈로그" not in response.text and "후속" not in response.text


def test_the_cohort_list_shows_the_current_week_and_counts_live_enrollments_only(db, staff, make_cohort,
                                                                                   make_enrollment, coordinator):
    cohort = make_cohort("진행 중 과정", start_on=seoul_today().replace(day=1))
    make_enrollment(cohort=cohort)
    gone = make_enrollment(cohort=cohort)
    soft_delete(gone, actor=coordinator)
    db.session.commit()

    response = staff.get("/cohorts/")

    row = response.text.split("진행 중 과정")[1].split("</tr>")[0]
    assert "주차" in row
    assert '<td class="text-end">1</td>' in row


# --- access and statement counts ----------------------------------------------------------------------------

def test_a_coach_gets_403_on_every_setup_page_and_change(db, client_as, coach, make_enrollment, program):
    enrollment = make_enrollment()
    client = client_as(coach)
    cohort_id = enrollment.cohort_id

    for url in ("/programs/", "/programs/new", f"/programs/{program.id}", f"/programs/{program.id}/edit", "/cohorts/",
                "/cohorts/new", f"/cohorts/{cohort_id}/edit", f"/cohorts/{cohort_id}/enrollments/new",
                f"/enrollments/{enrollment.id}/edit"):
        assert client.get(url).status_code == 403, url
    for url in (f"/programs/{program.id}/delete", f"/cohorts/{cohort_id}/delete",
                f"/enrollments/{enrollment.id}/delete", "/cohorts/new"):
        assert client.post(url, data=cohort_form(program)).status_code == 403, url
    assert count(db, Cohort) == 1 and not db.session.get(Enrollment, enrollment.id).is_deleted


def test_the_navigation_shows_programmes_and_cohorts_to_coordination_only(client_as, coordinator, coach):
    assert 'href="/programs/"' in client_as(coordinator).get("/").text
    assert 'href="/cohorts/"' in client_as(coordinator).get("/").text
    assert 'href="/programs/"' not in client_as(coach).get("/").text


@pytest.mark.parametrize("url", ["/programs/", "/cohorts/", "program_detail"])
def test_list_pages_issue_the_same_number_of_statements_for_few_and_many_rows(db, staff, make_program, make_cohort,
                                                                              make_company, make_user, count_queries,
                                                                              url):
    owner = make_user(Role.COORDINATOR)
    home = make_program("기준 사업", owner_id=owner.id)
    url = f"/programs/{home.id}" if url == "program_detail" else url

    def grow(programs: int, cohorts_each: int, companies_each: int):
        for number in range(programs):
            program = home if number == 0 else make_program(owner_id=owner.id)
            for cohort_number in range(cohorts_each):
                cohort = make_cohort(f"과정 {number}-{cohort_number}", program=program)
                for _company in range(companies_each):
                    db.session.add(Enrollment(cohort=cohort, company=make_company(), project_title="x"))
        db.session.commit()

    grow(1, 1, 1)
    with count_queries() as few:
        assert staff.get(url).status_code == 200
    grow(8, 3, 2)
    with count_queries() as many:
        assert staff.get(url).status_code == 200

    assert few.count == many.count, (few.statements, many.statements)
    print(f"{url}: {few.count} statements at few and many rows")
