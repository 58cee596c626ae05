"""Demo data: the 2021 programme's sub-projects (slide 8 of the result report) and its 26-week cohort with the
7 companies of slides 10–13."""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from crm.auth.models import User
from crm.companies.models import Company
from crm.companies.rules import name_key
from crm.core.softdelete import including_deleted
from crm.extensions import db
from crm.programs.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    IndicatorValue,
    Program,
    ReportStatus,
    WeeklyReport,
)
from crm.programs.setup import IndicatorFields, StageFields, create_cohort, enroll_company

DEMO_YEAR = 2021
PROGRAM_COHORT = "지역·업종별 사회적경제 공동판로개척 지원사업"
PROGRAM_CONTENT = "홍보콘텐츠 기획·제작 지원"
PROGRAM_EXISTING_CHANNELS = "기존 협력 유통채널 간 협업사업 추진 지원"
PROGRAM_NEW_CHANNELS = "신규 협력채널 발굴 및 협업사업 기획·제안·운영"
PROGRAM_NEW_PRODUCTS = "신규 사회적경제 상품 발굴"
PROGRAM_OTHER = "기타 연계사업"


@dataclass(frozen=True)
class DemoProgram:
    name: str
    description: str
    note: str | None = None


# In the report's order (① to ⑤, then 기타). Descriptions and notes are the summary table's words.
DEMO_PROGRAMS = (
    DemoProgram(PROGRAM_COHORT, "7개 업체 판로 개척 사업 지원 및 3개 업체 맞춤형 코칭 추가 진행", "사업 완료"),
    DemoProgram(PROGRAM_CONTENT, "120여개 업체 제품 추석·공공구매 카탈로그 제작 및 K홈쇼핑 연계",
                "추석 카탈로그: 50개 업체, 공공구매 카탈로그: 66개 업체"),
    DemoProgram(PROGRAM_EXISTING_CHANNELS, "11번가, 롯데온, LG헬로비전, 해피빈, 우체국쇼핑과의 협업사업 추진 지원"),
    DemoProgram(PROGRAM_NEW_CHANNELS, "와디즈 펀딩을 통한 농축수산물 업체 10곳 신규 유통 판로 창출, "
                                      "기획전 및 이벤트 등을 통한 바이소셜 가치 전파", "펀딩 진행 중"),
    DemoProgram(PROGRAM_NEW_PRODUCTS, "e-store36.5 미입점 업체·제품 발굴 및 입점 안내를 통한 유통, 홍보 창출",
                "53개 업체 발굴, 3개 제품 e-store36.5 입점"),
    DemoProgram(PROGRAM_OTHER, "주요 코레일 역사 내 우수 제품 판매를 통한 제품 홍보 및 매출 창출", "판매 진행 중"),
)


def demo_programs() -> dict[str, Program]:
    """The demo programmes of the year, by name."""
    stmt = sa.select(Program).where(Program.year == DEMO_YEAR)
    return {program.name: program for program in db.session.scalars(stmt)}


def load_programs() -> int:
    existing = demo_programs()
    created = 0
    for order, demo in enumerate(DEMO_PROGRAMS, start=1):
        if demo.name not in existing:
            db.session.add(Program(year=DEMO_YEAR, sort_order=order, name=demo.name, description=demo.description,
                                   note=demo.note))
            created += 1
    db.session.flush()
    return created


DEMO_COHORT_NAME = "2021 지역·업종별 공동판로개척 26주 과정"
DEMO_COHORT_START = date(2021, 5, 3)
DEMO_COHORT_WEEKS = 26
DEMO_COHORT_NOTE = ("(예시) 보고서는 단계별 지표의 값을 밝히지 않아 예시로 두었습니다. 단계와 목표 지표는 보고서의 "
                    "‘단계별 목표관리 지표’를 보여 주기 위한 예시입니다.")
# (name, first week, last week); the report names no stages: these are examples.
DEMO_STAGES = (("준비", 1, 4), ("실행", 5, 20), ("확산", 21, 26))
# (name, unit, cumulative target by the end of each stage): examples, the report gives no targets.
DEMO_INDICATORS = (("라이브커머스 횟수", "회", (0, 2, 3)), ("신규 판로 수", "곳", (0, 1, 2)),
                   ("매출액", "원", (0, 3_000_000, 6_000_000)))
# The companies and their projects, slides 10–13; the report says of all of them 사업 완료.
DEMO_ENROLLMENTS = (
    ("㈜공공디자인이즘", "공생공작 쇼핑라이브"),
    ("365공유경제사회적협동조합", "관광 약자를 위한 통영관광"),
    ("레인보우팜 주식회사 농업회사법인", "국제농업박람회 진행"),
    ("소이플리협동조합", "롯데마트 사회적경제상품전 이장마트"),
    ("㈜유쾌한", "사회적가치 정기구독 서비스 <보따리> 런칭"),
    ("들애초", "평창군 농특산물 농협하나로마트 순회판매"),
    ("워킹맘", "공공급식을 통한 사회서비스 분야 모델 개발"),
)


def demo_cohort() -> Cohort | None:
    """The demo cohort, deleted or not (a cohort somebody deleted is not made again)."""
    stmt = sa.select(Cohort).where(Cohort.name == DEMO_COHORT_NAME)
    return db.session.scalar(including_deleted(stmt))


def load_cohort() -> int:
    """The report's cohort under its programme, with the 7 companies found by name; what exists is kept."""
    program = demo_programs().get(PROGRAM_COHORT)
    if program is None:
        return 0
    created = 0
    cohort = demo_cohort()
    if cohort is None:
        cohort = create_cohort(
            program_id=program.id, name=DEMO_COHORT_NAME, start_on=DEMO_COHORT_START, weeks=DEMO_COHORT_WEEKS,
            note=DEMO_COHORT_NOTE,
            stages=[StageFields(name=name, first_week=first, last_week=last) for name, first, last in DEMO_STAGES],
            indicators=[IndicatorFields(name=name, unit=unit, targets=list(targets))
                        for name, unit, targets in DEMO_INDICATORS],
            actor=None)
        created += 1
    if cohort.is_deleted:
        return created
    companies = {company.name_key: company for company in db.session.scalars(
        sa.select(Company).where(Company.name_key.in_([name_key(name) for name, _title in DEMO_ENROLLMENTS])))}
    enrolled = set(db.session.scalars(including_deleted(
        sa.select(Enrollment.company_id).where(Enrollment.cohort_id == cohort.id))))
    for name, title in DEMO_ENROLLMENTS:
        company = companies.get(name_key(name))
        if company is None or company.id in enrolled:
            continue
        enrollment = enroll_company(cohort, company.id, title, None, actor=None)
        enrollment.status = EnrollmentStatus.COMPLETED
        created += 1
    db.session.flush()
    return created


@dataclass(frozen=True)
class DemoReport:
    company: str
    week: int
    status: ReportStatus
    work_done: str
    values: tuple[int, ...]  # this week's value of each of DEMO_INDICATORS, in order
    difficulties: str | None = None
    reviewed: bool = True


# The report gives no weekly reports: these few are examples (예시) so that the grid, the chart and the list of
# difficulties have something to show. Every text starts with (예시).
DEMO_REPORTS = (
    DemoReport("㈜공공디자인이즘", 1, ReportStatus.ON_TRACK, "(예시) 쇼핑라이브 기획안 작성, 출연 상품 3종 선정",
               (0, 0, 0)),
    DemoReport("㈜공공디자인이즘", 2, ReportStatus.ON_TRACK, "(예시) 쇼핑라이브 채널 개설과 리허설", (0, 1, 0),
               "(예시) 촬영 장비와 진행자 섭외가 부담됨"),
    DemoReport("㈜공공디자인이즘", 3, ReportStatus.CAUTION, "(예시) 1회차 쇼핑라이브 진행", (1, 0, 450_000),
               "(예시) 진행자 섭외 부담이 계속됨", reviewed=False),
    DemoReport("365공유경제사회적협동조합", 1, ReportStatus.ON_TRACK, "(예시) 관광 약자 대상 통영 코스 답사",
               (0, 0, 0)),
    DemoReport("365공유경제사회적협동조합", 2, ReportStatus.CAUTION, "(예시) 휠체어 접근 가능 숙소·식당 목록 정리",
               (0, 0, 0), "(예시) 접근 가능 시설 정보가 부족함", reviewed=False),
)
DEMO_REVIEW_COMMENT = "(예시) 확인했습니다."


def load_sample_reports() -> int:
    """A few example weekly reports of the demo cohort, recorded by the demo coordinator; no submission link."""
    cohort = demo_cohort()
    coordinator = db.session.scalar(sa.select(User).where(User.login_id == "coordinator"))
    if cohort is None or cohort.is_deleted or coordinator is None:
        return 0
    enrollments = {enrollment.company.name_key: enrollment for enrollment in db.session.scalars(
        sa.select(Enrollment).where(Enrollment.cohort_id == cohort.id))}
    taken = set(db.session.execute(sa.select(WeeklyReport.enrollment_id, WeeklyReport.week)
                                   .where(WeeklyReport.enrollment_id.in_([e.id for e in enrollments.values()]))))
    created = 0
    for demo in DEMO_REPORTS:
        enrollment = enrollments.get(name_key(demo.company))
        if enrollment is None or (enrollment.id, demo.week) in taken:
            continue
        due_at = cohort.week_due_at(demo.week)
        report = WeeklyReport(enrollment_id=enrollment.id, week=demo.week, status=demo.status,
                              work_done=demo.work_done, next_plan="(예시) 다음 주 계획", difficulties=demo.difficulties,
                              submitted_at=due_at - timedelta(hours=6), submitted_by_id=coordinator.id)
        if demo.reviewed:
            report.review_comment = DEMO_REVIEW_COMMENT
            report.reviewed_at = due_at + timedelta(days=1)
            report.reviewed_by_id = coordinator.id
        report.values = [IndicatorValue(indicator_id=indicator.id, value=value)
                         for indicator, value in zip(cohort.indicators, demo.values, strict=False)]
        db.session.add(report)
        created += 1
    db.session.flush()
    return created
