"""T18 XSS through Jinja, generated from the URL map.

Every text field a user types that a page shows is stored, through the ORM (past the forms' own checks), with a
script payload, an attribute-breaking payload and a quote-breaking payload, one company world per payload. Then
every GET page is opened with each world's ids, as an admin and as the world's coach, and no answer may hold a
payload unescaped. Web address fields take `javascript:` addresses: the forms refuse them, and an address stored
anyway must never become a link.
"""
import re

import pytest

from crm.auth.models import Role
from crm.campaigns.models import Channel, Deliverable
from crm.companies.models import Company
from crm.core.access import PUBLIC, SIGNED_IN
from tests.security.conftest import World
from tests.test_access import ACCESS_MATRIX

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)")
JAVASCRIPT_URL = "javascript:alert(1)"
# What a payload looks like when a page did not escape it.
UNESCAPED = ("<script>alert(1)", "<img src=x onerror", " onmouseover='alert", 'href="javascript:', "href='javascript:")
# What a payload looks like escaped (Jinja writes ' as &#39; and " as &#34;): its presence shows a page displayed it.
ESCAPED = ("&lt;script&gt;alert(1)", "&lt;img src=x onerror", " onmouseover=&#39;alert")
# Columns shorter than a payload (PostgreSQL enforces the length): the payload is cut to fit.
FIELD_LENGTHS = {"단위": 20}
# Rules outside the sweep, and why; besides these, every `…/export.<fmt>` rule is a CSV/XLSX download, not HTML
# (formula injection in those is T19).
NOT_PAGES = {
    "static": "a file, not a page",
    "bootstrap.static": "a file, not a page",
    "core.healthz": "JSON for the load balancer",
    "imports.template": "a CSV/XLSX download, not a page",
    "imports.detail": "an import batch is of no company world: tests/imports/test_escaping.py uploads payloads",
}
# Pages that show no text a user typed (forms with empty fields, the login page): they still must not reflect.
PAGES_WITHOUT_STORED_TEXT = frozenset({
    "auth.login", "admin_users.create", "programs.create", "channels.create", "coaches.specialties",
    "imports.index",
})
# Pages that show more with a query: a report's edit form, the trash's deleted products.
EXTRA_QUERIES = {"progress.week": "edit=1", "company_admin.trash": "kind=product"}
# Pages that once wrote a stored payload unescaped (a lazy string marked safe), checked again by name below.
ONCE_UNESCAPED = {
    "coaching.edit": lambda world: f"/coaching/sessions/{world.session.id}/edit",
    "coaching.create": lambda world: f"/coaching/sessions/new?company_id={world.company.id}",
}
WORLD_VALUES = {
    "company_id": lambda world: world.company.id,
    "product_id": lambda world: world.product.id,
    "assessment_id": lambda world: world.assessment.id,
    "session_id": lambda world: world.session.id,
    "enrollment_id": lambda world: world.enrollment.id,
    "cohort_id": lambda world: world.cohort.id,
    "program_id": lambda world: world.program.id,
    "campaign_id": lambda world: world.campaign.id,
    "channel_id": lambda world: world.channel.id,
    "user_id": lambda world: world.coach.id,
    "token": lambda world: world.token,
    "participation_id": lambda world: world.participation.id,
    "deliverable_id": lambda world: world.deliverable.id,
    "source_id": lambda world: world.sale_source.id,
    "item_id": lambda world: world.catalog_product.id,
    "week": lambda world: 1,
}


def _say(payload: str):
    def say(field: str) -> str:
        return f"{payload}{field}"[:FIELD_LENGTHS.get(field)]

    return say


@pytest.fixture
def payload_worlds(build_world, make_coach) -> list[World]:
    return [build_world(make_coach(f"{payload}코치"), _say(payload)) for payload in PAYLOADS]


def _get_pages(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint not in NOT_PAGES and "/export." not in rule.rule),
                  key=lambda rule: rule.rule)


def _page_urls(adapter, rule, worlds: list[World]) -> list[str]:
    """The rule's URL once per world (or once, with a payload as the search, for a rule without arguments)."""
    if rule.endpoint in ONCE_UNESCAPED:
        urls = [ONCE_UNESCAPED[rule.endpoint](world) for world in worlds]
    elif rule.arguments:
        urls = [adapter.build(rule.endpoint, {argument: WORLD_VALUES[argument](world) for argument in rule.arguments})
                for world in worlds]
    else:
        urls = [adapter.build(rule.endpoint), adapter.build(rule.endpoint, {"q": PAYLOADS[0], "next": PAYLOADS[1]})]
    if rule.endpoint in EXTRA_QUERIES:
        urls += [f"{url}?{EXTRA_QUERIES[rule.endpoint]}" for url in urls if "?" not in url]
    return urls


def _coach_may_open(endpoint: str) -> bool:
    access = ACCESS_MATRIX.get(endpoint, frozenset())  # a route not yet in the matrix: test_access.py fails it
    return access in (PUBLIC, SIGNED_IN) or Role.COACH in access


def test_t18_every_page_argument_has_a_value_from_a_world(app):
    unknown = sorted({f"{rule.endpoint}: <{argument}>" for rule in _get_pages(app)
                      for argument in rule.arguments - WORLD_VALUES.keys()})

    assert unknown == [], "a new page carries an argument this sweep does not fill: add it to WORLD_VALUES"


def test_t18_no_page_shows_a_stored_or_searched_payload_unescaped(app, payload_worlds, admin, client_as, capsys):
    adapter = app.url_map.bind("localhost")
    # An admin opens every page of every world; each coach the pages of their own world that a coach may open
    # (a change form a coach may not use answers 403 after loading: nothing is shown to check).
    # The login page is read signed out (signed in, it sends the reader on).
    readers = [(client_as(admin), payload_worlds, {200}, lambda endpoint: True)] + [
        (client_as(world.coach), [world], {200, 403}, _coach_may_open) for world in payload_worlds]
    signed_out = app.test_client()
    problems, pages, opened, shown = [], 0, set(), set()

    for rule in _get_pages(app):
        for client, worlds, answers, may_open in readers:
            if not may_open(rule.endpoint):
                continue
            if rule.endpoint == "auth.login":
                client = signed_out
            for url in _page_urls(adapter, rule, worlds):
                response = client.get(url)
                if response.status_code not in answers:
                    problems.append(f"GET {url}: {response.status_code}")
                if response.status_code != 200:
                    continue
                if response.mimetype != "text/html":
                    problems.append(f"GET {url}: {response.mimetype}, not a page (list it in NOT_PAGES)")
                    continue
                text = response.get_data(as_text=True)
                pages += 1
                opened.add(rule.endpoint)
                problems += [f"GET {url}: {marker!r} unescaped" for marker in UNESCAPED if marker in text]
                if any(marker in text for marker in ESCAPED):
                    shown.add(rule.endpoint)

    checks = pages * len(PAYLOADS)
    with capsys.disabled():
        print(f"\nT18: {pages} pages × {len(PAYLOADS)} text payloads = {checks} checks")
    assert problems == [], "\n".join(problems)
    # The payloads reached the pages: every page but those that show nothing a user typed displayed one escaped.
    assert sorted(opened - shown - PAGES_WITHOUT_STORED_TEXT) == []
    assert checks > 500, checks


@pytest.mark.parametrize("endpoint", sorted(ONCE_UNESCAPED))
def test_t18_the_coaching_session_form_escapes_the_company_name(payload_worlds, admin, client_as, endpoint):
    world = payload_worlds[0]
    url = ONCE_UNESCAPED[endpoint](world)

    response = client_as(admin).get(url)

    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)" in response.text
    assert "<script>alert(1)" not in response.text


# --- web addresses ----------------------------------------------------------------------------------------------

JAVASCRIPT_HREF = re.compile(r"""href\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def test_t18_forms_refuse_a_javascript_address(db, payload_worlds, coordinator, client_as):
    world = payload_worlds[0]
    client = client_as(coordinator)
    campaign, participation, deliverable = world.campaign, world.participation, world.deliverable

    company_answer = client.post(f"/companies/{world.company.id}/edit", data={
        "version": world.company.version, "name": "안전한 기업", "enterprise_type": "cooperative", "aliases": "",
        "website": JAVASCRIPT_URL, "shop_url": JAVASCRIPT_URL})
    channel_answer = client.post(f"/channels/{world.channel.id}/edit", data={
        "version": world.channel.version, "name": "안전한 채널", "kind": "open_market", "url": JAVASCRIPT_URL,
        "active": "y"})
    deliverable_answer = client.post(
        f"/campaigns/{campaign.id}/participations/{participation.id}/deliverables/{deliverable.id}/edit",
        data={"version": deliverable.version, "kind": "video", "status": "done", "title": "안전한 제목",
              "url": JAVASCRIPT_URL})

    for answer in (company_answer, channel_answer, deliverable_answer):
        assert answer.status_code == 422
        assert "http:// 또는 https://" in answer.text  # refused for the address, not for another field
    db.session.expire_all()
    stored = (db.session.get(Company, world.company.id), db.session.get(Channel, world.channel.id),
              db.session.get(Deliverable, deliverable.id))
    assert [stored[0].website, stored[0].shop_url, stored[1].url, stored[2].url] == [world.company.website] * 4


STORED_ADDRESS_PAGES = {
    "company website": (lambda world: world.company, "website", lambda world: f"/companies/{world.company.id}"),
    "company shop": (lambda world: world.company, "shop_url", lambda world: f"/companies/{world.company.id}"),
    "channel": (lambda world: world.channel, "url", lambda world: "/channels/"),
    "deliverable": (lambda world: world.deliverable, "url",
                    lambda world: f"/campaigns/{world.campaign.id}/participations/{world.participation.id}"),
}


@pytest.mark.parametrize("field", sorted(STORED_ADDRESS_PAGES))
def test_t18_a_stored_javascript_address_never_becomes_a_link(db, build_world, make_coach, admin, client_as, field):
    record_of, column, page_of = STORED_ADDRESS_PAGES[field]
    world = build_world(make_coach("주소 코치"), lambda name: f"주소 시험 {name}")
    setattr(record_of(world), column, JAVASCRIPT_URL)
    db.session.commit()

    response = client_as(admin).get(page_of(world))

    assert response.status_code == 200
    assert not JAVASCRIPT_HREF.search(response.text)


def test_t18_a_company_edit_without_the_aliases_field_is_answered_not_crashed(db, payload_worlds, coordinator,
                                                                            client_as):
    world = payload_worlds[0]

    response = client_as(coordinator).post(f"/companies/{world.company.id}/edit", data={
        "version": world.company.version, "name": "별칭 칸 없는 저장", "enterprise_type": "cooperative"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, world.company.id).aliases == []
