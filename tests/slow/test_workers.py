"""T5, T32/T33 and T35 with several worker processes: the login limiter counts across workers (Redis), concurrent
saves neither fail nor get lost, and a stale edit is refused — on SQLite (one file) and on PostgreSQL."""
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from crm import create_app
from crm.companies.models import Company
from crm.extensions import db
from tests.conftest import csrf_token_from
from tests.slow.conftest import version_in

CLIENTS = 4
SAVES_PER_CLIENT = 50
EDITS_PER_CLIENT = 25


def _count_companies(server, prefix: str) -> int:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=server.database_url)
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Company)
                                  .where(Company.name.like(f"{prefix}%")))
        db.session.remove()
        db.engine.dispose()
    return count


def test_t5_failed_logins_are_counted_once_across_all_workers(server):
    import requests

    victim = server.make_user()
    first = requests.Session()
    token = csrf_token_from(first.get(f"{server.url}/login", timeout=30).text)
    cookies = first.cookies.get_dict()

    def wrong_password() -> int:
        # A connection of its own each time (gunicorn's sync workers close it), so the attempts spread over the
        # workers. One after another: counting failures only is checked before and deducted after a request,
        # so attempts in flight at the same moment could each pass the check.
        return requests.post(f"{server.url}/login", data={"login_id": victim, "password": "wrong password",
                                                          "csrf_token": token},
                             cookies=cookies, allow_redirects=False, timeout=30).status_code

    statuses = [wrong_password() for _ in range(16)]

    assert statuses == [401] * 10 + [429] * 6


def test_t33_t35_concurrent_saves_from_four_clients_all_land(server, capsys):
    prefix = f"동시저장-{server.make_user()[-8:]}-"
    clients = [server.signed_in(server.make_user()) for _ in range(CLIENTS)]

    def save_many(number: int) -> list[int]:
        client = clients[number]
        statuses = []
        for save in range(SAVES_PER_CLIENT):
            token = csrf_token_from(client.get(f"{server.url}/companies/new", timeout=30).text)
            response = client.post(f"{server.url}/companies/new", allow_redirects=False, timeout=30, data={
                "name": f"{prefix}{number}-{save}", "enterprise_type": "other", "csrf_token": token})
            statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [status for result in pool.map(save_many, range(CLIENTS)) for status in result]

    stored = _count_companies(server, prefix)
    with capsys.disabled():
        print(f"\nT33: {len(statuses)} concurrent saves, {sum(status >= 500 for status in statuses)} 5xx, "
              f"{len(statuses) - stored} missing")
    assert statuses == [302] * (CLIENTS * SAVES_PER_CLIENT)
    assert stored == CLIENTS * SAVES_PER_CLIENT


def test_t32_t35_read_modify_write_from_four_clients_loses_no_update(server, capsys):
    owner = server.signed_in(server.make_user())
    token = csrf_token_from(owner.get(f"{server.url}/companies/new", timeout=30).text)
    created = owner.post(f"{server.url}/companies/new", allow_redirects=False, timeout=30, data={
        "name": f"한곳편집-{token[:6]}", "enterprise_type": "other", "csrf_token": token})
    company_path = "/companies/" + created.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    clients = [server.signed_in(server.make_user()) for _ in range(CLIENTS)]

    def edit_many(number: int) -> list[int]:
        client = clients[number]
        statuses = []
        for edit in range(EDITS_PER_CLIENT):
            page = client.get(f"{server.url}{company_path}/edit", timeout=30).text
            response = client.post(f"{server.url}{company_path}/edit", allow_redirects=False, timeout=30, data={
                "name": f"한곳편집-{token[:6]}", "enterprise_type": "other", "note": f"{number}-{edit}",
                "version": version_in(page), "csrf_token": csrf_token_from(page)})
            statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [status for result in pool.map(edit_many, range(CLIENTS)) for status in result]

    saved = statuses.count(302)
    final_version = version_in(owner.get(f"{server.url}{company_path}/edit", timeout=30).text)
    with capsys.disabled():
        print(f"\nT32: {len(statuses)} concurrent edits, {saved} saved, {statuses.count(409)} refused as stale, "
              f"{sum(status >= 500 for status in statuses)} 5xx, {saved - (final_version - 1)} lost")
    assert set(statuses) <= {302, 409}
    assert final_version == 1 + saved
