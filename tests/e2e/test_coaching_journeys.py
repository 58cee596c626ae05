"""Needs assessment, coach matching, a coaching session and its action items, as people see them in Chromium."""
import re
from datetime import timedelta

from crm.auth.models import Role
from crm.coaching.models import CoachProfile, Specialty
from crm.companies.models import EnterpriseType
from crm.companies.services import CompanyFields, create_company
from crm.core.time import seoul_today
from crm.extensions import db
from tests.e2e.conftest import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None


def _profile(live_app, account, specialty_names):
    from crm.auth.models import User

    with live_app.app_context():
        user = db.session.scalar(db.select(User).where(User.login_id == account.login_id))
        specialties = db.session.scalars(db.select(Specialty).where(Specialty.name.in_(specialty_names))).all()
        db.session.add(CoachProfile(user_id=user.id, specialties=list(specialties)))
        db.session.commit()
        db.session.remove()


def _company(live_app, name):
    with live_app.app_context():
        company = create_company(CompanyFields(name=name, enterprise_type=EnterpriseType.OTHER), actor=None)
        db.session.commit()
        company_id = company.id
        db.session.remove()
    return company_id


def test_a_coordinator_matches_a_coach_who_records_a_session_and_follows_up(browser, live_app, live_server,
                                                                          make_account, page, browser_log):
    coordinator = make_account(Role.COORDINATOR, name="이코디")
    sns_coach = make_account(Role.COACH, name="한소통")
    retail_coach = make_account(Role.COACH, name="윤유통")
    _profile(live_app, sns_coach, ["SNS 홍보", "온라인 마케팅"])
    _profile(live_app, retail_coach, ["유통 입점"])
    name = f"아주건강한속삭임{coordinator.login_id[-6:]}"
    company_id = _company(live_app, name)

    log_in(page, coordinator)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"/companies/{company_id}/assessments/new")
    page.get_by_label("SNS 홍보").check()
    page.get_by_label("온라인 마케팅").check()
    page.get_by_label("현재 문제점").fill("온라인 채널 인지도 낮음")
    page.get_by_role("button", name="저장").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    matches = page.get_by_test_id("match")
    expect(matches.first).to_contain_text("한소통")  # covers both needs
    matches.filter(has_text="한소통").get_by_role("button", name="이 코치 배정").click()
    page.wait_for_url(f"{live_server.url}/companies/{company_id}")
    expect(page.get_by_text("한소통").first).to_be_visible()

    coach_context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    coach_page = coach_context.new_page()
    log_in(coach_page, sns_coach)
    coach_page.wait_for_url(f"{live_server.url}/")
    coach_page.goto("/companies/")
    expect(coach_page.get_by_test_id("total-count")).to_have_text("전체 1건")
    expect(coach_page.get_by_role("link", name=name)).to_be_visible()

    coach_page.goto(f"/coaching/sessions/new?company_id={company_id}")
    coach_page.get_by_label("코칭 일자").fill(seoul_today().isoformat())
    coach_page.get_by_label("시간(분)").fill("90")
    coach_page.get_by_label("주제").fill("SNS·온라인 홍보 방안 코칭")
    due = (seoul_today() + timedelta(days=14)).isoformat()
    coach_page.locator("#action_items-0-what").fill("인스타그램 계정 개설")
    coach_page.locator("#action_items-0-due_on").fill(due)
    coach_page.locator("#action_items-1-what").fill("상세페이지 사진 교체")
    coach_page.locator("#action_items-1-due_on").fill(due)
    coach_page.get_by_role("button", name="저장").click()
    coach_page.wait_for_url(re.compile(r"/coaching/sessions/\d+$"))
    session_url = coach_page.url
    expect(coach_page.get_by_test_id("session-items").get_by_test_id("action-item")).to_have_count(2)

    coach_page.goto("/actions/")
    items = coach_page.get_by_test_id("action-item")
    expect(items).to_have_count(2)
    expect(coach_page.get_by_test_id("action-items")).to_contain_text("인스타그램 계정 개설")
    coach_context.close()

    other_context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    other_page = other_context.new_page()
    log_in(other_page, retail_coach)
    other_page.wait_for_url(f"{live_server.url}/")
    assert other_page.goto(f"/companies/{company_id}").status == 404
    assert other_page.goto(session_url).status == 404
    export = other_context.request.get(f"{live_server.url}/coaching/export.csv")
    assert export.status == 200 and "SNS·온라인 홍보 방안 코칭" not in export.text()
    other_context.close()

    assert browser_log.foreign_requests() == []
    assert browser_log.csp_violations() == []
