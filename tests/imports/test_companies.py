"""/imports/ with companies: preview, problems by line, update or skip, apply all or none, audit, undo, expiry."""
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from crm.audit.context import acting_as
from crm.audit.models import AuditLog
from crm.companies import services as company_services
from crm.companies.models import Company, CompanyAlias, EnterpriseType, StageChange
from crm.companies.pipeline import Stage
from crm.core.bulk import BulkWriter
from crm.core.errors import RuleError
from crm.core.models import DataVersion
from crm.core.softdelete import including_deleted
from crm.core.time import utcnow
from crm.imports import services
from crm.imports.models import ImportBatch, ImportRow, ImportStatus
from tests.companies.test_funnel import kept_columns
from tests.imports.conftest import COMPANY_HEADERS, business_number, company_rows, csv_bytes, xlsx_bytes


def _companies(db) -> list[Company]:
    return list(db.session.scalars(sa.select(Company).order_by(Company.id)))


def _batch(db) -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def _problems(db, batch) -> list[tuple[int, str | None, str]]:
    rows = db.session.scalars(sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.has_problems)
                              .order_by(ImportRow.line))
    return [(row.line, problem["column"], problem["message"]) for row in rows for problem in row.problems]


def test_a_coach_may_import_only_coaching_sessions(client_as, coach, upload, db):
    page = client_as(coach).get("/imports/")

    assert page.status_code == 200
    assert 'value="coaching_sessions"' in page.text and 'value="companies"' not in page.text
    assert upload(csv_bytes(COMPANY_HEADERS, company_rows(1)), "a.csv", user=coach).status_code == 422
    assert client_as(coach).get("/imports/template/companies.csv").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


def test_a_preview_stores_no_company_and_applying_stores_every_row(upload, client_as, coordinator, db):
    response = upload(csv_bytes(COMPANY_HEADERS, company_rows(3)), "기업.csv")

    assert response.status_code == 200
    assert "새로 등록" in response.text
    assert _companies(db) == []
    batch = _batch(db)
    assert (batch.status, batch.row_count, batch.problem_row_count) == (ImportStatus.PREVIEW, 3, 0)

    response = client_as(coordinator).post(f"/imports/{batch.id}/apply", follow_redirects=True)

    assert response.status_code == 200
    companies = _companies(db)
    assert [company.name for company in companies] == ["가져온기업1", "가져온기업2", "가져온기업3"]
    assert companies[0].enterprise_type is EnterpriseType.SOCIAL_ENTERPRISE
    assert companies[0].region_code is not None and companies[0].discovered_on == date(2021, 11, 25)
    batch = _batch(db)
    assert (batch.status, batch.created_count, batch.applied_by_id) == (ImportStatus.APPLIED, 3, coordinator.id)


def test_three_bad_rows_among_a_thousand_are_listed_and_nothing_is_stored_until_fixed(upload, client_as,
                                                                                     coordinator, db):
    rows = company_rows(1000)
    rows[9][2] = "123-45-67890"   # line 11: wrong check digit
    rows[499][3] = "화성시"        # line 501: no such region
    rows[998][1] = "주식회사"      # line 1000: no such enterprise type
    upload(csv_bytes(COMPANY_HEADERS, rows), "기업.csv")
    batch = _batch(db)

    assert [(line, column) for line, column, _message in _problems(db, batch)] == [
        (11, "사업자등록번호"), (501, "지역"), (1000, "기업유형")]
    assert "검증번호" in _problems(db, batch)[0][2]
    response = client_as(coordinator).post(f"/imports/{batch.id}/apply")
    assert response.status_code == 422
    assert "문제가 있는 행이 3개" in response.text
    assert _companies(db) == []

    rows[9][2], rows[499][3], rows[998][1] = business_number(10), "서울특별시", "협동조합"
    upload(csv_bytes(COMPANY_HEADERS, rows), "기업-고침.csv")
    fixed = _batch(db)
    assert client_as(coordinator).post(f"/imports/{fixed.id}/apply").status_code == 302

    assert len(_companies(db)) == 1000


def test_duplicate_business_numbers_and_names_inside_one_file_are_reported_by_line(upload, db):
    rows = company_rows(3)
    rows[2][2] = rows[0][2]
    rows.append(["가져온기업2", "사회적기업", "", "", ""])
    upload(csv_bytes(COMPANY_HEADERS, rows), "a.csv")

    problems = _problems(db, _batch(db))

    assert [(line, column) for line, column, _message in problems] == [(4, "사업자등록번호"), (5, "기업명")]
    assert "2행과 사업자등록번호가 같습니다" in problems[0][2]


def test_a_header_that_matches_no_field_is_shown_and_can_be_mapped_in_the_preview(upload, client_as, coordinator,
                                                                                 db):
    headers = ("회사 이름", "기업유형", "시도")
    response = upload(csv_bytes(headers, [["공생공작", "협동조합", "강원도"]]), "a.csv")

    assert "어떤 항목과도 맞지 않아" in response.text and "회사 이름" in response.text
    batch = _batch(db)
    assert batch.column_mapping == [None, "enterprise_type", "region"]
    assert "필수 항목 &#39;기업명&#39;" in response.text

    response = client_as(coordinator).post(f"/imports/{batch.id}/mapping", data={
        "columns-0": "name", "columns-1": "enterprise_type", "columns-2": "region", "update_existing": "y"})

    assert response.status_code == 302
    batch = _batch(db)
    assert batch.column_mapping == ["name", "enterprise_type", "region"]
    assert batch.problem_row_count == 0
    client_as(coordinator).post(f"/imports/{batch.id}/apply")
    company = _companies(db)[0]
    assert (company.name, company.region.name) == ("공생공작", "강원특별자치도")


def test_a_file_whose_first_row_names_no_field_is_refused(upload, db):
    response = upload(csv_bytes(("공생공작", "협동조합"), [["함께장터", "사회적기업"]]), "a.csv")

    assert response.status_code == 422
    assert "첫 행에서 열 제목을 찾지 못했습니다" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "a.csv", "빈 파일입니다."),
    ("기업명\r\n".encode(), "a.csv", "데이터 행이 없습니다"),
    (b"PK\x03\x04 not a workbook", "a.xlsx", "XLSX 파일을 열 수 없습니다"),
    ("기업명\r\n공생공작\r\n".encode(), "a.xlsx", "XLSX 파일이 아닙니다"),
])
def test_a_bad_upload_answers_422_with_the_reason_and_stores_nothing(upload, db, data, name, message):
    response = upload(data, name)

    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


def test_a_file_over_ten_megabytes_is_refused_before_it_is_read(upload, db):
    response = upload(b"x" * (10 * 1024 * 1024 + 1), "a.csv")

    assert response.status_code == 413
    assert "파일이 너무 큽니다" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


def test_mixed_date_formats_in_one_file_are_all_read(upload, client_as, coordinator, db):
    rows = company_rows(4)
    for row, text in zip(rows, ["2021-11-25", "2021.11.25", "2021. 11. 25.", "44525"], strict=True):
        row[4] = text
    rows.append(["나쁜날짜기업", "사회적기업", "", "", "11/25/2021"])
    upload(csv_bytes(COMPANY_HEADERS, rows), "a.csv")
    batch = _batch(db)

    assert [(line, column) for line, column, _message in _problems(db, batch)] == [(6, "발굴일")]
    assert "날짜를 읽을 수 없습니다" in _problems(db, batch)[0][2]


def test_an_xlsx_import_with_merged_cells_and_formulas_is_applied(upload, client_as, coordinator, db):
    def merge(sheet):
        sheet.merge_cells("B2:B3")

    upload(xlsx_bytes(COMPANY_HEADERS, [["가", "협동조합", None, "부산광역시", None],
                                        ["나", None, None, "부산광역시", None]], prepare=merge), "a.xlsx")
    batch = _batch(db)
    assert batch.problem_row_count == 0

    client_as(coordinator).post(f"/imports/{batch.id}/apply")

    assert {company.enterprise_type for company in _companies(db)} == {EnterpriseType.COOPERATIVE}


def test_a_row_matching_a_company_by_number_name_or_alias_is_an_update_or_can_be_skipped(
        upload, client_as, coordinator, make_company, db):
    by_number = make_company("옛이름", business_number=business_number(1), enterprise_type=EnterpriseType.OTHER)
    by_alias = make_company("365공유경제사회적협동조합", aliases=["공정여행통영뚜벅투어"], note="지켜야 할 메모")
    rows = [["새이름", "협동조합", business_number(1), "", ""],
            ["공정여행 통영뚜벅투어", "", "", "경상남도", ""],
            ["완전히새기업", "마을기업", "", "", ""]]
    upload(csv_bytes(COMPANY_HEADERS, rows), "a.csv")
    batch = _batch(db)
    client = client_as(coordinator)

    client.post(f"/imports/{batch.id}/mapping", data={f"columns-{n}": key for n, key in enumerate(
        ["name", "enterprise_type", "business_number", "region", "discovered_on"])})  # update_existing off
    assert _batch(db).update_existing is False
    client.post(f"/imports/{batch.id}/apply")

    db.session.expire_all()
    assert (_batch(db).created_count, _batch(db).updated_count, _batch(db).skipped_count) == (1, 0, 2)
    assert db.session.get(Company, by_number.id).name == "옛이름"

    upload(csv_bytes(COMPANY_HEADERS, rows[:2]), "b.csv")
    second = _batch(db)
    assert second.update_existing is True
    client.post(f"/imports/{second.id}/apply")

    db.session.expire_all()
    renamed = db.session.get(Company, by_number.id)
    assert (renamed.name, renamed.enterprise_type) == ("새이름", EnterpriseType.COOPERATIVE)
    kept = db.session.get(Company, by_alias.id)
    assert kept.region.name == "경상남도"
    assert kept.name == "공정여행 통영뚜벅투어"
    assert kept.note == "지켜야 할 메모"  # a column the file lacks keeps its value


def test_a_business_number_stored_by_somebody_else_during_apply_refuses_every_row_written_before_it(
        upload, client_as, coordinator, db, monkeypatch):
    upload(csv_bytes(COMPANY_HEADERS, company_rows(5)), "a.csv")
    batch = _batch(db)
    real_check = services.check_batch

    def check_then_a_rival_saves(checked, **kwargs):
        rows = real_check(checked, **kwargs)
        db.session.add(Company(name="경쟁", name_key="경쟁", enterprise_type=EnterpriseType.OTHER,
                               business_number=business_number(5), stage="sourced"))
        return rows

    # Two companies a statement: the first four are written before the fifth fails.
    monkeypatch.setattr(services, "WRITE_EVERY", 2)
    monkeypatch.setattr(services, "check_batch", check_then_a_rival_saves)

    with pytest.raises(RuleError):
        services.apply_batch(batch, actor=coordinator)
    db.session.rollback()

    assert _companies(db) == []
    assert _batch(db).status is ImportStatus.PREVIEW
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id)).where(AuditLog.import_batch_id.is_not(None))) == 0


def test_every_change_of_an_import_is_in_the_audit_log_under_it(upload, client_as, coordinator, make_company, db):
    existing = make_company("옛이름", business_number=business_number(1))
    upload(csv_bytes(COMPANY_HEADERS, [["새이름", "협동조합", business_number(1), "", ""], *company_rows(2, start=5)]),
           "a.csv")
    batch = _batch(db)

    client_as(coordinator).post(f"/imports/{batch.id}/apply")

    logged = list(db.session.scalars(sa.select(AuditLog).where(AuditLog.import_batch_id == batch.id)))
    assert {(row.record_type, row.action) for row in logged} >= {("Company", "insert"), ("Company", "update"),
                                                                 ("StageChange", "insert"), ("ImportBatch", "update")}
    update = next(row for row in logged if row.record_type == "Company" and row.action == "update")
    assert update.record_id == str(existing.id) and update.changes["name"] == ["옛이름", "새이름"]
    assert all(row.actor_id == coordinator.id for row in logged)


def _applied(upload, client_as, coordinator, db, rows, name="a.csv", headers=COMPANY_HEADERS):
    upload(csv_bytes(headers, rows), name)
    batch = _batch(db)
    assert client_as(coordinator).post(f"/imports/{batch.id}/apply").status_code == 302
    return _batch(db)


def test_an_admin_undoes_an_import_creations_go_to_the_trash_and_updates_get_their_old_values(
        upload, client_as, coordinator, admin, make_company, db):
    existing = make_company("옛이름", business_number=business_number(1), aliases=["옛브랜드"])
    rows = [["새이름", "협동조합", business_number(1), "부산광역시", "2021.11.25"], *company_rows(2, start=5)]
    batch = _applied(upload, client_as, coordinator, db, rows, headers=COMPANY_HEADERS)

    assert client_as(coordinator).post(f"/imports/{batch.id}/undo").status_code == 403
    response = client_as(admin).post(f"/imports/{batch.id}/undo")

    assert response.status_code == 302
    db.session.expire_all()
    assert [company.id for company in _companies(db)] == [existing.id]
    restored = db.session.get(Company, existing.id)
    assert (restored.name, restored.enterprise_type, restored.region_code, restored.discovered_on) == (
        "옛이름", EnterpriseType.SOCIAL_ENTERPRISE, None, None)
    assert restored.name_key == "옛이름"
    assert [alias.name for alias in restored.aliases] == ["옛브랜드"]
    trashed = db.session.scalars(including_deleted(sa.select(Company).where(Company.deleted_at.is_not(None))))
    assert sorted(company.name for company in trashed) == ["가져온기업5", "가져온기업6"]
    assert _batch(db).status is ImportStatus.UNDONE


def test_undo_restores_aliases_the_import_replaced(upload, client_as, coordinator, admin, make_company, db):
    existing = make_company("공생공작", aliases=["옛브랜드"])
    batch = _applied(upload, client_as, coordinator, db, [["공생공작", "새브랜드"]], headers=("기업명", "브랜드명"))
    db.session.expire_all()
    assert [alias.name for alias in db.session.get(Company, existing.id).aliases] == ["새브랜드"]

    client_as(admin).post(f"/imports/{batch.id}/undo")

    names = db.session.scalars(sa.select(CompanyAlias.name).where(CompanyAlias.company_id == existing.id))
    assert list(names) == ["옛브랜드"]


def test_undo_is_refused_naming_the_record_somebody_changed_since(upload, client_as, coordinator, admin, db):
    batch = _applied(upload, client_as, coordinator, db, company_rows(2))
    changed = _companies(db)[1]
    company_services.update_company(changed, company_services.CompanyFields(
        name="손댄기업", enterprise_type=EnterpriseType.OTHER), version=None, actor=coordinator)
    db.session.commit()

    response = client_as(admin).post(f"/imports/{batch.id}/undo")

    assert response.status_code == 422
    assert f"Company #{changed.id}" in response.text
    assert len(_companies(db)) == 2
    assert _batch(db).status is ImportStatus.APPLIED


def test_undo_is_refused_after_seven_days(upload, client_as, coordinator, admin, db):
    batch = _applied(upload, client_as, coordinator, db, company_rows(1))

    with time_machine.travel(utcnow() + timedelta(days=8)):
        response = client_as(admin).post(f"/imports/{batch.id}/undo")

    assert response.status_code == 422
    assert len(_companies(db)) == 1


def test_a_preview_expires_after_24_hours_and_its_rows_are_deleted(upload, client_as, coordinator, db):
    upload(csv_bytes(COMPANY_HEADERS, company_rows(2)), "a.csv")
    batch = _batch(db)

    with time_machine.travel(utcnow() + timedelta(hours=25)):
        assert "미리보기가 만료되었습니다" in client_as(coordinator).get(f"/imports/{batch.id}").text
        response = client_as(coordinator).post(f"/imports/{batch.id}/apply")
        assert response.status_code == 422
        upload(csv_bytes(COMPANY_HEADERS, company_rows(1, start=9)), "b.csv")

    assert _companies(db) == []
    assert db.session.get(ImportBatch, batch.id).status is ImportStatus.EXPIRED
    assert db.session.scalar(sa.select(sa.func.count()).where(ImportRow.batch_id == batch.id)) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_template_downloads_and_imports_back_as_the_example_company(client_as, coordinator, upload, db, fmt):
    client = client_as(coordinator)
    response = client.get(f"/imports/template/companies.{fmt}")
    assert response.status_code == 200

    upload(response.data, f"양식.{fmt}")
    batch = _batch(db)

    assert None not in batch.column_mapping
    assert batch.problem_row_count == 0
    client.post(f"/imports/{batch.id}/apply")
    assert [company.name for company in _companies(db)] == ["함께하는협동조합"]


def test_an_unknown_template_kind_is_404(client_as, coordinator):
    assert client_as(coordinator).get("/imports/template/nothing.csv").status_code == 404


def test_the_preview_page_issues_as_many_statements_for_many_rows_as_for_few(upload, client_as, coordinator, db,
                                                                            count_queries):
    def statements_for(count: int) -> int:
        rows = company_rows(count, start=count * 10)
        rows[0][3] = "없는지역"
        upload(csv_bytes(COMPANY_HEADERS, rows), f"{count}.csv")
        batch = _batch(db)
        client = client_as(coordinator)
        with count_queries() as counter:
            assert client.get(f"/imports/{batch.id}").status_code == 200
        return counter.count

    assert statements_for(3) == statements_for(300)


def test_checking_an_upload_issues_a_bounded_number_of_statements(upload, coordinator, db, count_queries):
    def statements_for(count: int) -> int:
        data = csv_bytes(COMPANY_HEADERS, company_rows(count, start=count * 10))
        with count_queries() as counter:
            services.create_batch(data, "a.csv", "companies", actor=coordinator)
        db.session.rollback()
        return counter.count

    assert statements_for(900) == statements_for(10)


def test_a_coach_gets_404_on_somebody_elses_preview(upload, client_as, coach, db):
    upload(csv_bytes(COMPANY_HEADERS, company_rows(1)), "a.csv")
    batch = _batch(db)
    client = client_as(coach)

    assert client.get(f"/imports/{batch.id}").status_code == 404
    assert client.post(f"/imports/{batch.id}/apply").status_code == 404
    assert client.post(f"/imports/{batch.id}/mapping", data={"columns-0": "name"}).status_code == 404
    assert _companies(db) == []


def test_a_missing_file_field_is_a_422_with_the_form(client_as, coordinator):
    response = client_as(coordinator).post("/imports/", data={"kind": "companies"},
                                           content_type="multipart/form-data")

    assert response.status_code == 422
    assert "파일을 고르세요" in response.text


def test_an_unknown_kind_is_a_422(client_as, coordinator):
    response = client_as(coordinator).post("/imports/", data={"kind": "nothing", "file": (io.BytesIO(b"x"), "a.csv")},
                                           content_type="multipart/form-data")

    assert response.status_code == 422


def test_a_new_company_is_made_as_the_form_makes_it_with_its_start_recorded_and_its_aliases(
        upload, client_as, coordinator, db):
    headers = ("기업명", "브랜드명(별칭)", "기업유형", "단계")
    _applied(upload, client_as, coordinator, db, [["공생공작", "공생공작, 공생 브랜드; 공생 브랜드, 다른이름",
                                                   "사회적기업", "입점완료"]], headers=headers)

    company = _companies(db)[0]
    assert company.stage is Stage.LISTED
    assert sorted(alias.name for alias in company.aliases) == ["공생 브랜드", "다른이름"]
    changes = list(db.session.scalars(sa.select(StageChange).where(StageChange.company_id == company.id)))
    assert [(change.from_stage, change.to_stage, change.by_id) for change in changes] == [
        (None, Stage.LISTED, coordinator.id)]


def test_imported_companies_get_the_funnel_columns_their_start_gives(upload, client_as, coordinator, db):
    headers = ("기업명", "기업유형", "단계")
    rows = [["발굴된 곳", "사회적기업", "발굴"], ["입점된 곳", "사회적기업", "입점완료"]]
    _applied(upload, client_as, coordinator, db, rows, headers=headers)

    companies = {company.name: company for company in _companies(db)}
    sourced = db.session.scalar(sa.select(StageChange.at).where(StageChange.company_id == companies["발굴된 곳"].id))
    assert kept_columns(companies["발굴된 곳"].id, db) == {"funnel_sourced_at": sourced, "funnel_days_to_listing": None}
    assert kept_columns(companies["입점된 곳"].id, db) == {"funnel_sourced_at": None, "funnel_days_to_listing": None}


def _inserts_logged(db) -> dict[str, tuple]:
    """Per kind of record, its insert audit row: when, who, under which batch, whether it names the record it
    logs, and the snapshot without the ids (the same company made twice gets other ones)."""
    logged = db.session.scalars(sa.select(AuditLog).where(
        AuditLog.action == "insert", AuditLog.record_type.in_(("Company", "CompanyAlias", "StageChange"))))
    return {row.record_type: (row.at, row.actor_id, row.actor_label, row.ip, row.import_batch_id,
                              row.record_id == str(row.changes["id"]),
                              {key: value for key, value in row.changes.items() if key not in ("id", "company_id")})
            for row in logged}


def test_an_imported_company_is_audited_as_the_listener_audits_one_made_by_hand(coordinator, db):
    headers = ("기업명", "브랜드명(별칭)", "기업유형", "사업자등록번호", "지역", "업종", "홈페이지", "발굴일", "단계")
    row = ["공생공작", "공생 브랜드", "협동조합", business_number(1), "강원도", "식품", "https://example.kr",
           "2021. 11. 25.", "입점완료"]
    with time_machine.travel(datetime(2026, 12, 6, 3, tzinfo=UTC), tick=False):
        batch_id = services.create_batch(csv_bytes(headers, [row]), "a.csv", "companies", actor=coordinator).id
        db.session.commit()
        with acting_as(coordinator, import_batch_id=batch_id):
            company_services.create_company(company_services.CompanyFields(
                name="공생공작", enterprise_type=EnterpriseType.COOPERATIVE, business_number=business_number(1),
                region="강원도", industry="식품", website="https://example.kr", discovered_on=date(2021, 11, 25),
                aliases=["공생 브랜드"]), stage=Stage.LISTED, actor=coordinator)
        by_hand = _inserts_logged(db)
        db.session.rollback()

        services.apply_batch(db.session.get(ImportBatch, batch_id), actor=coordinator)

    assert set(by_hand) == {"Company", "CompanyAlias", "StageChange"}
    assert _inserts_logged(db) == by_hand


def _data_version(db) -> int:
    return db.session.scalar(sa.select(DataVersion.version).where(DataVersion.name == "domain")) or 0


def test_the_data_version_is_raised_before_the_first_company_is_written(upload, coordinator, db, monkeypatch):
    upload(csv_bytes(COMPANY_HEADERS, company_rows(3)), "a.csv")
    before = _data_version(db)
    versions_at_writes = []

    class WatchedWriter(BulkWriter):
        def flush(self, table):
            versions_at_writes.append(_data_version(db))
            super().flush(table)

    monkeypatch.setattr(services, "BulkWriter", WatchedWriter)
    services.apply_batch(_batch(db), actor=coordinator)

    assert versions_at_writes and min(versions_at_writes) > before
