"""No N+1 (issue 10): every GET page, as each role, runs as many SQL statements on a world of about 1,000 rows per
list as on one of about 10. A page whose count grows with the data loads something per row: it runs a statement
more often in one world than in the other. The one difference allowed is a statement one world runs once and the
other not at all (a section with nothing to show in one world: no campaign running, no change this week).

Both worlds come from the scale generator (crm/scale), each in an app of its own, built once for this module.
Pages are read from app.url_map, their URL arguments filled from records of the world (a company with the most
history, the largest campaign, a full cohort, …) as tests/security/test_idor.py fills them; a new page whose
arguments this file cannot fill fails it until it is mapped here."""
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from crm import create_app
from crm.auth.models import Role, User
from crm.campaigns.models import Channel, Deliverable, Participation, ParticipationProduct, SaleSource
from crm.campaigns.reference import seed_channels
from crm.coaching.models import CoachingSession, CoachProfile, NeedsAssessment, coach_specialties
from crm.coaching.reference import seed_specialties
from crm.companies.models import Company, CompanyCoach, Product
from crm.companies.reference import seed_reference_data
from crm.core.access import PUBLIC, declared_access
from crm.extensions import db
from crm.imports.models import ImportKind
from crm.imports.services import create_batch, template_rows
from crm.programs.models import Cohort, Enrollment
from crm.scale import PASSWORD, Sizes, generate
from tests.conftest import QueryCounter, log_in
from tests.imports.conftest import COMPANY_HEADERS, company_rows, csv_bytes

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
# No long histories in the small world: the generator gives each one ≈150 moves, whatever the size.
SMALL = Sizes(companies=12, long_histories=0, products=12, programs=3, cohorts=3, enrollments_per_cohort=4, weeks=6,
              coaching_sessions=10, needs_assessments=6, campaigns=3, participations=12, largest_campaign=6,
              audit_rows=12, coordinators=3, coaches=2)
# A page of every list is full (50 rows) and has a page 2; coaches are few so that a coach's lists are long too.
LARGE = Sizes(companies=1000, long_histories=3, products=1000, programs=55, cohorts=55, enrollments_per_cohort=25,
              weeks=26, coaching_sessions=1000, needs_assessments=1000, campaigns=55, participations=1100,
              largest_campaign=100, audit_rows=1000, coordinators=60, coaches=5)
# A seed whose small world has a content campaign (deliverables) and a coached company with a product, an
# enrollment, a participation and a needs assessment: a page shows some of each in both worlds.
SEED = 205
IMPORT_ROWS = {"small": 10, "large": 1000}
IMPORT_BATCHES = {"small": 2, "large": 55}

# Pages that carry nothing of the world: file downloads, import templates, static files, public pages.
SKIPPED_WORDS = ("export", ".csv", ".xlsx", "template", "static", "healthz", "submit")
# URL argument -> the record of the world it names (by blueprint where the meaning depends on it).
ARGUMENTS = {
    "company_id": "company", "product_id": "product", "assessment_id": "assessment", "session_id": "session",
    "enrollment_id": "enrollment", "cohort_id": "cohort", "program_id": "program", "channel_id": "channel",
    "user_id": "coach", "batch_id": "batch", "deliverable_id": "deliverable", "source_id": "sale_source",
    "item_id": {"campaign_results": "catalog_product"},
}
# A campaign's own pages show the largest campaign; a participation's pages the campaign it belongs to.
PARTICIPATION_OF = {"campaign_results.participation": "participation",
                    "campaign_results.edit_deliverable": "deliverable_participation",
                    "campaign_results.edit_product": "catalog_participation",
                    "campaign_results.edit_source": "participation"}
FIXED_ARGUMENTS = {"week": 3}
# Records named in the query string: endpoint -> its query.
QUERY_ARGUMENTS = {
    "coaching.create": "company_id={company}",
    "company_admin.merge": "other_id={other_company}",
    "programs.create_cohort": "program_id={program}",
}
# More views of a list: page 2, a filter, a search.
MORE_QUERIES = {
    "companies.index": ("page=2", "q=합성", "enterprise_type={company_type}", "coordinator_id={company_coordinator}"),
    "audit.index": ("page=2", "record_type=Company", "actor_id={coordinator}"),
    "coaching.index": ("page=2", "coach_id={coach}", "company_name=합성"),
    "actions.index": ("page=2", "done=y"),
    "campaigns.index": ("page=2", "q=합성", "status=finished"),
    "programs.index": ("page=2",),
    "programs.cohorts": ("page=2",),
    "admin_users.index": ("page=2",),
    "company_admin.stage_changes": ("kind=listing",),
    "coaches.index": ("specialty={specialty}",),
    "imports.index": ("page=2",),
}
# A coach may open these only for their own records or not at all: GET answers 403 after loading (read only).
REFUSED_TO_COACHES = frozenset({
    "campaign_results.edit_deliverable", "campaign_results.edit_product", "campaign_results.edit_source",
    "products.create", "products.edit",
})
# A coach's companies fill less than a page in either world.
NOT_PAGED_FOR_COACHES = frozenset({"companies.index"})
IN_LIST = re.compile(r"IN \((?:\?|%\(\w+\)s)(?:, (?:\?|%\(\w+\)s))*\)")
ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COACH)


@dataclass
class World:
    app: Flask
    records: dict[str, int]
    clients: dict[Role, FlaskClient]
    batches: dict[Role, int]


def _most(column, where=None) -> Counter:
    stmt = sa.select(column)
    if where is not None:
        stmt = stmt.where(where)
    return Counter(db.session.scalars(stmt))


def _records(coordinator: User) -> dict[str, int]:
    """The records the pages open: the company with the most of everything, of a coach who held a session there
    (a coach opens its pages too), each record taken from that company where it has one, else from another of the
    coach's companies; the largest campaign; …"""
    assigned = list(db.session.execute(sa.select(CompanyCoach.company_id, CompanyCoach.coach_id)).tuples())
    sessions = Counter(db.session.execute(sa.select(CoachingSession.company_id, CoachingSession.coach_id)).tuples())
    per_company = [_most(column) for column in (Product.company_id, Enrollment.company_id,
                                                Participation.company_id, NeedsAssessment.company_id)]
    company_id, coach_id = max((pair for pair in assigned if sessions[pair]), key=lambda pair: (
        sum(bool(counts[pair[0]]) for counts in per_company), sum(counts[pair[0]] for counts in per_company)
        + sessions[pair], pair))
    preferred = [company_id] + sorted(company for company, coach in assigned if coach == coach_id)

    def first_of(model, where=None):
        stmt = sa.select(model).where(model.company_id.in_(preferred)) if where is None else sa.select(model).where(
            where)
        return min(db.session.scalars(stmt), key=lambda record: (preferred.index(record.company_id), record.id))

    focus = db.session.get(Company, company_id)
    enrollment = first_of(Enrollment)
    participation = first_of(Participation)
    catalog_product = db.session.scalars(sa.select(ParticipationProduct).order_by(ParticipationProduct.id)).first()
    deliverable = db.session.scalars(sa.select(Deliverable).order_by(Deliverable.id)).first()
    # The generator writes no sales sources: one on the company's participation.
    sale_source = SaleSource(participation_id=participation.id, name="합성 판매처", quantity=3, amount=30_000)
    db.session.add(sale_source)
    db.session.flush()
    return {
        "company": company_id, "coach": coach_id, "coordinator": coordinator.id,
        "other_company": db.session.scalar(sa.select(sa.func.min(Company.id)).where(Company.id != company_id)),
        "company_coordinator": focus.coordinator_id, "company_type": focus.enterprise_type.value,
        "specialty": db.session.scalar(
            sa.select(sa.func.min(coach_specialties.c.specialty_id))
            .join(CoachProfile, coach_specialties.c.coach_profile_id == CoachProfile.id)
            .where(CoachProfile.user_id == coach_id)),
        "product": first_of(Product).id, "assessment": first_of(NeedsAssessment).id,
        "session": first_of(CoachingSession, (CoachingSession.company_id == company_id)
                            & (CoachingSession.coach_id == coach_id)).id,
        "enrollment": enrollment.id, "cohort": enrollment.cohort_id,
        "program": db.session.get(Cohort, enrollment.cohort_id).program_id,
        "campaign": _most(Participation.campaign_id).most_common(1)[0][0], "participation": participation.id,
        "channel": db.session.scalar(sa.select(sa.func.min(Channel.id))),
        "catalog_product": catalog_product.id, "catalog_participation": catalog_product.participation_id,
        "deliverable": deliverable.id, "deliverable_participation": deliverable.participation_id,
        "sale_source": sale_source.id,
    }


def _import_batches(size: str, coordinator: User, coach: User) -> dict[Role, int]:
    """Import batches as a coordinator and a coach upload them (the generator makes none)."""
    batches = [create_batch(csv_bytes(COMPANY_HEADERS, company_rows(IMPORT_ROWS[size])), "기업.csv",
                            ImportKind.COMPANIES, actor=coordinator)]
    for number in range(1, IMPORT_BATCHES[size]):
        batches.append(create_batch(csv_bytes(COMPANY_HEADERS, company_rows(2, start=10_000 + 2 * number)),
                                    f"기업{number}.csv", ImportKind.COMPANIES, actor=coordinator))
    headers, rows = template_rows(ImportKind.COACHING_SESSIONS)
    coach_batch = create_batch(csv_bytes(headers, rows * IMPORT_ROWS[size]), "코칭.csv", ImportKind.COACHING_SESSIONS,
                               actor=coach)
    return {Role.ADMIN: batches[0].id, Role.COORDINATOR: batches[0].id, Role.COACH: coach_batch.id}


def _build(size: str, sizes: Sizes, page_size: int) -> World:
    # Each world in an in-memory SQLite database of its own (whatever TEST_DATABASE_URL says): two at once.
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PAGE_SIZE=page_size)
    with app.app_context():
        db.create_all()
        seed_reference_data()
        seed_specialties()
        seed_channels()
        db.session.commit()
        generate(sizes, seed=SEED, now=NOW)
        coordinator = db.session.scalar(sa.select(User).where(User.login_id == "scale-coordinator-01"))
        records = _records(coordinator)
        coach = db.session.get(User, records["coach"])
        batches = _import_batches(size, coordinator, coach)
        logins = {Role.ADMIN: "scale-admin", Role.COORDINATOR: coordinator.login_id, Role.COACH: coach.login_id}
        db.session.commit()
    clients = {}
    for role, login_id in logins.items():
        clients[role] = app.test_client()
        assert log_in(clients[role], login_id, PASSWORD).status_code == 302
    return World(app=app, records=records, clients=clients, batches=batches)


@pytest.fixture(scope="module")
def worlds():
    # Small pages in the small world, so that its lists have a page 2 as well.
    built = {"small": _build("small", SMALL, page_size=2), "large": _build("large", LARGE, page_size=50)}
    yield built
    for world in built.values():
        with world.app.app_context():
            db.engine.dispose()


def _pages(app: Flask) -> list:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and declared_access(app, rule.endpoint) != PUBLIC
                   and not any(word in rule.rule or word in rule.endpoint for word in SKIPPED_WORDS)),
                  key=lambda rule: rule.rule)


def _record_name(rule, argument: str) -> str:
    entry = ARGUMENTS[argument]
    return entry[rule.endpoint.split(".")[0]] if isinstance(entry, dict) else entry


def _unmapped(rule) -> list[str]:
    unknown = []
    for argument in rule.arguments - FIXED_ARGUMENTS.keys() - {"campaign_id", "participation_id"}:
        try:
            _record_name(rule, argument)
        except KeyError:
            unknown.append(f"{rule.endpoint}: <{argument}>")
    if "participation_id" in rule.arguments and rule.endpoint not in PARTICIPATION_OF:
        unknown.append(f"{rule.endpoint}: <participation_id>")
    return unknown


def _urls(world: World, rule, role: Role) -> list[tuple[str, str]]:
    """(what the page is, its URL in the world): the rule with each of its queries."""
    records = world.records | {"batch": world.batches[role]}
    values = {argument: records[_record_name(rule, argument)]
              for argument in rule.arguments - FIXED_ARGUMENTS.keys() - {"campaign_id", "participation_id"}}
    if rule.endpoint in PARTICIPATION_OF:
        with world.app.app_context():
            participation = db.session.get(Participation, records[PARTICIPATION_OF[rule.endpoint]])
            values |= {"participation_id": participation.id, "campaign_id": participation.campaign_id}
    elif "campaign_id" in rule.arguments:
        values["campaign_id"] = records["campaign"]
    values |= {argument: FIXED_ARGUMENTS[argument] for argument in rule.arguments & FIXED_ARGUMENTS.keys()}
    path = world.app.url_map.bind("localhost").build(rule.endpoint, values)
    queries = [QUERY_ARGUMENTS[rule.endpoint]] if rule.endpoint in QUERY_ARGUMENTS else [""]
    queries += [query for query in MORE_QUERIES.get(rule.endpoint, ())
                if not (role is Role.COACH and rule.endpoint in NOT_PAGED_FOR_COACHES and query.startswith("page="))]
    return [(f"{rule.rule}?{query}" if query else rule.rule, f"{path}?{query.format(**records)}" if query else path)
            for query in queries]


def _opens(app: Flask, rule, role: Role) -> bool:
    access = declared_access(app, rule.endpoint)
    allowed = isinstance(access, str) or role in access
    return allowed and not (role is Role.COACH and rule.endpoint in REFUSED_TO_COACHES)


def _statements(world: World, role: Role, url: str) -> tuple[int, list[str]]:
    """The statements of one request, after a first request that fills whatever the app caches."""
    client = world.clients[role]
    client.get(url)
    counter = QueryCounter()
    with world.app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return response.status_code, counter.statements


def test_every_page_argument_is_mapped_to_a_record_of_the_world(app):
    unknown = [argument for rule in _pages(app) for argument in _unmapped(rule)]

    assert unknown == [], "a new page carries an argument this test does not know: map it in ARGUMENTS"


def _shape(statement: str) -> str:
    """The statement without its layout and with any IN list as one: a page of 50 rows and one of 3 load their
    collections with the same statement."""
    return IN_LIST.sub("IN (…)", " ".join(statement.split()))


def _repeated(small: list[str], large: list[str]) -> list[str]:
    """Statements that one world runs more often than the other, where the other runs them at all or the one
    runs them more than once: what grows with the rows. A statement that one world runs once and the other not at
    all is a section with nothing to show at 10 rows (no running campaign, no change this week), not an N+1."""
    small_shapes, large_shapes = Counter(map(_shape, small)), Counter(map(_shape, large))
    return [f"{small_shapes[shape]}× → {large_shapes[shape]}× {shape[:300]}"
            for shape in small_shapes | large_shapes
            if small_shapes[shape] != large_shapes[shape] and max(small_shapes[shape], large_shapes[shape]) > 1]


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_a_page_runs_as_many_statements_at_1000_rows_as_at_10(worlds, role, capsys):
    small, large = worlds["small"], worlds["large"]
    problems, table = [], []

    for rule in _pages(large.app):
        if not _opens(large.app, rule, role):
            continue
        for (page, small_url), (_page, large_url) in zip(_urls(small, rule, role), _urls(large, rule, role),
                                                         strict=True):
            small_status, small_statements = _statements(small, role, small_url)
            large_status, large_statements = _statements(large, role, large_url)
            repeated = _repeated(small_statements, large_statements)
            table.append(f"{page:<75} {len(small_statements):>4} {len(large_statements):>4}")
            if (small_status, large_status) != (200, 200):
                problems.append(f"{large_url}: {small_status} (10 rows), {large_status} (1,000 rows)")
            elif repeated:
                problems.append(f"{large_url}: {len(small_statements)} statements at 10 rows, "
                                f"{len(large_statements)} at 1,000: " + "; ".join(repeated))

    with capsys.disabled():
        print(f"\n{role.value}: {len(table)} pages (url, statements at 10 rows, at 1,000 rows)\n" + "\n".join(table))
    assert problems == [], "\n".join(problems)
    assert len(table) > (15 if role is Role.COACH else 40), len(table)
