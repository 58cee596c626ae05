"""Content deliverables (홍보영상, 상세페이지, …): kind, status, title and an http(s) link; versioned edits, soft
deletes; and what the company page shows of participations and deliverables."""
import pytest
import sqlalchemy as sa

from crm.campaigns import results
from crm.campaigns.models import (
    CampaignKind,
    Deliverable,
    DeliverableKind,
    DeliverableStatus,
    ParticipationChange,
    ParticipationStatus,
)
from crm.core.softdelete import including_deleted


def page_url(participation) -> str:
    return f"/campaigns/{participation.campaign_id}/participations/{participation.id}"


def stored(db) -> list[Deliverable]:
    db.session.expire_all()
    return list(db.session.scalars(including_deleted(sa.select(Deliverable).order_by(Deliverable.id))))


@pytest.fixture
def participation(make_campaign, make_participation):
    return make_participation(make_campaign("LGHV 캠페인", kind=CampaignKind.CONTENT, channel="LG헬로비전"))


def test_a_coordinator_adds_a_promotional_video_with_its_link(db, client_as, coordinator, participation):
    response = client_as(coordinator).post(page_url(participation) + "/deliverables", data={
        "kind": "video", "status": "in_production", "title": "업체 소개 영상", "url": "https://example.org/v/1"})

    assert response.status_code == 302
    (deliverable,) = stored(db)
    assert (deliverable.kind, deliverable.status, deliverable.title, deliverable.url) == (
        DeliverableKind.VIDEO, DeliverableStatus.IN_PRODUCTION, "업체 소개 영상", "https://example.org/v/1")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://x.org/a",
                                 "//example.org", "https://", "example.org/page"])
def test_a_link_that_is_not_http_or_https_is_refused_and_nothing_is_stored(db, client_as, coordinator,
                                                                          participation, url):
    response = client_as(coordinator).post(page_url(participation) + "/deliverables",
                                           data={"kind": "banner", "status": "planning", "url": url})

    assert response.status_code == 422
    assert "주소는 http:// 또는 https://로 시작해야 합니다." in response.text
    assert stored(db) == []


def test_an_unknown_kind_or_status_is_refused(db, client_as, coordinator, participation):
    client = client_as(coordinator)

    bad_kind = client.post(page_url(participation) + "/deliverables", data={"kind": "hologram", "status": "planning"})
    bad_status = client.post(page_url(participation) + "/deliverables", data={"kind": "gif", "status": "lost"})

    assert bad_kind.status_code == bad_status.status_code == 422
    assert stored(db) == []


def test_an_edit_made_on_an_old_version_is_refused_with_409_and_the_current_values(db, client_as, coordinator,
                                                                                   participation):
    deliverable = results.add_deliverable(participation, kind="detail_page", title="상세페이지", actor=coordinator)
    db.session.commit()
    old_version = deliverable.version
    results.update_deliverable(deliverable, version=old_version, kind="detail_page", status="review",
                               title="상세페이지 v2", actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(page_url(participation) + f"/deliverables/{deliverable.id}/edit", data={
        "kind": "detail_page", "status": "done", "title": "덮어쓰기", "version": str(old_version)})

    assert response.status_code == 409
    assert "상세페이지 v2" in response.text
    (current,) = stored(db)
    assert (current.status, current.title) == (DeliverableStatus.REVIEW, "상세페이지 v2")


def test_a_coordinator_completes_a_deliverable_and_the_company_timeline_says_so(db, client_as, coordinator,
                                                                               participation):
    deliverable = results.add_deliverable(participation, kind="illustration", title="제품 일러스트", actor=coordinator)
    db.session.commit()
    client = client_as(coordinator)

    response = client.post(page_url(participation) + f"/deliverables/{deliverable.id}/edit", data={
        "kind": "illustration", "status": "done", "title": "제품 일러스트", "version": str(deliverable.version)})
    company_page = client.get(f"/companies/{participation.company_id}")

    assert response.status_code == 302
    assert stored(db)[0].status is DeliverableStatus.DONE
    timeline = company_page.text.split('data-testid="timeline"')[1]
    assert "콘텐츠 완료: 제품 일러스트" in timeline


def test_deleting_a_deliverable_hides_it_and_keeps_the_row(db, client_as, coordinator, participation):
    deliverable = results.add_deliverable(participation, kind="gif", actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(page_url(participation) + f"/deliverables/{deliverable.id}/delete")

    assert response.status_code == 302
    (row,) = stored(db)
    assert row.deleted_at is not None
    assert row.deleted_by_id == coordinator.id


def test_a_coach_of_another_company_cannot_add_a_deliverable(db, client_as, coach, participation):
    response = client_as(coach).post(page_url(participation) + "/deliverables",
                                     data={"kind": "gif", "status": "planning"})

    assert response.status_code == 404
    assert stored(db) == []


def test_the_company_page_shows_participations_with_sales_rate_deliverables_and_status_changes(
        db, client_as, coach, make_company, make_participation, make_campaign, coordinator):
    company = make_company("달다쿠", coaches=[coach])
    participation = make_participation(make_campaign("가을 선물 기획전"), company, sales_before=426_700,
                                       sales_after=5_111_930, status=ParticipationStatus.COMPLETED)
    results.add_deliverable(participation, kind="detail_page", status="done", title="상세페이지 개선",
                            actor=coordinator)
    db.session.add(ParticipationChange(participation_id=participation.id, from_status=ParticipationStatus.SELECTED,
                                       to_status=ParticipationStatus.COMPLETED, by_id=coordinator.id))
    db.session.commit()

    response = client_as(coach).get(f"/companies/{company.id}")

    assert response.status_code == 200
    section = response.text.split('data-testid="company-participations"')[1].split("</section>")[0]
    assert "가을 선물 기획전" in section
    assert "426,700원" in section and "5,111,930원" in section
    assert "1,098%" in section
    assert "상세페이지 개선" in section
    timeline = response.text.split('data-testid="timeline"')[1]
    assert "가을 선물 기획전: 선정 → 완료" in timeline
    assert "콘텐츠 완료: 상세페이지 개선" in timeline


def test_the_company_page_issues_the_same_number_of_statements_for_few_and_many_participations(
        db, client_as, coordinator, make_company, make_participation, make_campaign, count_queries):
    company = make_company()
    client = client_as(coordinator)

    def add(count: int) -> None:
        for _number in range(count):
            participation = make_participation(make_campaign(), company)
            db.session.add(Deliverable(participation_id=participation.id, kind=DeliverableKind.BANNER,
                                       status=DeliverableStatus.DONE))
            db.session.add(ParticipationChange(participation_id=participation.id,
                                               to_status=ParticipationStatus.PARTICIPATING))
        db.session.commit()

    def statements() -> int:
        with count_queries() as counter:
            assert client.get(f"/companies/{company.id}").status_code == 200
        return counter.count

    add(1)
    few = statements()
    add(15)

    assert statements() == few


def test_the_campaign_page_counts_deliverables_by_status(db, client_as, coordinator, participation):
    for status in ("planning", "done", "done"):
        results.add_deliverable(participation, kind="video", status=status, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).get(f"/campaigns/{participation.campaign_id}")

    section = response.text.split('data-testid="campaign-deliverables"')[1].split("</section>")[0]
    assert 'data-testid="deliverables-done">2<' in section
    assert 'data-testid="deliverables-planning">1<' in section
