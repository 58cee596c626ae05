"""A participation's results page and its changes; the worklist of companies taking part but not yet listed.

/campaigns/<id>/participations/<id>: every signed-in role; a coach only for a company assigned to them (404
otherwise, checked when loading) and read only (403 for a change, after loading). Coordination changes
everything. /campaigns/unlisted: coordination only.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import COORDINATION
from crm.campaigns import results, worklist
from crm.campaigns.models import CampaignKind, MetricKind
from crm.campaigns.rates import change_rate, stated_rate_disagrees
from crm.campaigns.result_forms import (
    CatalogProductEditForm,
    CatalogProductForm,
    DeliverableForm,
    MetricForm,
    SaleSourceForm,
)
from crm.core.access import role_required, signed_in
from crm.core.errors import RuleError, StaleEditError
from crm.core.forms import call_service
from crm.core.pagination import paginate
from crm.extensions import db

bp = Blueprint("campaign_results", __name__)

PARTICIPATION = "/campaigns/<int:campaign_id>/participations/<int:participation_id>"


# --- loading ---------------------------------------------------------------------------------------------


def _participation_or_404(campaign_id: int, participation_id: int):
    participation = results.participation_for(current_user, campaign_id, participation_id)
    if participation is None:
        abort(404)
    return participation


def _changeable_or_404(campaign_id: int, participation_id: int):
    """Loaded first (404 for a company the user may not see), then the role: only coordination changes."""
    participation = _participation_or_404(campaign_id, participation_id)
    if current_user.role not in COORDINATION:
        abort(403)
    return participation


def _child_or_404(rows, row_id: int):
    found = next((row for row in rows if row.id == row_id), None)
    if found is None:
        abort(404)
    return found


def _back(participation):
    return redirect(url_for(".participation", campaign_id=participation.campaign_id,
                            participation_id=participation.id))


# --- the page --------------------------------------------------------------------------------------------


def _metric_forms(participation, failed: tuple[str, MetricForm] | None) -> dict:
    """A form per allowed kind (the kind is the prefix of its fields); a refused one shows as it was sent."""
    forms = {kind: MetricForm(formdata=None, prefix=kind.value)
             for kind in results.allowed_metric_kinds(participation.campaign)}
    if failed is not None and failed[0] in {kind.value for kind in forms}:
        forms[MetricKind(failed[0])] = failed[1]
    return forms


def _render(participation, *, status: int = 200, metric_form: tuple[str, MetricForm] | None = None,
            source_form: SaleSourceForm | None = None, product_form: CatalogProductForm | None = None,
            deliverable_form: DeliverableForm | None = None):
    product_form = product_form or CatalogProductForm(formdata=None)
    product_form.set_products(results.company_products(participation))
    metric_forms = _metric_forms(participation, metric_form)
    # A refused form of a kind this campaign does not take shows its message above the metric forms.
    stray_metric_form = (metric_form[1] if metric_form is not None and metric_form[1] not in metric_forms.values()
                         else None)
    totals = results.metric_totals(participation)
    values = {total.kind: total.value for total in totals}
    charts = [(kind, results.daily_series(participation, kind)) for kind in results.chart_kinds(participation.campaign)]
    source_total = results.sale_source_total(participation)
    rate = change_rate(participation.sales_before, participation.sales_after)
    return render_template(
        "campaign_results/participation.html", participation=participation, campaign=participation.campaign,
        company=participation.company, history=results.status_history(participation),
        rate=rate, rate_disagrees=stated_rate_disagrees(participation.stated_change_rate, rate),
        totals=totals, achievement=results.achievement_percent(values.get(MetricKind.FUNDED_AMOUNT),
                                                               values.get(MetricKind.GOAL_AMOUNT)),
        is_funding=participation.campaign.kind is CampaignKind.FUNDING,
        charts=[(kind, series) for kind, series in charts if series],
        metric_forms=metric_forms, stray_metric_form=stray_metric_form, source_total=source_total,
        sources_match=(None if participation.sales_after is None or not participation.sale_sources
                       else source_total == participation.sales_after),
        source_form=source_form or SaleSourceForm(formdata=None), product_form=product_form,
        deliverable_form=deliverable_form or DeliverableForm(formdata=None),
        can_change=current_user.role in COORDINATION), status


@bp.get(PARTICIPATION)
@signed_in
def participation(campaign_id: int, participation_id: int):
    return _render(_participation_or_404(campaign_id, participation_id))


def _render_edit(participation, form, *, title: str, action: str, status: int = 200):
    return render_template("campaign_results/edit.html", participation=participation, form=form, title=title,
                           action=action), status


def _refused(participation, outcome, **forms):
    fresh = _participation_or_404(participation.campaign_id, participation.id)
    return _render(fresh, status=outcome.status, **forms)


def _done(participation, message: str):
    db.session.commit()
    flash(message, "success")
    return _back(participation)


def _add(participation, form, change, *, form_name: str, done: str):
    """A form of the participation page: the change made, or the page again with the form's messages."""
    if not form.validate_on_submit():
        return _render(participation, status=422, **{form_name: form})
    outcome = call_service(form, change)
    if not outcome.ok:
        return _refused(participation, outcome, **{form_name: outcome.form})
    return _done(participation, done)


def _edit(participation, form, change, *, title: str, action: str, done: str, current_form=None):
    """An edit page of one row of the participation: the change made, or the form again (422, or 409 stale)."""
    if not form.validate_on_submit():
        return _render_edit(participation, form, title=title, action=action,
                            status=422 if form.is_submitted() else 200)
    outcome = call_service(form, change, current_form=current_form)
    if not outcome.ok:
        return _render_edit(_participation_or_404(participation.campaign_id, participation.id), outcome.form,
                            title=title, action=action, status=outcome.status)
    return _done(participation, done)


# --- metrics ---------------------------------------------------------------------------------------------


@bp.post(PARTICIPATION + "/metrics")
@signed_in
def set_metric(campaign_id: int, participation_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    kind = request.form.get("kind", "")
    form = MetricForm(prefix=kind if kind in {member.value for member in MetricKind} else "metric")
    if not form.validate_on_submit():
        return _render(participation, status=422, metric_form=(kind, form))
    outcome = call_service(form, lambda: results.set_metric(participation, kind, form.value.data, form.on_date.data,
                                                            actor=current_user))
    if not outcome.ok:
        return _refused(participation, outcome, metric_form=(kind, outcome.form))
    return _done(participation, _("지표를 저장했습니다."))


@bp.post(PARTICIPATION + "/metrics/<int:metric_id>/delete")
@signed_in
def delete_metric(campaign_id: int, participation_id: int, metric_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    results.delete_metric(_child_or_404(participation.metrics, metric_id), actor=current_user)
    return _done(participation, _("지표를 삭제했습니다."))


# --- sale sources ----------------------------------------------------------------------------------------


def _source_arguments(form: SaleSourceForm) -> dict:
    return {"name": form.name.data, "amount": form.amount.data, "quantity": form.quantity.data}


@bp.post(PARTICIPATION + "/sources")
@signed_in
def add_source(campaign_id: int, participation_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    form = SaleSourceForm()
    return _add(participation, form, lambda: results.add_sale_source(participation, **_source_arguments(form),
                                                                     actor=current_user),
                form_name="source_form", done=_("판매처를 추가했습니다."))


@bp.route(PARTICIPATION + "/sources/<int:source_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_source(campaign_id: int, participation_id: int, source_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    source = _child_or_404(participation.sale_sources, source_id)
    form = SaleSourceForm() if request.method == "POST" else SaleSourceForm(obj=source)
    title = _("판매처 수정: %(name)s", name=source.name)
    action = url_for(".edit_source", campaign_id=campaign_id, participation_id=participation_id, source_id=source_id)
    return _edit(participation, form, lambda: results.update_sale_source(source, **_source_arguments(form),
                                                                         actor=current_user),
                 title=title, action=action, done=_("판매처를 저장했습니다."))


@bp.post(PARTICIPATION + "/sources/<int:source_id>/delete")
@signed_in
def delete_source(campaign_id: int, participation_id: int, source_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    results.delete_sale_source(_child_or_404(participation.sale_sources, source_id), actor=current_user)
    return _done(participation, _("판매처를 삭제했습니다."))


# --- catalog products ------------------------------------------------------------------------------------


@bp.post(PARTICIPATION + "/products")
@signed_in
def add_product(campaign_id: int, participation_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    form = CatalogProductForm()
    return _add(participation, form, lambda: results.add_catalog_product(
        participation, form.product_id.data, form.concept.data, form.selling_point.data, actor=current_user),
        form_name="product_form", done=_("상품을 추가했습니다."))


@bp.route(PARTICIPATION + "/products/<int:item_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_product(campaign_id: int, participation_id: int, item_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    item = _child_or_404(participation.products, item_id)
    form = CatalogProductEditForm() if request.method == "POST" else CatalogProductEditForm(obj=item)
    title = _("상품 컨셉·셀링포인트 수정: %(name)s", name=item.product.name)
    action = url_for(".edit_product", campaign_id=campaign_id, participation_id=participation_id, item_id=item_id)
    return _edit(participation, form, lambda: results.update_catalog_product(
        item, concept=form.concept.data, selling_point=form.selling_point.data, actor=current_user),
        title=title, action=action, done=_("저장했습니다."))


@bp.post(PARTICIPATION + "/products/<int:item_id>/delete")
@signed_in
def remove_product(campaign_id: int, participation_id: int, item_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    results.remove_catalog_product(_child_or_404(participation.products, item_id), actor=current_user)
    return _done(participation, _("상품을 뺐습니다."))


# --- deliverables ----------------------------------------------------------------------------------------


@bp.post(PARTICIPATION + "/deliverables")
@signed_in
def add_deliverable(campaign_id: int, participation_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    form = DeliverableForm()
    return _add(participation, form, lambda: results.add_deliverable(participation, **form.service_arguments(),
                                                                     actor=current_user),
                form_name="deliverable_form", done=_("콘텐츠를 추가했습니다."))


@bp.route(PARTICIPATION + "/deliverables/<int:deliverable_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_deliverable(campaign_id: int, participation_id: int, deliverable_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    deliverable = _child_or_404(participation.deliverables, deliverable_id)
    form = DeliverableForm() if request.method == "POST" else DeliverableForm(obj=deliverable)
    title = _("콘텐츠 수정: %(name)s", name=deliverable.title or deliverable.kind.label)
    action = url_for(".edit_deliverable", campaign_id=campaign_id, participation_id=participation_id,
                     deliverable_id=deliverable_id)

    def current_values():
        fresh = _child_or_404(_participation_or_404(campaign_id, participation_id).deliverables, deliverable_id)
        return DeliverableForm(formdata=None, obj=fresh)

    return _edit(participation, form, lambda: results.update_deliverable(
        deliverable, version=form.version_number, **form.service_arguments(), actor=current_user),
        title=title, action=action, done=_("콘텐츠를 저장했습니다."), current_form=current_values)


@bp.post(PARTICIPATION + "/deliverables/<int:deliverable_id>/delete")
@signed_in
def delete_deliverable(campaign_id: int, participation_id: int, deliverable_id: int):
    participation = _changeable_or_404(campaign_id, participation_id)
    results.delete_deliverable(_child_or_404(participation.deliverables, deliverable_id), actor=current_user)
    return _done(participation, _("콘텐츠를 삭제했습니다."))


# --- the worklist ----------------------------------------------------------------------------------------


def _render_unlisted(error: str | None = None, status: int = 200):
    page = paginate(worklist.unlisted_statement())
    return render_template("campaign_results/unlisted.html", page=page, error=error,
                           taking_part=worklist.taking_part([company.id for company in page.items]),
                           guidable=worklist.GUIDABLE), status


@bp.get("/campaigns/unlisted")
@role_required(*COORDINATION)
def unlisted():
    return _render_unlisted()


def _chosen_stages() -> dict[int, str] | None:
    """company id → the stage the list showed; None when an id is not a number."""
    chosen = [request.form["only"]] if request.form.get("only") else request.form.getlist("company_id")
    try:
        ids = [int(value) for value in chosen]
    except ValueError:
        return None
    return {company_id: request.form.get(f"stage-{company_id}", "") for company_id in ids}


@bp.post("/campaigns/unlisted/guide")
@role_required(*COORDINATION)
def guide():
    seen = _chosen_stages()
    if seen is None:
        abort(400)
    try:
        changes = worklist.guide_companies(seen, actor=current_user)
    except StaleEditError as error:
        db.session.rollback()
        return _render_unlisted(error.message, 409)
    except RuleError as error:
        db.session.rollback()
        return _render_unlisted(error.message, 422)
    db.session.commit()
    flash(_("%(n)d개 기업을 입점안내 단계로 옮겼습니다.", n=len(changes)), "success")
    return redirect(url_for(".unlisted", page=request.args.get("page", type=int) or None))
