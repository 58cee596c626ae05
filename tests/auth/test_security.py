"""Login, session and header controls of the foundation (security checklist T1-T39, our figures).

Each test names the checklist item it covers. Time moves with time_machine: the app reads it through
crm.core.time.utcnow(), Flask and itsdangerous through time.time(), and Flask-Limiter's memory storage too.
"""
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import sqlalchemy as sa
import time_machine
from flask import Blueprint, abort

from crm import create_app
from crm.audit.models import AuditLog
from crm.auth import services as auth_services
from crm.auth.models import Role, User
from crm.companies.models import Company
from crm.config import ProductionConfig
from crm.core.access import PUBLIC, declared_access, public
from crm.core.errors import ERROR_TITLES
from crm.extensions import csrf
from crm.extensions import db as _db
from tests.conftest import PASSWORD, csrf_token_from, log_in

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = PROJECT_ROOT / "templates"
START = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
WRONG = "not the password at all"
GENERIC_LOGIN_ERROR = "아이디 또는 비밀번호가 올바르지 않습니다."
TOO_MANY_REQUESTS = "요청이 너무 많습니다"
PUBLIC_ALLOWLIST = {"auth.login", "core.healthz", "core.set_language", "static", "bootstrap.static",
                    "submit.form"}  # a company's weekly-report link: the signed token is the credential
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PROD_SECRET = "s" * 40
HTTPS = "https://localhost"
CSP_DIRECTIVES = ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")
VERSION_INPUT = re.compile(r'name="version" type="hidden" value="(\d+)"')
INCIDENT = re.compile(r"문제 번호: ([0-9a-f]{12})")


# --- helpers -----------------------------------------------------------------------------------------------

def from_ip(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def redirects_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def session_cookie(client, name: str = "session") -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def csrf_log_in(client, login_id: str, password: str = PASSWORD, **kwargs):
    """Log in the way a browser does when CSRF protection is on: GET the form, POST it with its token."""
    token = csrf_token_from(client.get("/login", **kwargs).text)
    return client.post("/login", data={"login_id": login_id, "password": password, "csrf_token": token}, **kwargs)


def form_errors_block(html: str) -> str:
    match = re.search(r'data-testid="form-errors">(.*?)</div>\s*</div>', html, re.S)
    return match.group(1).strip() if match else ""


def field_errors(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', html, re.S)
    return match.group(1) if match else ""


def new_user_form(login_id: str, password: str, **extra) -> dict:
    return {"login_id": login_id, "name": "새 사용자", "email": "", "role": "coach",
            "password": password, "password_confirm": password, **extra}


def user_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def stored_user(db, login_id: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.login_id == login_id))


def url_for_rule(app, rule, values: dict, method: str) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def sample_values(rule, ids: dict) -> dict:
    """URL parameters for a rule: known ids where we have them, 1 for any other integer, a real file for statics."""
    values = {}
    for name in rule.arguments:
        if rule.endpoint == "static" and name == "filename":
            values[name] = "css/app.css"
        elif rule.endpoint == "bootstrap.static" and name == "filename":
            values[name] = "css/bootstrap.min.css"
        elif name in ids:
            values[name] = ids[name]
        elif getattr(rule._converters.get(name), "items", None):  # an `any(...)` converter: its first choice
            values[name] = sorted(rule._converters[name].items)[0]
        else:
            values[name] = 1
    return values


def table_snapshot(db, *, skip=("audit_logs",)) -> dict:
    """Every row of every table except the logs, to show that a refused request changed nothing."""
    db.session.expire_all()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def lands_off_site(location: str) -> bool:
    """Would a browser following this Location leave localhost or use a non-http(s) scheme?

    Browsers drop tabs and newlines anywhere, strip leading/trailing control characters and spaces, and read a
    backslash as a slash in http(s) URLs; the check resolves against both an http and an https page.
    """
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("".join(chr(c) for c in range(0x21))).replace("\\", "/")
    for base in ("http://localhost/login", "https://localhost/login"):
        target = urlsplit(urljoin(base, cleaned))
        if target.scheme not in ("http", "https") or target.hostname != "localhost":
            return True
    return False


@pytest.fixture
def production_app():
    """The production profile on an in-memory database; no request has run yet, so routes may still be added."""
    app = create_app("production", SECRET_KEY=PROD_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def add_production_user(app, login_id: str = "produser", role: Role = Role.ADMIN) -> None:
    with app.app_context():
        auth_services.create_user(login_id=login_id, name="운영 사용자", role=role, password=PASSWORD)
        _db.session.commit()


def production_log_in(client, login_id: str = "produser"):
    token = csrf_token_from(client.get("/login", base_url=HTTPS).text)
    return client.post("/login", base_url=HTTPS, headers={"Referer": f"{HTTPS}/login"},
                       data={"login_id": login_id, "password": PASSWORD, "csrf_token": token})


# --- T1 password storage -----------------------------------------------------------------------------------

def test_t1_two_users_with_the_same_password_get_different_salted_hashes_without_the_plaintext(db, make_user):
    first = make_user(Role.COACH, login_id="samepw1")
    second = make_user(Role.COACH, login_id="samepw2")

    hashes = [stored_user(db, "samepw1").password_hash, stored_user(db, "samepw2").password_hash]

    assert hashes[0] != hashes[1]
    for user, stored in zip((first, second), hashes, strict=True):
        assert PASSWORD not in stored
        row = db.session.execute(sa.select(User.__table__).where(User.id == user.id)).one()
        assert all(PASSWORD not in str(value) for value in row)
    logged = db.session.scalars(sa.select(AuditLog.changes).where(AuditLog.record_type == "User")).all()
    assert logged and all(PASSWORD not in str(changes) for changes in logged)
    assert all(changes["password_hash"] == "***" for changes in logged)


def test_t1_the_production_hash_method_is_pbkdf2_sha256_with_at_least_600000_iterations(app, db, make_user):
    algorithm, digest, iterations = ProductionConfig.PASSWORD_HASH_METHOD.split(":")
    app.config["PASSWORD_HASH_METHOD"] = ProductionConfig.PASSWORD_HASH_METHOD

    user = make_user(Role.COACH, login_id="prodhash")

    assert (algorithm, digest) == ("pbkdf2", "sha256")
    assert int(iterations) >= 600_000
    assert stored_user(db, "prodhash").password_hash.startswith("pbkdf2:sha256:600000$")
    assert auth_services.authenticate("prodhash", PASSWORD).id == user.id


# --- T2 password rules -------------------------------------------------------------------------------------

def test_t2_a_seven_character_password_is_refused_beside_the_field_and_no_user_is_created(db, admin, client_as):
    client = client_as(admin)
    before = user_count(db)

    response = client.post("/admin/users/new", data=new_user_form("shortpw", "kq7#Zp2"))

    assert response.status_code == 422
    assert "비밀번호는 8자 이상이어야 합니다." in field_errors(response.text, "password")
    assert user_count(db) == before
    assert stored_user(db, "shortpw") is None


@pytest.mark.parametrize("password", [
    "kq7#Zp2w",
    "a long passphrase of exactly sixty four characters, spaces too!!",
    "비밀번호 " * 20 + "x" * 28,
], ids=["8 chars", "64 chars", "128 chars with Korean"])
def test_t2_passwords_from_8_to_128_characters_are_accepted_and_log_in_exactly(app, db, admin, client_as, password):
    assert len(password) in (8, 64, 128)
    client = client_as(admin)

    response = client.post("/admin/users/new", data=new_user_form("newcoach", password))

    assert response.status_code == 302
    assert stored_user(db, "newcoach") is not None
    assert log_in(app.test_client(), "newcoach", password).status_code == 302
    # No truncation: the same string missing its last character fails.
    assert log_in(app.test_client(), "newcoach", password[:-1]).status_code == 401


@pytest.mark.parametrize("password", ["1qaz2wsx", "baseball", "12345678", "iloveyou", "Football"])
def test_t2_a_common_password_from_the_top_list_is_refused(db, admin, client_as, password):
    client = client_as(admin)
    before = user_count(db)

    response = client.post("/admin/users/new", data=new_user_form("commonpw", password))

    assert response.status_code == 422
    assert "너무 흔한 비밀번호입니다." in field_errors(response.text, "password")
    assert user_count(db) == before


@pytest.mark.parametrize("current", [WRONG, ""], ids=["wrong current password", "no current password"])
def test_t2_a_password_change_without_the_right_current_password_is_refused(app, db, coach, client_as, current):
    client = client_as(coach)
    old_hash = stored_user(db, "coach1").password_hash

    response = client.post("/account/password", data={
        "current_password": current,
        "password": "a brand new passphrase", "password_confirm": "a brand new passphrase"})

    assert response.status_code == 422
    assert field_errors(response.text, "current_password")
    assert stored_user(db, "coach1").password_hash == old_hash
    assert log_in(app.test_client(), "coach1", "a brand new passphrase").status_code == 401
    assert log_in(app.test_client(), "coach1", PASSWORD).status_code == 302


# --- T3/T4 login throttling --------------------------------------------------------------------------------

def test_t3_the_eleventh_attempt_on_one_login_id_within_a_minute_is_refused_even_with_the_right_password(
        client, coordinator, coach):
    with time_machine.travel(START, tick=False):
        failures = [log_in(client, "coordinator1", WRONG).status_code for _ in range(10)]

        eleventh = log_in(client, "coordinator1", PASSWORD)

        assert failures == [401] * 10
        assert eleventh.status_code == 429
        assert TOO_MANY_REQUESTS in eleventh.text
        assert redirects_to_login(client.get("/"))
        # The same IP can still sign another user in: the limit is per login id.
        assert log_in(client, "coach1", PASSWORD).status_code == 302


def test_t3_the_login_id_limit_ends_after_the_minute_so_the_owner_is_not_locked_out(client, coordinator):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(10):
            log_in(client, "coordinator1", WRONG)
        assert log_in(client, "coordinator1", PASSWORD).status_code == 429

        traveller.shift(timedelta(seconds=61))
        response = log_in(client, "coordinator1", PASSWORD)

    assert response.status_code == 302


def test_t3_the_fifty_first_failed_attempt_from_one_ip_is_refused_but_other_ips_still_sign_in(app, coordinator):
    attacker = app.test_client()
    with time_machine.travel(START, tick=False):
        # 10 login ids x 5 attempts: no id reaches its own limit of 10.
        failures = [log_in(attacker, f"ghost{n % 10}", WRONG, **from_ip("10.1.0.1")).status_code
                    for n in range(50)]

        fifty_first = log_in(attacker, "coordinator1", PASSWORD, **from_ip("10.1.0.1"))
        elsewhere = log_in(app.test_client(), "coordinator1", PASSWORD, **from_ip("10.1.0.2"))

    assert failures == [401] * 50
    assert fifty_first.status_code == 429
    assert TOO_MANY_REQUESTS in fifty_first.text
    assert elsewhere.status_code == 302


def test_t3_the_ip_limit_ends_after_the_minute(app, coordinator):
    attacker = app.test_client()
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(50):
            log_in(attacker, f"ghost{n % 10}", WRONG, **from_ip("10.1.0.1"))
        assert log_in(attacker, "coordinator1", PASSWORD, **from_ip("10.1.0.1")).status_code == 429

        traveller.shift(timedelta(seconds=61))
        response = log_in(attacker, "coordinator1", PASSWORD, **from_ip("10.1.0.1"))

    assert response.status_code == 302


def test_t4_at_most_100_passwords_an_hour_are_checked_for_one_account_from_many_ips(app, db, coach):
    statuses = []
    with time_machine.travel(START, tick=False) as traveller:
        # 150 attempts from 150 IPs, 10 a minute so that the per-minute limit never decides.
        for minute in range(15):
            for n in range(10):
                ip = f"10.2.{minute}.{n + 1}"
                statuses.append(log_in(app.test_client(), "coach1", WRONG, **from_ip(ip)).status_code)
            traveller.shift(timedelta(seconds=61))
        right_password_within_the_hour = log_in(app.test_client(), "coach1", PASSWORD, **from_ip("10.3.0.1"))

        traveller.move_to(START + timedelta(hours=1, seconds=1))
        after_the_hour = log_in(app.test_client(), "coach1", PASSWORD, **from_ip("10.3.0.2"))

    checked = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)
                                .where(AuditLog.action == "login_failed"))
    assert statuses == [401] * 100 + [429] * 50
    assert checked == 100
    assert right_password_within_the_hour.status_code == 429
    assert after_the_hour.status_code == 302


# --- T6 uniform failure --------------------------------------------------------------------------------------

def test_t6_an_unknown_user_and_a_wrong_password_get_the_same_status_and_the_same_text(app, coordinator):
    unknown = log_in(app.test_client(), "nobody-here", WRONG)
    wrong = log_in(app.test_client(), "coordinator1", WRONG)

    assert unknown.status_code == wrong.status_code == 401
    assert form_errors_block(unknown.text) == form_errors_block(wrong.text)
    assert GENERIC_LOGIN_ERROR in form_errors_block(wrong.text)
    assert field_errors(unknown.text, "login_id") == field_errors(wrong.text, "login_id") == ""
    assert field_errors(unknown.text, "password") == field_errors(wrong.text, "password") == ""


# --- T7 new session on login ---------------------------------------------------------------------------------

def test_t7_login_issues_a_new_session_and_the_pre_login_csrf_token_is_refused(csrf_app, coordinator):
    client = csrf_app.test_client()
    pre_login_token = csrf_token_from(client.get("/login").text)
    pre_login_cookie = session_cookie(client)

    login = client.post("/login", data={"login_id": "coordinator1", "password": PASSWORD,
                                        "csrf_token": pre_login_token})
    stale_logout = client.post("/logout", data={"csrf_token": pre_login_token})

    assert login.status_code == 302
    assert pre_login_cookie and session_cookie(client) != pre_login_cookie
    assert stale_logout.status_code == 400
    assert client.get("/").status_code == 200  # the refused logout did not happen
    fresh_token = csrf_token_from(client.get("/account/password").text)
    assert client.post("/logout", data={"csrf_token": fresh_token}).status_code == 302


# --- T8 logout ends the session on the server ------------------------------------------------------------

def test_t8_a_session_cookie_copied_before_logout_is_refused_afterwards(app, admin, client_as):
    client = client_as(admin)
    copied = session_cookie(client)
    assert client.get("/").status_code == 200

    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", copied)
    dashboard = replay.get("/")
    admin_page = replay.get("/admin/users/")

    assert redirects_to_login(dashboard)
    assert redirects_to_login(admin_page)


# --- T9 password change and deactivation end other sessions ------------------------------------------------

def test_t9_a_password_change_ends_the_other_sessions_of_the_user_but_not_the_changers(coach, client_as):
    changer = client_as(coach)
    other = client_as(coach)
    assert other.get("/").status_code == 200

    change = changer.post("/account/password", data={
        "current_password": PASSWORD,
        "password": "a brand new passphrase", "password_confirm": "a brand new passphrase"})

    assert change.status_code == 302
    assert redirects_to_login(other.get("/"))
    assert changer.get("/").status_code == 200


def test_t9_a_deactivated_user_is_signed_out_at_the_next_request_and_cannot_log_in(app, db, admin, coach, client_as):
    coach_client = client_as(coach)
    admin_client = client_as(admin)
    assert coach_client.get("/").status_code == 200
    version = VERSION_INPUT.search(admin_client.get(f"/admin/users/{coach.id}/edit").text).group(1)

    # A checkbox left unchecked is simply absent from the form.
    saved = admin_client.post(f"/admin/users/{coach.id}/edit",
                              data={"name": "코치1", "email": "", "role": "coach", "version": version})

    assert saved.status_code == 302
    assert stored_user(db, "coach1").active is False
    assert redirects_to_login(coach_client.get("/"))
    assert log_in(app.test_client(), "coach1", PASSWORD).status_code == 401


def test_t9_an_admin_password_reset_ends_every_session_of_the_user(db, admin, coach, client_as):
    coach_client = client_as(coach)
    admin_client = client_as(admin)
    version = VERSION_INPUT.search(admin_client.get(f"/admin/users/{coach.id}/edit").text).group(1)

    reset = admin_client.post(f"/admin/users/{coach.id}/password", data={
        "password": "reset by the admin", "password_confirm": "reset by the admin", "version": version})

    assert reset.status_code == 302
    assert redirects_to_login(coach_client.get("/"))
    assert admin_client.get("/").status_code == 200


# --- T10 idle and absolute timeout ---------------------------------------------------------------------------

@pytest.mark.parametrize(("idle_minutes", "signed_in"), [(29, True), (31, False)])
def test_t10_an_idle_session_lasts_30_minutes(coach, client_as, idle_minutes, signed_in):
    with time_machine.travel(START, tick=False) as traveller:
        client = client_as(coach)
        traveller.shift(timedelta(minutes=idle_minutes))

        response = client.get("/")

    if signed_in:
        assert response.status_code == 200
    else:
        assert redirects_to_login(response)


def test_t10_a_session_active_every_10_minutes_ends_after_12_hours(coach, client_as):
    with time_machine.travel(START, tick=False) as traveller:
        client = client_as(coach)
        statuses = []
        for _ in range(72):  # up to exactly 12 h after login
            traveller.shift(timedelta(minutes=10))
            statuses.append(client.get("/").status_code)

        traveller.shift(timedelta(minutes=1))  # 12 h 01 min
        response = client.get("/")

    assert statuses == [200] * 72
    assert redirects_to_login(response)


# --- T11 no remember-me cookie ---------------------------------------------------------------------------------

@pytest.mark.parametrize("extra", [{}, {"remember": "y", "remember_me": "y"}])
def test_t11_login_never_sets_a_remember_cookie(client, coordinator, extra):
    response = client.post("/login", data={"login_id": "coordinator1", "password": PASSWORD, **extra})

    set_cookies = response.headers.getlist("Set-Cookie")
    assert response.status_code == 302
    assert [cookie.split("=", 1)[0] for cookie in set_cookies] == ["session"]
    assert client.get_cookie("remember_token") is None


# --- T12 safe `next` ---------------------------------------------------------------------------------------

BAD_NEXT = [
    "//evil.example", "////evil.example", "///evil.example", "\\\\evil.example", "\\/evil.example",
    "/\\evil.example", "/\\/evil.example", "https:evil.example", "https:/evil.example", "http://evil.example",
    "https://evil.example/", "HTTPS://EVIL.EXAMPLE", "http:/evil.example", "http:///evil.example",
    "http:evil.example", "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x", "mailto:x@evil.example",
    "//evil.example/%2e%2e", " //evil.example", "\t//evil.example", "%09/evil", "/\t/evil.example",
    "/\n/evil.example", "\n//evil.example", "\x0b//evil.example", "\\\\evil", "//evil.example\\@localhost",
    "http://localhost@evil.example", "https://localhost.evil.example/", "//localhost:80@evil.example",
    "//%65vil.example", "/%5cevil", "http://evil.example/admin/users/", "\\\\\\evil.example",
]
GOOD_NEXT = ["/admin/users/", "/?x=1", "/admin/audit/?page=2", "/account/password"]


@pytest.mark.parametrize(("location", "off_site"), [
    ("//evil.example", True), ("/\\evil.example", True), (" //evil.example", True), ("/\t/evil.example", True),
    ("https:evil.example", True), ("javascript:alert(1)", True), ("http://localhost.evil.example/", True),
    ("/", False), ("/admin/users/", False), ("/%5cevil", False), ("http://localhost/admin/", False),
])
def test_t12_the_off_site_check_reads_locations_the_way_a_lenient_browser_does(location, off_site):
    assert lands_off_site(location) is off_site


@pytest.mark.parametrize("target", BAD_NEXT)
def test_t12_a_next_target_off_the_site_is_never_followed_after_login(client, coordinator, target):
    response = log_in(client, "coordinator1", query_string={"next": target})

    assert response.status_code == 302
    assert not lands_off_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example/",
                                    "javascript:alert(1)"])
def test_t12_a_signed_in_user_visiting_login_with_a_bad_next_stays_on_the_site(coordinator, client_as, target):
    client = client_as(coordinator)

    response = client.get("/login", query_string={"next": target})

    assert response.status_code == 302
    assert not lands_off_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", GOOD_NEXT)
def test_t12_a_relative_next_target_on_the_site_is_kept(client, admin, target):
    response = log_in(client, "admin1", query_string={"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_t12_the_login_redirect_for_a_protected_page_brings_the_user_back_to_it(client, admin):
    to_login = client.get("/admin/audit/", query_string={"page": "1"})
    next_target = parse_qs(urlsplit(to_login.headers["Location"]).query)["next"][0]

    response = log_in(client, "admin1", query_string={"next": next_target})

    assert redirects_to_login(to_login)
    assert response.headers["Location"] == "/admin/audit/?page=1"


# --- T14 deny by default -------------------------------------------------------------------------------------

def test_t14_every_route_outside_the_allowlist_sends_an_anonymous_visitor_to_login(app, client):
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ALLOWLIST:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = url_for_rule(app, rule, sample_values(rule, {}), method)

            response = client.open(url, method=method)

            assert redirects_to_login(response) or response.status_code == 401, (method, url, response.status_code)
            checked.append(rule.endpoint)
    assert {"reports.dashboard", "admin_users.index", "auth.logout", "audit.index"} <= set(checked)


def test_t14_only_the_allowlisted_views_declare_public_access(app):
    public_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                        if declared_access(app, rule.endpoint) == PUBLIC}

    assert public_endpoints <= PUBLIC_ALLOWLIST


def test_t14_a_view_without_an_access_declaration_is_refused_even_to_an_admin(app, admin, client_as):
    probe = Blueprint("undeclared_probe", __name__)

    @probe.get("/probe/undeclared")
    def undeclared():
        return "undeclared view ran"

    app.register_blueprint(probe)  # before the first request of this app
    admin_client = client_as(admin)

    as_admin = admin_client.get("/probe/undeclared")
    anonymous = app.test_client().get("/probe/undeclared")

    assert as_admin.status_code == 403
    assert anonymous.status_code == 403
    assert "undeclared view ran" not in as_admin.text + anonymous.text


# --- T21 CSRF on every state change -----------------------------------------------------------------------------

def test_t21_no_view_or_blueprint_is_exempt_from_csrf(app):
    assert csrf._exempt_views == set()
    assert csrf._exempt_blueprints == set()


def test_t21_every_unsafe_route_refuses_a_post_without_a_valid_csrf_token_and_changes_nothing(
        csrf_app, db, admin, coach):
    client = csrf_app.test_client()
    assert csrf_log_in(client, "admin1").status_code == 302
    foreign_token = csrf_token_from(csrf_app.test_client().get("/login").text)  # valid, but another session's
    # A form that would change something on every route if the token were right.
    payload = {"login_id": "intruder", "name": "침입자", "email": "", "role": "admin", "lang": "en",
               "password": "brand new passphrase", "password_confirm": "brand new passphrase",
               "current_password": PASSWORD, "version": str(coach.version)}
    before = table_snapshot(db)
    logged_before = db.session.scalar(sa.select(sa.func.max(AuditLog.id))) or 0
    checked = []
    for rule in csrf_app.url_map.iter_rules():
        for method in sorted(rule.methods & UNSAFE_METHODS):
            url = url_for_rule(csrf_app, rule, sample_values(rule, {"user_id": coach.id}), method)
            for token in (None, "wrong-token", foreign_token):
                data = payload if token is None else {**payload, "csrf_token": token}

                response = client.open(url, method=method, data=data)
                db.session.rollback()  # what a real request's teardown does with anything left uncommitted

                assert response.status_code == 400, (method, url, token, response.status_code)
                checked.append(rule.endpoint)

    assert table_snapshot(db) == before
    logged = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.id > logged_before)).all()
    assert logged == ["csrf_failure"] * len(checked)  # the logs grow by exactly the refused attempts
    assert {"auth.login", "auth.logout", "auth.change_password", "core.set_language", "admin_users.create",
            "admin_users.edit", "admin_users.reset_password"} <= set(checked)
    assert client.get("/").status_code == 200  # still signed in: the refused logout did nothing
    # Control: the same form with the right token does change the data.
    token = csrf_token_from(client.get("/admin/users/new").text)
    assert client.post("/admin/users/new", data={**payload, "csrf_token": token}).status_code == 302
    assert stored_user(db, "intruder") is not None


def test_t21_t31_a_refused_csrf_post_is_recorded_in_the_audit_log(production_app):
    # The production app runs each request in its own app context, as a real server does.
    client = production_app.test_client()

    response = client.post("/login", base_url=HTTPS, headers={"Referer": f"{HTTPS}/login"},
                           data={"login_id": "someone", "password": WRONG})

    assert response.status_code == 400
    with production_app.app_context():
        logged = _db.session.scalars(sa.select(AuditLog.action).where(AuditLog.action == "csrf_failure")).all()
    assert logged == ["csrf_failure"]


# --- T22 CSRF token lifetime and tabs -----------------------------------------------------------------------

def test_t22_the_csrf_token_lives_at_least_as_long_as_the_session(csrf_app):
    limit = csrf_app.config["WTF_CSRF_TIME_LIMIT"]

    assert limit is None or limit >= csrf_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() >= 43200


def test_t22_two_tabs_of_the_same_form_both_submit(csrf_app, db, admin):
    client = csrf_app.test_client()
    csrf_log_in(client, "admin1")
    first_tab = csrf_token_from(client.get("/admin/users/new").text)
    second_tab = csrf_token_from(client.get("/admin/users/new").text)

    first = client.post("/admin/users/new", data={**new_user_form("tabone", "kq7#Zp2w"), "csrf_token": first_tab})
    second = client.post("/admin/users/new", data={**new_user_form("tabtwo", "kq7#Zp2w"), "csrf_token": second_tab})

    assert (first.status_code, second.status_code) == (302, 302)
    assert stored_user(db, "tabone") is not None and stored_user(db, "tabtwo") is not None


def test_t22_a_form_opened_11_hours_ago_in_a_session_kept_alive_still_submits(csrf_app, db, admin):
    client = csrf_app.test_client()
    with time_machine.travel(START, tick=False) as traveller:
        csrf_log_in(client, "admin1")
        traveller.shift(timedelta(minutes=1))
        # A company form: user administration would ask for the password again after 15 minutes (T13).
        old_token = csrf_token_from(client.get("/companies/new").text)
        for _ in range(70):  # active every 10 minutes, up to 11 h 51 min after login
            traveller.shift(timedelta(minutes=10))
            assert client.get("/").status_code == 200

        response = client.post("/companies/new", data={"name": "늦게 낸 양식", "enterprise_type": "other",
                                                        "csrf_token": old_token})

    assert response.status_code == 302
    assert db.session.scalar(sa.select(Company.id).where(Company.name == "늦게 낸 양식")) is not None


def test_t22_a_csrf_token_older_than_12_hours_is_refused(csrf_app, db, admin):
    client = csrf_app.test_client()
    with time_machine.travel(START, tick=False) as traveller:
        csrf_log_in(client, "admin1")
        old_token = csrf_token_from(client.get("/admin/users/new").text)
        traveller.shift(timedelta(hours=12, minutes=1))

        response = client.post("/admin/users/new", data={**new_user_form("tooold", "kq7#Zp2w"),
                                                         "csrf_token": old_token})

    assert response.status_code == 400
    assert stored_user(db, "tooold") is None


# --- T24 cookie flags ------------------------------------------------------------------------------------------

def test_t24_production_sets_a_host_prefixed_secure_httponly_lax_session_cookie(production_app):
    add_production_user(production_app)
    client = production_app.test_client()

    response = production_log_in(client)

    assert response.status_code == 302
    set_cookies = response.headers.getlist("Set-Cookie")
    assert len(set_cookies) == 1
    name_value, *attributes = set_cookies[0].split("; ")
    assert name_value.startswith("__Host-session=") and len(name_value) > len("__Host-session=")
    assert sorted(attributes) == sorted(["Secure", "HttpOnly", "Path=/", "SameSite=Lax"])
    assert not any(attribute.lower().startswith("domain") for attribute in attributes)
    assert client.get("/", base_url=HTTPS).status_code == 200


# --- T25 security headers ----------------------------------------------------------------------------------------

def assert_security_headers(response, where):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = [part.strip() for part in csp.split(";")]
    for directive in CSP_DIRECTIVES:
        assert directive in directives, (where, csp)
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where


INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)


def inline_code_in(html: str) -> list[str]:
    found = [f"<script{attrs}>{body.strip()[:40]}" for attrs, body in INLINE_SCRIPT.findall(html)
             if body.strip() or "src=" not in attrs]
    found += HANDLER_ATTRIBUTE.findall(html) + STYLE_ATTRIBUTE.findall(html)
    return found


def test_t25_every_get_route_as_an_admin_carries_the_security_headers_and_no_store(app, admin, coach, client_as):
    client = client_as(admin)
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = url_for_rule(app, rule, sample_values(rule, {"user_id": coach.id}), "GET")

        response = client.get(url)

        assert response.status_code < 500, (url, response.status_code)
        assert_security_headers(response, url)
        if rule.endpoint not in ("static", "bootstrap.static"):
            assert "no-store" in response.headers.get("Cache-Control", ""), url
        if response.mimetype == "text/html":
            assert inline_code_in(response.text) == [], url
        checked.append((rule.endpoint, response.status_code))
    assert ("admin_users.edit", 200) in checked and ("reports.dashboard", 200) in checked
    assert ("static", 200) in checked and ("bootstrap.static", 200) in checked


def test_t25_a_404_405_the_login_page_and_logout_carry_the_security_headers(app, admin, client_as):
    anonymous = app.test_client()
    signed_in = client_as(admin)

    responses = {
        "anonymous 404": anonymous.get("/no/such/page"),
        "anonymous 405": anonymous.open("/", method="TRACE"),
        "login page": anonymous.get("/login"),
        "signed-in 404": signed_in.get("/no/such/page"),
        "logout": signed_in.post("/logout"),
    }

    assert responses["anonymous 404"].status_code == 404
    assert responses["login page"].status_code == 200
    for where, response in responses.items():
        assert_security_headers(response, where)
    assert "no-store" in responses["signed-in 404"].headers.get("Cache-Control", "")


def test_t25_production_responses_carry_hsts_for_a_year_with_subdomains(production_app):
    client = production_app.test_client()

    responses = [client.get("/login", base_url=HTTPS), client.get("/no/such/page", base_url=HTTPS)]

    for response in responses:
        hsts = [part.strip() for part in response.headers.get("Strict-Transport-Security", "").split(";")]
        max_age = [int(part.split("=", 1)[1]) for part in hsts if part.startswith("max-age=")]
        assert max_age and max_age[0] >= 31_536_000
        assert "includeSubDomains" in hsts
        assert_security_headers(response, response.request.path)


def test_t25_no_template_has_inline_scripts_event_handlers_or_style_attributes():
    templates = sorted(TEMPLATES.rglob("*.html"))
    offending = {str(path.relative_to(TEMPLATES)): inline_code_in(path.read_text(encoding="utf-8"))
                 for path in templates}

    assert templates
    assert {path: hits for path, hits in offending.items() if hits} == {}


# --- T26 host header ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("host", "status"), [("crm.example.org", 200), ("evil.example", 400),
                                              ("crm.example.org.evil.example", 400)])
def test_t26_production_answers_only_the_trusted_host_names(host, status):
    app = create_app("production", SECRET_KEY=PROD_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://",
                     TRUSTED_HOSTS=["crm.example.org"])

    response = app.test_client().get("/login", base_url=f"https://{host}")

    assert response.status_code == status


def test_t26_the_loopback_profile_of_the_multi_worker_tests_trusts_only_loopback_names():
    app = create_app("loopback", SECRET_KEY=PROD_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")

    assert app.test_client().get("/healthz", base_url="http://evil.example").status_code == 400
    assert app.test_client().get("/healthz", base_url="http://127.0.0.1:8000").status_code == 200


# --- T30 errors and odd requests in production -----------------------------------------------------------------

def test_t30_a_production_server_error_shows_an_incident_id_and_no_internals(production_app, caplog):
    @public
    def explode():
        raise RuntimeError("psycopg error while running SELECT secret FROM users WHERE id = 1")

    production_app.add_url_rule("/probe/explode", "probe_explode", explode)  # before the first request
    client = production_app.test_client()

    with caplog.at_level(logging.ERROR):
        response = client.get("/probe/explode", base_url=HTTPS)

    assert response.status_code == 500
    incident = INCIDENT.search(response.text)
    assert incident, response.text
    for leaked in ("Traceback", "SELECT", "secret FROM", PROD_SECRET, "RuntimeError"):
        assert leaked not in response.text
    assert incident.group(1) in caplog.text
    assert_security_headers(response, "500")


def test_t30_production_refuses_trace_and_does_not_serve_the_git_directory(production_app):
    client = production_app.test_client()

    trace = client.open("/", method="TRACE", base_url=HTTPS)
    git_config = client.get("/.git/config", base_url=HTTPS)

    assert trace.status_code == 405
    assert git_config.status_code == 404
    assert "[core]" not in git_config.text and "Traceback" not in trace.text + git_config.text


@pytest.mark.parametrize("status", [400, 403, 404, 409, 413, 429])
def test_t30_each_error_status_has_a_korean_page_without_internals(production_app, status):
    @public
    def refuse():
        abort(status)

    production_app.add_url_rule("/probe/refuse", "probe_refuse", refuse)  # before the first request

    response = production_app.test_client().get("/probe/refuse", base_url=HTTPS)

    assert response.status_code == status
    assert '<html lang="ko"' in response.text
    assert str(ERROR_TITLES[status]) in response.text  # the Korean title (the source strings are Korean)
    for leaked in ("Traceback", "werkzeug", PROD_SECRET):
        assert leaked not in response.text


# --- T39 production refuses an unsafe configuration -------------------------------------------------------------

@pytest.mark.parametrize("overrides", [
    {"SECRET_KEY": None},
    {"SECRET_KEY": ""},
    {"SECRET_KEY": "k" * 31},
    {"SECRET_KEY": "k" * 40, "DEBUG": True},
], ids=["no key", "empty key", "31-character key", "debug on"])
def test_t39_production_refuses_to_start_with_an_unsafe_configuration(overrides):
    with pytest.raises(RuntimeError):
        create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://", **overrides)


def test_t39_production_starts_with_a_32_character_key_and_debug_off():
    app = create_app("production", SECRET_KEY="k" * 32, SQLALCHEMY_DATABASE_URI="sqlite://")

    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True


# --- health check ------------------------------------------------------------------------------------------------

def test_the_health_check_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_the_health_check_answers_503_when_the_database_is_unreachable(tmp_path):
    unreachable = tmp_path / "no" / "such" / "directory" / "crm.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{unreachable}")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


# --- T13: a fresh login (the password entered within 15 minutes) for changing a role, a password, an e-mail --


def _stale_admin_client(client_as, admin):
    client = client_as(admin)
    with client.session_transaction() as session:
        session["password_at"] -= 16 * 60
    return client


def test_t13_a_role_change_in_a_stale_session_asks_for_the_password_and_changes_nothing(
        db, admin, coach, client_as):
    client = _stale_admin_client(client_as, admin)

    response = client.post(f"/admin/users/{coach.id}/edit", data={
        "name": coach.name, "email": "", "role": "admin", "active": "y", "version": coach.version})

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/account/confirm"
    assert parse_qs(urlsplit(response.location).query)["next"] == [f"/admin/users/{coach.id}/edit"]
    db.session.expire_all()
    assert db.session.get(User, coach.id).role is Role.COACH


@pytest.mark.parametrize("path", ["/admin/users/new", "/admin/users/{id}/edit"])
def test_t13_user_administration_pages_ask_a_stale_session_for_the_password(db, admin, coach, client_as, path):
    client = _stale_admin_client(client_as, admin)

    response = client.get(path.format(id=coach.id))

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/account/confirm"


def test_t13_a_password_reset_in_a_stale_session_changes_nothing(db, admin, coach, client_as):
    client = _stale_admin_client(client_as, admin)
    hash_before = coach.password_hash

    response = client.post(f"/admin/users/{coach.id}/password",
                           data={"password": "brand new pw 42", "password_confirm": "brand new pw 42",
                                 "version": coach.version})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, coach.id).password_hash == hash_before


def test_t13_entering_the_password_again_returns_to_the_page_and_allows_the_change(db, admin, coach, client_as):
    client = _stale_admin_client(client_as, admin)

    confirmed = client.post(f"/account/confirm?next=/admin/users/{coach.id}/edit", data={"password": PASSWORD})
    changed = client.post(f"/admin/users/{coach.id}/edit", data={
        "name": coach.name, "email": "", "role": "coordinator", "active": "y", "version": coach.version})

    assert confirmed.status_code == 302 and confirmed.location.endswith(f"/admin/users/{coach.id}/edit")
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, coach.id).role is Role.COORDINATOR
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.action == "password_confirmed")) is not None


def test_t13_a_wrong_password_keeps_the_session_stale_and_is_logged(db, admin, coach, client_as):
    client = _stale_admin_client(client_as, admin)

    refused = client.post("/account/confirm", data={"password": "not my password"})
    still_stale = client.get(f"/admin/users/{coach.id}/edit")

    assert refused.status_code == 401
    assert "비밀번호가 올바르지 않습니다" in refused.get_data(as_text=True)
    assert still_stale.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "password_confirm_failed")) == 1


def test_t13_a_session_is_fresh_for_15_minutes_after_login(db, admin, coach, client_as):
    with time_machine.travel(START, tick=False) as traveller:
        client = client_as(admin)
        traveller.shift(timedelta(minutes=14))
        fresh = client.get(f"/admin/users/{coach.id}/edit")
        traveller.shift(timedelta(minutes=2))
        stale = client.get(f"/admin/users/{coach.id}/edit")

    assert (fresh.status_code, stale.status_code) == (200, 302)


def test_t13_failed_confirmations_count_against_the_account_like_failed_logins(db, admin, client_as):
    client = client_as(admin)

    statuses = [client.post("/account/confirm", data={"password": f"wrong {n}"}).status_code for n in range(11)]

    assert statuses == [401] * 10 + [429]


# --- T23: over HTTPS a form post needs a same-origin Referer (Flask-WTF's SSL strict check) ---------------------


@pytest.mark.parametrize(("referer", "expected"), [
    (None, 400), ("http://localhost/", 400), ("https://other/", 400), ("https://localhost:8080/", 400),
    ("https://localhost/", 302),
])
def test_t23_an_https_post_needs_a_same_origin_referer(csrf_app, db, admin, referer, expected):
    client = csrf_app.test_client()
    https = {"base_url": "https://localhost"}
    csrf_log_in(client, "admin1", headers={"Referer": "https://localhost/login"}, **https)
    token = csrf_token_from(client.get("/companies/new", **https).text)
    headers = {"Referer": referer} if referer else {}

    response = client.post("/companies/new", data={"name": "리퍼러 검사", "enterprise_type": "other",
                                                   "csrf_token": token}, headers=headers, **https)

    assert response.status_code == expected
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(Company).where(Company.name == "리퍼러 검사"))
    assert stored == (1 if expected == 302 else 0)


def test_t23_the_referrer_policy_keeps_the_origin_for_same_site_https_posts(client):
    assert client.get("/login").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
