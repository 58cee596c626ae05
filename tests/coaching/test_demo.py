"""The demo's coaching: the report's three coaching cases and the cohort's needs assessments, loaded once."""
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.auth.models import Role, User
from crm.coaching.models import ActionItem, CoachingSession, CoachProfile, NeedsAssessment
from crm.companies.models import Company
from crm.demo import COHORT_SOURCE, DEMO_COACHES, DEMO_USERS
from tests.conftest import log_in

COACHED = {"레인보우팜 주식회사 농업회사법인", "아주건강한속삭임", "365공유경제사회적협동조합"}


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, CoachProfile, NeedsAssessment, CoachingSession, ActionItem, AuditLog)}


def _needs_by_company(db) -> dict[str, list[str]]:
    return {assessment.company.name: [need.name for need in assessment.needs]
            for assessment in db.session.scalars(sa.select(NeedsAssessment))}


def test_loading_the_demo_twice_changes_nothing(app, db):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "load"])
    after_first = _counts(db)
    second = runner.invoke(args=["demo", "load"])

    assert first.exit_code == second.exit_code == 0, first.output
    assert _counts(db) == after_first
    assert after_first["CoachingSession"] == 3
    assert after_first["ActionItem"] == 5
    assert "새로 만든 기록 0건" in second.output


def test_every_cohort_company_has_a_needs_assessment_with_what_the_report_implies(app, db):
    app.test_cli_runner().invoke(args=["demo", "load"])

    cohort = set(db.session.scalars(sa.select(Company.name).where(Company.source == COHORT_SOURCE)))
    needs = _needs_by_company(db)
    problems = {a.company.name: a.problems for a in db.session.scalars(sa.select(NeedsAssessment))}

    assert set(needs) == cohort
    assert needs["레인보우팜 주식회사 농업회사법인"] == ["유통 입점", "상품 기획"]
    assert needs["아주건강한속삭임"] == ["온라인 마케팅", "SNS 홍보"]
    assert needs["365공유경제사회적협동조합"] == ["크라우드펀딩", "오프라인 홍보"]
    for name in cohort - COACHED:
        assert needs[name] == ["유통 입점"]
        assert "보고서에 세부 내용 없음 (예시)" in problems[name]
    for name in COACHED:
        assert "(예시)" in problems[name]


def test_the_demo_experts_are_plainly_fictional_and_nobody_is_told_their_password(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load"])

    experts = {user.login_id: user for user in db.session.scalars(
        sa.select(User).where(User.login_id.in_([demo.login_id for demo in DEMO_COACHES])))}
    profiles = {profile.user_id: profile for profile in db.session.scalars(sa.select(CoachProfile))}

    assert len(experts) == 3
    for demo in DEMO_COACHES:
        expert = experts[demo.login_id]
        assert expert.role is Role.COACH and "가상전문가" in expert.name and "(시연용)" in expert.name
        assert {specialty.name for specialty in profiles[expert.id].specialties} == set(demo.specialties)
        assert demo.login_id not in result.output
    assert all(demo.login_id not in {d.login_id for d in DEMO_COACHES} for demo in DEMO_USERS)


def test_the_main_demo_coach_sees_exactly_the_three_coached_companies_and_sessions(app, db, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    password = next(demo.password for demo in DEMO_USERS if demo.login_id == "coach")
    log_in(client, "coach", password)

    sessions = list(db.session.scalars(sa.select(CoachingSession)))
    dashboard = client.get("/")
    actions = client.get("/actions/")

    assert {session.company.name for session in sessions} == COACHED
    assert {session.coach.login_id for session in sessions} == {"coach"}
    assert all("(예시) 보고서에 일시·시간은 없습니다" in session.content for session in sessions)
    assert all(session.held_on.year == 2021 for session in sessions)
    assert all("(예시)" in item.what for item in db.session.scalars(sa.select(ActionItem)))
    companies = dashboard.text.split('data-testid="coach-companies"')[1].split("</ul>")[0]
    assert companies.count("<li") == 3 and all(name in companies for name in COACHED)
    recent = dashboard.text.split('data-testid="coach-recent-sessions"')[1].split("</ul>")[0]
    assert recent.count("<li") == 3
    assert "한살림 생협 입점 방안 코칭 및 상품 샘플 제안" in recent
    assert actions.status_code == 200 and "전체 4건" in actions.text  # 5 items, one of them done
    for company in db.session.scalars(sa.select(Company)):
        assert client.get(f"/companies/{company.id}").status_code == (200 if company.name in COACHED else 404)
