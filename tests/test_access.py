"""Every route declares who may use it, and the declaration is what this matrix expects.

A new route fails this file until it is added to ACCESS_MATRIX: each view needs an explicit decision.
"""
import pytest

from crm.auth.models import Role
from crm.core.access import PUBLIC, SIGNED_IN, declared_access

ADMIN_ONLY = frozenset({Role.ADMIN})
COORDINATION = frozenset({Role.ADMIN, Role.COORDINATOR})

# endpoint -> who may use it
ACCESS_MATRIX = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "core.healthz": PUBLIC,
    "core.set_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.confirm_password": SIGNED_IN,
    "reports.dashboard": SIGNED_IN,
    "reports.weekly": COORDINATION,
    # The result report is not for coaches (DESIGN: Access).
    "reports_result.index": COORDINATION,
    "reports_result.export": COORDINATION,
    # Imports: every role, a coach only coaching sessions of their companies and only their own uploads (404
    # otherwise, checked in the view); undoing one is the admin's alone.
    "imports.index": SIGNED_IN,
    "imports.detail": SIGNED_IN,
    "imports.change_mapping": SIGNED_IN,
    "imports.choose_updates": SIGNED_IN,
    "imports.apply": SIGNED_IN,
    "imports.undo": ADMIN_ONLY,
    "imports.template": SIGNED_IN,
    "admin_users.index": ADMIN_ONLY,
    "admin_users.export": ADMIN_ONLY,
    "admin_users.create": ADMIN_ONLY,
    "admin_users.edit": ADMIN_ONLY,
    "admin_users.reset_password": ADMIN_ONLY,
    "audit.index": ADMIN_ONLY,
    "audit.export": ADMIN_ONLY,
    # The benchmark's reference page (bench/pages.py).
    "bench.reference": ADMIN_ONLY,
    "company_admin.merge": COORDINATION,
    "company_admin.trash": ADMIN_ONLY,
    "company_admin.export_trash": ADMIN_ONLY,
    "company_admin.restore": ADMIN_ONLY,
    "company_admin.purge": ADMIN_ONLY,
    "company_admin.stage_changes": ADMIN_ONLY,
    "company_admin.export_stage_changes": ADMIN_ONLY,
    "pipeline.index": SIGNED_IN,
    "companies.index": SIGNED_IN,
    "companies.export": SIGNED_IN,
    "companies.export_products": SIGNED_IN,
    "companies.create": COORDINATION,
    "companies.detail": SIGNED_IN,
    "companies.edit": COORDINATION,
    "companies.change_stage": COORDINATION,
    "companies.assign_coaches": COORDINATION,
    "companies.add_certification": COORDINATION,
    "companies.delete_certification": COORDINATION,
    "companies.delete": COORDINATION,
    # Product changes check the role after loading: a coach not assigned to the company gets 404, not 403.
    "products.create": SIGNED_IN,
    "products.detail": SIGNED_IN,
    "products.edit": SIGNED_IN,
    "products.move_listing": SIGNED_IN,
    "products.delete": SIGNED_IN,
    # The pool is read by everyone; a profile is edited by its coach or by coordination (403 after loading).
    "coaches.index": SIGNED_IN,
    "coaches.export": SIGNED_IN,
    "coaches.edit_profile": SIGNED_IN,
    "coaches.specialties": ADMIN_ONLY,
    # A needs assessment is recorded by coordination or an assigned coach (others get 404 for the company).
    "assessments.create": SIGNED_IN,
    "assessments.detail": SIGNED_IN,
    "assessments.assign": COORDINATION,
    # Marking an action item done or reopening it checks after loading: 404 for a company the user may not
    # see, 403 for an item they may see but neither own nor led the session of.
    "actions.index": SIGNED_IN,
    "actions.export": SIGNED_IN,
    "actions.mark_done": SIGNED_IN,
    "actions.reopen": SIGNED_IN,
    # Coaching sessions: every role; a coach gets 404 for a company not assigned to them and 403 for another
    # coach's session (checked after loading).
    "coaching.index": SIGNED_IN,
    "coaching.export": SIGNED_IN,
    "coaching.create": SIGNED_IN,
    "coaching.detail": SIGNED_IN,
    "coaching.edit": SIGNED_IN,
    "coaching.delete": SIGNED_IN,
    # Programme setup: coordination only (a coach may not see programme lists: 403 before anything loads).
    "programs.index": COORDINATION,
    "programs.export": COORDINATION,
    "programs.create": COORDINATION,
    "programs.detail": COORDINATION,
    "programs.edit": COORDINATION,
    "programs.delete": COORDINATION,
    "programs.cohorts": COORDINATION,
    "programs.export_cohorts": COORDINATION,
    "programs.create_cohort": COORDINATION,
    "programs.edit_cohort": COORDINATION,
    "programs.delete_cohort": COORDINATION,
    "programs.enroll": COORDINATION,
    "programs.edit_enrollment": COORDINATION,
    "programs.delete_enrollment": COORDINATION,
    # Weekly reports: the grid, recording, reviewing and links are coordination's. An enrollment and its weeks
    # open for every role, but a coach only for a company assigned to them (404, checked when loading); a coach
    # may comment there, and a report change by a coach answers 403 after loading.
    "progress.cohort": COORDINATION,
    "progress.enrollment": SIGNED_IN,
    "progress.week": SIGNED_IN,
    "progress.review": COORDINATION,
    "progress.comment": SIGNED_IN,
    "progress.issue_link": COORDINATION,
    "progress.revoke_link": COORDINATION,
    "progress.export_reports": COORDINATION,
    # A company's submission link: no login; the signed token is the key, and the view is rate limited.
    "submit.form": PUBLIC,
    # Campaigns and channels: coordination only; coaches see participations on their companies' pages.
    "campaigns.index": COORDINATION,
    "campaigns.export": COORDINATION,
    "campaigns.export_participations": COORDINATION,
    "campaigns.export_unlisted": COORDINATION,
    "campaigns.create": COORDINATION,
    "campaigns.detail": COORDINATION,
    "campaigns.edit": COORDINATION,
    "campaigns.delete": COORDINATION,
    "campaigns.add_participants": COORDINATION,
    "campaigns.select": COORDINATION,
    "campaigns.move_participation": COORDINATION,
    "campaigns.edit_sales": COORDINATION,
    # A participation's results: every role may open it, but a coach only for a company assigned to them (404,
    # checked when loading) and read only: changes answer 403 to a coach after loading.
    "campaign_results.participation": SIGNED_IN,
    "campaign_results.set_metric": SIGNED_IN,
    "campaign_results.delete_metric": SIGNED_IN,
    "campaign_results.add_source": SIGNED_IN,
    "campaign_results.edit_source": SIGNED_IN,
    "campaign_results.delete_source": SIGNED_IN,
    "campaign_results.add_product": SIGNED_IN,
    "campaign_results.edit_product": SIGNED_IN,
    "campaign_results.remove_product": SIGNED_IN,
    "campaign_results.add_deliverable": SIGNED_IN,
    "campaign_results.edit_deliverable": SIGNED_IN,
    "campaign_results.delete_deliverable": SIGNED_IN,
    "campaign_results.unlisted": COORDINATION,
    "campaign_results.guide": COORDINATION,
    "channels.index": COORDINATION,
    "channels.export": COORDINATION,
    "channels.create": COORDINATION,
    "channels.edit": COORDINATION,
}


def test_t14_t15_every_route_is_in_the_access_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    assert sorted(endpoints - ACCESS_MATRIX.keys()) == []
    assert sorted(ACCESS_MATRIX.keys() - endpoints) == []


@pytest.mark.parametrize("endpoint", sorted(ACCESS_MATRIX))
def test_t15_each_view_declares_the_access_the_matrix_expects(app, endpoint):
    assert declared_access(app, endpoint) == ACCESS_MATRIX[endpoint]


def test_t14_a_view_that_declares_nothing_is_refused_even_to_an_admin(app, admin, client_as):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")

    response = client_as(admin).get("/undeclared")

    assert response.status_code == 403
    assert "secret" not in response.text


def _pages_for_each_role(admin):
    """GET URLs of the routes with the ids of existing records filled in."""
    return {
        "reports.dashboard": "/",
        "reports.weekly": "/reports/weekly?week=2021-W45",
        "reports_result.index": "/reports/?year=2021",
        "reports_result.export": "/reports/export.xlsx?year=2021",
        "auth.change_password": "/account/password",
        "admin_users.index": "/admin/users/",
        "admin_users.export": "/admin/users/export.csv",
        "admin_users.create": "/admin/users/new",
        "admin_users.edit": f"/admin/users/{admin.id}/edit",
        "audit.index": "/admin/audit/",
        "audit.export": "/admin/audit/export.xlsx",
        "bench.reference": "/admin/bench/reference",
        "company_admin.trash": "/admin/trash/",
        "company_admin.export_trash": "/admin/trash/export.csv?kind=product",
        "company_admin.stage_changes": "/admin/audit/stages",
        "coaches.index": "/coaches/",
        "coaches.export": "/coaches/export.csv",
        "coaches.specialties": "/coaches/specialties",
        "actions.index": "/actions/",
        "actions.export": "/actions/export.xlsx",
        "coaching.index": "/coaching/",
        "programs.index": "/programs/",
        "programs.export": "/programs/export.csv",
        "programs.create": "/programs/new",
        "programs.cohorts": "/cohorts/",
        "programs.export_cohorts": "/cohorts/export.xlsx",
        "programs.create_cohort": "/cohorts/new",
        "campaigns.index": "/campaigns/",
        "campaigns.create": "/campaigns/new",
        "campaign_results.unlisted": "/campaigns/unlisted",
        "campaigns.export_unlisted": "/campaigns/unlisted/export.csv",
        "channels.index": "/channels/",
        "channels.export": "/channels/export.csv",
        "channels.create": "/channels/new",
        "imports.index": "/imports/",
        "imports.template": "/imports/template/coaching_sessions.csv",
    }


@pytest.mark.parametrize("role", list(Role))
def test_t15_each_role_gets_exactly_the_pages_the_matrix_allows(role, admin, make_user, client_as):
    user = admin if role is Role.ADMIN else make_user(role)
    client = client_as(user)

    for endpoint, url in _pages_for_each_role(admin).items():
        allowed = ACCESS_MATRIX[endpoint] in (PUBLIC, SIGNED_IN) or role in ACCESS_MATRIX[endpoint]
        assert client.get(url).status_code == (200 if allowed else 403), (endpoint, role)


def test_t14_an_anonymous_visitor_is_sent_to_the_login_page_with_the_page_to_return_to(client, admin):
    for endpoint, url in _pages_for_each_role(admin).items():
        response = client.get(url)
        assert response.status_code == 302, endpoint
        assert response.headers["Location"].startswith("/login?next=")


def test_t15_a_coach_cannot_post_to_admin_only_views(coach, admin, client_as, db):
    client = client_as(coach)

    created = client.post("/admin/users/new", data={"login_id": "intruder", "name": "x", "role": "admin",
                                                    "password": "long enough pw", "password_confirm": "long enough pw"})
    promoted = client.post(f"/admin/users/{coach.id}/edit", data={"name": "x", "role": "admin", "active": "y",
                                                                   "version": coach.version})

    assert created.status_code == 403
    assert promoted.status_code == 403
    db.session.expire_all()
    assert coach.role is Role.COACH
