"""Sign-in, sign-out, user administration and the language switch, as a user sees them in Chromium."""
import re

from crm.auth.models import Role
from tests.e2e.conftest import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) every test with the reason
    expect = None

LOGIN_URL = re.compile(r"/login(\?.*)?$")
WRONG_CREDENTIALS = "아이디 또는 비밀번호가 올바르지 않습니다."


def dashboard_url(live_server) -> str:
    return f"{live_server.url}/"


def main_nav(page):
    return page.get_by_role("navigation", name="주 메뉴")


def expect_dashboard_of(page, account):
    expect(page.get_by_role("heading", level=1, name="대시보드")).to_be_visible()
    expect(page.get_by_text(f"{account.name}님, 안녕하세요.")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text(account.name)


def test_login_from_the_front_page_lands_on_the_dashboard(page, live_server, make_account):
    coordinator = make_account(Role.COORDINATOR, name="김코디")

    page.goto("/")
    page.wait_for_url(LOGIN_URL)
    expect(page.get_by_role("heading", level=1, name="로그인")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("로그인이 필요합니다.")

    page.get_by_label("아이디").fill(coordinator.login_id)
    page.get_by_label("비밀번호", exact=True).fill(coordinator.password)
    page.get_by_role("button", name="로그인").click()

    page.wait_for_url(dashboard_url(live_server))
    expect_dashboard_of(page, coordinator)
    expect(page.locator("html")).to_have_attribute("lang", "ko")


def test_logout_ends_the_session(page, live_server, make_account):
    coach = make_account(Role.COACH, name="박코치")
    log_in(page, coach)
    page.wait_for_url(dashboard_url(live_server))

    main_nav(page).get_by_role("button", name="로그아웃").click()

    page.wait_for_url(LOGIN_URL)
    expect(page.get_by_role("alert")).to_have_text("로그아웃했습니다.")
    expect(page.get_by_label("아이디")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    page.goto("/")
    page.wait_for_url(LOGIN_URL)
    expect(page.get_by_role("button", name="로그인")).to_be_visible()


def test_a_wrong_password_brings_the_form_back_and_does_not_sign_in(page, live_server, make_account):
    coordinator = make_account(Role.COORDINATOR)

    log_in(page, coordinator, password="not the password at all")

    expect(page.get_by_test_id("form-errors")).to_have_text(WRONG_CREDENTIALS)
    assert LOGIN_URL.search(page.url), page.url
    expect(page.get_by_label("아이디")).to_have_value(coordinator.login_id)
    expect(page.get_by_label("비밀번호", exact=True)).to_have_value("")
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    page.goto("/")
    page.wait_for_url(LOGIN_URL)


def test_an_admin_creates_a_coordinator_who_can_sign_in_but_not_administer(page, live_server, make_account,
                                                                             browser_log):
    admin = make_account(Role.ADMIN, name="관리자")
    new_login_id = f"coord-{admin.login_id[-8:]}"
    new_password = "a fresh coordinator passphrase"

    log_in(page, admin)
    page.wait_for_url(dashboard_url(live_server))
    main_nav(page).get_by_role("link", name="사용자 관리").click()
    page.wait_for_url(f"{live_server.url}/admin/users/")
    expect(page.get_by_role("heading", level=1, name="사용자 관리")).to_be_visible()

    page.get_by_role("link", name="새 사용자").click()
    page.wait_for_url(f"{live_server.url}/admin/users/new")
    page.get_by_label("아이디").fill(new_login_id)
    page.get_by_label("이름", exact=True).fill("최코디")
    page.get_by_label("역할").select_option(label="코디네이터")
    page.get_by_label("비밀번호", exact=True).fill(new_password)
    page.get_by_label("비밀번호 확인").fill(new_password)
    page.get_by_role("button", name="사용자 만들기").click()

    page.wait_for_url(f"{live_server.url}/admin/users/")
    expect(page.get_by_role("alert")).to_have_text(f"사용자 {new_login_id}을(를) 만들었습니다.")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=new_login_id, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("최코디")
    expect(row).to_contain_text("코디네이터")

    main_nav(page).get_by_role("button", name="로그아웃").click()
    page.wait_for_url(LOGIN_URL)

    page.get_by_label("아이디").fill(new_login_id)
    page.get_by_label("비밀번호", exact=True).fill(new_password)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(dashboard_url(live_server))
    expect(page.get_by_text("최코디님, 안녕하세요.")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="대시보드")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="사용자 관리")).to_have_count(0)

    response = page.goto("/admin/users/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="접근 권한이 없습니다.")).to_be_visible()
    assert "default-src 'self'" in response.headers["content-security-policy"]

    # Every page of the journey came from the app itself and kept to its Content-Security-Policy.
    assert browser_log.requests, "no request was recorded"
    assert any("/static/" in url for url in browser_log.requests), browser_log.requests
    assert browser_log.foreign_requests() == []
    assert browser_log.csp_violations() == []
    assert browser_log.page_errors == []


def test_the_new_user_form_refuses_a_short_mismatching_password(page, live_server, make_account, user_exists):
    admin = make_account(Role.ADMIN)
    new_login_id = f"short-{admin.login_id[-8:]}"

    log_in(page, admin)
    page.wait_for_url(dashboard_url(live_server))
    page.goto("/admin/users/new")
    page.get_by_label("아이디").fill(new_login_id)
    page.get_by_label("이름", exact=True).fill("짧은비번")
    page.get_by_label("역할").select_option(label="코디네이터")
    page.get_by_label("비밀번호", exact=True).fill("abcdefg")
    page.get_by_label("비밀번호 확인").fill("abcdefh")
    page.get_by_role("button", name="사용자 만들기").click()

    confirmation = page.get_by_label("비밀번호 확인")
    expect(confirmation).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(confirmation).to_have_accessible_description("비밀번호가 서로 다릅니다.")
    expect(page.locator("#password_confirm-errors")).to_have_text("비밀번호가 서로 다릅니다.")
    expect(page.get_by_label("아이디")).to_have_value(new_login_id)
    assert page.url == f"{live_server.url}/admin/users/new"

    # With the confirmation fixed, the 7-character password is refused beside its own field.
    page.get_by_label("비밀번호", exact=True).fill("abcdefg")
    page.get_by_label("비밀번호 확인").fill("abcdefg")
    page.get_by_role("button", name="사용자 만들기").click()
    password = page.get_by_label("비밀번호", exact=True)
    expect(password).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(password).to_have_accessible_description("비밀번호는 8자 이상이어야 합니다.")

    page.goto(f"/admin/users/?q={new_login_id}")
    expect(page.get_by_text("조건에 맞는 사용자가 없습니다.")).to_be_visible()
    assert not user_exists(new_login_id)


def test_the_language_switch_changes_the_page_language_and_back(page, live_server, make_account):
    coordinator = make_account(Role.COORDINATOR)
    # Located by markup, not by text: the English catalogue is allowed to translate every label.
    english = page.locator("form[action$='/lang'] button[name=lang][value=en]")
    korean = page.locator("form[action$='/lang'] button[name=lang][value=ko]")
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(english).to_have_text("English")
    expect(korean).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert LOGIN_URL.search(page.url), page.url
    expect(english).to_have_attribute("aria-pressed", "true")
    expect(korean).not_to_have_attribute("aria-pressed", "true")

    # The choice survives signing in.
    page.locator("#login_id").fill(coordinator.login_id)
    page.locator("#password").fill(coordinator.password)
    page.locator("input[type=submit]").click()
    page.wait_for_url(dashboard_url(live_server))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("current-user")).to_contain_text(coordinator.name)

    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert page.url == dashboard_url(live_server)
    expect(page.get_by_role("heading", level=1, name="대시보드")).to_be_visible()
    expect(korean).to_have_attribute("aria-pressed", "true")
