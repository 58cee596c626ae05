"""The dashboard at / per role: a coordinator's funnel, campaigns and open items; an admin's whole funnel, the
latest stage and listing changes and logins; a coach only their own companies. Statements do not grow with rows."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from crm.auth.models import Role
from crm.campaigns.models import CampaignStatus
from crm.coaching.models import ActionItem, CoachingSession, SessionMode
from crm.companies import products
from crm.companies.models import Store
from crm.companies.pipeline import Stage
from crm.companies.services import move_stage
from crm.extensions import db as _db

NOW = "2021-11-10 03:00:00+00:00"
TODAY = date(2021, 11, 10)


def funnel_row(page, label: str) -> str:
    """The number the funnel's table gives for a stage."""
    table = page.text.split('data-testid="funnel"')[1].split("</table>")[0]
    return table.split(f'<th scope="row">{label}</th><td>')[1].split("</td>")[0]


def part(page, testid: str) -> str:
    return page.text.split(f'data-testid="{testid}"')[1].split("</section>")[0]


@pytest.fixture
def other_coordinator(make_user):
    return make_user(Role.COORDINATOR, login_id="coordinator2", name="코디2")


def _session_with_item(company, coach, what: str, due_on: date, done_on: date | None = None) -> ActionItem:
    session = CoachingSession(company_id=company.id, coach_id=coach.id, held_on=TODAY - timedelta(days=7),
                              duration_minutes=60, mode=SessionMode.IN_PERSON, topic="판로 코칭")
    _db.session.add(session)
    _db.session.flush()
    item = ActionItem(session_id=session.id, company_id=company.id, what=what, due_on=due_on, done_on=done_on)
    _db.session.add(item)
    _db.session.commit()
    return item


# --- the coordinator ----------------------------------------------------------------------------------------


def test_a_coordinators_funnel_counts_only_their_companies(db, make_company, coordinator, other_coordinator,
                                                          client_as):
    make_company("내 발굴1", coordinator_id=coordinator.id)
    make_company("내 발굴2", coordinator_id=coordinator.id)
    make_company("내 입점", coordinator_id=coordinator.id, stage=Stage.LISTED)
    make_company("남의 발굴", coordinator_id=other_coordinator.id)
    make_company("담당 없음")
    deleted = make_company("내 삭제된 기업", coordinator_id=coordinator.id)
    deleted.deleted_at = deleted.created_at
    db.session.commit()

    page = client_as(coordinator).get("/")

    assert page.status_code == 200
    assert funnel_row(page, "발굴") == "2개"
    assert funnel_row(page, "입점완료") == "1개"
    assert funnel_row(page, "보류") == "0개"
    assert f"/companies/?stage=sourced&amp;coordinator_id={coordinator.id}" in page.text


def test_the_funnel_link_opens_the_company_list_of_that_stage_and_coordinator(db, make_company, coordinator,
                                                                              other_coordinator, client_as):
    make_company("내 연락 기업", coordinator_id=coordinator.id, stage=Stage.CONTACTED)
    make_company("남의 연락 기업", coordinator_id=other_coordinator.id, stage=Stage.CONTACTED)
    make_company("내 발굴 기업", coordinator_id=coordinator.id)

    listing = client_as(coordinator).get(f"/companies/?stage=contacted&coordinator_id={coordinator.id}")

    assert listing.status_code == 200
    assert "내 연락 기업" in listing.text
    assert "남의 연락 기업" not in listing.text and "내 발굴 기업" not in listing.text


def test_a_coordinator_sees_running_campaigns_with_their_latest_figures(db, make_campaign, make_participation,
                                                                       coordinator, client_as):
    running = make_campaign("진행중 기획전", status=CampaignStatus.RUNNING)
    make_participation(running, sales_after=1_200_000)
    make_participation(running, sales_after=300_000)
    make_campaign("롯데온 기획전", status=CampaignStatus.FINISHED, starts_on=TODAY - timedelta(days=3),
                  ends_on=TODAY + timedelta(days=3), stated_after_total=265_418_348)
    make_campaign("끝난 기획전", status=CampaignStatus.FINISHED, starts_on=date(2021, 9, 1),
                  ends_on=date(2021, 9, 30))
    make_campaign("취소된 기획전", status=CampaignStatus.CANCELLED, starts_on=TODAY, ends_on=TODAY)

    with time_machine.travel(NOW, tick=False):
        page = client_as(coordinator).get("/")

    campaigns = part(page, "running-campaigns")
    assert "진행중 기획전" in campaigns and "롯데온 기획전" in campaigns
    assert "끝난 기획전" not in campaigns and "취소된 기획전" not in campaigns
    assert "참여 2개 기업" in campaigns and "1,500,000원" in campaigns
    lotte = campaigns.split("롯데온 기획전")[1].split("</li>")[0]
    assert "265,418,348원" in lotte and "집계" in lotte
    assert f"/campaigns/{running.id}" in campaigns


def test_a_coordinator_sees_the_open_action_items_most_urgent_first(db, make_company, coordinator, coach,
                                                                   client_as):
    company = make_company("레인보우팜")
    _session_with_item(company, coach, "샘플 발송", due_on=TODAY + timedelta(days=5))
    _session_with_item(company, coach, "밀린 서류", due_on=TODAY - timedelta(days=1))
    _session_with_item(company, coach, "끝난 일", due_on=TODAY, done_on=TODAY)

    with time_machine.travel(NOW, tick=False):
        page = client_as(coordinator).get("/")

    items = part(page, "open-items")
    assert 'data-testid="open-item-count">2<' in items
    assert items.index("밀린 서류") < items.index("샘플 발송")
    assert "기한 지남" in items and "끝난 일" not in items
    assert 'data-testid="dashboard-reports"' in page.text
    assert "/reports/weekly" in page.text


def test_the_kept_coordinator_panels_are_each_coordinators_own_and_follow_changes_and_the_day(
        db, make_company, make_campaign, coordinator, other_coordinator, coach, client_as):
    mine = make_company("내 기업", coordinator_id=coordinator.id)
    make_company("남의 기업", coordinator_id=other_coordinator.id)
    _session_with_item(mine, coach, "내일 할 일", due_on=TODAY + timedelta(days=1))
    make_campaign("모레 시작", starts_on=TODAY + timedelta(days=2), ends_on=TODAY + timedelta(days=9))
    with time_machine.travel(NOW, tick=False):
        client, other = client_as(coordinator), client_as(other_coordinator)
        assert funnel_row(client.get("/"), "발굴") == "1개"
        assert funnel_row(other.get("/"), "발굴") == "1개"

        move_stage(mine, Stage.CONTACTED, note=None, actor=coordinator)
        _session_with_item(mine, coach, "새 과제", due_on=TODAY + timedelta(days=3))
        page = client.get("/")
        assert (funnel_row(page, "발굴"), funnel_row(page, "연락")) == ("0개", "1개")
        assert 'data-testid="open-item-count">2<' in part(page, "open-items")
        assert "기한 지남" not in part(page, "open-items")
        assert funnel_row(other.get("/"), "발굴") == "1개"

    with time_machine.travel("2021-11-11 15:30:00+00:00", tick=False):  # 11. 12. 00:30 in Seoul
        client = client_as(coordinator)
        page = client.get("/")
    assert "기한 지남" in part(page, "open-items").split("내일 할 일")[1].split("</li>")[0]
    assert "모레 시작" in part(page, "running-campaigns")


def test_a_coordinator_does_not_get_the_admin_panels(db, coordinator, client_as):
    page = client_as(coordinator).get("/")

    assert 'data-testid="stage-changes"' not in page.text and 'data-testid="recent-logins"' not in page.text


# --- the admin ----------------------------------------------------------------------------------------------


def test_an_admin_sees_the_whole_funnel(db, make_company, admin, coordinator, other_coordinator, client_as):
    make_company("코디1 기업", coordinator_id=coordinator.id)
    make_company("코디2 기업", coordinator_id=other_coordinator.id)
    make_company("담당 없음", stage=Stage.DROPPED)

    page = client_as(admin).get("/")

    assert funnel_row(page, "발굴") == "2개"
    assert funnel_row(page, "제외") == "1개"
    assert "/companies/?stage=dropped" in page.text and "coordinator_id=" not in page.text


def test_an_admin_sees_the_latest_stage_and_listing_changes_with_who_made_them(db, make_company, admin,
                                                                                coordinator, client_as):
    company = make_company("단계기업")
    move_stage(company, Stage.CONTACTED, note=None, actor=coordinator)
    product = products.create_product(company, name="수제 비누", actor=coordinator)
    store = db.session.scalar(sa.select(Store).where(Store.is_default.is_(True)))
    products.move_listing(product, store, "applied", note=None, actor=admin)
    db.session.commit()

    page = client_as(admin).get("/")

    stages = part(page, "stage-changes")
    assert "단계기업" in stages and "발굴 → 연락" in stages and coordinator.name in stages
    assert f"/companies/{company.id}" in stages
    listings = part(page, "listing-changes")
    assert "수제 비누" in listings and "미입점 → 입점신청" in listings and admin.name in listings
    assert f"/products/{product.id}" in listings
    assert f"{admin.name} ({admin.login_id})" in part(page, "recent-logins")


# --- the coach ----------------------------------------------------------------------------------------------


def test_a_coach_never_sees_other_companies_nor_the_funnel(db, make_company, coach, client_as):
    make_company("내 담당 기업", coaches=[coach])
    make_company("남의 기업")

    page = client_as(coach).get("/")

    assert "내 담당 기업" in page.text and "남의 기업" not in page.text
    assert 'data-testid="funnel"' not in page.text and 'data-testid="running-campaigns"' not in page.text


# --- statements ---------------------------------------------------------------------------------------------


def _fill(number: int, *, make_company, make_campaign, make_participation, coordinator, admin, coach, store):
    company = make_company(f"기업{number}", coordinator_id=coordinator.id, coaches=[coach])
    move_stage(company, Stage.CONTACTED, note=None, actor=coordinator)
    product = products.create_product(company, name=f"상품{number}", actor=coordinator)
    products.move_listing(product, store, "applied", note=None, actor=admin)
    _db.session.commit()
    _session_with_item(company, coach, f"할 일{number}", due_on=TODAY)
    campaign = make_campaign(f"기획전{number}", status=CampaignStatus.RUNNING)
    make_participation(campaign, company, sales_after=number)


@pytest.mark.parametrize("role", list(Role))
def test_the_dashboard_issues_as_many_statements_for_many_rows_as_for_few(role, db, make_company, make_campaign,
                                                                         make_participation, admin, coordinator,
                                                                         coach, client_as, count_queries):
    user = {Role.ADMIN: admin, Role.COORDINATOR: coordinator, Role.COACH: coach}[role]
    client = client_as(user)
    store = db.session.scalar(sa.select(Store).where(Store.is_default.is_(True)))

    def statements() -> int:
        with count_queries() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    def fill(numbers):
        for number in numbers:
            _fill(number, make_company=make_company, make_campaign=make_campaign,
                  make_participation=make_participation, coordinator=coordinator, admin=admin, coach=coach,
                  store=store)

    fill(range(1, 2))
    few = statements()
    fill(range(2, 30))
    many = statements()

    assert many == few
