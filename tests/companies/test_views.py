import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.companies.models import Certification, Company, StageChange
from crm.companies.pipeline import Stage


def _company_form(**overrides):
    form = {"name": "㈜공공디자인이즘", "enterprise_type": "social_enterprise", "region": "51",
            "business_number": "120-81-47521", "aliases": "공생공작\n공공디자인", "stage": "sourced",
            "source": "LG헬로비전 신청", "discovered_on": "2021-05-03"}
    form.update(overrides)
    return form


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_coordinator_creates_a_company_and_sees_its_page(coordinator, client_as, db):
    client = client_as(coordinator)

    created = client.post("/companies/new", data=_company_form())

    company = db.session.scalar(sa.select(Company))
    assert created.status_code == 302 and created.headers["Location"] == f"/companies/{company.id}"
    page = client.get(f"/companies/{company.id}")
    assert "㈜공공디자인이즘" in page.text and "공생공작" in page.text
    assert "120-81-47521" in page.text and "강원특별자치도" in page.text
    assert "발굴 단계로 등록" in page.text


def test_creating_a_likely_duplicate_warns_with_a_link_first_and_saves_only_when_confirmed(coordinator, client_as,
                                                                                           db, make_company):
    existing = make_company("365공유경제사회적협동조합", aliases=["공정여행통영뚜벅투어"])
    client = client_as(coordinator)

    warned = client.post("/companies/new", data=_company_form(name="공정여행 통영뚜벅투어", business_number="",
                                                              aliases=""))
    assert warned.status_code == 409
    assert "같은 기업일 수 있습니다." in warned.text
    assert f'href="/companies/{existing.id}"' in warned.text
    assert _count(db, Company) == 1

    confirmed = client.post("/companies/new", data=_company_form(name="공정여행 통영뚜벅투어", business_number="",
                                                                 aliases="", confirm_duplicate="1"))
    assert confirmed.status_code == 302
    assert _count(db, Company) == 2


def test_bad_company_input_comes_back_beside_the_field_and_stores_nothing(coordinator, client_as, db):
    client = client_as(coordinator)
    audit_rows_before = _count(db, AuditLog)
    cases = {
        "wrong check digit": (_company_form(business_number="220-81-62518"), "검증번호"),
        "letters": (_company_form(business_number="12O-81-47521"), "숫자 10자리"),
        "nine digits": (_company_form(business_number="120-81-4752"), "입력한 숫자는 9자리"),
        "unknown region": (_company_form(region="99"), 'id="region-errors"'),
        "unknown type": (_company_form(enterprise_type="corporation"), 'id="enterprise_type-errors"'),
        "no name": (_company_form(name=""), "기업명을 입력하세요."),
        "script link": (_company_form(website="javascript:alert(1)"), "http:// 또는 https://"),
    }
    for case, (form, message) in cases.items():
        response = client.post("/companies/new", data=form)
        assert response.status_code == 422, case
        assert message in response.text, case

    assert _count(db, Company) == 0
    assert _count(db, AuditLog) == audit_rows_before


def test_moving_along_the_whole_pipeline_records_each_move(coordinator, client_as, db, make_company):
    company = make_company()
    client = client_as(coordinator)

    for stage in ("contacted", "guided", "applied", "listed"):
        assert client.post(f"/companies/{company.id}/stage", data={"stage": stage}).status_code == 302

    moves = db.session.execute(sa.select(StageChange.from_stage, StageChange.to_stage, StageChange.by_id)
                               .order_by(StageChange.id)).all()
    assert [(m.from_stage, m.to_stage) for m in moves][1:] == [
        (Stage.SOURCED, Stage.CONTACTED), (Stage.CONTACTED, Stage.GUIDED), (Stage.GUIDED, Stage.APPLIED),
        (Stage.APPLIED, Stage.LISTED)]
    assert {m.by_id for m in moves} == {coordinator.id}


def test_a_refused_move_comes_back_with_the_reason_and_changes_nothing(coordinator, client_as, db, make_company):
    company = make_company(stage=Stage.CONTACTED)
    client = client_as(coordinator)

    no_note = client.post(f"/companies/{company.id}/stage", data={"stage": "on_hold"})
    not_allowed = client.post(f"/companies/{company.id}/stage", data={"stage": "dropped_forever"})

    assert no_note.status_code == 422 and "사유가 필요합니다" in no_note.text
    assert not_allowed.status_code == 422
    db.session.expire_all()
    assert db.session.get(Company, company.id).stage is Stage.CONTACTED
    assert _count(db, StageChange) == 1


def test_a_move_from_the_board_returns_to_the_board_and_reports_a_refusal_there(coordinator, client_as, db,
                                                                                make_company):
    company = make_company(stage=Stage.CONTACTED)
    client = client_as(coordinator)

    moved = client.post(f"/companies/{company.id}/stage", data={"stage": "guided", "next": "/pipeline/?region=51"})
    refused = client.post(f"/companies/{company.id}/stage", data={"stage": "dropped", "next": "/pipeline/"})
    off_site = client.post(f"/companies/{company.id}/stage", data={"stage": "applied", "next": "//evil.example"})

    assert moved.headers["Location"] == "/pipeline/?region=51"
    assert refused.status_code == 303 and refused.headers["Location"] == "/pipeline/"
    assert off_site.headers["Location"] == f"/companies/{company.id}"


def test_the_second_of_two_editors_is_refused(coordinator, make_user, client_as, db, make_company):
    company = make_company("원래 이름")
    version = company.version
    first, second = client_as(coordinator), client_as(make_user())

    saved = first.post(f"/companies/{company.id}/edit", data=_company_form(name="첫 저장", version=version,
                                                                          business_number=""))
    refused = second.post(f"/companies/{company.id}/edit", data=_company_form(name="둘째 저장", version=version,
                                                                             business_number=""))

    assert saved.status_code == 302
    assert refused.status_code == 409 and "다른 사용자가 먼저 저장했습니다" in refused.text
    assert 'value="첫 저장"' in refused.text
    db.session.expire_all()
    assert db.session.get(Company, company.id).name == "첫 저장"


def test_a_coach_sees_only_assigned_companies_and_cannot_change_them(coach, make_user, client_as, db, make_company):
    from crm.auth.models import Role

    other_coach = make_user(Role.COACH)
    mine = make_company(coaches=[coach])
    theirs = make_company(coaches=[other_coach])
    client = client_as(coach)

    assert client.get(f"/companies/{mine.id}").status_code == 200
    assert client.get(f"/companies/{theirs.id}").status_code == 404
    assert client.post(f"/companies/{mine.id}/stage", data={"stage": "contacted"}).status_code == 403
    assert client.get(f"/companies/{mine.id}/edit").status_code == 403
    assert client.get("/companies/999999").status_code == 404


def test_a_deleted_company_is_gone_from_its_page_and_the_deletion_is_audited(coordinator, client_as, db,
                                                                            make_company):
    company = make_company()
    client = client_as(coordinator)

    assert client.post(f"/companies/{company.id}/delete").status_code == 302

    assert client.get(f"/companies/{company.id}").status_code == 404
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.record_type == "Company")
                             .order_by(AuditLog.id.desc())) == "delete"


def test_certifications_are_added_checked_and_flagged_when_ending(coordinator, client_as, db, make_company):
    company = make_company()
    client = client_as(coordinator)

    too_long = client.post(f"/companies/{company.id}/certifications", data={
        "kind": "pre_regional", "valid_from": "2024-01-01", "valid_to": "2027-06-01"})
    ended = client.post(f"/companies/{company.id}/certifications", data={
        "kind": "pre_ministry", "issuer": "농림축산식품부", "valid_from": "2021-01-01", "valid_to": "2023-12-31"})

    assert too_long.status_code == 422 and "3년을 넘을 수 없습니다" in too_long.text
    assert ended.status_code == 302
    assert _count(db, Certification) == 1
    assert "지정 종료" in client.get(f"/companies/{company.id}").text


def test_the_company_page_issues_the_same_number_of_statements_with_a_long_history(coordinator, client_as, db,
                                                                                   make_company, count_queries):
    from crm.companies import services

    company = make_company(stage=Stage.SOURCED)
    client = client_as(coordinator)
    with count_queries() as short:
        client.get(f"/companies/{company.id}")
    for _ in range(10):
        services.move_stage(company, Stage.ON_HOLD, note="대기", actor=coordinator)
        services.move_stage(company, Stage.SOURCED, note=None, actor=coordinator)
    db.session.commit()
    with count_queries() as long:
        client.get(f"/companies/{company.id}")

    assert long.count == short.count
