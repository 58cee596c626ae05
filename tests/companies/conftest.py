import pytest

from crm.companies.models import EnterpriseType
from crm.companies.pipeline import Stage
from crm.companies.services import CompanyFields, create_company, set_coaches


@pytest.fixture
def make_company(db, coordinator):
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, *, stage: Stage = Stage.SOURCED, coaches=(), aliases=(),
             enterprise_type: EnterpriseType = EnterpriseType.SOCIAL_ENTERPRISE, actor=None, **fields):
        company = create_company(
            CompanyFields(name=name or f"테스트기업{next(counter)}", enterprise_type=enterprise_type,
                          aliases=list(aliases), **fields),
            stage=stage, actor=actor or coordinator)
        if coaches:
            set_coaches(company, [coach.id for coach in coaches], actor=actor or coordinator)
        db.session.commit()
        return company

    return make
