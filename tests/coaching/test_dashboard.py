"""The coach's dashboard: their companies, their recent and upcoming sessions and their open action items."""
from datetime import date, timedelta

import pytest
import time_machine

from crm.auth.models import Role
from tests.coaching.test_actions import new_company, new_item, new_session

SEOUL_10_MARCH = "2026-03-09 15:30:00+00:00"
TODAY = date(2026, 3, 10)


def part(response, testid: str) -> str:
    return response.text.split(f'data-testid="{testid}"')[1].split("</ul>")[0]


@pytest.fixture
def other_coach(make_user):
    return make_user(Role.COACH, login_id="coach2", name="코치2")


def test_a_coach_sees_their_companies_sessions_and_open_items(db, coach, other_coach, client_as):
    mine = new_company("레인보우팜", coaches=[coach])
    shared = new_company("아주건강한속삭임", coaches=[coach, other_coach])
    not_mine = new_company("남의기업", coaches=[other_coach])
    for days in range(1, 8):  # seven past sessions: the five latest show
        new_session(mine, coach, held_on=TODAY - timedelta(days=days), topic=f"지난 코칭 {days}")
    new_session(shared, coach, held_on=TODAY, topic="오늘 코칭")
    new_session(shared, coach, held_on=TODAY + timedelta(days=7), topic="다음 주 코칭")
    colleague_session = new_session(shared, other_coach, held_on=TODAY, topic="동료의 코칭")
    new_session(not_mine, other_coach, held_on=TODAY, topic="남의 기업 코칭")
    own_session = new_session(mine, coach, held_on=TODAY - timedelta(days=30), topic="오래전 코칭")
    new_item(own_session, "밀린 샘플 발송", due_on=TODAY - timedelta(days=1), owner=coach)
    new_item(own_session, "기업의 서류 준비", due_on=TODAY + timedelta(days=3))
    new_item(own_session, "끝난 일", due_on=TODAY, owner=coach, done_on=TODAY)
    new_item(colleague_session, "동료의 일", owner=other_coach)

    with time_machine.travel(SEOUL_10_MARCH, tick=False):
        response = client_as(coach).get("/")

    assert response.status_code == 200
    companies = part(response, "coach-companies")
    assert "레인보우팜" in companies and "아주건강한속삭임" in companies and "남의기업" not in companies
    recent = part(response, "coach-recent-sessions")
    assert [topic for topic in ("오늘 코칭", "지난 코칭 1", "지난 코칭 4", "지난 코칭 5") if topic in recent] == [
        "오늘 코칭", "지난 코칭 1", "지난 코칭 4"]
    assert recent.index("오늘 코칭") < recent.index("지난 코칭 1")
    assert "동료의 코칭" not in response.text and "남의 기업 코칭" not in response.text
    assert "다음 주 코칭" in part(response, "coach-upcoming-sessions")
    assert 'data-testid="coach-open-item-count">2<' in response.text
    items = part(response, "coach-open-items")
    assert items.index("밀린 샘플 발송") < items.index("기업의 서류 준비")
    assert "기한 지남" in items
    assert "끝난 일" not in items and "동료의 일" not in items
    assert "차례로 추가됩니다" not in response.text  # the placeholder is gone for coaches


def test_a_coach_without_anything_yet_gets_empty_sections(db, coach, client_as):
    response = client_as(coach).get("/")

    assert response.status_code == 200
    assert "배정된 기업이 없습니다." in response.text
    assert "예정된 코칭이 없습니다." in response.text
    assert 'data-testid="coach-open-item-count">0<' in response.text


def test_a_coordinator_does_not_get_the_coach_dashboard(db, coordinator, client_as):
    response = client_as(coordinator).get("/")

    assert 'data-testid="coach-dashboard"' not in response.text
    assert 'data-testid="funnel"' in response.text


def test_the_dashboard_takes_the_same_number_of_statements_however_much_the_coach_has(
        db, coach, client_as, count_queries):
    client = client_as(coach)

    def add(number: int):
        company = new_company(f"기업 {number}", coaches=[coach])
        past = new_session(company, coach, held_on=date(2026, 1, 1 + number % 28))
        new_session(company, coach, held_on=date(2099, 1, 1 + number % 28))
        new_item(past, f"과제 {number}", owner=coach if number % 2 else None)

    add(0)
    with count_queries() as few:
        assert client.get("/").status_code == 200
    for number in range(1, 30):
        add(number)
    with count_queries() as many:
        assert client.get("/").status_code == 200

    assert few.count == many.count, (few.statements, many.statements)
    assert "담당 기업 전체 보기" in client.get("/").text  # 30 companies: more than the dashboard lists
    print(f"coach dashboard: {few.count} statements at 1 and at 30 companies")


def test_the_kept_dashboard_follows_changes_and_the_day(db, coach, other_coach, client_as):
    mine = new_company("레인보우팜", coaches=[coach])
    session = new_session(mine, coach, held_on=TODAY - timedelta(days=3), topic="지난 코칭")
    item = new_item(session, "샘플 발송", due_on=TODAY - timedelta(days=1), owner=coach)
    with time_machine.travel("2026-03-09 14:50:00+00:00", tick=False) as traveller:  # 23:50 in Seoul
        client, other_client = client_as(coach), client_as(other_coach)
        first = client.get("/")
        for_the_other_coach = other_client.get("/")
        new_session(mine, coach, held_on=TODAY + timedelta(days=2), topic="새 코칭")
        after_a_new_session = client.get("/")
        traveller.move_to("2026-03-09 15:10:00+00:00")  # 00:10 the next day, within the idle timeout
        next_day = client.get("/")
        item.done_on = TODAY
        db.session.commit()
        after_done = client.get("/")

    assert "새 코칭" not in first.text and "기한 지남" not in part(first, "coach-open-items")
    assert "레인보우팜" not in for_the_other_coach.text
    assert "새 코칭" in part(after_a_new_session, "coach-upcoming-sessions")
    assert "기한 지남" in part(next_day, "coach-open-items")
    assert "샘플 발송" not in part(after_done, "coach-open-items")
    assert 'data-testid="coach-open-item-count">0<' in after_done.text
