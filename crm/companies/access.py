"""Loading a company (or anything of one) for the current user: 404 when it is not theirs to see."""
from flask import abort
from flask_login import current_user

from crm.companies import services
from crm.companies.models import Company


def company_or_404(company_id: int, *, with_detail: bool = False) -> Company:
    company = services.company_for(current_user, company_id, with_detail=with_detail)
    if company is None:
        abort(404)
    return company
