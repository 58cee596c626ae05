"""A company's world for the security sweeps: a company assigned to one coach and one of everything that hangs on
it, each text field filled by `say(field)` and each web address by `link`, so the same builder gives the plain
worlds of the IDOR sweep and the payload-filled worlds of the XSS sweep."""
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from crm.auth.models import Role, User
from crm.campaigns.models import (
    Campaign,
    CampaignExclusion,
    CampaignKind,
    CampaignWindow,
    Channel,
    ChannelKind,
    Deliverable,
    DeliverableKind,
    DeliverableStatus,
    Metric,
    MetricKind,
    Participation,
    ParticipationChange,
    ParticipationProduct,
    ParticipationStatus,
    SaleSource,
)
from crm.coaching.models import ActionItem, CoachingSession, CoachProfile, NeedsAssessment, SessionMode, Specialty
from crm.companies.models import (
    Certification,
    CertificationKind,
    Company,
    EnterpriseType,
    ListingChange,
    ListingStatus,
    Product,
    ProductListing,
    StageChange,
    Store,
)
from crm.companies.pipeline import Stage
from crm.companies.services import CompanyFields, create_company, set_coaches
from crm.core.time import utcnow
from crm.programs import links
from crm.programs.models import (
    Cohort,
    CohortStage,
    Enrollment,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Program,
    ReportComment,
    ReportStatus,
    SubmissionLink,
    WeeklyReport,
)


@dataclass
class World:
    """One company and what hangs on it; `token` is the submission link's URL token."""

    coach: User
    company: Company
    product: Product
    deleted_product: Product
    certification: Certification
    assessment: NeedsAssessment
    session: CoachingSession
    action_item: ActionItem
    program: Program
    cohort: Cohort
    enrollment: Enrollment
    report: WeeklyReport
    link: SubmissionLink
    token: str
    channel: Channel
    campaign: Campaign
    participation: Participation
    metric: Metric
    sale_source: SaleSource
    catalog_product: ParticipationProduct
    deliverable: Deliverable


def link_token(app, link_id: int, secret: str) -> str:
    """The URL token of a submission link, signed as `crm.programs.links` signs it."""
    return URLSafeTimedSerializer(app.secret_key, salt=links.SALT).dumps({"link": link_id, "secret": secret})


@pytest.fixture
def build_world(app, db, coordinator):
    def build(coach: User, say: Callable[[str], str], link: str = "https://example.com/shop") -> World:
        store = db.session.scalar(sa.select(Store).where(Store.is_default))
        specialty = db.session.scalar(sa.select(Specialty).order_by(Specialty.id).limit(1))
        with db.session.no_autoflush:
            world = _build(coach, say, link, store=store, specialty=specialty)
        db.session.commit()
        return world

    def _build(coach, say, link, *, store, specialty) -> World:
        company = create_company(CompanyFields(name=say("기업명"), enterprise_type=EnterpriseType.COOPERATIVE,
                                               aliases=[say("브랜드명")]), actor=coordinator)
        company.note, company.website, company.shop_url = say("기업 메모"), link, link
        company.contact_name, company.industry, company.source = say("담당자"), say("업종"), say("발굴 경로")
        set_coaches(company, [coach.id], actor=coordinator)
        company.stage = Stage.CONTACTED
        db.session.add(StageChange(company=company, from_stage=Stage.SOURCED, to_stage=Stage.CONTACTED,
                                   note=say("단계 메모"), by=coordinator))
        certification = Certification(company=company, kind=CertificationKind.SOCIAL_ENTERPRISE,
                                      number=say("인증번호"), issuer=say("인증기관"), valid_from=date(2021, 1, 1),
                                      valid_to=date(2030, 12, 31))
        product = Product(company=company, name=say("상품명"), category=say("상품 분류"), price=12_000)
        deleted_product = Product(company=company, name=say("삭제된 상품"), price=1_000, deleted_at=utcnow(),
                                  deleted_by_id=coordinator.id)
        listing = ProductListing(product=product, store=store, status=ListingStatus.REJECTED,
                                 rejection_reason=say("반려 사유"))
        db.session.add_all([certification, product, deleted_product, listing,
                            ListingChange(listing=listing, from_status=ListingStatus.NOT_LISTED,
                                          to_status=ListingStatus.REJECTED, note=say("입점 메모"), by=coordinator)])

        profile = CoachProfile(user=coach, bio=say("코치 소개"), contact=say("코치 연락처"), specialties=[specialty])
        assessment = NeedsAssessment(company=company, assessed_on=date(2021, 5, 20), problems=say("현재 문제"),
                                     improvements=say("개선 필요"), assessed_by=coach, needs=[specialty])
        session = CoachingSession(company=company, coach=coach, held_on=date(2021, 6, 1), duration_minutes=60,
                                  mode=SessionMode.IN_PERSON, topic=say("코칭 주제"), content=say("코칭 내용"),
                                  recommendations=say("제언"))
        action_item = ActionItem(session=session, company=company, what=say("실행과제"), owner_user_id=coach.id,
                                 due_on=date(2021, 6, 15))
        db.session.add_all([profile, assessment, session, action_item])

        program = Program(year=2021, name=say("사업명"), description=say("사업 설명"), note=say("사업 비고"),
                          owner=coordinator)
        cohort = Cohort(program=program, name=say("기수명"), start_on=date(2021, 5, 3), weeks=26, note=say("기수 메모"))
        cohort.stages = [CohortStage(name=say("단계명"), first_week=1, last_week=26)]
        indicator = Indicator(name=say("지표명"), unit=say("단위"), sort_order=0)
        indicator.targets = [IndicatorTarget(stage=cohort.stages[0], value=10)]
        cohort.indicators = [indicator]
        enrollment = Enrollment(cohort=cohort, company=company, project_title=say("프로젝트명"), budget=5_000_000,
                                final_report_comment=say("결과보고 의견"), settlement_comment=say("정산 의견"))
        report = WeeklyReport(enrollment=enrollment, week=1, work_done=say("수행 내역"), next_plan=say("다음 주 계획"),
                              difficulties=say("애로사항"), status=ReportStatus.CAUTION, submitted_by=coach,
                              review_comment=say("검토 의견"), reviewed_at=utcnow(), reviewed_by=coordinator)
        report.values = [IndicatorValue(indicator=indicator, value=3)]
        secret = f"secret-of-{coach.login_id}"
        submission_link = SubmissionLink(enrollment=enrollment, secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
                                         expires_at=utcnow() + timedelta(days=30), created_by=coordinator)
        db.session.add_all([program, cohort, enrollment, report, submission_link,
                            ReportComment(report=report, author=coach, body=say("보고 댓글"))])

        channel = Channel(name=say("채널명"), kind=ChannelKind.OPEN_MARKET, url=link, note=say("채널 메모"))
        campaign = Campaign(name=say("기획전명"), channel=channel, program=program, kind=CampaignKind.LIVE_COMMERCE,
                            starts_on=date(2021, 9, 1), ends_on=date(2021, 9, 30), baseline_starts_on=date(2021, 8, 1),
                            baseline_ends_on=date(2021, 8, 31), description=say("기획전 설명"),
                            stated_source=say("수치 출처"))
        campaign.exclusions = [CampaignExclusion(window=CampaignWindow.CAMPAIGN, starts_on=date(2021, 9, 16),
                                                 ends_on=date(2021, 9, 21), reason=say("제외 사유"))]
        participation = Participation(campaign=campaign, company=company, status=ParticipationStatus.PARTICIPATING,
                                      sales_before=100_000, sales_after=144_000, note=say("참여 메모"))
        metric = Metric(participation=participation, kind=MetricKind.VIEWERS, value=321)
        sale_source = SaleSource(participation=participation, name=say("판매처"), quantity=2, amount=24_000)
        catalog_product = ParticipationProduct(participation=participation, product=product, concept=say("콘셉트"),
                                               selling_point=say("셀링포인트"))
        deliverable = Deliverable(participation=participation, kind=DeliverableKind.VIDEO,
                                  status=DeliverableStatus.DONE, title=say("산출물 제목"), url=link)
        db.session.add_all([channel, campaign, participation, metric, sale_source, catalog_product, deliverable,
                            ParticipationChange(participation=participation, from_status=ParticipationStatus.APPLIED,
                                                to_status=ParticipationStatus.PARTICIPATING, note=say("참여 상태 메모"),
                                                by=coordinator)])
        db.session.flush()
        return World(coach=coach, company=company, product=product, deleted_product=deleted_product,
                     certification=certification, assessment=assessment, session=session, action_item=action_item,
                     program=program, cohort=cohort, enrollment=enrollment, report=report, link=submission_link,
                     token=link_token(app, submission_link.id, secret), channel=channel, campaign=campaign,
                     participation=participation, metric=metric, sale_source=sale_source,
                     catalog_product=catalog_product, deliverable=deliverable)

    return build


@pytest.fixture
def make_coach(make_user):
    def make(name: str) -> User:
        return make_user(Role.COACH, name=name)

    return make
