"""The expert pool (/coaches/), coach profiles and the managed specialty list."""
from datetime import date

import pytest
import sqlalchemy as sa

from crm.auth.models import Role
from crm.coaching import pool
from crm.coaching.models import CoachingSession, CoachProfile, SessionMode, Specialty
from crm.companies.models import EnterpriseType
from crm.companies.services import CompanyFields, create_company, set_coaches
from crm.core.errors import RuleError, StaleEditError
from crm.core.time import utcnow


@pytest.fixture
def new_company(db, coordinator):
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, *, coaches=()):
        company = create_company(CompanyFields(name=name or f"풀테스트기업{next(counter)}",
                                               enterprise_type=EnterpriseType.SOCIAL_ENTERPRISE), actor=coordinator)
        set_coaches(company, [coach.id for coach in coaches], actor=coordinator)
        db.session.commit()
        return company

    return make


def _specialty(db, name: str) -> Specialty:
    return db.session.scalar(sa.select(Specialty).where(Specialty.name == name))


def _give_profile(db, coach, names=(), bio=None, contact=None):
    profile = pool.save_profile(coach, bio=bio, contact=contact, specialty_ids=[_specialty(db, n).id for n in names],
                                version=None, actor=coach)
    db.session.commit()
    return profile


def _session(db, company, coach, *, deleted=False):
    session = CoachingSession(company_id=company.id, coach_id=coach.id, held_on=date(2021, 9, 1), duration_minutes=60,
                              mode=SessionMode.IN_PERSON, topic="SNS 홍보", deleted_at=utcnow() if deleted else None)
    db.session.add(session)
    db.session.commit()
    return session


def _row(html: str, coach) -> str:
    start = html.index(f'data-coach-id="{coach.id}"')
    end = html.find('data-testid="coach-row"', start)
    return html[start:end if end != -1 else len(html)]


def _profile(db, coach) -> CoachProfile | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == coach.id))


# ── the pool ─────────────────────────────────────────────────────────────────────────────────────────────────


def test_the_pool_lists_active_coaches_with_specialties_bio_contact_and_counts(
        db, make_user, coordinator, client_as, new_company):
    kim = make_user(Role.COACH, name="김데모")
    lee = make_user(Role.COACH, name="이데모")
    gone = make_user(Role.COACH, name="퇴직코치", active=False)
    _give_profile(db, kim, ["SNS 홍보", "온라인 마케팅"], bio="라이브커머스 10년", contact="010-0000-0000")
    first, second = new_company(coaches=[kim]), new_company(coaches=[kim, lee])
    _session(db, first, kim)
    _session(db, second, kim)
    _session(db, second, kim, deleted=True)

    response = client_as(coordinator).get("/coaches/")

    assert response.status_code == 200
    html = response.text
    assert "퇴직코치" not in html and f'data-coach-id="{gone.id}"' not in html
    assert coordinator.name not in _row(html, kim)
    kim_row = _row(html, kim)
    assert "SNS 홍보" in kim_row and "온라인 마케팅" in kim_row
    assert "라이브커머스 10년" in kim_row and "010-0000-0000" in kim_row
    assert '<span data-testid="company-count">2</span>' in kim_row
    assert 'data-testid="session-count">2<' in kim_row
    lee_row = _row(html, lee)
    assert '<span data-testid="company-count">1</span>' in lee_row
    assert 'data-testid="session-count">0<' in lee_row


def test_the_pool_filters_by_specialty(db, make_user, coach, client_as):
    sns = make_user(Role.COACH, name="SNS코치")
    funding = make_user(Role.COACH, name="펀딩코치")
    _give_profile(db, sns, ["SNS 홍보"])
    _give_profile(db, funding, ["크라우드펀딩"])

    response = client_as(coach).get("/coaches/", query_string={"specialty": _specialty(db, "크라우드펀딩").id})

    assert response.status_code == 200
    assert "펀딩코치" in response.text
    assert "SNS코치" not in response.text
    assert f'data-coach-id="{coach.id}"' not in response.text


def test_an_unknown_specialty_in_the_filter_is_refused_and_the_whole_pool_shown(make_user, coordinator, client_as):
    make_user(Role.COACH, name="아무코치")

    response = client_as(coordinator).get("/coaches/", query_string={"specialty": "99999"})

    assert response.status_code == 422
    assert "아무코치" in response.text


def test_a_coordinator_sees_each_coachs_companies_linked(db, make_user, coordinator, client_as, new_company):
    kim = make_user(Role.COACH, name="김데모")
    company = new_company("레인보우팜", coaches=[kim])

    response = client_as(coordinator).get("/coaches/")

    assert f'href="/companies/{company.id}">레인보우팜</a>' in _row(response.text, kim)


def test_a_coach_sees_their_own_companies_but_only_counts_for_other_coaches(
        db, make_user, coach, client_as, new_company):
    other = make_user(Role.COACH, name="다른코치")
    mine = new_company("내담당기업", coaches=[coach])
    new_company("남의담당기업", coaches=[other])
    new_company("함께담당기업", coaches=[coach, other])

    response = client_as(coach).get("/coaches/")

    html = response.text
    assert response.status_code == 200
    assert f'href="/companies/{mine.id}">내담당기업</a>' in _row(html, coach)
    assert "남의담당기업" not in html
    other_row = _row(html, other)
    assert '<span data-testid="company-count">2</span>' in other_row
    assert "함께담당기업" not in other_row
    assert "프로필 수정" not in other_row
    assert "프로필 수정" in _row(html, coach)


def test_a_deleted_company_is_not_counted_nor_listed(db, make_user, coordinator, client_as, new_company):
    kim = make_user(Role.COACH, name="김데모")
    new_company("남은기업", coaches=[kim])
    gone = new_company("지운기업", coaches=[kim])
    gone.deleted_at = utcnow()
    db.session.commit()

    kim_row = _row(client_as(coordinator).get("/coaches/").text, kim)

    assert '<span data-testid="company-count">1</span>' in kim_row
    assert "지운기업" not in kim_row


@pytest.mark.parametrize("viewer_role", [Role.COORDINATOR, Role.COACH])
def test_the_pool_issues_as_many_statements_for_30_coaches_as_for_3(
        viewer_role, db, make_user, client_as, new_company, count_queries):
    viewer = make_user(viewer_role)
    names = ["SNS 홍보", "온라인 마케팅", "유통 입점"]

    def add_coaches(n):
        for i in range(n):
            coach = make_user(Role.COACH)
            _give_profile(db, coach, names[: i % 3 + 1], bio="소개", contact="연락처")
            company = new_company(coaches=[coach] + ([viewer] if viewer_role is Role.COACH else []))
            _session(db, company, coach)

    add_coaches(3)
    client = client_as(viewer)
    client.get("/coaches/")
    with count_queries() as few:
        assert client.get("/coaches/").status_code == 200
    add_coaches(27)
    with count_queries() as many:
        response = client.get("/coaches/")

    assert response.text.count('data-testid="coach-row"') == 30 + (viewer_role is Role.COACH)
    assert many.count == few.count
    print(f"pool statements as {viewer_role}: {few.count} at 3 coaches, {many.count} at 30")


# ── profiles ─────────────────────────────────────────────────────────────────────────────────────────────────


def _profile_data(db, *, names=(), bio="", contact="", version=""):
    return {"specialty_ids": [_specialty(db, n).id for n in names], "bio": bio, "contact": contact,
            "version": version}


def test_a_coach_creates_their_profile_on_first_save(db, coach, client_as):
    client = client_as(coach)

    form = client.get(f"/coaches/{coach.id}/profile")
    response = client.post(f"/coaches/{coach.id}/profile",
                           data=_profile_data(db, names=["SNS 홍보", "크라우드펀딩"], bio=" 펀딩 전문 ",
                                              contact="coach@example.org", version="0"))

    assert form.status_code == 200
    assert response.status_code == 302
    profile = _profile(db, coach)
    assert profile.bio == "펀딩 전문"
    assert profile.contact == "coach@example.org"
    assert {s.name for s in profile.specialties} == {"SNS 홍보", "크라우드펀딩"}


def test_a_coordinator_edits_a_coachs_profile(db, coach, coordinator, client_as):
    profile = _give_profile(db, coach, ["SNS 홍보"], bio="처음")
    version = profile.version

    response = client_as(coordinator).post(
        f"/coaches/{coach.id}/profile",
        data=_profile_data(db, names=["유통 입점"], bio="고친 소개", version=str(version)))

    assert response.status_code == 302
    profile = _profile(db, coach)
    assert profile.bio == "고친 소개"
    assert [s.name for s in profile.specialties] == ["유통 입점"]
    assert profile.version == version + 1


def test_another_coach_may_not_edit_a_profile(db, coach, make_user, client_as):
    other = make_user(Role.COACH)
    client = client_as(other)

    shown = client.get(f"/coaches/{coach.id}/profile")
    saved = client.post(f"/coaches/{coach.id}/profile", data=_profile_data(db, bio="남의 소개", version="0"))

    assert shown.status_code == 403
    assert saved.status_code == 403
    assert _profile(db, coach) is None


def test_a_user_who_is_not_a_coach_has_no_profile_page(coordinator, admin, client_as):
    assert client_as(admin).get(f"/coaches/{coordinator.id}/profile").status_code == 404
    assert client_as(admin).get("/coaches/99999/profile").status_code == 404


def test_a_stale_profile_edit_is_refused_with_409_and_nothing_overwritten(db, coach, coordinator, client_as):
    profile = _give_profile(db, coach, ["SNS 홍보"], bio="처음")
    opened_on = str(profile.version)
    client_as(coach).post(f"/coaches/{coach.id}/profile",
                          data=_profile_data(db, names=["SNS 홍보"], bio="코치가 고침", version=opened_on))

    response = client_as(coordinator).post(f"/coaches/{coach.id}/profile",
                                           data=_profile_data(db, bio="코디가 덮어씀", version=opened_on))

    assert response.status_code == 409
    assert "다른 사용자가 먼저 저장했습니다" in response.text
    assert "코치가 고침" in response.text  # the form shows the record as it now is
    assert _profile(db, coach).bio == "코치가 고침"


def test_two_first_saves_of_one_profile_the_second_is_stale(db, coach, coordinator, client_as):
    client_as(coach).post(f"/coaches/{coach.id}/profile", data=_profile_data(db, bio="코치", version="0"))

    response = client_as(coordinator).post(f"/coaches/{coach.id}/profile",
                                           data=_profile_data(db, bio="코디", version="0"))

    assert response.status_code == 409
    assert _profile(db, coach).bio == "코치"


def test_changing_only_the_specialties_moves_the_version_on(db, coach):
    profile = _give_profile(db, coach, ["SNS 홍보"], bio="같음")
    version = profile.version

    pool.save_profile(coach, bio="같음", contact=None, specialty_ids=[_specialty(db, "유통 입점").id],
                      version=version, actor=coach)
    db.session.commit()

    assert _profile(db, coach).version == version + 1
    with pytest.raises(StaleEditError):
        pool.save_profile(coach, bio="같음", contact=None, specialty_ids=[], version=version, actor=coach)


def test_a_profile_cannot_pick_an_inactive_specialty_but_keeps_one_it_has(db, coach, admin):
    profile = _give_profile(db, coach, ["SNS 홍보"])
    pool.set_specialty_active(_specialty(db, "SNS 홍보"), False, actor=admin)
    pool.set_specialty_active(_specialty(db, "유통 입점"), False, actor=admin)
    db.session.commit()

    with pytest.raises(RuleError) as refused:
        pool.save_profile(coach, bio=None, contact=None, specialty_ids=[_specialty(db, "유통 입점").id],
                          version=profile.version, actor=coach)
    db.session.rollback()
    kept = pool.save_profile(coach, bio="그대로", contact=None, specialty_ids=[_specialty(db, "SNS 홍보").id],
                             version=_profile(db, coach).version, actor=coach)

    assert refused.value.field == "specialty_ids"
    assert [s.name for s in kept.specialties] == ["SNS 홍보"]


# ── the specialty list ───────────────────────────────────────────────────────────────────────────────────────


def test_an_admin_adds_a_specialty_at_the_end_of_the_list(db, admin, client_as):
    client = client_as(admin)

    page = client.get("/coaches/specialties")
    response = client.post("/coaches/specialties", data={"name": "  라이브  커머스 "})

    assert page.status_code == 200 and "크라우드펀딩" in page.text
    assert response.status_code == 302
    added = _specialty(db, "라이브 커머스")
    assert added.active
    assert added.sort_order == max(db.session.scalars(sa.select(Specialty.sort_order)))


@pytest.mark.parametrize("name", ["SNS 홍보", "sns홍보", " SNS  홍보 "])
def test_a_specialty_already_on_the_list_is_refused_beside_the_field(db, admin, client_as, name):
    before = db.session.scalar(sa.select(sa.func.count(Specialty.id)))

    response = client_as(admin).post("/coaches/specialties", data={"name": name})

    assert response.status_code == 422
    assert 'id="name-errors"' in response.text and "이미 목록에 있는 분야입니다" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Specialty.id))) == before


def test_a_blank_specialty_name_is_refused(admin, client_as):
    response = client_as(admin).post("/coaches/specialties", data={"name": "   "})

    assert response.status_code == 422
    assert "분야 이름을 입력하세요" in response.text


def test_an_admin_deactivates_and_activates_a_specialty(db, admin, coach, client_as):
    client = client_as(admin)
    specialty_id = _specialty(db, "상품 기획").id

    off = client.post("/coaches/specialties", data={"specialty_id": specialty_id, "active": "0"})
    db.session.expire_all()
    offered_while_off = [s.name for s in pool.specialty_choices(None)]
    on = client.post("/coaches/specialties", data={"specialty_id": specialty_id, "active": "1"})

    assert off.status_code == 302 and on.status_code == 302
    assert "상품 기획" not in offered_while_off
    db.session.expire_all()
    assert _specialty(db, "상품 기획").active


def test_changing_an_unknown_specialty_answers_404(admin, client_as):
    assert client_as(admin).post("/coaches/specialties", data={"specialty_id": "99999", "active": "0"}
                                 ).status_code == 404


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COACH])
def test_only_an_admin_manages_the_specialty_list(db, make_user, client_as, role):
    client = client_as(make_user(role))
    specialty_id = _specialty(db, "SNS 홍보").id

    listed = client.get("/coaches/specialties")
    added = client.post("/coaches/specialties", data={"name": "새 분야"})
    switched = client.post("/coaches/specialties", data={"specialty_id": specialty_id, "active": "0"})

    assert (listed.status_code, added.status_code, switched.status_code) == (403, 403, 403)
    db.session.expire_all()
    assert _specialty(db, "새 분야") is None
    assert _specialty(db, "SNS 홍보").active
