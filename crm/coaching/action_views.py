"""/actions/: my open action items (a coordinator: everyone's, by owner), their export, ticking them off and
reopening them.

The changing views are declared @signed_in and decide after loading: an item of a company the user may not
see answers 404 (as everywhere), one they may see but not change 403.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField

from crm.auth.models import COORDINATION
from crm.coaching import actions as services
from crm.coaching.models import ActionItem
from crm.core.access import signed_in
from crm.core.export import export_response
from crm.core.forms import BaseForm
from crm.core.pagination import paginate
from crm.core.security import safe_next_url
from crm.core.time import seoul_today
from crm.extensions import db

bp = Blueprint("actions", __name__, url_prefix="/actions")

# The export's columns, in Korean whatever the reader's language.
EXPORT_HEADERS = ("실행과제", "기업", "코칭 일자", "코칭 주제", "코치", "담당", "기한", "완료일", "기한 지남")


class ActionFilterForm(BaseForm):
    """GET filters: owner (coordinators and admins only) and whether done items are listed too."""

    owner = SelectField(_l("담당"), default="")
    done = BooleanField(_l("완료한 과제도 보기"))

    class Meta:
        csrf = False

    def set_choices(self, owners) -> None:
        self.owner.choices = ([("", _l("전체")), (services.COMPANY_OWNER, _l("기업"))]
                              + [(str(user.id), f"{user.name} ({user.login_id})") for user in owners])

    def filters(self) -> dict:
        """The list statement's arguments; an owner the form refused filters nothing."""
        owner = self._fields.get("owner")
        return {"owner": None if owner is None or owner.errors else owner.data or None,
                "include_done": bool(self.done.data)}


def _filter_form() -> tuple[ActionFilterForm, bool]:
    form = ActionFilterForm(request.args)
    if current_user.role in COORDINATION:
        form.set_choices(services.owners_with_items())
    else:
        del form.owner  # a coach lists their own items only
    return form, form.validate()


def _render_index(form: ActionFilterForm, valid: bool):
    today = seoul_today()
    page = paginate(services.action_list_statement(current_user, today=today, **form.filters()), cache_count=True)
    return render_template("coaching/actions.html", form=form, page=page, today=today,
                           sees_everyone=current_user.role in COORDINATION,
                           can_update=lambda item: services.can_update(item, current_user)), 200 if valid else 422


@bp.get("/")
@signed_in
def index():
    return _render_index(*_filter_form())


def _export_row(item: ActionItem, today) -> list:
    return [
        item.what,
        item.company.name,
        item.session.held_on,
        item.session.topic,
        item.session.coach.name,
        item.owner.name if item.owner else _("기업"),
        item.due_on,
        item.done_on,
        _("예") if item.is_overdue(today) else None,
    ]


@bp.get("/export.<any(csv, xlsx):fmt>")
@signed_in
def export(fmt: str):
    """Exactly the filtered list, every page of it: a coach's export holds only their own items."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    today = seoul_today()
    items = db.session.scalars(services.action_list_statement(current_user, today=today, **form.filters())).all()
    with force_locale("ko"):
        rows = [_export_row(item, today) for item in items]
    return export_response(fmt, "action-items", EXPORT_HEADERS, rows, sheet_title="실행과제")


def _item_to_change(item_id: int) -> ActionItem:
    item = services.item_for(current_user, item_id)
    if item is None:
        abort(404)
    if not services.can_update(item, current_user):
        abort(403)
    return item


def _back():
    return redirect(safe_next_url(request.form.get("next")) or url_for(".index"))


@bp.post("/<int:item_id>/done")
@signed_in
def mark_done(item_id: int):
    item = _item_to_change(item_id)
    services.mark_done(item, actor=current_user)
    db.session.commit()
    flash(_("실행과제 ‘%(what)s’을(를) 완료로 표시했습니다.", what=item.what), "success")
    return _back()


@bp.post("/<int:item_id>/reopen")
@signed_in
def reopen(item_id: int):
    item = _item_to_change(item_id)
    services.reopen(item, actor=current_user)
    db.session.commit()
    flash(_("실행과제 ‘%(what)s’을(를) 다시 열었습니다.", what=item.what), "success")
    return _back()
