"""A company from sourcing to listing, as a coordinator, an admin and a coach see it in Chromium."""
import re

from crm.auth.models import Role
from tests.e2e.conftest import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

COMPANY_URL = re.compile(r"/companies/(\d+)$")


def _create_company(page, name: str, aliases: str = "", region: str = "강원특별자치도"):
    page.goto("/companies/new")
    page.get_by_label("기업명 (법인명)").fill(name)
    page.get_by_label("브랜드명·별칭 (한 줄에 하나)").fill(aliases)
    page.get_by_label("기업 유형").select_option(label="사회적기업")
    page.get_by_label("지역").select_option(label=region)
    page.get_by_role("button", name="저장").click()


def _add_product(page, live_server, company_id: str, name: str, price: str):
    page.goto(f"/companies/{company_id}")
    page.get_by_role("link", name="상품 추가").click()
    page.get_by_label("상품명").fill(name)
    page.get_by_label("가격 (원)").fill(price)
    page.get_by_role("button", name="저장").click()


def test_a_company_goes_from_sourced_to_listed_and_the_admin_and_a_coach_see_what_they_may(
        page, context, browser, live_server, make_account, browser_log):
    coordinator = make_account(Role.COORDINATOR, name="이코디")
    admin = make_account(Role.ADMIN, name="김관리")
    outsider_coach = make_account(Role.COACH, name="박코치")
    suffix = coordinator.login_id[-6:]
    name = f"365공유경제사회적협동조합{suffix}"
    alias = f"공정여행통영뚜벅투어{suffix}"

    log_in(page, coordinator)
    _create_company(page, name, aliases=alias)
    page.wait_for_url(COMPANY_URL)
    company_id = COMPANY_URL.search(page.url).group(1)
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()

    # A second company under the first one's alias: warned with a link before anything is saved.
    _create_company(page, alias.replace("통영", "통영 "))
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("같은 기업일 수 있습니다.")
    expect(warning.get_by_role("link", name=name)).to_have_attribute("href", f"/companies/{company_id}")

    _add_product(page, live_server, company_id, "통영 꿀빵 세트", "12,000")
    page.wait_for_url(re.compile(r"/products/\d+$"))
    product_url = page.url
    _add_product(page, live_server, company_id, "동피랑 엽서", "3000")
    page.wait_for_url(re.compile(r"/products/\d+$"))

    page.goto(f"/companies/{company_id}")
    products = page.get_by_test_id("company-products")
    expect(products).to_contain_text("통영 꿀빵 세트")
    expect(products).to_contain_text("12,000원")
    for stage in ("연락", "입점안내", "입점신청", "입점완료"):
        page.get_by_label("옮길 단계").select_option(label=stage)
        page.get_by_role("button", name="옮기기").click()
        expect(page.get_by_test_id("stage")).to_have_text(stage)
    expect(page.get_by_test_id("timeline")).to_contain_text("단계: 입점신청 → 입점완료")

    page.goto(product_url)
    estore = page.get_by_test_id("store-estore365")
    for status in ("입점신청", "심사중", "입점"):
        estore.get_by_label("새 상태").select_option(label=status)
        estore.get_by_role("button", name="상태 변경").click()
        expect(page.get_by_test_id("store-estore365").get_by_test_id("listing-status")).to_have_text(status)

    # The admin audits each move: who and when.
    admin_context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    admin_page = admin_context.new_page()
    log_in(admin_page, admin)
    admin_page.wait_for_url(f"{live_server.url}/")
    admin_page.goto("/admin/audit/stages")
    rows = admin_page.get_by_role("row").filter(has_text=name)
    expect(rows).to_have_count(5)  # registered at 발굴, then four moves
    expect(rows.first).to_contain_text("이코디")
    expect(rows.first).to_contain_text("입점완료")
    admin_page.goto("/admin/audit/stages?kind=listing")
    expect(admin_page.get_by_role("row").filter(has_text="통영 꿀빵 세트")).to_have_count(3)
    admin_context.close()

    # A coach assigned elsewhere: 404 on the company, its product and nothing of it in the export.
    coach_context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    coach_page = coach_context.new_page()
    log_in(coach_page, outsider_coach)
    coach_page.wait_for_url(f"{live_server.url}/")
    assert coach_page.goto(f"/companies/{company_id}").status == 404
    assert coach_page.goto(product_url).status == 404
    export = coach_context.request.get(f"{live_server.url}/companies/export.csv")
    assert export.status == 200 and name not in export.text()
    coach_context.close()

    assert browser_log.foreign_requests() == []
    assert browser_log.csp_violations() == []
