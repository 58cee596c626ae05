import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, request, session, url_for

from crm.core.access import public
from crm.core.security import safe_next_url
from crm.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}


@bp.post("/lang")
@public
def set_language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next_url(request.form.get("next")) or url_for("reports.dashboard"))
