"""/pipeline/: the board — a column per stage, the funnel figures above it, a move form on each card."""
from flask import Blueprint, get_template_attribute, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField
from wtforms.validators import Optional

from crm.auth.models import Role
from crm.companies import board, services
from crm.companies.models import ENTERPRISE_TYPE_LABELS, EnterpriseType
from crm.companies.pipeline import Stage
from crm.core.access import signed_in
from crm.core.cache import cached_rendering
from crm.core.forms import BaseForm
from crm.core.time import seoul_today

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")
MOVERS = (Role.ADMIN, Role.COORDINATOR)
# Stands for the reader's CSRF field in kept cards; user text never renders as a tag, so it cannot forge one.
CSRF_PLACEHOLDER = Markup("<input data-csrf-placeholder>")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class BoardFilterForm(BaseForm):
    # Any id, not only the choices: a coordinator deactivated since can still be filtered by (as in the list).
    coordinator_id = SelectField(_l("담당 코디네이터"), coerce=_optional_int, validators=[Optional()],
                                 validate_choice=False)
    region = SelectField(_l("지역"), validators=[Optional()])
    enterprise_type = SelectField(_l("기업 유형"), validators=[Optional()],
                                  choices=[("", _l("전체"))] + [(kind.value, label)
                                                               for kind, label in ENTERPRISE_TYPE_LABELS.items()])

    def set_choices(self, *, coordinators: list[tuple[int, str]], regions: list[tuple[str, str]]) -> None:
        self.coordinator_id.choices = [(None, _l("전체"))] + coordinators
        self.region.choices = [("", _l("전체"))] + regions

    def filters(self) -> board.BoardFilters:
        return board.BoardFilters(coordinator_id=self.coordinator_id.data, region_code=self.region.data or None,
                                  enterprise_type=EnterpriseType(self.enterprise_type.data)
                                  if self.enterprise_type.data else None)


def _board_columns(filters: board.BoardFilters) -> Markup:
    """Up to 210 cards with their move forms: rendering them cost more than the rest of the page, so they are kept
    per filter, viewer and Seoul day, and only the reader's CSRF token is put in at each request."""
    can_move = current_user.role in MOVERS
    board_url = request.full_path.rstrip("?")
    today = seoul_today()
    columns = cached_rendering(
        ("board", filters, services.visibility_key(current_user), can_move, board_url, today),
        "pipeline/_columns.html", lambda: {
            "filters": filters, "columns": board.columns(filters, current_user), "can_move": can_move,
            "move_targets": board.move_targets, "board_url": board_url, "csrf_field": CSRF_PLACEHOLDER,
            # Translated once, not once per card.
            "stage_labels": Stage.translated_labels(), "type_labels": EnterpriseType.translated_labels(),
            "days_format": gettext("%(n)d일째"), "today": today})
    csrf_input = get_template_attribute("_macros/forms.html", "csrf_input")
    return columns.replace(CSRF_PLACEHOLDER, csrf_input())


@bp.get("/")
@signed_in
def index():
    form = BoardFilterForm(request.args, meta={"csrf": False})
    form.set_choices(coordinators=services.user_choices(*MOVERS), regions=services.region_choices())
    valid = form.validate()
    filters = form.filters() if valid else board.BoardFilters()
    return render_template(
        "pipeline/board.html", form=form, filters=filters, funnel=board.funnel_figures(filters, current_user),
        columns=board.columns(filters, current_user), board_columns=_board_columns(filters),
        can_move=current_user.role in MOVERS,
    ), 200 if valid else 422
