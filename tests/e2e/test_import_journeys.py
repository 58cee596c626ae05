"""Imports as a coordinator does them in Chromium: upload, fix the column mapping in the preview, apply; and a
campaign's sales table imported from the campaign page."""
import re

from crm.auth.models import Role
from crm.campaigns.models import Campaign, CampaignKind
from crm.companies.models import EnterpriseType
from crm.companies.services import CompanyFields, create_company
from crm.extensions import db
from tests.e2e.conftest import log_in
from tests.imports.conftest import csv_bytes, xlsx_bytes

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

PREVIEW_URL = re.compile(r"/imports/(\d+)$")


def test_a_coordinator_uploads_fixes_the_mapping_and_applies_an_import(page, live_server, make_account,
                                                                       browser_log):
    coordinator = make_account(Role.COORDINATOR, name="최코디")
    suffix = coordinator.login_id[-6:]
    names = [f"가져온협동조합{suffix}", f"가져온마을기업{suffix}"]
    data = csv_bytes(("회사 이름", "기업유형", "지역"), [[names[0], "협동조합", "강원도"],
                                                       [names[1], "마을기업", "전라북도"]], encoding="cp949")

    log_in(page, coordinator)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="가져오기").click()
    page.get_by_label("가져올 내용").select_option(label="기업")
    page.get_by_label("파일 (CSV 또는 XLSX, 10MB 이하)").set_input_files(
        files=[{"name": "기업.csv", "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name="올리고 미리보기").click()

    page.wait_for_url(PREVIEW_URL)
    expect(page.get_by_test_id("unmatched-headers")).to_contain_text("회사 이름")
    expect(page.get_by_test_id("mapping-problem")).to_contain_text("기업명")
    expect(page.get_by_test_id("apply")).to_be_disabled()

    page.get_by_label("회사 이름").select_option(label="기업명")
    page.get_by_role("button", name="다시 검사").click()

    expect(page.get_by_test_id("count-new")).to_have_text("2")
    expect(page.get_by_test_id("count-problems")).to_have_text("0")
    page.get_by_test_id("apply").click()

    expect(page.get_by_role("alert").filter(has_text="가져오기를 적용했습니다")).to_be_visible()
    expect(page.get_by_test_id("batch-status")).to_have_text("적용됨")
    expect(page.get_by_test_id("created-count")).to_have_text("2")

    page.goto(f"/companies/?q={suffix}")
    for name in names:
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert browser_log.csp_violations() == []
    assert browser_log.page_errors == []
    assert browser_log.foreign_requests() == []


def _campaign_with_companies(live_app, campaign_name: str, company_names) -> int:
    with live_app.app_context():
        for name in company_names:
            create_company(CompanyFields(name=name, enterprise_type=EnterpriseType.SOCIAL_ENTERPRISE), actor=None)
        campaign = Campaign(name=campaign_name, kind=CampaignKind.EXHIBITION)
        db.session.add(campaign)
        db.session.commit()
        campaign_id = campaign.id
        db.session.remove()
    return campaign_id


def test_a_coordinator_imports_a_campaigns_sales_table_from_xlsx_and_the_campaign_shows_it(
        page, live_app, live_server, make_account, browser_log):
    coordinator = make_account(Role.COORDINATOR, name="박코디")
    tag = coordinator.login_id[-6:]
    salad, sweet, campaign_name = f"샐러드보울{tag}", f"달다쿠{tag}", f"가을 선물 기획전 {tag}"
    campaign_id = _campaign_with_companies(live_app, campaign_name, [salad, sweet])
    # The report's slide-18 columns as typed in Excel: numbers as numbers, a stated rate as text.
    sales = xlsx_bytes(("업체명", "오픈전", "오픈후", "매출 변화율"),
                       [[salad, 76_266_640, 77_562_820, "2%"], [sweet, 426_700, 5_111_930, "1,098%"]])

    log_in(page, coordinator)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"/campaigns/?q={tag}")
    page.get_by_role("link", name=campaign_name).click()
    page.wait_for_url(f"{live_server.url}/campaigns/{campaign_id}")
    campaign_url = page.url
    page.get_by_test_id("import-participations").click()

    expect(page.get_by_label("가져올 내용")).to_have_value("participations")
    expect(page.get_by_label("캠페인 (참여기업과 매출을 가져올 때)")).to_have_value(str(campaign_id))
    page.get_by_label("파일 (CSV 또는 XLSX, 10MB 이하)").set_input_files(files=[{
        "name": "슬라이드18.xlsx", "buffer": sales,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="올리고 미리보기").click()

    page.wait_for_url(PREVIEW_URL)
    expect(page.get_by_test_id("batch-campaign")).to_have_text(campaign_name)
    expect(page.get_by_test_id("count-new")).to_have_text("2")
    expect(page.get_by_test_id("count-problems")).to_have_text("0")
    expect(page.get_by_test_id("sample-rows")).to_contain_text("76266640")
    page.get_by_test_id("apply").click()

    expect(page.get_by_role("alert").filter(has_text="가져오기를 적용했습니다")).to_be_visible()
    expect(page.get_by_test_id("created-count")).to_have_text("2")

    page.goto(campaign_url)
    rows = page.get_by_test_id("sales-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=salad).get_by_test_id("sales-before")).to_have_text("76,266,640원")
    expect(rows.filter(has_text=salad).get_by_test_id("sales-after")).to_have_text("77,562,820원")
    expect(rows.filter(has_text=salad).get_by_test_id("rate")).to_have_text("2%")
    expect(rows.filter(has_text=sweet).get_by_test_id("rate")).to_have_text("1,098%")
    expect(page.get_by_test_id("before-total")).to_have_text("76,693,340원")
    expect(page.get_by_test_id("after-total")).to_have_text("82,674,750원")
    expect(page.get_by_test_id("total-rate")).to_have_text("8%")
    expect(page.get_by_test_id("stated-disagrees")).to_have_count(0)
    assert browser_log.csp_violations() == []
    assert browser_log.page_errors == []
    assert browser_log.foreign_requests() == []
