"""T16 object-level access (IDOR), generated from the URL map.

Coach A is assigned company A, coach B company B, each with one of everything that hangs on a company. Every rule
whose URL carries a record of B's world is requested by coach A with B's ids, and with "mixed" ids (A's parent,
B's child), by GET and POST as the rule accepts them: each answer is a refusal and nothing in the database changes
but the one logged refusal. A rule with a URL argument this file does not know fails the sweep, so a new route gets
considered here.
"""
import csv
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from flask import current_app

from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.core.access import PUBLIC, SIGNED_IN
from tests.security.conftest import World, link_token
from tests.test_access import ACCESS_MATRIX

A_GUESSED_SECRET = "a guessed secret"

# URL argument -> (rank, the value from a world). A mixed URL takes the arguments ranked below a cut from A's world
# and the rest from B's: ranks order a URL's parents before its children. An argument whose meaning depends on the
# blueprint maps the blueprint to its entry.
WORLD_ARGUMENTS: dict[str, tuple | dict[str, tuple]] = {
    "company_id": (0, lambda world: world.company.id),
    "product_id": (0, lambda world: world.product.id),
    "assessment_id": (0, lambda world: world.assessment.id),
    "session_id": (0, lambda world: world.session.id),
    "enrollment_id": (0, lambda world: world.enrollment.id),
    "cohort_id": (0, lambda world: world.cohort.id),
    "program_id": (0, lambda world: world.program.id),
    "campaign_id": (0, lambda world: world.campaign.id),
    "channel_id": (0, lambda world: world.channel.id),
    "user_id": (0, lambda world: world.coach.id),
    # The token names B's link but cannot know its secret: what someone who learned a link id could try.
    "token": (0, lambda world: link_token(current_app, world.link.id, A_GUESSED_SECRET)),
    "certification_id": (1, lambda world: world.certification.id),
    "participation_id": (1, lambda world: world.participation.id),
    "link_id": (1, lambda world: world.link.id),
    "metric_id": (2, lambda world: world.metric.id),
    "source_id": (2, lambda world: world.sale_source.id),
    "deliverable_id": (2, lambda world: world.deliverable.id),
    "item_id": {"actions": (0, lambda world: world.action_item.id),
                "campaign_results": (2, lambda world: world.catalog_product.id)},
    "record_id": {"company_admin": (0, lambda world: world.company.id)},
}
# Records named in the query string rather than the path: endpoint -> {parameter: the value from a world}.
QUERY_ARGUMENTS = {
    "coaching.create": {"company_id": lambda world: world.company.id},
    "company_admin.merge": {"other_id": lambda world: world.company.id},
    "programs.create_cohort": {"program_id": lambda world: world.program.id},
}
# Arguments that name no record: the value they take beside the ids of a world.
FIXED_ARGUMENTS = {"week": 1, "fmt": "csv", "kind": "company"}
# Arguments of rules that carry nothing of a company (static files; an import batch, which belongs to no company
# and whose pages are coordination-only, tests/imports): such rules are outside this sweep.
NOT_OF_A_COMPANY = frozenset({"filename", "batch_id"})


def _post_data(a: World) -> dict:
    """Fields most forms take, valid enough that a view without its access check would store them."""
    return {
        "version": "1", "name": "바뀐 이름", "enterprise_type": "cooperative", "aliases": "바뀐 브랜드",
        "note": "바뀐 메모", "reason": "바뀐 사유", "stage": "guided", "stage_note": "바뀐 메모",
        "coach_ids": str(a.coach.id), "coach_id": str(a.coach.id), "owner_user_id": str(a.coach.id),
        "kind": "social_enterprise", "number": "2021-1", "issuer": "바뀐 기관", "valid_from": "2021-01-01",
        "category": "바뀐 분류", "price": "1000", "to_status": "applied", "store_id": "1",
        "assessed_on": "2021-06-02", "problems": "바뀐 문제", "improvements": "바뀐 개선", "needs": "1",
        "held_on": "2021-06-02", "duration_minutes": "30", "mode": "remote", "topic": "바뀐 주제",
        "content": "바뀐 내용", "recommendations": "바뀐 제언", "what": "바뀐 과제", "due_on": "2021-07-01",
        "project_title": "바뀐 프로젝트", "budget": "1000", "status": "completed",
        "work_done": "바뀐 수행 내역", "next_plan": "바뀐 계획", "difficulties": "바뀐 애로", "comment": "바뀐 검토",
        "body": "바뀐 댓글", "days_valid": "30", "value": "99", "on_date": "", "amount": "5000", "quantity": "3",
        "product_id": str(a.product.id), "concept": "바뀐 콘셉트", "selling_point": "바뀐 셀링포인트",
        "title": "바뀐 제목", "url": "https://example.com/changed", "sales_before": "1", "sales_after": "2",
        "participation_ids": str(a.participation.id), "company_ids": str(a.company.id),
        "bio": "바뀐 소개", "contact": "바뀐 연락처", "specialty_ids": "1", "role": "admin", "active": "y",
    }


def _entry(rule, argument: str):
    entry = WORLD_ARGUMENTS[argument]
    return entry[rule.endpoint.split(".")[0]] if isinstance(entry, dict) else entry


def _unknown_arguments(rule) -> list[str]:
    unknown = []
    for argument in rule.arguments - FIXED_ARGUMENTS.keys() - NOT_OF_A_COMPANY:
        try:
            _entry(rule, argument)
        except KeyError:
            unknown.append(f"{rule.endpoint}: <{argument}>")
    return unknown


def _urls(adapter, rule, a: World, b: World) -> list[str]:
    """B's URL for the rule, then one per cut between its parents (from A) and its children (from B)."""
    if not rule.arguments - FIXED_ARGUMENTS.keys():
        return []
    ids = {argument: _entry(rule, argument) for argument in rule.arguments - FIXED_ARGUMENTS.keys()}
    fixed = {argument: FIXED_ARGUMENTS[argument] for argument in rule.arguments & FIXED_ARGUMENTS.keys()}
    urls = []
    for cut in sorted({rank for rank, _ in ids.values()}):
        values = {argument: value(a if rank < cut else b) for argument, (rank, value) in ids.items()}
        urls.append(adapter.build(rule.endpoint, values | fixed))
    return urls


def _swept_rules(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if (rule.arguments - FIXED_ARGUMENTS.keys() and not rule.arguments & NOT_OF_A_COMPANY)
                   or rule.endpoint in QUERY_ARGUMENTS),
                  key=lambda rule: rule.rule)


def _query_urls(adapter, rule, a: World, b: World) -> list[str]:
    """URLs naming B's records in the query string (beside A's ids in the path, where the path has ids)."""
    if rule.endpoint not in QUERY_ARGUMENTS:
        return []
    own_path = _urls(adapter, rule, a, a)[0] if rule.arguments else adapter.build(rule.endpoint)
    return [f"{own_path}?{name}={value(b)}" for name, value in QUERY_ARGUMENTS[rule.endpoint].items()]


def _is_dated(column) -> bool:
    column_type = getattr(column.type, "impl_instance", column.type)  # UtcDateTime decorates a DateTime
    return isinstance(column_type, sa.Date | sa.DateTime)


def _state_statement(db) -> sa.Select:
    """One statement: per table the row count, the latest value of each date and time column (`updated_at`,
    `deleted_at`, `revoked_at`, …) and the sum of the versions; the audit log is left out, as it grows by the
    logged refusal (checked on its own)."""
    columns = []
    for table in db.metadata.sorted_tables:
        if table.name == AuditLog.__tablename__:
            continue
        columns.append(sa.select(sa.func.count()).select_from(table).scalar_subquery().label(f"{table.name}.rows"))
        for column in table.c:
            if column.name == "version":
                columns.append(sa.select(sa.func.sum(column)).scalar_subquery().label(f"{table.name}.versions"))
            elif _is_dated(column):
                columns.append(sa.select(sa.func.max(column)).scalar_subquery().label(f"{table.name}.{column.name}"))
    return sa.select(*columns)


def _state(db, statement) -> dict:
    # Through the connection, not the ORM: soft-deleted rows count as rows, so hiding one shows as a change.
    return dict(db.session.connection().execute(statement).one()._mapping)


def _new_audit_rows(db, after_id: int) -> list[tuple]:
    return list(db.session.execute(sa.select(AuditLog.action, AuditLog.changes).where(AuditLog.id > after_id)
                                   .order_by(AuditLog.id)).tuples())


def _last_audit_id(db) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditLog.id), 0)))


def _expected_statuses(endpoint: str) -> set[int]:
    access = ACCESS_MATRIX.get(endpoint, SIGNED_IN)  # a route not yet in the matrix: test_access.py fails it
    if access == PUBLIC:
        return {404}
    if access == SIGNED_IN:
        return {403, 404}
    return {403} if Role.COACH not in access else {403, 404}


@pytest.fixture
def worlds(build_world, make_coach) -> tuple[World, World]:
    a = build_world(make_coach("코치A"), lambda field: f"알파상회 {field}")
    b = build_world(make_coach("코치B"), lambda field: f"베타상회 {field}")
    return a, b


def test_t16_every_url_argument_is_mapped_to_a_record_of_a_company_world(app):
    unknown = [argument for rule in app.url_map.iter_rules() for argument in _unknown_arguments(rule)]

    assert unknown == [], "a new route carries an argument this sweep does not know: map it in WORLD_ARGUMENTS"


def test_t16_coach_a_is_refused_every_url_of_coach_bs_world_and_nothing_changes(app, db, worlds, client_as,
                                                                                 capsys):
    a, b = worlds
    client = client_as(a.coach)
    adapter = app.url_map.bind("localhost")
    state_statement = _state_statement(db)
    post_data = _post_data(a)
    problems, requests = [], 0

    for rule in _swept_rules(app):
        expected = _expected_statuses(rule.endpoint)
        for url in _urls(adapter, rule, a, b) + _query_urls(adapter, rule, a, b):
            for method in sorted(rule.methods & {"GET", "POST"}):
                before, last_audit_id = _state(db, state_statement), _last_audit_id(db)
                try:
                    response = client.open(url, method=method, data=post_data if method == "POST" else None)
                except Exception as error:  # a 500 under TESTING: record it, keep sweeping
                    db.session.rollback()
                    problems.append(f"{method} {url}: raised {error!r}")
                    continue
                requests += 1
                if response.status_code not in expected:
                    problems.append(f"{method} {url}: {response.status_code}, expected {sorted(expected)}")
                after = _state(db, state_statement)
                if after != before:
                    changed = sorted(key for key in before if before[key] != after[key])
                    problems.append(f"{method} {url}: the database changed: {changed}")
                logged = _new_audit_rows(db, last_audit_id)
                expected_log = 0 if ACCESS_MATRIX.get(rule.endpoint) == PUBLIC else 1
                if len(logged) != expected_log or any(
                        action not in {"access_denied", "not_found"} or changes["path"] != url.partition("?")[0]
                        for action, changes in logged):
                    problems.append(f"{method} {url}: audit rows {logged}, expected {expected_log} refusal")

    with capsys.disabled():
        print(f"\nT16: {requests} refused requests by coach A, each followed by a database and audit check")
    assert problems == [], "\n".join(problems)
    assert requests > 100, requests


def test_t16_coach_a_opens_the_same_urls_with_its_own_ids(app, worlds, client_as):
    """The control for the sweep: A's own ids build URLs that reach a record (so B's 404s are refusals)."""
    a, _ = worlds
    client = client_as(a.coach)
    adapter = app.url_map.bind("localhost")
    problems, opened = [], 0

    for rule in _swept_rules(app):
        access = ACCESS_MATRIX.get(rule.endpoint, SIGNED_IN)
        if "GET" not in rule.methods or access == PUBLIC or (access != SIGNED_IN and Role.COACH not in access):
            continue
        for own_url in _urls(adapter, rule, a, a)[:1] + _query_urls(adapter, rule, a, a):
            status = client.get(own_url).status_code
            opened += 1
            if status not in (200, 403):
                problems.append(f"GET {own_url}: {status}")

    assert problems == []
    assert opened >= 15, opened  # 16 today: every GET rule a coach may open with a record in its path or query


# --- lists, search and exports ----------------------------------------------------------------------------------

COMPANY_LINK = re.compile(r'href="/companies/(\d+)"')


def _export_cells(response) -> list[list[str]]:
    if response.mimetype == "text/csv":
        return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).active
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


def _lists_of(b: World) -> tuple[str, ...]:
    """List, search and export URLs as coach A asks for them, some naming B's company, coach or name."""
    return (
        "/", "/pipeline/", "/actions/", "/coaching/", "/coaching/export.csv", "/coaching/export.xlsx",
        "/actions/export.csv", "/actions/export.xlsx?done=y", "/coaches/export.csv", "/coaches/export.xlsx",
        "/companies/?q=상회", "/companies/export.csv", "/companies/export.xlsx",
        f"/companies/?q={b.company.name}", f"/companies/?q={b.company.aliases[0].name}",
        f"/companies/?coach_id={b.coach.id}", f"/companies/export.csv?q={b.company.name}",
        f"/companies/export.csv?coach_id={b.coach.id}", f"/coaching/?company_id={b.company.id}",
        f"/coaching/export.csv?company_id={b.company.id}", f"/coaching/export.csv?coach_id={b.coach.id}",
        "/companies/products/export.csv", "/companies/products/export.xlsx",
        f"/companies/products/export.csv?q={b.company.name}", f"/companies/products/export.xlsx?coach_id={b.coach.id}",
    )


def test_t16_lists_search_and_exports_hold_none_of_bs_world(worlds, client_as):
    a, b = worlds
    client = client_as(a.coach)
    b_names = (b.company.name, b.company.aliases[0].name, b.session.topic, b.action_item.what, b.product.name)

    for url in _lists_of(b):
        response = client.get(url)
        assert response.status_code in (200, 422), url
        text = response.get_data(as_text=True) if response.mimetype.startswith("text/") else str(
            _export_cells(response))
        # A search form shows back what was searched for: only names it did not ask for count.
        assert [name for name in b_names if name in text and name not in url] == [], url


def test_t16_list_search_and_export_counts_equal_coach_as_assignments(worlds, client_as):
    a, b = worlds
    client = client_as(a.coach)

    listed = {int(company_id) for company_id in COMPANY_LINK.findall(client.get("/companies/?q=상회").text)}
    searched_b = COMPANY_LINK.findall(client.get(f"/companies/?q={b.company.name}").text)
    [_, *company_rows] = _export_cells(client.get("/companies/export.csv"))
    [_, *company_xlsx_rows] = _export_cells(client.get("/companies/export.xlsx"))
    [_, *session_rows] = _export_cells(client.get("/coaching/export.csv"))
    [_, *filtered_session_rows] = _export_cells(client.get(f"/coaching/export.csv?company_id={b.company.id}"))
    [_, *product_rows] = _export_cells(client.get("/companies/products/export.csv"))
    [_, *product_xlsx_rows] = _export_cells(client.get("/companies/products/export.xlsx"))

    assert listed == {a.company.id}
    assert searched_b == []
    assert [row[0] for row in company_rows] == [a.company.name]
    assert [row[0] for row in company_xlsx_rows] == [a.company.name]
    assert [row[1] for row in session_rows] == [a.company.name]
    assert filtered_session_rows == []
    assert [(row[0], row[2]) for row in product_rows] == [(a.company.name, a.product.name)]
    assert [(row[0], row[2]) for row in product_xlsx_rows] == [(a.company.name, a.product.name)]
