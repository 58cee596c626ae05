"""Demo data for `make run`: one user per role and the companies the 2021 report names.
Fields the report does not give stay empty: no invented business numbers, phones or e-mails.
Loading twice changes nothing."""
from dataclasses import dataclass

import sqlalchemy as sa

from crm.auth.models import Role, User
from crm.auth.services import create_user
from crm.coaching.reference import seed_specialties
from crm.companies.models import Company, EnterpriseType
from crm.companies.pipeline import Stage
from crm.companies.reference import seed_reference_data
from crm.companies.rules import name_key
from crm.companies.services import CompanyFields, create_company, set_coaches
from crm.extensions import db


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


def load_demo() -> int:
    """Creates whatever demo records are missing; returns how many it created."""
    seed_reference_data()
    seed_specialties()
    return _load_users() + _load_companies()
