"""An import as a coordinator does it in Chromium: upload, fix the column mapping in the preview, apply."""
import re

from crm.auth.models import Role
from tests.e2e.conftest import log_in
from tests.imports.conftest import csv_bytes

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
