"""The weekly digest: ISO weeks in Seoul, what each section counts, bad weeks refused, bounded statements."""
from datetime import UTC, date, datetime

import pytest
import time_machine

from crm.audit.context import acting_as
from crm.campaigns import results
from crm.campaigns.models import CampaignKind, MetricKind
from crm.coaching.models import CoachingSession, SessionMode
from crm.companies import products
from crm.companies.models import Store
from crm.companies.pipeline import Stage
from crm.companies.services import move_stage
from crm.core.errors import RuleError
from crm.programs.models import EnrollmentStatus, WeeklyReport
from crm.programs.progress import ReportFields, submit_report
from crm.reports.weekly import LIST_LIMIT, IsoWeek, parse_week

# 2021-W45 runs from Monday 8 to Sunday 14 November 2021 in Seoul, that is from 7 Nov 15:00 to 14 Nov 15:00 UTC.
IN_W45 = "2021-11-10 03:00:00+00:00"
FIRST_INSTANT_OF_W45 = "2021-11-07 15:00:00+00:00"
LAST_MINUTE_OF_W45 = "2021-11-14 14:59:00+00:00"
FIRST_INSTANT_OF_W46 = "2021-11-14 15:00:00+00:00"
AFTER_W45 = "2021-11-20 03:00:00+00:00"


def count_in(page, testid: str) -> int:
    return int(page.text.split(f'data-testid="{testid}-count">')[1].split("<")[0])


def part(page, testid: str) -> str:
    return page.text.split(f'data-testid="{testid}"')[1].split("</section>")[0]


# --- weeks --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "monday", "sunday"), [
    ("2021-W45", date(2021, 11, 8), date(2021, 11, 14)),
    ("2021-W01", date(2021, 1, 4), date(2021, 1, 10)),
    ("2021-W52", date(2021, 12, 27), date(2022, 1, 2)),
    ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
    (" 2021-W45 ", date(2021, 11, 8), date(2021, 11, 14)),
])
def test_an_iso_week_runs_from_monday_to_sunday(text, monday, sunday):
    week = parse_week(text)

    assert (week.monday, week.sunday) == (monday, sunday)


@pytest.mark.parametrize("text", ["2021-W53", "2021-W99", "2021-W00", "garbage", "2021-45", "2021-W5", "1999-W10"])
def test_a_week_that_does_not_exist_is_refused(text):
    with pytest.raises(RuleError):
        parse_week(text)


def test_no_week_is_the_current_week_in_seoul():
    # Monday 00:30 in Seoul is still Sunday in UTC.
    with time_machine.travel(FIRST_INSTANT_OF_W45, tick=False):
        assert parse_week(None) == IsoWeek(2021, 45)
        assert parse_week("") == IsoWeek(2021, 45)


def test_the_weeks_around_a_new_year_follow_the_iso_calendar():
    assert IsoWeek(2021, 1).shifted(-1) == IsoWeek(2020, 53)
    assert IsoWeek(2021, 52).shifted(1) == IsoWeek(2022, 1)
    assert IsoWeek(2100, 52).shifted(1) is None


def test_the_week_starts_at_midnight_in_seoul():
    week = IsoWeek(2021, 45)

    assert week.starts_at == datetime(2021, 11, 7, 15, tzinfo=UTC)
    assert week.ends_at == datetime(2021, 11, 14, 15, tzinfo=UTC)


# --- the page -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("2021-W99", "2021년에는 99주차가 없습니다."),
    ("2021-W53", "2021년에는 53주차가 없습니다."),
    ("garbage", "주는 2021-W45처럼 연도와 주 번호로 입력하세요."),
    ("1999-W10", "연도는 2000년부터 2100년 사이여야 합니다."),
])
def test_a_bad_week_gets_the_page_with_a_korean_message_and_422(db, coordinator, client_as, text, message):
    page = client_as(coordinator).get("/reports/weekly", query_string={"week": text})

    assert page.status_code == 422
    assert page.text.split('data-testid="week-error">')[1].split("<")[0] == message
    assert 'data-testid="sourced"' not in page.text


def test_the_digest_links_to_the_previous_and_next_weeks(db, coordinator, client_as):
    page = client_as(coordinator).get("/reports/weekly?week=2021-W52")

    assert page.status_code == 200
    assert "2021. 12. 27." in page.text and "2022. 1. 2." in page.text
    assert "/reports/weekly?week=2021-W51" in page.text
    assert "/reports/weekly?week=2022-W01" in page.text


def test_without_a_week_the_digest_shows_the_current_one(db, coordinator, client_as):
    with time_machine.travel(IN_W45, tick=False):
        page = client_as(coordinator).get("/reports/weekly")

    assert page.status_code == 200
    assert 'value="2021-W45"' in page.text


def test_a_coach_may_not_read_the_digest(db, coach, client_as):
    assert client_as(coach).get("/reports/weekly?week=2021-W45").status_code == 403


# --- what it counts -----------------------------------------------------------------------------------------


def _session(company, coach, held_on: date, topic: str) -> CoachingSession:
    session = CoachingSession(company_id=company.id, coach_id=coach.id, held_on=held_on, duration_minutes=60,
                              mode=SessionMode.IN_PERSON, topic=topic)
    return session


def test_seoul_day_boundaries_decide_the_week(db, make_company, coordinator, coach, client_as):
    company = make_company("경계기업", stage=Stage.SOURCED)
    for instant, stage in ((FIRST_INSTANT_OF_W45, Stage.CONTACTED), (LAST_MINUTE_OF_W45, Stage.GUIDED),
                           (FIRST_INSTANT_OF_W46, Stage.APPLIED)):
        with time_machine.travel(instant, tick=False):
            move_stage(company, stage, note=None, actor=coordinator)
            db.session.commit()
    db.session.add_all([_session(company, coach, date(2021, 11, 7), "지난주 일요일 코칭"),
                        _session(company, coach, date(2021, 11, 8), "월요일 코칭"),
                        _session(company, coach, date(2021, 11, 14), "일요일 코칭"),
                        _session(company, coach, date(2021, 11, 15), "다음 주 월요일 코칭")])
    db.session.commit()

    page = client_as(coordinator).get("/reports/weekly?week=2021-W45")

    assert count_in(page, "stage-moves") == 2
    moves = part(page, "stage-moves")
    assert "발굴 → 연락" in moves and "연락 → 입점안내" in moves and "입점신청" not in moves
    sessions = part(page, "sessions")
    assert count_in(page, "sessions") == 2
    assert "월요일 코칭" in sessions and "일요일 코칭" in sessions
    assert "지난주 일요일 코칭" not in sessions and "다음 주 월요일 코칭" not in sessions


def test_companies_sourced_in_the_week(db, make_company, coordinator, client_as):
    make_company("11월 발굴", discovered_on=date(2021, 11, 10))
    make_company("월말 발굴", discovered_on=date(2021, 11, 30))
    with time_machine.travel(IN_W45, tick=False):
        make_company("발굴일 없이 등록")
        make_company("예전에 발굴해 이번 주 등록", discovered_on=date(2021, 5, 1))
    deleted = make_company("삭제된 기업", discovered_on=date(2021, 11, 9))
    deleted.deleted_at = datetime(2021, 11, 20, tzinfo=UTC)
    db.session.commit()

    page = client_as(coordinator).get("/reports/weekly?week=2021-W45")

    assert count_in(page, "sourced") == 2
    sourced = part(page, "sourced")
    assert "11월 발굴" in sourced and "발굴일 없이 등록" in sourced
    assert "월말 발굴" not in sourced and "예전에 발굴해" not in sourced and "삭제된 기업" not in sourced


def test_listing_moves_in_the_week_with_who_made_them(db, make_company, coordinator, client_as):
    product = products.create_product(make_company("입점기업"), name="유기농 잼", actor=coordinator)
    store = db.session.query(Store).filter_by(is_default=True).one()
    with time_machine.travel(IN_W45, tick=False):
        products.move_listing(product, store, "applied", note=None, actor=coordinator)
        db.session.commit()
    with time_machine.travel(AFTER_W45, tick=False):
        products.move_listing(product, store, "listed", note=None, actor=coordinator)
        db.session.commit()

    page = client_as(coordinator).get("/reports/weekly?week=2021-W45")

    assert count_in(page, "listing-moves") == 1
    moves = part(page, "listing-moves")
    assert "유기농 잼" in moves and "미입점 → 입점신청" in moves and coordinator.name in moves
    assert f"/products/{product.id}" in moves


def test_weekly_reports_submitted_and_those_due_but_missing(db, make_cohort, make_enrollment, make_company,
                                                            coordinator, client_as):
    # Week 10 of a cohort starting Monday 6 September ends on Sunday 14 November; of one starting
    # Wednesday 1 September, on Tuesday 9 November: both come due in 2021-W45.
    on_mondays = make_cohort("월요일 기수", start_on=date(2021, 9, 6))
    on_wednesdays = make_cohort("수요일 기수", start_on=date(2021, 9, 1))
    make_cohort("끝난 기수", start_on=date(2021, 1, 4), weeks=8)
    reported = make_enrollment(on_mondays, make_company("보고한 기업"))
    late = make_enrollment(on_mondays, make_company("안 낸 기업"))
    make_enrollment(on_mondays, make_company("중도포기 기업"), status=EnrollmentStatus.DROPPED)
    early = make_enrollment(on_wednesdays, make_company("수요일 기수 미제출"))
    fields = ReportFields(work_done="라이브커머스 준비", status="on_track")
    with time_machine.travel(IN_W45, tick=False):
        submit_report(reported, 10, fields, {}, actor=coordinator)
        submit_report(late, 9, fields, {}, actor=coordinator)  # last week's, sent late: counts as submitted
        db.session.commit()
    with time_machine.travel(AFTER_W45, tick=False):
        submit_report(early, 11, fields, {}, actor=coordinator)
        db.session.commit()

    with time_machine.travel("2021-11-12 03:00:00+00:00", tick=False):  # Friday: the Tuesday deadline has passed
        page = client_as(coordinator).get("/reports/weekly?week=2021-W45")

    assert count_in(page, "reports-submitted") == 2
    submitted = part(page, "reports-submitted")
    assert "보고한 기업 · 10주차" in submitted and "안 낸 기업 · 9주차" in submitted
    assert count_in(page, "reports-missing") == 2
    missing = part(page, "reports-missing")
    assert "안 낸 기업" in missing and "수요일 기수 미제출" in missing
    assert "보고한 기업" not in missing and "중도포기 기업" not in missing
    assert missing.split("안 낸 기업")[1].split("</li>")[0].count("마감 전") == 1
    assert missing.split("수요일 기수 미제출")[1].split("</li>")[0].count("기한 지남") == 1
    assert db.session.query(WeeklyReport).count() == 3


def test_campaign_results_entered_in_the_week_come_from_the_audit_log(db, make_participation, make_campaign,
                                                                       make_company, coordinator, client_as):
    live = make_campaign("공생공작 쇼핑라이브", kind=CampaignKind.LIVE_COMMERCE)
    with_sales = make_participation(live, make_company("매출 입력 기업"))
    with_metrics = make_participation(live, make_company("지표 입력 기업"))
    status_only = make_participation(live, make_company("상태만 바뀐 기업"))
    later = make_participation(live, make_company("다음 주 입력 기업"))
    with time_machine.travel(IN_W45, tick=False), acting_as(coordinator):
        with_sales.sales_before, with_sales.sales_after = 1_000_000, 1_440_000
        results.set_metric(with_metrics, MetricKind.VIEWERS, 1200, actor=coordinator)
        source = results.add_sale_source(with_metrics, name="네이버 스토어", amount=300_000, actor=coordinator)
        status_only.note = "방송 일정 확정"
        db.session.commit()
    with time_machine.travel(LAST_MINUTE_OF_W45, tick=False), acting_as(coordinator):
        results.update_sale_source(source, name="네이버 스토어", amount=350_000, actor=coordinator)
        db.session.commit()
    with time_machine.travel(AFTER_W45, tick=False), acting_as(coordinator):
        results.set_metric(later, MetricKind.VIEWERS, 10, actor=coordinator)
        db.session.commit()

    page = client_as(coordinator).get("/reports/weekly?week=2021-W45")

    assert count_in(page, "campaign-results") == 2
    entered = part(page, "campaign-results")
    assert "매출 입력 기업" in entered and "지표 입력 기업" in entered
    assert "상태만 바뀐 기업" not in entered and "다음 주 입력 기업" not in entered
    metrics_row = entered.split("지표 입력 기업")[1].split("</li>")[0]
    assert "성과 지표, 판매처별 매출" in metrics_row and "3건" in metrics_row and coordinator.login_id in metrics_row


def test_a_long_list_shows_the_first_rows_and_how_many_more(db, make_company, coordinator, client_as):
    for number in range(LIST_LIMIT + 3):
        make_company(f"발굴기업{number:02d}", discovered_on=date(2021, 11, 9))

    page = client_as(coordinator).get("/reports/weekly?week=2021-W45")

    assert count_in(page, "sourced") == LIST_LIMIT + 3
    assert part(page, "sourced").count("list-group-item") == LIST_LIMIT
    assert "외 3건" in part(page, "sourced")


# --- statements ---------------------------------------------------------------------------------------------


def test_the_digest_issues_as_many_statements_for_a_busy_week_as_for_a_quiet_one(
        db, make_cohort, make_enrollment, make_company, make_campaign, make_participation, coordinator, coach,
        client_as, count_queries):
    client = client_as(coordinator)
    cohort = make_cohort(start_on=date(2021, 9, 6))
    campaign = make_campaign(kind=CampaignKind.LIVE_COMMERCE)
    store = db.session.query(Store).filter_by(is_default=True).one()

    def add(number: int):
        with time_machine.travel(IN_W45, tick=False), acting_as(coordinator):
            company = make_company(f"기업{number}", discovered_on=date(2021, 11, 9))
            move_stage(company, Stage.CONTACTED, note=None, actor=coordinator)
            product = products.create_product(company, name=f"상품{number}", actor=coordinator)
            products.move_listing(product, store, "applied", note=None, actor=coordinator)
            db.session.add(_session(company, coach, date(2021, 11, 10), f"코칭{number}"))
            reported = make_enrollment(cohort, company)
            submit_report(reported, 10, ReportFields(work_done="준비", status="on_track"), {}, actor=coordinator)
            make_enrollment(cohort, make_company(f"미제출{number}", discovered_on=date(2021, 5, 3)))
            participation = make_participation(campaign, company)
            participation.sales_after = 1000 * number
            metric = results.set_metric(participation, MetricKind.VIEWERS, number, actor=coordinator)
            db.session.commit()
            metric.value += 1
            source = results.add_sale_source(participation, name="스토어", amount=number, actor=coordinator)
            db.session.commit()
            results.update_sale_source(source, name="스토어", amount=number + 1, actor=coordinator)
            db.session.commit()

    def statements() -> int:
        with count_queries() as counter:
            page = client.get("/reports/weekly?week=2021-W45")
        assert page.status_code == 200
        return counter.count

    add(1)
    few = statements()
    assert count_in(client.get("/reports/weekly?week=2021-W45"), "campaign-results") == 1
    for number in range(2, 2 + LIST_LIMIT + 5):
        add(number)
    many = statements()

    page = client.get("/reports/weekly?week=2021-W45")
    for section in ("sourced", "stage-moves", "listing-moves", "sessions", "reports-submitted", "reports-missing",
                    "campaign-results"):
        assert count_in(page, section) == LIST_LIMIT + 6, section
    assert many == few
