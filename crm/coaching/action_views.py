"""/actions/: my open action items (a coordinator: everyone's, by owner), ticking them off and reopening them.

The changing views are declared @signed_in and decide after loading: an item of a company the user may not
see answers 404 (as everywhere), one they may see but not change 403.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField

from crm.auth.models import COORDINATION
from crm.coaching import actions as services
from crm.coaching.models import ActionItem
from crm.core.access import signed_in
from crm.core.forms import BaseForm
from crm.core.pagination import paginate
from crm.core.security import safe_next_url
from crm.core.time import seoul_today
from crm.extensions import db

bp = Blueprint("actions", __name__, url_prefix="/actions")


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


@bp.get("/")
@signed_in
def index():
    sees_everyone = current_user.role in COORDINATION
    form = ActionFilterForm(request.args)
    if sees_everyone:
        form.set_choices(services.owners_with_items())
    else:
        del form.owner  # a coach lists their own items only
    valid = form.validate()
    today = seoul_today()
    page = paginate(services.action_list_statement(current_user, today=today, **form.filters()))
    return render_template("coaching/actions.html", form=form, page=page, today=today, sees_everyone=sees_everyone,
                           can_update=lambda item: services.can_update(item, current_user)), 200 if valid else 422


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
