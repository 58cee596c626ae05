"""Needs assessments, coach matching and assigning a matched coach."""
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditAction, AuditLog
from crm.auth.models import Role
from crm.coaching import assessments, pool
from crm.coaching.models import NeedsAssessment, Specialty
from crm.companies.models import CompanyCoach, EnterpriseType
from crm.companies.services import CompanyFields, create_company, set_coaches
from crm.core.time import seoul_today

NEEDS = ("SNS 홍보", "온라인 마케팅")


@pytest.fixture
def new_company(db, coordinator):
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, *, coaches=()):
        company = create_company(CompanyFields(name=name or f"니즈테스트기업{next(counter)}",
                                               enterprise_type=EnterpriseType.SOCIAL_ENTERPRISE), actor=coordinator)
        set_coaches(company, [coach.id for coach in coaches], actor=coordinator)
        db.session.commit()
        return company

    return make


@pytest.fixture
def company(new_company):
    return new_company("아주건강한속삭임")


def _specialty_id(db, name: str) -> int:
    return db.session.scalar(sa.select(Specialty.id).where(Specialty.name == name))


def _form(db, *, needs=NEEDS, assessed_on=None, problems="온라인 판로가 없음", improvements="SNS 운영 역량"):
    return {"assessed_on": (assessed_on or seoul_today()).isoformat(),
            "needs": [_specialty_id(db, name) for name in needs],
            "problems": problems, "improvements": improvements}


def _assessments(db) -> list[NeedsAssessment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(NeedsAssessment).order_by(NeedsAssessment.id)))


def _coach_ids(db, company) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(CompanyCoach.coach_id).where(CompanyCoach.company_id == company.id)))


def _make_assessment(db, company, actor, needs=NEEDS) -> NeedsAssessment:
    assessment = assessments.create_assessment(
        company, assessed_on=date(2021, 6, 1), need_ids=[_specialty_id(db, n) for n in needs],
        problems="문제", improvements="개선", actor=actor)
    db.session.commit()
    return assessment


# ── recording ────────────────────────────────────────────────────────────────────────────────────────────────


def test_a_coordinator_records_a_needs_assessment(db, company, coordinator, client_as):
    client = client_as(coordinator)

    form = client.get(f"/companies/{company.id}/assessments/new")
    response = client.post(f"/companies/{company.id}/assessments/new", data=_form(db, assessed_on=date(2021, 5, 3)))

    assert form.status_code == 200 and "SNS 홍보" in form.text
    [assessment] = _assessments(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assessments/{assessment.id}"
    assert assessment.company_id == company.id
    assert assessment.assessed_on == date(2021, 5, 3)
    assert {need.name for need in assessment.needs} == set(NEEDS)
    assert (assessment.problems, assessment.improvements) == ("온라인 판로가 없음", "SNS 운영 역량")
    assert assessment.assessed_by_id == coordinator.id


def test_an_assessment_without_needs_is_refused_beside_the_field(db, company, coordinator, client_as):
    response = client_as(coordinator).post(f"/companies/{company.id}/assessments/new", data=_form(db, needs=()))

    assert response.status_code == 422
    assert 'id="needs-errors"' in response.text and "니즈를 하나 이상 고르세요" in response.text
    assert _assessments(db) == []


def test_an_assessment_dated_after_today_is_refused(db, company, coordinator, client_as):
    tomorrow = seoul_today() + timedelta(days=1)

    response = client_as(coordinator).post(f"/companies/{company.id}/assessments/new",
                                           data=_form(db, assessed_on=tomorrow))

    assert response.status_code == 422
    assert 'id="assessed_on-errors"' in response.text
    assert _assessments(db) == []


@pytest.mark.parametrize("value", ["", "2021-13-40", "어제"])
def test_an_assessment_without_a_valid_date_is_refused(db, company, coordinator, client_as, value):
    data = _form(db) | {"assessed_on": value}

    response = client_as(coordinator).post(f"/companies/{company.id}/assessments/new", data=data)

    assert response.status_code == 422
    assert _assessments(db) == []


def test_an_assessment_naming_an_unknown_or_inactive_specialty_is_refused(db, company, coordinator, admin,
                                                                           client_as):
    pool.set_specialty_active(db.session.get(Specialty, _specialty_id(db, "상품 기획")), False, actor=admin)
    db.session.commit()
    client = client_as(coordinator)

    unknown = client.post(f"/companies/{company.id}/assessments/new", data=_form(db) | {"needs": ["99999"]})
    inactive = client.post(f"/companies/{company.id}/assessments/new", data=_form(db, needs=["상품 기획"]))

    assert (unknown.status_code, inactive.status_code) == (422, 422)
    assert _assessments(db) == []


def test_a_coach_not_assigned_to_the_company_gets_404_and_nothing_is_stored(db, company, coach, client_as):
    client = client_as(coach)

    shown = client.get(f"/companies/{company.id}/assessments/new")
    posted = client.post(f"/companies/{company.id}/assessments/new", data=_form(db))

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert _assessments(db) == []


def test_a_coach_assigned_to_the_company_records_an_assessment_and_reads_it(db, new_company, coach, client_as):
    company = new_company("공정여행통영뚜벅투어", coaches=[coach])
    client = client_as(coach)

    response = client.post(f"/companies/{company.id}/assessments/new", data=_form(db, needs=["오프라인 홍보"]))
    [assessment] = _assessments(db)
    page = client.get(f"/assessments/{assessment.id}")

    assert response.status_code == 302
    assert assessment.assessed_by_id == coach.id
    assert page.status_code == 200 and "오프라인 홍보" in page.text
    assert 'data-testid="matches"' not in page.text  # ranking and assigning are for coordination


def test_an_assessment_of_a_company_not_assigned_to_the_coach_answers_404(db, company, coach, coordinator,
                                                                          client_as):
    assessment = _make_assessment(db, company, coordinator)

    assert client_as(coach).get(f"/assessments/{assessment.id}").status_code == 404
    assert client_as(coordinator).get("/assessments/99999").status_code == 404


def test_the_company_page_lists_assessments_newest_first_with_an_add_link(db, company, coordinator, client_as):
    older = _make_assessment(db, company, coordinator, needs=["유통 입점"])
    newer = assessments.create_assessment(company, assessed_on=date(2021, 7, 1),
                                          need_ids=[_specialty_id(db, "크라우드펀딩")], problems="펀딩 준비",
                                          improvements=None, actor=coordinator)
    db.session.commit()

    html = client_as(coordinator).get(f"/companies/{company.id}").text

    section = html[html.index('data-testid="company-assessments"'):]
    assert f"/companies/{company.id}/assessments/new" in section
    assert section.index(f"/assessments/{newer.id}") < section.index(f"/assessments/{older.id}")
    assert "크라우드펀딩" in section and "펀딩 준비" in section
    timeline = html[html.index('data-testid="timeline"'):]
    assert f"/assessments/{newer.id}" in timeline and f"/assessments/{older.id}" in timeline


# ── matching ─────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Person:
    id: int
    name: str


def test_rank_coaches_orders_by_overlap_then_load_then_name_and_puts_no_overlap_last():
    sns, online, offline = 1, 2, 3
    a, b, c, d = Person(1, "가 코치"), Person(2, "나 코치"), Person(3, "다 코치"), Person(4, "라 코치")
    e = Person(5, "마 코치")

    ranked = assessments.rank_coaches({sns, online}, [
        (d, {offline}, 0),
        (c, {sns, offline}, 0),
        (a, {sns, online}, 3),
        (e, {online}, 0),     # ties with c on overlap and load: by name
        (b, {sns, online, offline}, 1),
    ])

    assert [m.coach for m in ranked] == [b, a, c, e, d]
    assert [m.overlap for m in ranked] == [2, 2, 1, 1, 0]
    assert ranked[0].covered == {sns, online}


def test_rank_coaches_with_no_candidates_is_empty():
    assert assessments.rank_coaches({1}, []) == []


@pytest.fixture
def known_pool(db, make_user, new_company):
    """Coaches A–D for needs {SNS 홍보, 온라인 마케팅}: the right order is B, A, C, D."""
    a = make_user(Role.COACH, name="가코치")
    b = make_user(Role.COACH, name="나코치")
    c = make_user(Role.COACH, name="다코치")
    d = make_user(Role.COACH, name="라코치")
    for coach, names in ((a, NEEDS), (b, NEEDS), (c, ["SNS 홍보", "유통 입점"]), (d, ["크라우드펀딩"])):
        pool.save_profile(coach, bio=None, contact=None, specialty_ids=[_specialty_id(db, n) for n in names],
                          version=None, actor=coach)
    db.session.commit()
    for _ in range(3):
        new_company(coaches=[a])
    new_company(coaches=[b])
    return a, b, c, d


def test_the_assessment_page_offers_the_coaches_in_the_known_order(db, company, coordinator, client_as,
                                                                   known_pool):
    a, b, c, d = known_pool
    assessment = _make_assessment(db, company, coordinator)

    response = client_as(coordinator).get(f"/assessments/{assessment.id}")

    html = response.text
    assert response.status_code == 200
    positions = [html.index(f'data-testid="match" data-coach-id="{coach.id}"') for coach in (b, a, c, d)]
    assert positions == sorted(positions)
    assert html.count("이 코치 배정") == 4
    assert [m.coach.id for m in assessments.matching_coaches(assessment)] == [b.id, a.id, c.id, d.id]


def test_matching_loads_the_candidates_in_a_fixed_number_of_statements(db, make_user, count_queries, known_pool):
    with count_queries() as few:
        assessments.coach_candidates()
    for _ in range(20):
        coach = make_user(Role.COACH)
        pool.save_profile(coach, bio=None, contact=None, specialty_ids=[_specialty_id(db, "SNS 홍보")], version=None,
                          actor=coach)
    db.session.commit()
    with count_queries() as many:
        candidates = assessments.coach_candidates()

    assert len(candidates) == 24
    assert few.count == many.count == 3


def test_the_assessment_page_issues_as_many_statements_for_24_coaches_as_for_4(
        db, make_user, company, coordinator, client_as, count_queries, known_pool):
    url = f"/assessments/{_make_assessment(db, company, coordinator).id}"
    client = client_as(coordinator)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for _ in range(20):
        make_user(Role.COACH)
    with count_queries() as many:
        response = client.get(url)

    assert response.text.count('data-testid="match"') == 24
    assert many.count == few.count
    print(f"assessment page statements: {few.count} at 4 coaches, {many.count} at 24")


# ── assigning ────────────────────────────────────────────────────────────────────────────────────────────────


def test_assigning_a_matched_coach_adds_them_and_keeps_the_others(db, new_company, coordinator, client_as,
                                                                  known_pool):
    a, b, c, d = known_pool
    company = new_company("레인보우팜", coaches=[c])
    assessment = _make_assessment(db, company, coordinator)
    audit_before = db.session.scalar(sa.select(sa.func.max(AuditLog.id)))

    response = client_as(coordinator).post(f"/assessments/{assessment.id}/assign", data={"coach_id": b.id})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company.id}"
    assert _coach_ids(db, company) == {b.id, c.id}
    [row] = db.session.scalars(sa.select(AuditLog).where(AuditLog.id > audit_before,
                                                          AuditLog.record_type == "CompanyCoach"))
    assert row.action == AuditAction.INSERT
    assert row.actor_id == coordinator.id
    assert row.changes["company_id"] == company.id and row.changes["coach_id"] == b.id


def test_the_assigned_coach_then_sees_the_company(db, company, coordinator, client_as, known_pool):
    a, b, c, d = known_pool
    assessment = _make_assessment(db, company, coordinator)
    assert client_as(b).get(f"/companies/{company.id}").status_code == 404

    client_as(coordinator).post(f"/assessments/{assessment.id}/assign", data={"coach_id": b.id})

    assert client_as(b).get(f"/companies/{company.id}").status_code == 200
    assert client_as(b).get(f"/assessments/{assessment.id}").status_code == 200


def test_assigning_a_coach_already_assigned_is_refused(db, new_company, coordinator, client_as, known_pool):
    a, b, c, d = known_pool
    company = new_company(coaches=[b])
    assessment = _make_assessment(db, company, coordinator)

    response = client_as(coordinator).post(f"/assessments/{assessment.id}/assign", data={"coach_id": b.id})

    assert response.status_code == 422
    assert "이미 배정되어 있습니다" in response.text
    assert _coach_ids(db, company) == {b.id}


@pytest.mark.parametrize("who", ["coordinator", "inactive coach", "nobody", "blank"])
def test_assigning_someone_who_is_not_an_active_coach_is_refused(db, company, coordinator, make_user, client_as,
                                                                 who):
    assessment = _make_assessment(db, company, coordinator)
    coach_id = {"coordinator": coordinator.id, "inactive coach": make_user(Role.COACH, active=False).id,
                "nobody": 99999, "blank": ""}[who]

    response = client_as(coordinator).post(f"/assessments/{assessment.id}/assign", data={"coach_id": coach_id})

    assert response.status_code == 422
    assert _coach_ids(db, company) == set()


def test_a_coach_may_not_assign_coaches_even_to_their_own_company(db, new_company, coach, coordinator, client_as,
                                                                  known_pool):
    a, b, c, d = known_pool
    company = new_company(coaches=[coach])
    assessment = _make_assessment(db, company, coordinator)

    response = client_as(coach).post(f"/assessments/{assessment.id}/assign", data={"coach_id": b.id})

    assert response.status_code == 403
    assert _coach_ids(db, company) == {coach.id}
