"""/channels/: the sales channels (the report's partners are preloaded) and their export; coordination only."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import COORDINATION
from crm.campaigns import services
from crm.campaigns.forms import ChannelForm
from crm.campaigns.models import Channel
from crm.core.access import role_required
from crm.core.export import export_response
from crm.core.forms import call_service
from crm.extensions import db

bp = Blueprint("channels", __name__, url_prefix="/channels")

# The export's columns, in Korean whatever the reader's language.
EXPORT_HEADERS = ("채널", "유형", "주소", "메모", "사용", "캠페인 수")


@bp.get("/")
@role_required(*COORDINATION)
def index():
    return render_template("channels/index.html", channels=services.channels_with_counts())


@bp.get("/export.<any(csv, xlsx):fmt>")
@role_required(*COORDINATION)
def export(fmt: str):
    """Every channel, as the list shows them (the list has no filters)."""
    with force_locale("ko"):
        rows = [[channel.name, channel.kind.label, channel.url, channel.note, _("사용 중") if channel.active
                 else _("사용 안 함"), campaign_count] for channel, campaign_count in services.channels_with_counts()]
    return export_response(fmt, "channels", EXPORT_HEADERS, rows, sheet_title="유통채널")


def _render_form(form: ChannelForm, channel=None, status: int = 200):
    return render_template("channels/form.html", form=form, channel=channel), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(*COORDINATION)
def create():
    form = ChannelForm()
    if not form.validate_on_submit():
        return _render_form(form, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.create_channel(form.fields(), actor=current_user))
    if not outcome.ok:
        return _render_form(outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("채널을 추가했습니다."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:channel_id>/edit", methods=["GET", "POST"])
@role_required(*COORDINATION)
def edit(channel_id: int):
    channel = db.get_or_404(Channel, channel_id)
    if request.method == "GET":
        return _render_form(ChannelForm(formdata=None, obj=channel), channel)
    form = ChannelForm()
    if not form.validate_on_submit():
        return _render_form(form, channel, status=422)
    outcome = call_service(form, lambda: services.update_channel(channel, form.fields(), version=form.version_number,
                                                                 actor=current_user),
                           current_form=lambda: ChannelForm(formdata=None, obj=db.get_or_404(Channel, channel_id)))
    if not outcome.ok:
        return _render_form(outcome.form, db.get_or_404(Channel, channel_id), status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for(".index"))
