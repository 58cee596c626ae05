"""Two app servers (each gunicorn with 4 workers, on two ports), one PostgreSQL database, one Redis: the login
throttle counts across both, and a stale edit made on one server is refused on the other."""
import pytest
import sqlalchemy as sa

from crm import create_app
from crm.companies.models import Company
from crm.extensions import db
from tests.conftest import csrf_token_from, on_postgres
from tests.slow.conftest import running_server, version_in

pytestmark = pytest.mark.skipif(not on_postgres(), reason="two servers share PostgreSQL: runs in the PostgreSQL run")


@pytest.fixture(scope="module")
def two_servers(server_database, redis_url):
    with running_server(server_database, redis_url) as first, running_server(server_database, redis_url) as second:
        yield first, second


def test_t5_failed_logins_on_two_servers_are_counted_together(two_servers):
    import requests

    first, second = two_servers
    victim = first.make_user()
    browser = requests.Session()
    token = csrf_token_from(browser.get(f"{first.url}/login", timeout=30).text)

    statuses = [browser.post(f"{server.url}/login", allow_redirects=False, timeout=30,
                             data={"login_id": victim, "password": "wrong password", "csrf_token": token}).status_code
                for server in [first, second] * 8]

    assert statuses == [401] * 10 + [429] * 6


def test_t32_t35_an_edit_saved_on_one_server_makes_the_other_servers_form_stale(two_servers):
    first, second = two_servers
    editor_a = first.signed_in(first.make_user())
    editor_b = second.signed_in(second.make_user())
    token = csrf_token_from(editor_a.get(f"{first.url}/companies/new", timeout=30).text)
    created = editor_a.post(f"{first.url}/companies/new", allow_redirects=False, timeout=30,
                            data={"name": "두서버편집", "enterprise_type": "other", "csrf_token": token})
    company_path = "/companies/" + created.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    page_a = editor_a.get(f"{first.url}{company_path}/edit", timeout=30).text
    page_b = editor_b.get(f"{second.url}{company_path}/edit", timeout=30).text

    saved = editor_a.post(f"{first.url}{company_path}/edit", allow_redirects=False, timeout=30, data={
        "name": "두서버편집", "enterprise_type": "other", "note": "A가 먼저", "version": version_in(page_a),
        "csrf_token": csrf_token_from(page_a)})
    stale = editor_b.post(f"{second.url}{company_path}/edit", allow_redirects=False, timeout=30, data={
        "name": "두서버편집", "enterprise_type": "other", "note": "B가 나중", "version": version_in(page_b),
        "csrf_token": csrf_token_from(page_b)})

    assert (saved.status_code, stale.status_code) == (302, 409)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=first.database_url)
    with app.app_context():
        company = db.session.scalar(sa.select(Company).where(Company.name == "두서버편집"))
        assert (company.note, company.version) == ("A가 먼저", 2)
        db.session.remove()
        db.engine.dispose()
