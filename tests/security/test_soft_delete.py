"""T37 soft delete: a deleted company is gone from every list, search, page, export and count, for every role, while
its rows are kept; only an admin sees it in the trash and may purge it, and the purge is audited."""
from datetime import date

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditAction, AuditLog
from crm.coaching.models import CoachingSession, SessionMode
from crm.companies.models import Company, Product
from crm.core.softdelete import including_deleted
from tests.core.test_export import read_csv


def funnel_count(html: str, label: str) -> str:
    table = html.split('data-testid="funnel"')[1].split("</table>")[0]
    return table.split(f'<th scope="row">{label}</th><td>')[1].split("</td>")[0]


@pytest.fixture
def deleted_company(db, make_company, coordinator, coach, client_as):
    """Two companies of coordinator1 and coach1, each with a product and a session; the first one deleted."""
    companies = [make_company(name, coaches=[coach], coordinator_id=coordinator.id)
                 for name in ("지운기업", "남은기업")]
    for company in companies:
        db.session.add_all([Product(company=company, name=f"{company.name} 상품", price=1000),
                            CoachingSession(company=company, coach=coach, held_on=date(2021, 6, 1), duration_minutes=60,
                                            mode=SessionMode.IN_PERSON, topic=f"{company.name} 코칭")])
    db.session.commit()
    before = client_as(coordinator).get("/").text
    assert funnel_count(before, "발굴") == "2개"
    response = client_as(coordinator).post(f"/companies/{companies[0].id}/delete")
    assert response.status_code == 302
    return companies[0]


@pytest.mark.parametrize("role", ["coordinator", "coach", "admin"])
def test_t37_a_deleted_company_is_absent_from_lists_search_exports_and_dashboards_and_its_page_is_404(
        request, deleted_company, client_as, role):
    client = client_as(request.getfixturevalue(role))
    pages = {
        "list": client.get("/companies/").text,
        "search": client.get("/companies/", query_string={"q": "기업"}).text,
        "board": client.get("/pipeline/").text,
        "coaching list": client.get("/coaching/").text,
    }
    dashboard = client.get("/").text
    exports = {
        "companies csv": client.get("/companies/export.csv"),
        "coaching csv": client.get("/coaching/export.csv"),
    }

    for where, html in pages.items():
        assert "남은기업" in html, where
        assert "지운기업" not in html, where
    for where, response in exports.items():
        rows = read_csv(response.get_data(as_text=True))
        assert any("남은기업" in cell for row in rows for cell in row), where
        assert not any("지운기업" in cell for row in rows for cell in row), where
    assert client.get(f"/companies/{deleted_company.id}").status_code == 404
    assert client.get(f"/companies/{deleted_company.id}/products/new").status_code == 404
    if role == "coach":
        assigned = dashboard.split('data-testid="coach-companies"')[1].split("</ul>")[0]
        assert "남은기업" in assigned and "지운기업" not in assigned
    else:  # the admin's list of latest changes names the deletion itself, marked as such
        assert funnel_count(dashboard, "발굴") == "1개"


def test_t37_the_deleted_companys_rows_are_kept(db, deleted_company):
    db.session.expire_all()
    company = db.session.scalar(including_deleted(sa.select(Company).where(Company.id == deleted_company.id)))

    assert company is not None and company.deleted_at is not None
    products = db.session.scalars(including_deleted(sa.select(Product.name)
                                                    .where(Product.company_id == company.id))).all()
    sessions = db.session.scalars(including_deleted(sa.select(CoachingSession.topic)
                                                    .where(CoachingSession.company_id == company.id))).all()
    assert (products, sessions) == (["지운기업 상품"], ["지운기업 코칭"])


def test_t37_only_an_admin_sees_the_trash_and_purges_and_the_purge_is_audited(db, deleted_company, admin,
                                                                              coordinator, coach, client_as):
    purge_url = f"/admin/trash/company/{deleted_company.id}/purge"
    refused = {role.login_id: (client_as(role).get("/admin/trash/").status_code,
                               client_as(role).post(purge_url).status_code) for role in (coordinator, coach)}
    admin_client = client_as(admin)

    trash = admin_client.get("/admin/trash/")
    purged = admin_client.post(purge_url)

    assert refused == {"coordinator1": (403, 403), "coach1": (403, 403)}
    assert trash.status_code == 200 and "지운기업" in trash.text
    assert purged.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(including_deleted(sa.select(Company).where(Company.id == deleted_company.id))) is None
    [logged] = db.session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "Company",
                                                            AuditLog.record_id == str(deleted_company.id),
                                                            AuditLog.action == AuditAction.DELETE,
                                                            AuditLog.actor_id == admin.id)).all()
    assert logged.changes["name"] == "지운기업"
