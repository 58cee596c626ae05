"""/campaigns/unlisted: companies that take part in a campaign or a cohort but are not yet listed (입점완료).

Those at 발굴 or 연락 are moved to 입점안내 from the list, one by one or in a batch, through the pipeline's own
move_stage (so each move writes its StageChange). A batch is all or nothing."""
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.auth.models import User
from crm.campaigns.models import Campaign, Participation, ParticipationStatus
from crm.companies.models import Company, StageChange
from crm.companies.pipeline import Stage
from crm.companies.services import move_stage
from crm.core.errors import RuleError, StaleEditError
from crm.extensions import db
from crm.programs.models import Cohort, Enrollment

BEFORE_LISTED = (Stage.SOURCED, Stage.CONTACTED, Stage.GUIDED, Stage.APPLIED)
# The stages from which the list moves a company to 입점안내.
GUIDABLE = frozenset({Stage.SOURCED, Stage.CONTACTED})
MAX_BATCH = 200


def _live_participations():
    return (sa.select(Participation.company_id).join(Campaign, Participation.campaign_id == Campaign.id)
            .where(Participation.status != ParticipationStatus.WITHDRAWN, Campaign.deleted_at.is_(None)))


def _live_enrollments():
    return (sa.select(Enrollment.company_id).join(Cohort, Enrollment.cohort_id == Cohort.id)
            .where(Enrollment.deleted_at.is_(None), Cohort.deleted_at.is_(None)))


def unlisted_statement() -> sa.Select:
    """Live companies before 입점완료 taking part in a campaign (not withdrawn) or a cohort, by stage and name."""
    stage_order = sa.case({stage.value: index for index, stage in enumerate(BEFORE_LISTED)}, value=Company.stage)
    return (sa.select(Company)
            .where(Company.stage.in_(BEFORE_LISTED),
                   sa.or_(Company.id.in_(_live_participations()), Company.id.in_(_live_enrollments())))
            .order_by(stage_order, Company.name, Company.id))


@dataclass(frozen=True)
class TakingPart:
    label: str
    campaign_id: int | None = None
    participation_id: int | None = None


def taking_part(company_ids: list[int]) -> dict[int, list[TakingPart]]:
    """What each company takes part in: campaigns and cohorts (two statements for a page of companies)."""
    found: dict[int, list[TakingPart]] = defaultdict(list)
    if not company_ids:
        return found
    campaigns = db.session.execute(
        sa.select(Participation.company_id, Participation.id, Campaign.id, Campaign.name)
        .join(Campaign, Participation.campaign_id == Campaign.id)
        .where(Participation.company_id.in_(company_ids), Participation.status != ParticipationStatus.WITHDRAWN,
               Campaign.deleted_at.is_(None))
        .order_by(Campaign.name, Campaign.id))
    for company_id, participation_id, campaign_id, name in campaigns:
        found[company_id].append(TakingPart(name, campaign_id, participation_id))
    cohorts = db.session.execute(
        sa.select(Enrollment.company_id, Cohort.name, Enrollment.project_title)
        .join(Cohort, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.company_id.in_(company_ids), Enrollment.deleted_at.is_(None), Cohort.deleted_at.is_(None))
        .order_by(Cohort.name, Enrollment.id))
    for company_id, cohort_name, project_title in cohorts:
        found[company_id].append(TakingPart(f"{cohort_name} · {project_title}"))
    return found


def guide_companies(seen_stages: dict[int, str], *, actor: User) -> list[StageChange]:
    """Move each company (id → the stage the list showed) to 입점안내; refused whole when one of them is no
    longer on the list as shown (moved meanwhile, deleted, or not at 발굴/연락)."""
    if not seen_stages:
        raise RuleError(_("옮길 기업을 선택하세요."))
    if len(seen_stages) > MAX_BATCH:
        raise RuleError(_("한 번에 %(n)d개 기업까지 옮길 수 있습니다.", n=MAX_BATCH))
    companies = {company.id: company for company in db.session.scalars(
        unlisted_statement().where(Company.id.in_(seen_stages)).with_for_update(of=Company))}
    changes = []
    for company_id, seen in seen_stages.items():
        company = companies.get(company_id)
        if company is None:
            raise RuleError(_("선택한 기업 중 목록에 없는 기업이 있습니다. 목록을 새로 고친 뒤 다시 시도하세요."))
        if company.stage.value != seen:
            raise StaleEditError(_("%(name)s의 단계가 그사이 %(stage)s(으)로 바뀌었습니다. 아무것도 옮기지 않았습니다. "
                              "목록을 새로 고친 뒤 다시 시도하세요.", name=company.name, stage=company.stage.label))
        if company.stage not in GUIDABLE:
            raise RuleError(_("%(name)s은(는) 발굴·연락 단계가 아니어서 입점안내로 옮길 수 없습니다.",
                              name=company.name))
        changes.append(move_stage(company, Stage.GUIDED, note=None, actor=actor))
    return changes
