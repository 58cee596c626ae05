"""/campaigns/: the campaign list and its export, a campaign's page, its participants and its sales table; the
export of the unlisted worklist (whose page is campaign_results.unlisted).

Coordination only (admins and coordinators): a coach sees a company's participations on that company's page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from crm.auth.models import COORDINATION
from crm.campaigns import services, worklist
from crm.campaigns.forms import (
    AddParticipantsForm,
    CampaignFilterForm,
    CampaignForm,
    SalesForm,
    SelectionForm,
    StatusForm,
)
from crm.campaigns.models import ParticipationStatus
from crm.campaigns.rates import change_rate
from crm.campaigns.sections import CAMPAIGN_SECTIONS
from crm.companies import queries as company_queries
from crm.companies.list_views import CompanyFilterForm
from crm.companies.services import visibility_key
from crm.core.access import role_required
from crm.core.cache import cached_rendering
from crm.core.export import export_response
from crm.core.forms import call_service
from crm.core.pagination import paginate
from crm.extensions import db

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

# The export's columns, in Korean whatever the reader's language.
EXPORT_HEADERS = ("캠페인", "유통채널", "유형", "상태", "사업", "시작일", "종료일", "참여 기업 수", "신청 기업 수",
                  "이후 매출 합계(원)", "기재 업체 수", "기재 이전 매출 합계(원)", "기재 이후 매출 합계(원)",
                  "기재 변화율")
# The participations export: the headers the import of participations reads back (계산 변화율 it leaves).
PARTICIPATION_EXPORT_HEADERS = ("기업명", "사업자등록번호", "참여 상태", "이전 매출(원)", "이후 매출(원)",
                                "기재 변화율", "계산 변화율")
UNLISTED_EXPORT_HEADERS = ("기업명", "사업자등록번호", "단계", "참여")
LIST_SEPARATOR = ", "


def _campaign_or_404(campaign_id: int, *, with_detail: bool = False):
    campaign = services.campaign_or_none(campaign_id, with_detail=with_detail)
    if campaign is None:
        abort(404)
    return campaign


# --- the list and its export ------------------------------------------------------------------------------------


def _filter_form() -> tuple[CampaignFilterForm, bool]:
    form = CampaignFilterForm(request.args)
    form.set_choices(channels=services.channel_choices(), programs=services.program_choices(),
                     years=services.campaign_years())
    return form, form.validate()


def _render_index(form: CampaignFilterForm, valid: bool):
    page = paginate(services.campaign_list_statement(**form.filters()), cache_count=True)
    figures = services.campaign_figures(campaign.id for campaign in page.items)
    return render_template("campaigns/index.html", form=form, page=page, figures=figures,
                           no_figures=services.CampaignFigures()), 200 if valid else 422


@bp.get("/")
@role_required(*COORDINATION)
def index():
    return _render_index(*_filter_form())


def _export_row(campaign, figures: services.CampaignFigures) -> list:
    return [
        campaign.name,
        campaign.channel.name if campaign.channel else None,
        campaign.kind.label,
        campaign.status.label,
        f"{campaign.program.year} {campaign.program.name}" if campaign.program else None,
        campaign.starts_on,
        campaign.ends_on,
        figures.participants,
        figures.applicants,
        figures.sales_after,
        campaign.stated_company_count,
        campaign.stated_before_total,
        campaign.stated_after_total,
        campaign.stated_change_rate,
    ]


@bp.get("/export.<any(csv, xlsx):fmt>")
@role_required(*COORDINATION)
def export(fmt: str):
    """Exactly the filtered list, every page of it."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    campaigns = db.session.scalars(services.campaign_list_statement(**form.filters())).all()
    figures = services.campaign_figures(campaign.id for campaign in campaigns)
    with force_locale("ko"):
        rows = [_export_row(campaign, figures.get(campaign.id, services.CampaignFigures())) for campaign in campaigns]
    return export_response(fmt, "campaigns", EXPORT_HEADERS, rows, sheet_title="캠페인")


@bp.get("/unlisted/export.<any(csv, xlsx):fmt>")
@role_required(*COORDINATION)
def export_unlisted(fmt: str):
    """The whole worklist (it has no filters), with what each company takes part in."""
    companies = db.session.scalars(worklist.unlisted_statement()).all()
    parts = worklist.taking_part([company.id for company in companies])
    with force_locale("ko"):
        rows = [[company.name, company.business_number_display, company.stage.label,
                 LIST_SEPARATOR.join(part.label for part in parts[company.id])] for company in companies]
    return export_response(fmt, "unlisted", UNLISTED_EXPORT_HEADERS, rows, sheet_title="입점 전 참여 기업")


@bp.get("/<int:campaign_id>/participations/export.<any(csv, xlsx):fmt>")
@role_required(*COORDINATION)
def export_participations(campaign_id: int, fmt: str):
    """Every company in the campaign with its status and sales, as the participation import reads them."""
    campaign = _campaign_or_404(campaign_id, with_detail=True)
    with force_locale("ko"):
        rows = [[participation.company.name, participation.company.business_number, participation.status.label,
                 participation.sales_before, participation.sales_after, participation.stated_change_rate,
                 change_rate(participation.sales_before, participation.sales_after).label]
                for participation in campaign.participations if participation.company is not None]
    return export_response(fmt, f"campaign-{campaign.id}-participations", PARTICIPATION_EXPORT_HEADERS, rows,
                           sheet_title="참여기업")


# --- creating and editing a campaign ---------------------------------------------------------------------------


def _prepared(form: CampaignForm) -> CampaignForm:
    form.set_choices(channels=services.channel_choices(), programs=services.program_choices())
    return form


def _render_form(form: CampaignForm, campaign=None, status: int = 200):
    return render_template("campaigns/form.html", form=form, campaign=campaign), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(*COORDINATION)
def create():
    form = _prepared(CampaignForm())
    if not form.is_submitted():
        form.add_blank_rows()
    if not form.validate_on_submit():
        return _render_form(form, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.create_campaign(form.fields(), actor=current_user))
    if not outcome.ok:
        return _render_form(outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("캠페인을 만들었습니다."), "success")
    return redirect(url_for(".detail", campaign_id=outcome.result.id))


def _edit_form_of(campaign) -> CampaignForm:
    form = _prepared(CampaignForm(formdata=None, obj=campaign))
    form.show_figures_of(campaign)
    form.add_blank_rows()
    return form


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@role_required(*COORDINATION)
def edit(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    if request.method == "GET":
        return _render_form(_edit_form_of(campaign), campaign)
    form = _prepared(CampaignForm())
    if not form.validate_on_submit():
        return _render_form(form, campaign, status=422)

    def current_values():
        return _edit_form_of(_campaign_or_404(campaign_id))

    outcome = call_service(form, lambda: services.update_campaign(campaign, form.fields(),
                                                                  version=form.version_number, actor=current_user),
                           current_form=current_values)
    if not outcome.ok:
        return _render_form(outcome.form, _campaign_or_404(campaign_id), status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/delete")
@role_required(*COORDINATION)
def delete(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    services.delete_campaign(campaign, actor=current_user)
    db.session.commit()
    flash(_("캠페인을 삭제했습니다. 관리자가 휴지통에서 복원할 수 있습니다."), "success")
    return redirect(url_for(".index"))


# --- one campaign -----------------------------------------------------------------------------------------------


def _results(campaign) -> tuple[Markup, Markup]:
    """The sales table and the sections below the participants (metrics, catalog, deliverables), rendered and
    kept until domain data changes: with 100 participants they cost more than the rest of the page. They show
    nothing that depends on the reader but the language and which companies they may see."""
    sales = cached_rendering((campaign.id,), "campaigns/_sales_table.html", lambda: {
        "campaign": campaign, "table": services.sales_table(campaign)})
    sections = cached_rendering((campaign.id, visibility_key(current_user)), "campaigns/_sections.html", lambda: {
        "sections": CAMPAIGN_SECTIONS.sections_for(campaign, current_user)})
    return sales, sections


def _render_detail(campaign, *, selection_form: SelectionForm | None = None, status_error: tuple | None = None,
                   status: int = 200):
    groups = services.participants_by_status(campaign)
    sales, sections = _results(campaign)
    return render_template(
        "campaigns/detail.html", campaign=campaign, groups=groups,
        has_sales_rows=any(groups[status] for status in services.TAKING_PART), sales_table=sales, sections=sections,
        allowed_moves=services.ALLOWED_MOVES, selection_form=selection_form or SelectionForm(formdata=None),
        status_error=status_error, statuses=ParticipationStatus), status


@bp.get("/<int:campaign_id>")
@role_required(*COORDINATION)
def detail(campaign_id: int):
    return _render_detail(_campaign_or_404(campaign_id))


@bp.post("/<int:campaign_id>/selection")
@role_required(*COORDINATION)
def select(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = SelectionForm()
    if form.validate_on_submit():
        outcome = call_service(form, lambda: services.select_applicants(
            campaign, form.participation_ids.data, reject_others=form.reject_others.data, actor=current_user))
        if outcome.ok:
            db.session.commit()
            flash(_("%(n)s개 기업을 선정했습니다.", n=len(outcome.result)), "success")
            return redirect(url_for(".detail", campaign_id=campaign_id))
        form = outcome.form
    return _render_detail(_campaign_or_404(campaign_id), selection_form=form, status=422)


@bp.post("/<int:campaign_id>/participants/<int:participation_id>/status")
@role_required(*COORDINATION)
def move_participation(campaign_id: int, participation_id: int):
    campaign = _campaign_or_404(campaign_id)
    participation = services.participation_of(campaign, participation_id)
    if participation is None:
        abort(404)
    form = StatusForm()
    if form.validate_on_submit():
        outcome = call_service(form, lambda: services.move_participation(
            participation, form.to_status.data, note=form.note.data, actor=current_user))
        if outcome.ok:
            db.session.commit()
            flash(_("‘%(name)s’을(를) ‘%(status)s’(으)로 옮겼습니다.", name=participation.company.name,
                    status=outcome.result.to_status.label), "success")
            return redirect(url_for(".detail", campaign_id=campaign_id))
        form = outcome.form
    messages = [*form.form_errors, *(error for errors in form.errors.values() for error in errors)]
    return _render_detail(_campaign_or_404(campaign_id),
                          status_error=(participation_id, messages), status=422)


# --- adding companies -------------------------------------------------------------------------------------------


def _render_add(campaign, form: AddParticipantsForm, status: int = 200):
    filters = CompanyFilterForm(request.args)
    filters.set_choices()
    valid = filters.validate()
    page = paginate(company_queries.company_list_statement(current_user, **filters.filters()), cache_count=True)
    in_campaign = services.company_ids_in(campaign)
    return render_template("campaigns/add_participants.html", campaign=campaign, filters=filters, page=page,
                           form=form, in_campaign=in_campaign), status if valid else 422


@bp.route("/<int:campaign_id>/participants/add", methods=["GET", "POST"])
@role_required(*COORDINATION)
def add_participants(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = AddParticipantsForm()
    if not form.validate_on_submit():
        return _render_add(campaign, form, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.add_participations(campaign, form.company_ids.data,
                                                                     actor=current_user))
    if not outcome.ok:
        return _render_add(_campaign_or_404(campaign_id), outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("%(n)s개 기업을 신청 기업으로 추가했습니다.", n=len(outcome.result)), "success")
    return redirect(url_for(".detail", campaign_id=campaign_id))


# --- the sales table --------------------------------------------------------------------------------------------


def _sales_form_of(campaign) -> SalesForm:
    form = SalesForm(formdata=None)
    form.fill_from(services.sales_participations(campaign))
    return form


def _render_sales(campaign, form: SalesForm, status: int = 200):
    participations = {participation.id: participation for participation in services.sales_participations(campaign)}
    return render_template("campaigns/sales_form.html", campaign=campaign, form=form,
                           participations=participations), status


@bp.route("/<int:campaign_id>/sales", methods=["GET", "POST"])
@role_required(*COORDINATION)
def edit_sales(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    if request.method == "GET":
        return _render_sales(campaign, _sales_form_of(campaign))
    form = SalesForm()
    if not form.validate_on_submit():
        return _render_sales(campaign, form, status=422)
    outcome = call_service(form, lambda: services.update_sales(campaign, form.row_fields(), actor=current_user),
                           current_form=lambda: _sales_form_of(_campaign_or_404(campaign_id)))
    if not outcome.ok:
        return _render_sales(_campaign_or_404(campaign_id), outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("매출을 저장했습니다."), "success")
    return redirect(url_for(".detail", campaign_id=campaign_id))
