"""/admin/bench/reference: the benchmark's reference page (bench/pages.py, issue 10).

One indexed query of a page of companies rendered into a table of the company list's size in the same base
layout: what a list page costs on this stack, against which the benchmark measures every other page.
"""
import sqlalchemy as sa
from flask import Blueprint, current_app, render_template

from crm.auth.models import Role
from crm.companies.models import Company
from crm.core.access import role_required
from crm.extensions import db

bp = Blueprint("bench", __name__, url_prefix="/admin/bench")


def reference_companies(limit: int) -> list[Company]:
    """The first companies by name: one statement on the name index, no relationship loaded."""
    return list(db.session.scalars(sa.select(Company).order_by(Company.name_key, Company.id).limit(limit)))


@bp.get("/reference")
@role_required(Role.ADMIN)
def reference():
    return render_template("bench/reference.html",
                           companies=reference_companies(current_app.config["PAGE_SIZE"]))
