"""Campaign participations with sales: the report's slide-18 table imported as typed, the same page as entered by
hand; problems by line and column (every problem of a row); update or skip per row; export → import; undo."""
import re

import pytest
import sqlalchemy as sa

from crm.campaigns import services as campaign_services
from crm.campaigns.models import Participation, ParticipationChange, ParticipationStatus
from crm.imports import services
from crm.imports.models import ImportStatus
from tests.imports.conftest import (
    audited_types,
    company_rows,
    csv_bytes,
    latest_batch,
    problems_of,
    xlsx_bytes,
)

P = ParticipationStatus

# The report's slide 18 (해피빈 가을 선물 기획전), as printed: company, 오픈전, 오픈후, 매출 변화율.
SLIDE_18 = (
    ("샐러드보울", 76_266_640, 77_562_820, "2%"), ("매일생선", 15_194_600, 26_662_780, "75%"),
    ("달다쿠", 426_700, 5_111_930, "1,098%"), ("서천식품", 40_000, 3_747_000, "9,268%"),
    ("인제5대명품 용대리황태", 618_000, 3_156_010, "411%"), ("농업회사법인 조은", 0, 1_801_300, "신규매출발생"),
    ("건강을 그리다", 4_322_290, 572_780, "32%"), ("이풀약초", 892_300, 2_164_870, "143%"),
    ("씨드밀", 2_298_300, 17_744_200, "672%"), ("킹덤플랜트 협동조합", 227_000, 438_200, "93%"),
)
STATED = {"stated_company_count": 10, "stated_before_total": 100_285_830, "stated_after_total": 144_115_890,
          "stated_change_rate": "44%"}
HEADERS = ("업체명", "사업자등록번호", "상태", "판매 전", "판매 후", "매출 변화율")


def _section(html: str, testid_or_heading: str) -> str:
    """One section of a page, with the ids in its links made alike (two campaigns are compared)."""
    found = re.search(rf'<section aria-labelledby="{testid_or_heading}".*?</section>', html, re.S)
    assert found, testid_or_heading
    return re.sub(r"(campaigns/|participations/|campaign_id=)\d+", r"\1N", found.group(0))


def _apply(client, db, batch):
    response = client.post(f"/imports/{batch.id}/apply")
    assert response.status_code == 302, problems_of(db, batch)
    return latest_batch(db)


def test_the_slide_18_table_typed_as_xlsx_gives_the_same_pages_as_entering_it_by_hand(
        upload, client_as, coordinator, make_company, make_campaign, db):
    companies = [make_company(name) for name, *_figures in SLIDE_18]
    by_hand = make_campaign("해피빈 가을 선물 기획전", **STATED)
    imported = make_campaign("해피빈 가을 선물 기획전", **STATED)
    added = campaign_services.add_participations(by_hand, [company.id for company in companies], actor=coordinator)
    for participation in added:
        for status in (P.SELECTED, P.PARTICIPATING, P.COMPLETED):
            campaign_services.move_participation(participation, status, note=None, actor=coordinator)
    campaign_services.update_sales(by_hand, [
        campaign_services.SalesRowFields(participation.id, f"{before:,}", f"{after:,}", rate)
        for participation, (_name, before, after, rate) in zip(added, SLIDE_18, strict=True)], actor=coordinator)
    db.session.commit()
    typed = xlsx_bytes(("업체명", "오픈전", "오픈후", "매출 변화율"), SLIDE_18)

    upload(typed, "해피빈-슬라이드18.xlsx", kind="participations", campaign_id=imported.id)
    batch = latest_batch(db)
    assert (batch.campaign_id, batch.problem_row_count) == (imported.id, 0)
    _apply(client_as(coordinator), db, batch)

    db.session.expire_all()
    hand_table = campaign_services.sales_table(by_hand)
    import_table = campaign_services.sales_table(imported)
    assert [(row.company.name, row.before, row.after, row.rate, row.stated_rate, row.participation.status)
            for row in import_table.rows] == [
        (row.company.name, row.before, row.after, row.rate, row.stated_rate, row.participation.status)
        for row in hand_table.rows]
    assert (import_table.before_total, import_table.after_total, import_table.rate.label) == (
        100_285_830, 138_961_890, "39%")
    client = client_as(coordinator)
    assert _section(client.get(f"/campaigns/{imported.id}").text, "sales-heading") == _section(
        client.get(f"/campaigns/{by_hand.id}").text, "sales-heading")
    for hand_row, import_row in zip(hand_table.rows, import_table.rows, strict=True):
        hand_page = client.get(f"/campaigns/{by_hand.id}/participations/{hand_row.participation.id}").text
        import_page = client.get(f"/campaigns/{imported.id}/participations/{import_row.participation.id}").text
        assert _section(import_page, "facts-heading") == _section(hand_page, "facts-heading")


def test_three_bad_rows_among_a_thousand_are_listed_and_nothing_is_stored_until_fixed(
        upload, client_as, coordinator, make_campaign, db):
    companies = services.create_batch(csv_bytes(("기업명", "기업유형"), [row[:2] for row in company_rows(1000)]),
                                      "기업.csv", "companies", actor=coordinator)
    services.apply_batch(companies, actor=coordinator)
    db.session.commit()
    campaign = make_campaign()
    rows = [[f"가져온기업{n}", "", "완료", f"{n * 1000:,}", f"{n * 1500:,}", ""] for n in range(1, 1001)]
    rows[9][3] = "12만"                # line 11: not a whole number
    rows[499][0] = "없는기업"           # line 501: no such company
    rows[998][5] = "많이 늘었음"        # line 1000: not a rate
    upload(csv_bytes(HEADERS, rows), "참여.csv", kind="participations", campaign_id=campaign.id)
    batch = latest_batch(db)

    assert [(line, column) for line, column, _reason in problems_of(db, batch)] == [
        (11, "판매 전"), (501, "업체명"), (1000, "매출 변화율")]
    response = client_as(coordinator).post(f"/imports/{batch.id}/apply")
    assert response.status_code == 422
    assert "문제가 있는 행이 3개" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Participation.id))) == 0

    rows[9][3], rows[499][0], rows[998][5] = "10,000", "가져온기업500", "50%"
    upload(csv_bytes(HEADERS, rows), "참여-고침.csv", kind="participations", campaign_id=campaign.id)
    fixed = _apply(client_as(coordinator), db, latest_batch(db))

    assert fixed.created_count == 1000
    assert db.session.scalar(sa.select(sa.func.count(Participation.id)).where(
        Participation.campaign_id == campaign.id, Participation.status == P.COMPLETED)) == 1000


def test_every_problem_of_a_row_is_listed_not_only_the_first(upload, make_company, make_campaign, db):
    make_company("공생공작")
    campaign = make_campaign()
    upload(csv_bytes(HEADERS, [["공생공작", "", "참가", "-5", "백만원", "많이"]]), "a.csv", kind="participations",
           campaign_id=campaign.id)

    problems = problems_of(db, latest_batch(db))

    assert [(line, column) for line, column, _reason in problems] == [
        (2, "상태"), (2, "판매 전"), (2, "판매 후"), (2, "매출 변화율")]
    assert "0 이상" in problems[1][2]


def test_a_status_the_table_does_not_allow_and_sales_of_an_applicant_are_refused(
        upload, make_company, make_campaign, make_participation, db):
    campaign = make_campaign()
    make_participation(campaign, make_company("완료기업"), status=P.COMPLETED)
    make_company("신청기업")
    upload(csv_bytes(HEADERS, [["완료기업", "", "신청", "", "", ""], ["신청기업", "", "신청", "1,000", "", ""]]),
           "a.csv", kind="participations", campaign_id=campaign.id)

    problems = problems_of(db, latest_batch(db))

    assert [(line, column) for line, column, _reason in problems] == [(2, "상태"), (3, "판매 전")]
    assert "‘완료’에서 ‘신청’(으)로 옮길 수 없습니다" in problems[0][2]
    assert "선정·참여중·완료 기업에만" in problems[1][2]


def test_an_upload_of_participations_needs_a_campaign(upload, make_company, db):
    make_company("공생공작")

    response = upload(csv_bytes(HEADERS, [["공생공작", "", "", "1", "2", ""]]), "a.csv", kind="participations")

    assert response.status_code == 422
    assert "참여기업을 가져올 캠페인을 고르세요" in response.text


def test_each_matching_row_may_be_updated_or_skipped(upload, client_as, coordinator, make_company, make_campaign,
                                                     make_participation, db):
    campaign = make_campaign()
    kept = make_participation(campaign, make_company("그대로"), sales_before=1, sales_after=2)
    changed = make_participation(campaign, make_company("바뀜"), sales_before=1, sales_after=2)
    upload(csv_bytes(HEADERS, [["그대로", "", "", "100", "200", ""], ["바뀜", "", "", "100", "200", ""]]), "a.csv",
           kind="participations", campaign_id=campaign.id)
    batch = latest_batch(db)
    client = client_as(coordinator)
    preview = client.get(f"/imports/{batch.id}").text
    assert preview.count('data-testid="matched-row"') == 2

    response = client.post(f"/imports/{batch.id}/updates", data={"shown_lines": ["2", "3"], "update_lines": ["3"]})
    assert response.status_code == 302
    assert "갱신 1, 건너뜀 1" in client.get(f"/imports/{batch.id}").text
    batch = _apply(client, db, batch)

    assert (batch.created_count, batch.updated_count, batch.skipped_count) == (0, 1, 1)
    assert (db.session.get(Participation, kept.id).sales_before, db.session.get(Participation, changed.id)
            .sales_before) == (1, 100)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_participation_export_changes_nothing(upload, client_as, coordinator, make_company,
                                                            make_campaign, make_participation, db, fmt):
    campaign = make_campaign(**STATED)
    make_participation(campaign, make_company("=수식같은 기업", business_number="1234567891"), status=P.COMPLETED,
                       sales_before=0, sales_after=1_801_300, stated_change_rate="신규매출발생")
    make_participation(campaign, make_company("건강을 그리다"), status=P.SELECTED, sales_before=4_322_290,
                       sales_after=572_780, stated_change_rate="32%")
    make_participation(campaign, make_company("신청만"), status=P.APPLIED)
    make_participation(campaign, make_company("철회"), status=P.WITHDRAWN)
    before = {p.id: (p.version, p.status, p.sales_before, p.sales_after, p.stated_change_rate)
              for p in db.session.scalars(sa.select(Participation))}
    client = client_as(coordinator)
    exported = client.get(f"/campaigns/{campaign.id}/participations/export.{fmt}")
    assert exported.status_code == 200

    upload(exported.data, f"참여.{fmt}", kind="participations", campaign_id=campaign.id)
    batch = latest_batch(db)
    assert batch.problem_row_count == 0
    assert services.unmatched_headers(batch) == []
    batch = _apply(client, db, batch)

    assert (batch.created_count, batch.updated_count) == (0, 4)
    db.session.expire_all()
    assert {p.id: (p.version, p.status, p.sales_before, p.sales_after, p.stated_change_rate)
            for p in db.session.scalars(sa.select(Participation))} == before
    assert audited_types(db, batch) == {"ImportBatch"}


def test_the_campaign_page_links_to_the_export_and_the_import(client_as, coordinator, make_campaign):
    campaign = make_campaign()

    html = client_as(coordinator).get(f"/campaigns/{campaign.id}").text

    assert f"/campaigns/{campaign.id}/participations/export.xlsx" in html
    assert f"/imports/?kind=participations&amp;campaign_id={campaign.id}" in html


def test_an_admin_undoes_a_participation_import(upload, client_as, coordinator, admin, make_company, make_campaign,
                                                make_participation, db):
    campaign = make_campaign()
    existing = make_participation(campaign, make_company("있던기업"), status=P.SELECTED, sales_before=5)
    make_company("새기업")
    upload(csv_bytes(HEADERS, [["있던기업", "", "참여중", "10", "20", ""], ["새기업", "", "", "1", "2", "100%"]]),
           "a.csv", kind="participations", campaign_id=campaign.id)
    batch = _apply(client_as(coordinator), db, latest_batch(db))
    assert {"Participation", "ParticipationChange"} <= audited_types(db, batch)

    response = client_as(admin).post(f"/imports/{batch.id}/undo")

    assert response.status_code == 302
    db.session.expire_all()
    assert [p.id for p in db.session.scalars(sa.select(Participation))] == [existing.id]
    restored = db.session.get(Participation, existing.id)
    assert (restored.status, restored.sales_before, restored.sales_after) == (P.SELECTED, 5, None)
    assert db.session.scalar(sa.select(sa.func.count(ParticipationChange.id))) == 0
    assert latest_batch(db).status is ImportStatus.UNDONE
