"""Cached figures are used only while no transaction has changed domain data since they were computed."""
import sys

import sqlalchemy as sa

from crm.companies.models import Company
from crm.companies.pipeline import Stage
from crm.companies.services import move_stage
from crm.core.cache import _Store, cached, current_version


class Computation:
    def __init__(self, value=0):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_kept_value_is_used_until_domain_data_changes(db, make_company):
    make_company("첫기업")
    computation = Computation("first")

    assert cached(("figure",), computation) == "first"
    assert cached(("figure",), computation) == "first"
    assert computation.calls == 1

    make_company("둘째기업")
    computation.value = "second"

    assert cached(("figure",), computation) == "second"
    assert computation.calls == 2


def test_each_key_keeps_its_own_value(db):
    assert cached(("figure", 1), Computation("one")) == "one"
    assert cached(("figure", 2), Computation("two")) == "two"
    assert cached(("figure", 1), Computation("other")) == "one"


def test_a_transaction_raises_the_version_once_and_a_rollback_takes_the_raise_back(db, make_company, coordinator):
    company = make_company("기업")
    before = current_version()

    move_stage(company, Stage.CONTACTED, note=None, actor=coordinator)
    db.session.flush()
    company.contact_name = "담당자"
    db.session.flush()
    assert current_version() == before + 1
    db.session.rollback()

    assert current_version() == before


def test_a_value_computed_inside_a_writing_transaction_is_not_kept(db, make_company, coordinator):
    company = make_company("기업")
    move_stage(company, Stage.CONTACTED, note=None, actor=coordinator)
    db.session.flush()

    assert cached(("figure",), Computation("uncommitted")) == "uncommitted"
    db.session.rollback()

    assert cached(("figure",), Computation("committed")) == "committed"


def test_a_bulk_update_raises_the_version(db, make_company):
    make_company("기업")
    before = current_version()

    db.session.execute(sa.update(Company).values(industry="식품"))
    db.session.commit()

    assert current_version() == before + 1


def test_locking_rows_for_an_update_takes_the_version_row_first(db, make_company):
    make_company("기업")
    before = current_version()

    db.session.scalars(sa.select(Company).with_for_update()).all()

    assert current_version() == before + 1
    db.session.rollback()


def test_the_board_and_the_company_list_show_a_move_at_once(db, client_as, coordinator, make_company):
    company = make_company("이동기업")
    client = client_as(coordinator)
    assert 'data-testid="column-contacted"' in client.get("/pipeline/").text
    listed_before = client.get("/companies/?stage=contacted").text
    assert "이동기업" not in listed_before

    move_stage(company, Stage.CONTACTED, note=None, actor=coordinator)
    db.session.commit()

    assert "이동기업" in client.get("/companies/?stage=contacted").text
    board = client.get("/pipeline/").text
    contacted_column = board.split('data-testid="column-contacted"')[1].split('data-testid="column-')[0]
    assert "이동기업" in contacted_column
    assert 'data-testid="count">1</span>' in contacted_column


def test_a_count_is_kept_per_filter_value_and_viewer(db, make_company, coordinator, coach):
    """The count's key holds the statement's values: two searches, or two viewers, never share a count."""
    from crm.companies.queries import company_list_statement
    from crm.core.pagination import cached_count, count_key

    make_company("햇살기업")
    make_company("바다기업")

    assert count_key(company_list_statement(coordinator, q="햇살")) == \
        count_key(company_list_statement(coordinator, q="햇살"))
    assert cached_count(company_list_statement(coordinator, q="햇살")) == 1
    assert cached_count(company_list_statement(coordinator, q="기업")) == 2
    assert cached_count(company_list_statement(coordinator, q="없는이름")) == 0
    assert cached_count(company_list_statement(coach)) == 0
    assert cached_count(company_list_statement(coordinator)) == 2


def test_signing_in_keeps_what_the_caches_hold(db, client, coordinator):
    """A sign-in writes the user's last_login_at, which the audit log leaves out: kept pages stay valid."""
    from tests.conftest import log_in

    before = current_version()

    assert log_in(client, coordinator.login_id).status_code == 302
    assert current_version() == before


def test_a_change_the_audit_log_records_raises_the_version(db, coordinator):
    before = current_version()

    coordinator.name = "새 이름"
    db.session.commit()

    assert current_version() == before + 1


def test_the_store_drops_the_least_recently_used_text_past_its_size_and_never_keeps_a_value_over_it():
    store = _Store(max_entries=100, max_bytes=3 * sys.getsizeof("x" * 1000))
    for key in "abc":
        store.put(key, 1, key * 1000)
    assert store.get("a", 1) is not None  # now the most recently used

    store.put("d", 1, "d" * 1000)

    assert [key for key in "abcd" if store.get(key, 1) is not None] == ["a", "c", "d"]
    store.put("huge", 1, "h" * 5000)
    assert store.get("huge", 1) is None and store.get("d", 1) is not None
    store.put("d", 2, "d" * 10)  # a newer version of a kept key replaces it and frees its size
    assert store.size == 2 * sys.getsizeof("x" * 1000) + sys.getsizeof("d" * 10)


def test_the_store_keeps_at_most_its_number_of_entries():
    store = _Store(max_entries=2)
    for key in "abc":
        store.put(key, 1, 0)

    assert [key for key in "abc" if store.get(key, 1) is not None] == ["b", "c"]
