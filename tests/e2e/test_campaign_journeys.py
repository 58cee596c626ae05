"""A campaign as a coordinator runs it in Chromium: create it, add applicants, select some, enter their sales
and read the change rates and totals."""
import re

from crm.auth.models import Role
from crm.companies.models import EnterpriseType
from crm.companies.services import CompanyFields, create_company
from crm.extensions import db
from tests.e2e.conftest import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None


def _companies(live_app, names):
    with live_app.app_context():
        for name in names:
            create_company(CompanyFields(name=name, enterprise_type=EnterpriseType.SOCIAL_ENTERPRISE), actor=None)
        db.session.commit()
        db.session.remove()


def test_a_coordinator_creates_a_campaign_selects_two_applicants_and_reads_their_sales_change(
        browser, live_app, live_server, make_account, page, browser_log):
    coordinator = make_account(Role.COORDINATOR, name="이코디")
    tag = coordinator.login_id[-6:]
    salad, fish, sweet = f"샐러드보울{tag}", f"매일생선{tag}", f"달다쿠{tag}"
    _companies(live_app, [salad, fish, sweet])

    log_in(page, coordinator)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="기획전·캠페인").click()
    page.get_by_role("link", name="새 캠페인").click()
    page.get_by_label("캠페인 이름").fill(f"가을 선물 기획전 {tag}")
    page.get_by_label("유통채널").select_option(label="해피빈")
    page.get_by_label("유형", exact=True).select_option(label="기획전")
    page.get_by_label("기간 시작일", exact=True).fill("2021-08-24")
    page.get_by_label("기간 종료일", exact=True).fill("2021-09-24")
    page.get_by_label("비교 기간 시작일").fill("2021-07-29")
    page.get_by_label("비교 기간 종료일").fill("2021-08-23")
    page.locator("#exclusions-0-starts_on").fill("2021-09-16")
    page.locator("#exclusions-0-ends_on").fill("2021-09-21")
    page.locator("#exclusions-0-reason").fill("추석 연휴")
    page.get_by_role("button", name="저장").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+$"))
    campaign_url = page.url
    expect(page.get_by_test_id("exclusions")).to_contain_text("추석 연휴")

    page.get_by_test_id("add-participants").click()
    page.get_by_label("기업명·브랜드명").fill(tag)
    page.get_by_role("button", name="찾기").click()
    expect(page.get_by_test_id("company-row")).to_have_count(3)
    for name in (salad, fish, sweet):
        page.get_by_label(name).check()
    page.get_by_role("button", name="선택한 기업 추가").click()
    page.wait_for_url(campaign_url)
    expect(page.get_by_test_id("participant-row")).to_have_count(3)

    selection = page.get_by_test_id("selection-form")
    selection.get_by_label(salad).check()
    selection.get_by_label(sweet).check()
    selection.get_by_role("button", name="선정").click()
    page.wait_for_url(campaign_url)
    expect(page.get_by_test_id("participant-row").filter(has_text=fish)).to_contain_text("신청")

    page.get_by_test_id("edit-sales").click()
    expect(page.get_by_test_id("sales-form-row")).to_have_count(2)
    page.get_by_label(f"{salad} 이전 매출(원)").fill("76,266,640")
    page.get_by_label(f"{salad} 이후 매출(원)").fill("77,562,820")
    page.get_by_label(f"{sweet} 이전 매출(원)").fill("426700")
    page.get_by_label(f"{sweet} 이후 매출(원)").fill("5111930")
    page.get_by_label(f"{sweet} 기재 변화율").fill("1,098%")
    page.get_by_role("button", name="매출 저장").click()
    page.wait_for_url(campaign_url)

    rows = page.get_by_test_id("sales-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=salad).get_by_test_id("rate")).to_have_text("2%")
    expect(rows.filter(has_text=sweet).get_by_test_id("rate")).to_have_text("1,098%")
    expect(page.get_by_test_id("before-total")).to_have_text("76,693,340원")
    expect(page.get_by_test_id("after-total")).to_have_text("82,674,750원")
    expect(page.get_by_test_id("total-rate")).to_have_text("8%")
    expect(page.get_by_test_id("stated-disagrees")).to_have_count(0)

    assert browser_log.foreign_requests() == []
    assert browser_log.csp_violations() == []
    assert browser_log.page_errors == []
