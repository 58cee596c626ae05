"""/actions/: whose items each user sees and in what order, ticking them off, and what coaching does to the
company page, merges and purges."""
import re
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from crm.audit.context import acting_as
from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.coaching.actions import company_section
from crm.coaching.models import ActionItem, CoachingSession, NeedsAssessment, SessionMode, Specialty
from crm.companies.merge import merge_companies
from crm.companies.models import Company, EnterpriseType
from crm.companies.services import CompanyFields, create_company, delete_company, set_coaches
from crm.companies.trash import purge_record
from crm.core.softdelete import including_deleted, soft_delete
from crm.extensions import db as _db

# 2026-03-09 15:30 UTC is already 10 March in Seoul: an item due on the 9th is overdue there.
SEOUL_10_MARCH = "2026-03-09 15:30:00+00:00"
TODAY = date(2026, 3, 10)


# Plain factories (the sessions' own services are another package's work): rows straight through the models.

def new_company(name: str, *, coaches=()) -> Company:
    company = create_company(CompanyFields(name=name, enterprise_type=EnterpriseType.SOCIAL_ENTERPRISE), actor=None)
    if coaches:
        set_coaches(company, [coach.id for coach in coaches], actor=None)
    _db.session.commit()
    return company


def new_session(company: Company, coach, *, held_on: date = date(2026, 3, 2),
                topic: str = "판로 코칭") -> CoachingSession:
    session = CoachingSession(company_id=company.id, coach_id=coach.id, held_on=held_on, duration_minutes=60,
                              mode=SessionMode.IN_PERSON, topic=topic)
    _db.session.add(session)
    _db.session.commit()
    return session


def new_item(session: CoachingSession, what: str, *, due_on: date = date(2026, 3, 20), owner=None,
             done_on: date | None = None) -> ActionItem:
    item = ActionItem(session_id=session.id, company_id=session.company_id, what=what, due_on=due_on,
                      owner_user_id=owner.id if owner else None, done_on=done_on)
    _db.session.add(item)
    _db.session.commit()
    return item


def listed(response) -> list[str]:
    """The `what` of each row of the /actions/ table, in order."""
    return re.findall(r'<tr data-testid="action-item">\s*<td class="text-prewrap">([^<]*)</td>', response.text)


def reload(db, model, record_id):
    db.session.expire_all()
    return db.session.scalar(including_deleted(sa.select(model).where(model.id == record_id)))


def audit_rows(db, after_id: int, record_type: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.id > after_id,
                                                             AuditLog.record_type == record_type)
                                   .order_by(AuditLog.id)))


def last_audit_id(db) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditLog.id), 0)))


@pytest.fixture
def coach_b(make_user):
    return make_user(Role.COACH, login_id="coach2", name="코치2")


@pytest.fixture
def company(coach, coach_b):
    return new_company("레인보우팜", coaches=[coach, coach_b])


# --- the list ---------------------------------------------------------------------------------------------

def test_my_items_come_overdue_first_by_seoul_date_then_by_due_date(db, coach, company, client_as):
    session = new_session(company, coach)
    new_item(session, "샘플 발송", due_on=date(2026, 3, 12), owner=coach)
    new_item(session, "견적 회신", due_on=date(2026, 3, 9), owner=coach)
    new_item(session, "상세페이지 수정", due_on=date(2026, 3, 10), owner=coach)
    new_item(session, "입점 서류 제출", due_on=date(2026, 2, 20), owner=coach)
    new_item(session, "끝난 일", due_on=date(2026, 2, 1), owner=coach, done_on=date(2026, 2, 1))

    with time_machine.travel(SEOUL_10_MARCH, tick=False):
        response = client_as(coach).get("/actions/")

    assert response.status_code == 200
    assert listed(response) == ["입점 서류 제출", "견적 회신", "상세페이지 수정", "샘플 발송"]
    assert response.text.count('data-testid="overdue"') == 2  # due today is not overdue yet
    assert "전체 4건" in response.text


def test_including_done_items_keeps_the_overdue_ones_first(db, coach, company, client_as):
    session = new_session(company, coach)
    new_item(session, "끝난 일", due_on=date(2026, 2, 1), owner=coach, done_on=date(2026, 2, 1))
    new_item(session, "밀린 일", due_on=date(2026, 3, 1), owner=coach)
    new_item(session, "다음 일", due_on=date(2026, 3, 30), owner=coach)

    with time_machine.travel(SEOUL_10_MARCH, tick=False):
        response = client_as(coach).get("/actions/?done=y")

    assert listed(response) == ["밀린 일", "끝난 일", "다음 일"]
    assert "다시 열기" in response.text


def test_a_coach_sees_their_own_items_and_the_company_items_of_sessions_they_led_only(
        db, coach, coach_b, coordinator, company, client_as):
    other_company = new_company("남의기업", coaches=[coach_b])
    mine = new_session(company, coach, topic="내 코칭")
    theirs = new_session(company, coach_b, topic="남의 코칭")
    elsewhere = new_session(other_company, coach_b)
    new_item(mine, "내가 맡은 일", owner=coach)
    new_item(mine, "내 코칭의 기업 과제")
    new_item(mine, "동료가 맡은 일", owner=coach_b)
    new_item(mine, "코디가 맡은 일", owner=coordinator)
    new_item(theirs, "남의 코칭의 기업 과제")
    new_item(theirs, "남의 코칭에서 내가 맡은 일", owner=coach)
    # Owned by the coach, but of a company no longer assigned to them: never shown.
    new_item(elsewhere, "배정되지 않은 기업의 일", owner=coach)
    gone_session = new_session(company, coach, topic="지운 코칭")
    new_item(gone_session, "지운 코칭의 일", owner=coach)
    soft_delete(gone_session, actor=coordinator)
    gone_item = new_item(mine, "지운 과제", owner=coach)
    soft_delete(gone_item, actor=coordinator)
    db.session.commit()

    response = client_as(coach).get("/actions/")

    assert sorted(listed(response)) == sorted(["내가 맡은 일", "내 코칭의 기업 과제", "남의 코칭에서 내가 맡은 일"])
    assert "남의기업" not in response.text
    assert 'name="owner"' not in response.text  # no owner filter for a coach


def test_a_coach_cannot_widen_the_list_with_an_owner_parameter(db, coach, coach_b, company, client_as):
    session = new_session(company, coach_b)
    new_item(session, "동료의 일", owner=coach_b)

    response = client_as(coach).get(f"/actions/?owner={coach_b.id}")

    assert response.status_code == 200
    assert listed(response) == []


def test_a_coordinator_sees_everyones_items_and_filters_by_owner_or_the_company(
        db, coach, coach_b, coordinator, company, client_as):
    session = new_session(company, coach)
    new_item(session, "코치1의 일", owner=coach)
    new_item(session, "코치2의 일", owner=coach_b)
    new_item(session, "기업의 일")
    new_item(session, "끝난 기업의 일", done_on=date(2026, 3, 1))
    client = client_as(coordinator)

    everyone = client.get("/actions/")
    by_coach = client.get(f"/actions/?owner={coach_b.id}")
    by_company = client.get("/actions/?owner=company")
    by_company_with_done = client.get("/actions/?owner=company&done=y")

    assert sorted(listed(everyone)) == ["기업의 일", "코치1의 일", "코치2의 일"]
    assert listed(by_coach) == ["코치2의 일"]
    assert listed(by_company) == ["기업의 일"]
    assert sorted(listed(by_company_with_done)) == ["기업의 일", "끝난 기업의 일"]
    assert f'<option selected value="{coach_b.id}">' in by_coach.text


def test_items_of_a_deleted_company_leave_the_list(db, coach, coordinator, company, client_as):
    new_item(new_session(company, coach), "지운 기업의 일", owner=coach)
    delete_company(company, actor=coordinator)
    db.session.commit()

    assert listed(client_as(coordinator).get("/actions/")) == []
    assert listed(client_as(coach).get("/actions/")) == []


def test_an_unknown_owner_gets_the_form_back_with_a_message_and_filters_nothing(db, coach, coordinator, company,
                                                                             client_as):
    session = new_session(company, coach)
    new_item(session, "코치1의 일", owner=coach)

    response = client_as(coordinator).get("/actions/?owner=nobody")

    assert response.status_code == 422
    assert "invalid-feedback" in response.text
    assert listed(response) == ["코치1의 일"]


def test_the_list_links_each_item_to_its_company_and_session(db, coach, company, client_as):
    session = new_session(company, coach, topic="한살림 입점 코칭")
    new_item(session, "샘플 발송", owner=coach)

    response = client_as(coach).get("/actions/")

    assert f'href="/companies/{company.id}"' in response.text
    assert "한살림 입점 코칭" in response.text
    assert f'/sessions/{session.id}"' in response.text


@pytest.mark.parametrize("role", [Role.COACH, Role.COORDINATOR])
def test_the_list_takes_the_same_number_of_statements_for_5_and_100_items(db, make_user, company, client_as,
                                                                         count_queries, role):
    viewer = make_user(role)
    coach = viewer if role is Role.COACH else make_user(Role.COACH)
    set_coaches(company, [coach.id], actor=None)
    owners = [make_user(Role.COACH) for _ in range(3)]
    session = new_session(company, coach)
    client = client_as(viewer)

    def items_to(total):
        while db.session.scalar(sa.select(sa.func.count(ActionItem.id))) < total:
            number = db.session.scalar(sa.select(sa.func.count(ActionItem.id)))
            db.session.add(ActionItem(session_id=session.id, company_id=company.id, what=f"과제 {number}",
                                      due_on=date(2026, 3, 1 + number % 28),
                                      owner_user_id=(coach if number % 2 else owners[number % 3]).id
                                      if number % 5 else None))
        db.session.commit()

    items_to(5)
    with count_queries() as few:
        assert client.get("/actions/").status_code == 200
    items_to(100)
    with count_queries() as many:
        assert client.get("/actions/").status_code == 200

    assert few.count == many.count, (few.statements, many.statements)
    print(f"/actions/ as {role}: {few.count} statements at 5 and at 100 items")


# --- done and reopen --------------------------------------------------------------------------------------

def test_the_owner_marks_an_item_done_on_the_seoul_date_and_the_audit_log_has_it(db, coach, company, client_as):
    item = new_item(new_session(company, coach), "샘플 발송", owner=coach)
    before = last_audit_id(db)

    with time_machine.travel(SEOUL_10_MARCH, tick=False):
        response = client_as(coach).post(f"/actions/{item.id}/done", data={"next": "/actions/?done=y"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/actions/?done=y"
    assert reload(db, ActionItem, item.id).done_on == TODAY
    [row] = audit_rows(db, before, "ActionItem")
    assert (row.action, row.record_id, row.actor_id) == ("update", str(item.id), coach.id)
    assert row.changes["done_on"] == [None, "2026-03-10"]


def test_marking_done_twice_keeps_the_first_day(db, coach, company, client_as):
    item = new_item(new_session(company, coach), "샘플 발송", owner=coach, done_on=date(2026, 3, 1))

    response = client_as(coach).post(f"/actions/{item.id}/done")

    assert response.status_code == 302
    assert reload(db, ActionItem, item.id).done_on == date(2026, 3, 1)


def test_a_coordinator_reopens_an_item_and_the_audit_log_has_it(db, coach, coordinator, company, client_as):
    item = new_item(new_session(company, coach), "샘플 발송", owner=coach, done_on=date(2026, 3, 1))
    before = last_audit_id(db)

    response = client_as(coordinator).post(f"/actions/{item.id}/reopen")

    assert response.status_code == 302
    assert response.headers["Location"] == "/actions/"
    assert reload(db, ActionItem, item.id).done_on is None
    [row] = audit_rows(db, before, "ActionItem")
    assert row.changes["done_on"] == ["2026-03-01", None]
    assert row.actor_id == coordinator.id


def test_the_coach_who_led_the_session_ticks_off_the_companys_item(db, coach, company, client_as):
    item = new_item(new_session(company, coach), "기업의 일")

    response = client_as(coach).post(f"/actions/{item.id}/done")

    assert response.status_code == 302
    assert reload(db, ActionItem, item.id).done_on is not None


def test_another_coach_of_the_company_gets_403_and_an_unassigned_coach_404(db, coach, coach_b, make_user, company,
                                                                          client_as):
    item = new_item(new_session(company, coach), "코치1의 일", owner=coach)
    stranger = make_user(Role.COACH)

    colleague = client_as(coach_b).post(f"/actions/{item.id}/done")
    outsider = client_as(stranger).post(f"/actions/{item.id}/done")
    outsider_reopen = client_as(stranger).post(f"/actions/{item.id}/reopen")

    assert colleague.status_code == 403
    assert outsider.status_code == outsider_reopen.status_code == 404
    assert reload(db, ActionItem, item.id).done_on is None


def test_an_item_of_a_deleted_session_or_an_unknown_item_is_not_found(db, coach, coordinator, company, client_as):
    session = new_session(company, coach)
    item = new_item(session, "코치1의 일", owner=coach)
    soft_delete(session, actor=coordinator)
    db.session.commit()

    assert client_as(coordinator).post(f"/actions/{item.id}/done").status_code == 404
    assert client_as(coordinator).post("/actions/999999/done").status_code == 404


def test_a_next_that_leaves_the_site_goes_to_the_list_instead(db, coach, company, client_as):
    item = new_item(new_session(company, coach), "샘플 발송", owner=coach)

    response = client_as(coach).post(f"/actions/{item.id}/done", data={"next": "//evil.example/"})

    assert response.headers["Location"] == "/actions/"


def test_marking_done_needs_a_post_with_a_csrf_token(app, db, coach, company, client_as):
    item = new_item(new_session(company, coach), "샘플 발송", owner=coach)
    client = client_as(coach)
    app.config["WTF_CSRF_ENABLED"] = True

    assert client.get(f"/actions/{item.id}/done").status_code == 405
    assert client.post(f"/actions/{item.id}/done").status_code == 400
    assert reload(db, ActionItem, item.id).done_on is None


# --- the company page -------------------------------------------------------------------------------------

def test_the_company_page_counts_the_open_items_and_shows_the_most_urgent(db, coach, coordinator, company, client_as):
    session = new_session(company, coach)
    new_item(session, "나중 일", due_on=date(2026, 4, 30))
    new_item(session, "급한 일", due_on=date(2026, 3, 1), owner=coach)
    new_item(session, "끝난 일", done_on=date(2026, 3, 1))
    gone = new_item(session, "지운 일")
    soft_delete(gone, actor=coordinator)
    db.session.commit()

    with time_machine.travel(SEOUL_10_MARCH, tick=False):
        response = client_as(coach).get(f"/companies/{company.id}")

    assert response.status_code == 200
    assert "미완료 실행과제 2건" in response.text
    section = response.text.split('data-testid="company-actions"')[1].split("</section>")[0]
    assert section.index("급한 일") < section.index("나중 일")
    assert "기한 지남" in section


def test_the_company_section_counts_in_two_statements(db, coach, company, count_queries):
    session = new_session(company, coach)
    for number in range(8):
        new_item(session, f"과제 {number}")
    db.session.refresh(company), db.session.refresh(coach)

    with count_queries() as counter:
        section = company_section(company, coach)

    assert section["open_count"] == 8 and len(section["urgent_items"]) == 3
    assert counter.count == 2


def test_the_timeline_shows_items_created_and_done(db, coach, company, client_as):
    session = new_session(company, coach)
    new_item(session, "샘플 발송", owner=coach, done_on=date(2026, 3, 5))
    new_item(session, "입점 서류")

    response = client_as(coach).get(f"/companies/{company.id}")

    timeline = response.text.split('data-testid="timeline"')[1]
    assert "실행과제 등록: 샘플 발송" in timeline
    assert "실행과제 등록: 입점 서류" in timeline
    assert "실행과제 완료: 샘플 발송" in timeline


# --- merge and purge --------------------------------------------------------------------------------------

def test_merging_moves_assessments_sessions_and_items_to_the_survivor(db, coach, coordinator):
    survivor = new_company("아주건강한속삭임", coaches=[coach])
    absorbed = new_company("㈜속삭임", coaches=[coach])
    sns = db.session.scalar(sa.select(Specialty).where(Specialty.name == "SNS 홍보"))
    assessment = NeedsAssessment(company_id=absorbed.id, assessed_on=date(2021, 9, 1), needs=[sns])
    db.session.add(assessment)
    db.session.commit()
    session = new_session(absorbed, coach)
    item = new_item(session, "인스타그램 계정 개설")
    gone = new_item(session, "지운 과제")
    soft_delete(gone, actor=coordinator)
    db.session.commit()
    before = last_audit_id(db)

    with acting_as(coordinator):
        merge_companies(survivor, absorbed, actor=coordinator)
        db.session.commit()

    assert reload(db, NeedsAssessment, assessment.id).company_id == survivor.id
    assert reload(db, CoachingSession, session.id).company_id == survivor.id
    assert reload(db, ActionItem, item.id).company_id == survivor.id
    assert reload(db, ActionItem, gone.id).company_id == survivor.id
    for record_type, count in (("NeedsAssessment", 1), ("CoachingSession", 1), ("ActionItem", 2)):
        rows = audit_rows(db, before, record_type)
        assert len(rows) == count
        assert all(row.changes["company_id"] == [absorbed.id, survivor.id] for row in rows)
        assert all(row.actor_id == coordinator.id for row in rows)
    assert company_section(survivor, coach)["open_count"] == 1


def test_purging_a_company_with_coaching_records_deletes_them_and_logs_each(db, coach, admin, coordinator):
    company = new_company("지울기업", coaches=[coach])
    specialties = list(db.session.scalars(sa.select(Specialty).limit(2)))
    assessment = NeedsAssessment(company_id=company.id, assessed_on=date(2021, 9, 1), needs=specialties)
    db.session.add(assessment)
    db.session.commit()
    session = new_session(company, coach)
    new_item(session, "과제 하나")
    gone = new_item(session, "지운 과제")
    soft_delete(gone, actor=coordinator)
    gone_session = new_session(company, coach)
    new_item(gone_session, "지운 코칭의 과제")
    soft_delete(gone_session, actor=coordinator)
    delete_company(company, actor=coordinator)
    db.session.commit()
    before = last_audit_id(db)

    with acting_as(admin):
        purge_record(reload(db, Company, company.id), actor=admin)
        db.session.commit()

    assert reload(db, Company, company.id) is None
    for model in (ActionItem, CoachingSession, NeedsAssessment):
        assert db.session.scalar(including_deleted(sa.select(sa.func.count(model.id)))) == 0
    assert db.session.execute(sa.text("SELECT count(*) FROM assessment_needs")).scalar() == 0
    for record_type, count in (("ActionItem", 3), ("CoachingSession", 2), ("NeedsAssessment", 1)):
        rows = audit_rows(db, before, record_type)
        assert [row.action for row in rows] == ["delete"] * count
        assert all(row.actor_id == admin.id for row in rows)
