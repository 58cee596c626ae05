"""Demo data for `make run`: one user per role and the companies the 2021 report names.
Fields the report does not give stay empty: no invented business numbers, phones or e-mails.
Loading twice changes nothing."""
import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from crm.auth.models import Role, User
from crm.auth.services import create_user
from crm.campaigns.demo import load_campaign_demo
from crm.campaigns.reference import seed_channels
from crm.coaching.models import ActionItem, CoachingSession, CoachProfile, NeedsAssessment, SessionMode, Specialty
from crm.coaching.reference import seed_specialties
from crm.companies.models import Company, EnterpriseType
from crm.companies.pipeline import Stage
from crm.companies.reference import seed_reference_data
from crm.companies.rules import name_key
from crm.companies.services import CompanyFields, create_company, set_coaches
from crm.core.softdelete import including_deleted
from crm.extensions import db
from crm.programs.demo import load_cohort, load_programs, load_sample_reports


@dataclass(frozen=True)
class DemoUser:
    login_id: str
    name: str
    role: Role
    password: str


# Printed by `make run`; for a local demo database only.
DEMO_USERS = (
    DemoUser("admin", "김관리", Role.ADMIN, "demo-admin-2021!"),
    DemoUser("coordinator", "이코디", Role.COORDINATOR, "demo-coordinator-2021!"),
    DemoUser("coach", "박코치", Role.COACH, "demo-coach-2021!"),
)


COHORT_SOURCE = "2021 지역·업종별 공동판로개척 지원사업 참여"
HAPPYBEAN_SOURCE = "2021 해피빈 공감가게 기획전 참여"
UNKNOWN_TYPE_NOTE = "기업 유형은 결과 보고서에 나오지 않아 '기타'로 두었습니다."


@dataclass(frozen=True)
class DemoCompany:
    name: str
    source: str
    enterprise_type: EnterpriseType = EnterpriseType.OTHER
    aliases: tuple[str, ...] = ()
    region: str | None = None
    note: str | None = None
    coached: bool = False


# The companies the 2021 result report names (slides 9–13 and 18).
DEMO_COMPANIES = (
    DemoCompany("㈜공공디자인이즘", COHORT_SOURCE),
    DemoCompany("365공유경제사회적협동조합", COHORT_SOURCE, EnterpriseType.SOCIAL_COOPERATIVE,
                aliases=("공정여행통영뚜벅투어",), region="경상남도", coached=True,
                note="보고서의 '공정여행통영뚜벅투어'는 이 조합의 통영관광 사업으로 보입니다(보고서가 암시). "
                     "지역은 수행 사업 '관광 약자를 위한 통영관광'에서 옮겼습니다."),
    DemoCompany("레인보우팜 주식회사 농업회사법인", COHORT_SOURCE, aliases=("레인보우팜",), coached=True),
    DemoCompany("소이플리협동조합", COHORT_SOURCE, EnterpriseType.COOPERATIVE),
    DemoCompany("㈜유쾌한", COHORT_SOURCE),
    DemoCompany("들애초", COHORT_SOURCE, region="강원도",
                note="지역은 수행 사업 '평창군 농특산물 농협하나로마트 순회판매'에서 옮겼습니다."),
    DemoCompany("워킹맘", COHORT_SOURCE),
    DemoCompany("아주건강한속삭임", COHORT_SOURCE, coached=True,
                note="보고서는 이 이름이 어느 기업의 브랜드인지 밝히지 않습니다. 확인되면 해당 기업과 합치세요."),
    DemoCompany("샐러드보울", HAPPYBEAN_SOURCE),
    DemoCompany("매일생선", HAPPYBEAN_SOURCE),
    DemoCompany("달다쿠", HAPPYBEAN_SOURCE),
    DemoCompany("서천식품", HAPPYBEAN_SOURCE),
    DemoCompany("인제5대명품 용대리황태", HAPPYBEAN_SOURCE),
    DemoCompany("농업회사법인 조은", HAPPYBEAN_SOURCE),
    DemoCompany("건강을 그리다", HAPPYBEAN_SOURCE),
    DemoCompany("이풀약초", HAPPYBEAN_SOURCE),
    DemoCompany("씨드밀", HAPPYBEAN_SOURCE),
    DemoCompany("킹덤플랜트 협동조합", HAPPYBEAN_SOURCE, EnterpriseType.COOPERATIVE),
)


def _load_users() -> int:
    existing = set(db.session.scalars(sa.select(User.login_id).where(
        User.login_id.in_([demo.login_id for demo in DEMO_USERS]))))
    created = 0
    for demo in DEMO_USERS:
        if demo.login_id not in existing:
            create_user(login_id=demo.login_id, name=demo.name, role=demo.role, password=demo.password)
            created += 1
    return created


def _load_companies() -> int:
    users = {user.login_id: user for user in db.session.scalars(
        sa.select(User).where(User.login_id.in_(["coordinator", "coach"])))}
    coordinator, coach = users["coordinator"], users["coach"]
    existing = set(db.session.scalars(sa.select(Company.name_key)))
    created = 0
    for demo in DEMO_COMPANIES:
        if name_key(demo.name) in existing:
            continue
        note = demo.note or (UNKNOWN_TYPE_NOTE if demo.enterprise_type is EnterpriseType.OTHER else None)
        company = create_company(
            CompanyFields(name=demo.name, enterprise_type=demo.enterprise_type, region=demo.region,
                          aliases=list(demo.aliases), source=demo.source, note=note,
                          coordinator_id=coordinator.id),
            stage=Stage.SOURCED, actor=None)
        if demo.coached:
            set_coaches(company, [coach.id], actor=None)
        created += 1
    return created


# Coaching (report slide 9): needs of 7 companies assessed, 3 coached by experts from a pool. The report gives
# no names of experts, no dates, durations or details: the experts below are fictional, and every value the
# report does not give is marked 예시 (example).
@dataclass(frozen=True)
class DemoCoach:
    login_id: str
    name: str
    specialties: tuple[str, ...]


DEMO_COACHES = (
    DemoCoach("demo-coach-sns", "가상전문가 한소통 (시연용)", ("SNS 홍보", "온라인 마케팅")),
    DemoCoach("demo-coach-retail", "가상전문가 윤유통 (시연용)", ("유통 입점", "상품 기획")),
    DemoCoach("demo-coach-offline", "가상전문가 오현장 (시연용)", ("오프라인 홍보", "크라우드펀딩")),
)
DEMO_COACH_BIO = "시연용 가상 인물입니다. 실제 전문가가 아니며, 결과 보고서에는 전문가의 이름이 나오지 않습니다."
MAIN_COACH_BIO = ("시연용 계정입니다. 결과 보고서의 코칭 3건을 이 계정의 코칭으로 기록해 두었습니다 "
                  "(보고서는 코칭한 전문가를 밝히지 않습니다).")
MAIN_COACH_SPECIALTIES = ("유통 입점", "SNS 홍보", "오프라인 홍보")


@dataclass(frozen=True)
class DemoItem:
    what: str
    due_on: date
    by_coach: bool = False  # the coach owns it; otherwise the company does
    done_on: date | None = None


@dataclass(frozen=True)
class DemoCoaching:
    company: str
    needs: tuple[str, ...]
    report_line: str
    topic: str
    held_on: date
    recommendations: str | None
    items: tuple[DemoItem, ...]


DEMO_COACHINGS = (
    DemoCoaching("레인보우팜 주식회사 농업회사법인", ("유통 입점", "상품 기획"),
                 "레인보우팜: 한살림 생협 입점 방안 코칭 및 상품 샘플 제안",
                 "한살림 생협 입점 방안 코칭 및 상품 샘플 제안", date(2021, 9, 8), "상품 샘플 제안 (보고서)",
                 (DemoItem("(예시) 한살림 생협 입점 제안서와 구비 서류 준비", date(2021, 10, 8)),
                  DemoItem("(예시) 상품 샘플 구성안 전달", date(2021, 9, 15), by_coach=True,
                           done_on=date(2021, 9, 14)))),
    DemoCoaching("아주건강한속삭임", ("SNS 홍보", "온라인 마케팅"), "아주건강한속삭임: SNS·온라인 홍보 방안 코칭",
                 "SNS·온라인 홍보 방안 코칭", date(2021, 10, 6), None,
                 (DemoItem("(예시) SNS 채널별 홍보 계획 작성", date(2021, 11, 5)),)),
    DemoCoaching("365공유경제사회적협동조합", ("오프라인 홍보", "크라우드펀딩"),
                 "공정여행통영뚜벅투어: 오프라인 홍보 방안 코칭, 크라우드펀딩 활성화 방안 제언",
                 "오프라인 홍보 방안 코칭 및 크라우드펀딩 활성화 방안 제언", date(2021, 10, 20),
                 "크라우드펀딩 활성화 방안 제언 (보고서)",
                 (DemoItem("(예시) 오프라인 홍보물 배포처 목록 정리", date(2021, 11, 19)),
                  DemoItem("(예시) 크라우드펀딩 플랫폼 후보 정리해 전달", date(2021, 11, 5), by_coach=True))),
)
DEMO_ASSESSED_ON = date(2021, 7, 14)
DEMO_SESSION_MINUTES = 90
GENERAL_NEED = "유통 입점"
NO_DETAILS = "보고서에 세부 내용 없음 (예시)"
ASSESSMENT_WITHOUT_DETAILS = (f"{NO_DETAILS}. 보고서는 7개 업체의 유통·마케팅 방안 니즈를 파악했다고만 적었습니다. "
                              f"니즈 ‘{GENERAL_NEED}’은(는) 입력에 하나가 필요해 넣은 예시이고, 평가일도 예시입니다.")
SESSION_CONTENT = ("(예시) 보고서에 일시·시간은 없습니다. 날짜·시간·방식은 시연을 위해 넣은 값입니다.\n"
                   "보고서의 코칭 내용: {line}")


def _profile(user: User, specialties: dict[str, Specialty], names: tuple[str, ...], bio: str) -> int:
    if db.session.scalar(sa.select(CoachProfile.id).where(CoachProfile.user_id == user.id)) is not None:
        return 0
    db.session.add(CoachProfile(user_id=user.id, bio=bio, specialties=[specialties[name] for name in names]))
    return 1


def _load_coaches(specialties: dict[str, Specialty], main_coach: User) -> int:
    """The fictional experts of the pool; nobody signs in as them (an unknown random password)."""
    existing = {user.login_id: user for user in db.session.scalars(
        sa.select(User).where(User.login_id.in_([demo.login_id for demo in DEMO_COACHES])))}
    created = 0
    for demo in DEMO_COACHES:
        user = existing.get(demo.login_id)
        if user is None:
            user = create_user(login_id=demo.login_id, name=demo.name, role=Role.COACH,
                               password=secrets.token_urlsafe(32))
            created += 1
        created += _profile(user, specialties, demo.specialties, DEMO_COACH_BIO)
    created += _profile(main_coach, specialties, MAIN_COACH_SPECIALTIES, MAIN_COACH_BIO)
    db.session.flush()
    return created


def _exists(model, *conditions) -> bool:
    return db.session.scalar(including_deleted(sa.select(model.id).where(*conditions).limit(1))) is not None


def _load_assessments(companies: dict[str, Company], specialties: dict[str, Specialty], coordinator: User) -> int:
    """One needs assessment for each company of the cohort: what the report implies, or an example."""
    implied = {demo.company: demo for demo in DEMO_COACHINGS}
    created = 0
    for demo in DEMO_COMPANIES:
        company = companies.get(name_key(demo.name))
        if demo.source != COHORT_SOURCE or company is None or _exists(NeedsAssessment,
                                                                       NeedsAssessment.company_id == company.id):
            continue
        coaching = implied.get(demo.name)
        if coaching is None:
            needs, problems = (GENERAL_NEED,), ASSESSMENT_WITHOUT_DETAILS
        else:
            needs = coaching.needs
            problems = (f"(예시) 보고서는 문제점을 따로 적지 않았습니다. 니즈는 보고서의 코칭 내용 "
                        f"‘{coaching.report_line}’에서 옮겼고, 평가일은 예시입니다.")
        db.session.add(NeedsAssessment(company_id=company.id, assessed_on=DEMO_ASSESSED_ON, problems=problems,
                                       improvements=NO_DETAILS, assessed_by_id=coordinator.id,
                                       needs=[specialties[name] for name in needs]))
        created += 1
    db.session.flush()
    return created


def _load_sessions(companies: dict[str, Company], coach: User) -> int:
    """The report's three coaching cases, as sessions of the main demo coach, each with example action items."""
    created = 0
    for demo in DEMO_COACHINGS:
        company = companies.get(name_key(demo.company))
        if company is None or _exists(CoachingSession, CoachingSession.company_id == company.id,
                                      CoachingSession.topic == demo.topic):
            continue
        session = CoachingSession(company_id=company.id, coach_id=coach.id, held_on=demo.held_on,
                                  duration_minutes=DEMO_SESSION_MINUTES, mode=SessionMode.IN_PERSON,
                                  topic=demo.topic, content=SESSION_CONTENT.format(line=demo.report_line),
                                  recommendations=demo.recommendations)
        db.session.add(session)
        db.session.flush()
        for item in demo.items:
            db.session.add(ActionItem(session_id=session.id, company_id=company.id, what=item.what,
                                      owner_user_id=coach.id if item.by_coach else None, due_on=item.due_on,
                                      done_on=item.done_on))
        created += 1 + len(demo.items)
    db.session.flush()
    return created


def _load_coaching() -> int:
    users = {user.login_id: user for user in db.session.scalars(
        sa.select(User).where(User.login_id.in_(["coordinator", "coach"])))}
    specialties = {specialty.name: specialty for specialty in db.session.scalars(sa.select(Specialty))}
    companies = {company.name_key: company for company in db.session.scalars(
        sa.select(Company).where(Company.source == COHORT_SOURCE))}
    return (_load_coaches(specialties, users["coach"])
            + _load_assessments(companies, specialties, users["coordinator"])
            + _load_sessions(companies, users["coach"]))


def load_demo() -> int:
    """Creates whatever demo records are missing; returns how many it created."""
    seed_reference_data()
    seed_specialties()
    seed_channels()
    return (_load_users() + _load_companies() + _load_coaching() + load_programs() + load_cohort()
            + load_sample_reports() + load_campaign_demo())
