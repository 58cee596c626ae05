"""A coordinator's day in Chromium: the dashboard's funnel leads to the companies behind a count, and the weekly
digest lists this week's sourcing and goes back a week."""
import re

from crm.auth.models import Role, User
from crm.companies.models import EnterpriseType
from crm.companies.services import CompanyFields, create_company
from crm.core.time import seoul_today
from crm.extensions import db
from tests.e2e.conftest import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None


def _my_companies(live_app, account, names) -> None:
    with live_app.app_context():
        me = db.session.scalar(db.select(User).where(User.login_id == account.login_id))
        for name in names:
            create_company(CompanyFields(name=name, enterprise_type=EnterpriseType.COOPERATIVE, coordinator_id=me.id,
                                         discovered_on=seoul_today()), actor=me)
        db.session.commit()
        db.session.remove()


def test_the_funnel_leads_to_my_companies_and_the_digest_to_this_weeks_sourcing(browser, live_app, live_server,
                                                                              make_account, page, browser_log):
    coordinator = make_account(Role.COORDINATOR)
    names = [f"대시보드기업{number}-{coordinator.login_id[-6:]}" for number in (1, 2)]
    _my_companies(live_app, coordinator, names)

    log_in(page, coordinator)
    page.wait_for_url(f"{live_server.url}/")
    funnel = page.get_by_test_id("funnel")
    expect(funnel).to_be_visible()
    funnel.locator("a").first.click()  # 발굴, the first stage
    page.wait_for_url(re.compile(r"/companies/\?.*stage=sourced"))
    expect(page.get_by_test_id("total-count")).to_have_text("전체 2건")
    for name in names:
        expect(page.get_by_role("link", name=name)).to_be_visible()

    page.goto("/")
    page.get_by_role("link", name="이번 주 주간 보고 보기").click()
    page.wait_for_url(re.compile(r"/reports/weekly"))
    expect(page.get_by_test_id("sourced")).to_contain_text(names[0])
    expect(page.get_by_test_id("sourced-count")).not_to_have_text("0")
    page.get_by_role("link", name=re.compile("지난주")).click()
    page.wait_for_url(re.compile(r"/reports/weekly\?week=\d{4}-W\d{2}"))
    expect(page.get_by_test_id("sourced")).not_to_contain_text(names[0])

    assert browser_log.page_errors == []
    assert browser_log.foreign_requests() == []
    assert browser_log.csp_violations() == []
