"""Products of a company: /companies/<id>/products/new and /products/<id> (detail, edit, listing, delete).

Changing views are declared @signed_in and check the role after loading: a coach who may not see the
company gets 404 (as everywhere), a coach who may see it gets 403 on what only coordinators may change.
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import COORDINATION
from crm.companies import products as services
from crm.companies.access import company_or_404
from crm.companies.product_forms import ListingForm, ProductForm
from crm.core.access import signed_in
from crm.core.forms import call_service
from crm.extensions import db

bp = Blueprint("products", __name__)



def _coordination_only() -> None:
    if current_user.role not in COORDINATION:
        abort(403)


def _product_or_404(product_id: int):
    product = services.product_for(current_user, product_id)
    if product is None:
        abort(404)
    return product


def _render_detail(product, *, listing_form: ListingForm | None = None, failed_store_id: int | None = None,
                   status: int = 200):
    return render_template(
        "products/detail.html", product=product, company=product.company,
        store_listings=services.store_listings(product), history=services.listing_history(product),
        history_limit=services.HISTORY_LIMIT, listing_form=listing_form, failed_store_id=failed_store_id,
        can_change=current_user.role in COORDINATION,
    ), status


def _render_form(form: ProductForm, company, product=None, status: int = 200):
    return render_template("products/form.html", form=form, company=company, product=product), status


@bp.route("/companies/<int:company_id>/products/new", methods=["GET", "POST"])
@signed_in
def create(company_id: int):
    company = company_or_404(company_id)
    _coordination_only()
    form = ProductForm()
    if not form.validate_on_submit():
        return _render_form(form, company, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.create_product(
        company, name=form.name.data, category=form.category.data, price=form.price.data, actor=current_user))
    if not outcome.ok:
        return _render_form(outcome.form, company, status=outcome.status)
    db.session.commit()
    flash(_("상품 %(name)s을(를) 추가했습니다.", name=outcome.result.name), "success")
    return redirect(url_for(".detail", product_id=outcome.result.id))


@bp.get("/products/<int:product_id>")
@signed_in
def detail(product_id: int):
    return _render_detail(_product_or_404(product_id))


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(product_id: int):
    product = _product_or_404(product_id)
    _coordination_only()
    form = ProductForm(obj=product)
    if not form.validate_on_submit():
        return _render_form(form, product.company, product, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.update_product(
        product, version=form.version_number, name=form.name.data, category=form.category.data,
        price=form.price.data, actor=current_user),
        current_form=lambda: ProductForm(formdata=None, obj=product))
    if not outcome.ok:
        return _render_form(outcome.form, product.company, product, status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for(".detail", product_id=product.id))


@bp.post("/products/<int:product_id>/listing")
@signed_in
def move_listing(product_id: int):
    product = _product_or_404(product_id)
    _coordination_only()
    form = ListingForm()
    store = services.store_by_id(form.store_id.data)
    if store is None:
        form.form_errors.append(_("판매처를 찾을 수 없습니다."))
        return _render_detail(product, listing_form=form, status=422)
    store_id = store.id
    if not form.validate_on_submit():
        return _render_detail(product, listing_form=form, failed_store_id=store_id, status=422)
    outcome = call_service(form, lambda: services.move_listing(
        product, store, form.status.data, note=form.note.data, actor=current_user))
    if not outcome.ok:
        # The refusal rolled the session back: load the product as it now is.
        return _render_detail(_product_or_404(product_id), listing_form=outcome.form, failed_store_id=store_id,
                              status=outcome.status)
    db.session.commit()
    change = outcome.result
    flash(_("%(store)s 입점 상태를 %(status)s(으)로 바꿨습니다.", store=store.name, status=change.to_status.label),
          "success")
    return redirect(url_for(".detail", product_id=product.id))


@bp.post("/products/<int:product_id>/delete")
@signed_in
def delete(product_id: int):
    product = _product_or_404(product_id)
    _coordination_only()
    company_id = product.company_id
    name = product.name
    services.delete_product(product, actor=current_user)
    db.session.commit()
    flash(_("상품 %(name)s을(를) 삭제했습니다.", name=name), "success")
    return redirect(url_for("companies.detail", company_id=company_id))
