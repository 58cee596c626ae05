"""Coaching sessions: recording one with its action items, what is refused, editing and deleting, who sees
which sessions in the list, the detail page and the export, the filters, and the company page."""
import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from crm.audit.models import AuditAction, AuditLog
from crm.auth.models import Role
from crm.coaching import sessions as services
from crm.coaching.models import ActionItem, CoachingSession, CoachProfile, SessionMode, Specialty
from crm.coaching.session_views import EXPORT_HEADERS
from crm.companies.models import Company, EnterpriseType
from crm.companies.services import CompanyFields, create_company, set_coaches
from crm.core.errors import RuleError
from crm.core.export import UTF8_BOM
from crm.core.softdelete import including_deleted
from crm.core.time import seoul_today, utcnow
from crm.extensions import db as _db
from tests.conftest import csrf_token_from

SESSION_LINK = re.compile(r'<a href="/coaching/sessions/(\d+)" data-testid="session-link">([^<]*)</a>')


# Factories ---------------------------------------------------------------------------------------------------

def new_company(name: str, *, coaches=()) -> Company:
    company = create_company(CompanyFields(name=name, enterprise_type=EnterpriseType.SOCIAL_ENTERPRISE), actor=None)
    if coaches:
        set_coaches(company, [coach.id for coach in coaches], actor=None)
    _db.session.commit()
    return company


def new_session(company: Company, coach, *, held_on: date = date(2021, 9, 1), topic: str = "판로 코칭",
                items=()) -> CoachingSession:
    session = services.create_session(company, coach=coach, held_on=held_on, duration_minutes=60,
                                      mode=SessionMode.IN_PERSON, topic=topic, content="내용", recommendations="제언",
                                      action_items=items, actor=coach)
    _db.session.commit()
    return session


def form_data(**overrides) -> dict:
    data = {
        "held_on": "2021-09-01",
        "duration_minutes": "90",
        "mode": "in_person",
        "topic": "한살림 입점 상품 샘플 제안",
        "content": "상품 샘플 구성 검토",
        "recommendations": "소포장 규격 마련",
    }
    data.update(overrides)
    return data


def item_row(index: int, what: str = "", due_on: str = "", owner: str = "", *, item_id: str = "",
             done_on: str = "", remove: bool = False) -> dict:
    prefix = f"action_items-{index}-"
    row = {prefix + "id": item_id, prefix + "what": what, prefix + "due_on": due_on,
           prefix + "owner_user_id": owner, prefix + "done_on": done_on}
    if remove:
        row[prefix + "remove"] = "y"
    return row


def edit_data(session: CoachingSession, **overrides) -> dict:
    data = form_data(held_on=session.held_on.isoformat(), duration_minutes=str(session.duration_minutes),
                     mode=session.mode.value, topic=session.topic, content=session.content or "",
                     recommendations=session.recommendations or "", version=str(session.version),
                     coach_id=str(session.coach_id))
    for index, item in enumerate(session.action_items):
        data.update(item_row(index, item.what, item.due_on.isoformat(), str(item.owner_user_id or ""),
                             item_id=str(item.id), done_on=item.done_on.isoformat() if item.done_on else ""))
    data.update(overrides)
    return data


def sessions_count(db) -> int:
    return db.session.scalar(including_deleted(sa.select(sa.func.count(CoachingSession.id))))


def items_count(db) -> int:
    return db.session.scalar(including_deleted(sa.select(sa.func.count(ActionItem.id))))


def reload_session(db, session_id: int) -> CoachingSession:
    db.session.expire_all()
    return db.session.scalar(including_deleted(sa.select(CoachingSession).where(CoachingSession.id == session_id)))


def live_items(db, session_id: int) -> list[ActionItem]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ActionItem).where(ActionItem.session_id == session_id)
                                   .order_by(ActionItem.id)))


def topics_on(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [topic for _id, topic in SESSION_LINK.findall(response.text)]


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(UTF8_BOM))))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.get_data())).active


def error_beside(response, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-errors">(.*?)</div>\s*</div>', response.text, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def coach_b(make_user):
    return make_user(Role.COACH, login_id="coach2", name="코치2")


@pytest.fixture
def outsider(make_user):
    """A coach assigned to no company of these tests."""
    return make_user(Role.COACH, login_id="coach3", name="코치3")


@pytest.fixture
def company(coach, coach_b):
    return new_company("레인보우팜", coaches=[coach, coach_b])


# Recording a session --------------------------------------------------------------------------------------

def test_a_coach_records_a_session_with_two_action_items_and_each_row_is_audited(db, client_as, coach, company):
    client = client_as(coach)
    data = form_data(**item_row(0, "샘플 발송", "2021-09-15", str(coach.id)),
                     **item_row(1, "단가표 정리", "2021-09-20"), **item_row(2))

    response = client.post(f"/coaching/sessions/new?company_id={company.id}", data=data)

    assert response.status_code == 302
    session = db.session.scalar(sa.select(CoachingSession))
    assert response.headers["Location"] == f"/coaching/sessions/{session.id}"
    assert (session.company_id, session.coach_id, session.held_on, session.duration_minutes, session.mode) == \
        (company.id, coach.id, date(2021, 9, 1), 90, SessionMode.IN_PERSON)
    assert session.topic == "한살림 입점 상품 샘플 제안" and session.recommendations == "소포장 규격 마련"
    items = live_items(db, session.id)
    assert [(i.what, i.owner_user_id, i.due_on, i.company_id) for i in items] == [
        ("샘플 발송", coach.id, date(2021, 9, 15), company.id), ("단가표 정리", None, date(2021, 9, 20), company.id)]
    audit = list(db.session.scalars(sa.select(AuditLog).where(AuditLog.record_type.in_(("CoachingSession",
                                                                                         "ActionItem")))))
    assert sorted((row.record_type, row.action, row.actor_id) for row in audit) == [
        ("ActionItem", AuditAction.INSERT, coach.id), ("ActionItem", AuditAction.INSERT, coach.id),
        ("CoachingSession", AuditAction.INSERT, coach.id)]


def test_the_new_session_form_offers_five_blank_action_item_rows_with_labels(client_as, coach, company):
    response = client_as(coach).get(f"/coaching/sessions/new?company_id={company.id}")

    assert response.status_code == 200
    for index in range(5):
        assert f'for="action_items-{index}-what"' in response.text
        assert f'for="action_items-{index}-due_on"' in response.text
    assert 'name="action_items-5-what"' not in response.text
    assert 'name="coach_id"' not in response.text  # a coach records as themselves
    assert "<script>" not in response.text and "style=" not in response.text


@pytest.mark.parametrize("minutes, message", [
    ("0", "1분 이상"), ("-5", "1분 이상"), ("1441", "24시간"), ("", "입력하세요"), ("한시간", "정수"),
])
def test_a_duration_outside_1_to_1440_minutes_is_refused_beside_the_field(db, client_as, coach, company, minutes,
                                                                          message):
    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}",
                                     data=form_data(duration_minutes=minutes,
                                                    **item_row(0, "샘플 발송", "2021-09-15")))

    assert response.status_code == 422
    assert message in error_beside(response, "duration_minutes")
    assert sessions_count(db) == 0 and items_count(db) == 0


def test_a_session_dated_far_in_the_future_is_refused(db, client_as, coach, company):
    ahead = (seoul_today() + timedelta(days=30)).isoformat()

    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}", data=form_data(held_on=ahead))

    assert response.status_code == 422
    assert "늦을 수 없습니다" in error_beside(response, "held_on")
    assert sessions_count(db) == 0


@time_machine.travel("2026-03-09 15:30:00+00:00", tick=False)  # already 10 March in Seoul
def test_tomorrow_in_seoul_is_the_latest_day_a_session_may_have(db, client_as, coach, company):
    client = client_as(coach)

    refused = client.post(f"/coaching/sessions/new?company_id={company.id}", data=form_data(held_on="2026-03-12"))
    accepted = client.post(f"/coaching/sessions/new?company_id={company.id}", data=form_data(held_on="2026-03-11"))

    assert refused.status_code == 422
    assert "2026. 3. 11." in error_beside(refused, "held_on")
    assert accepted.status_code == 302


def test_an_action_item_without_a_due_date_is_refused_beside_its_field(db, client_as, coach, company):
    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}",
                                     data=form_data(**item_row(0, "샘플 발송", "2021-09-15"),
                                                    **item_row(1, "단가표 정리")))

    assert response.status_code == 422
    assert "기한" in error_beside(response, "action_items-1-due_on")
    assert sessions_count(db) == 0 and items_count(db) == 0


def test_an_action_item_with_a_due_date_but_nothing_to_do_is_refused(db, client_as, coach, company):
    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}",
                                     data=form_data(**item_row(0, "", "2021-09-15")))

    assert response.status_code == 422
    assert "내용" in error_beside(response, "action_items-0-what")
    assert sessions_count(db) == 0


def test_a_session_without_a_topic_is_refused(db, client_as, coach, company):
    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}", data=form_data(topic="  "))

    assert response.status_code == 422
    assert "주제를 입력하세요" in error_beside(response, "topic")
    assert sessions_count(db) == 0


def test_every_problem_shows_on_the_first_submit(db, client_as, coach, company):
    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}",
                                     data=form_data(topic="", duration_minutes="0", **item_row(0, "샘플 발송")))

    assert response.status_code == 422
    for field_id in ("topic", "duration_minutes", "action_items-0-due_on"):
        error_beside(response, field_id)


def test_an_owner_who_may_not_see_the_company_is_refused(db, client_as, coach, outsider, company):
    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}",
                                     data=form_data(**item_row(0, "샘플 발송", "2021-09-15", str(outsider.id))))

    assert response.status_code == 422
    assert "담당자" in error_beside(response, "action_items-0-owner_user_id")
    assert sessions_count(db) == 0


def test_a_coach_posting_for_a_company_not_assigned_to_them_gets_404_and_nothing_is_stored(db, client_as, outsider,
                                                                                          company):
    client = client_as(outsider)

    shown = client.get(f"/coaching/sessions/new?company_id={company.id}")
    posted = client.post(f"/coaching/sessions/new?company_id={company.id}",
                         data=form_data(**item_row(0, "샘플 발송", "2021-09-15")))

    assert shown.status_code == 404 and posted.status_code == 404
    assert sessions_count(db) == 0 and items_count(db) == 0


@pytest.mark.parametrize("query", ["", "?company_id=", "?company_id=abc", "?company_id=99999"])
def test_a_missing_or_unknown_company_is_not_found(client_as, coordinator, query):
    assert client_as(coordinator).get(f"/coaching/sessions/new{query}").status_code == 404


def test_a_coach_sending_another_coach_s_id_still_records_the_session_as_themselves(db, client_as, coach, coach_b,
                                                                                   company):
    response = client_as(coach).post(f"/coaching/sessions/new?company_id={company.id}",
                                     data=form_data(coach_id=str(coach_b.id)))

    assert response.status_code == 302
    assert db.session.scalar(sa.select(CoachingSession.coach_id)) == coach.id


def test_a_coordinator_chooses_the_coach_among_those_assigned_to_the_company(db, client_as, coordinator, coach_b,
                                                                             outsider, company):
    client = client_as(coordinator)

    form = client.get(f"/coaching/sessions/new?company_id={company.id}")
    refused = client.post(f"/coaching/sessions/new?company_id={company.id}", data=form_data(coach_id=str(outsider.id)))
    missing = client.post(f"/coaching/sessions/new?company_id={company.id}", data=form_data(coach_id=""))
    accepted = client.post(f"/coaching/sessions/new?company_id={company.id}", data=form_data(coach_id=str(coach_b.id)))

    assert f'<option value="{coach_b.id}">' in form.text and f'<option value="{outsider.id}">' not in form.text
    assert refused.status_code == 422 and "배정된 코치" in error_beside(refused, "coach_id")
    assert missing.status_code == 422 and "코치를 선택하세요" in error_beside(missing, "coach_id")
    assert accepted.status_code == 302
    assert db.session.scalar(sa.select(CoachingSession.coach_id)) == coach_b.id


def test_a_coordinator_is_told_to_assign_a_coach_first(client_as, coordinator):
    company = new_company("코치없는기업")

    page = client_as(coordinator).get(f"/companies/{company.id}")
    form = client_as(coordinator).get(f"/coaching/sessions/new?company_id={company.id}")

    assert "코치를 배정하세요" in page.text
    assert "배정된 코치가 없습니다" in form.text


def test_recording_needs_the_csrf_token_of_the_form(db, app, client_as, coach, company):
    client = client_as(coach)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/coaching/sessions/new?company_id={company.id}")

    refused = client.post(f"/coaching/sessions/new?company_id={company.id}", data=form_data())
    accepted = client.post(f"/coaching/sessions/new?company_id={company.id}",
                           data=form_data(csrf_token=csrf_token_from(page.text)))

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert sessions_count(db) == 1


def test_the_service_takes_action_items_as_tuples(db, coordinator, coach, company):
    session = services.create_session(company, coach=coach.id, held_on=date(2021, 9, 1), duration_minutes=45,
                                      mode="remote", topic="SNS 홍보", content=None, recommendations=None,
                                      action_items=[("인스타그램 계정 개설", None, date(2021, 9, 10))],
                                      actor=coordinator)

    assert session.mode is SessionMode.REMOTE
    assert [(item.what, item.owner_user_id) for item in session.action_items] == [("인스타그램 계정 개설", None)]


def test_the_service_names_the_row_of_a_refused_action_item(db, coordinator, coach, company):
    with pytest.raises(RuleError) as refused:
        services.create_session(company, coach=coach, held_on=date(2021, 9, 1), duration_minutes=45, mode="remote",
                                topic="SNS 홍보", action_items=[("샘플", None, date(2021, 9, 1)), ("단가", None, None)],
                                actor=coordinator)

    assert refused.value.field == "action_items-1-due_on"


# Editing and deleting -------------------------------------------------------------------------------------

def test_the_coach_who_led_a_session_edits_it_and_its_action_items(db, client_as, coach, company):
    session = new_session(company, coach, items=[("샘플 발송", None, date(2021, 9, 15)),
                                                  ("단가표 정리", None, date(2021, 9, 20))])
    first, second = session.action_items
    client = client_as(coach)
    assert client.get(f"/coaching/sessions/{session.id}/edit").status_code == 200

    data = edit_data(session, topic="바뀐 주제", **item_row(0, "샘플 2종 발송", "2021-09-16", str(coach.id),
                                                         item_id=str(first.id), done_on="2021-09-14"),
                     **item_row(1, "단가표 정리", "2021-09-20", item_id=str(second.id), remove=True),
                     **item_row(2, "상세페이지 초안", "2021-09-30"), **item_row(3))
    response = client.post(f"/coaching/sessions/{session.id}/edit", data=data)

    assert response.status_code == 302
    assert reload_session(db, session.id).topic == "바뀐 주제"
    assert [(i.what, i.owner_user_id, i.due_on, i.done_on) for i in live_items(db, session.id)] == [
        ("샘플 2종 발송", coach.id, date(2021, 9, 16), date(2021, 9, 14)),
        ("상세페이지 초안", None, date(2021, 9, 30), None)]
    removed = db.session.get(ActionItem, second.id)
    assert removed.deleted_at is not None and removed.deleted_by_id == coach.id


def test_another_coach_of_the_company_may_read_but_not_edit_or_delete_a_session(db, client_as, coach, coach_b,
                                                                                company):
    session = new_session(company, coach)
    client = client_as(coach_b)

    assert client.get(f"/coaching/sessions/{session.id}").status_code == 200
    assert client.get(f"/coaching/sessions/{session.id}/edit").status_code == 403
    assert client.post(f"/coaching/sessions/{session.id}/edit",
                       data=edit_data(session, topic="가로채기")).status_code == 403
    assert client.post(f"/coaching/sessions/{session.id}/delete").status_code == 403
    assert reload_session(db, session.id).topic == "판로 코칭"
    assert reload_session(db, session.id).deleted_at is None


def test_a_stale_edit_is_refused_with_the_current_values_and_the_first_save_is_kept(db, client_as, coach,
                                                                                    coordinator, company):
    session = new_session(company, coach)
    opened = edit_data(session)

    first = client_as(coordinator).post(f"/coaching/sessions/{session.id}/edit", data={**opened, "topic": "먼저 저장"})
    second = client_as(coach).post(f"/coaching/sessions/{session.id}/edit", data={**opened, "topic": "나중 저장"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "다른 사용자가 먼저 저장했습니다" in second.text
    assert 'value="먼저 저장"' in second.text
    assert reload_session(db, session.id).topic == "먼저 저장"


def test_a_change_to_the_action_items_alone_makes_an_older_form_stale(db, client_as, coach, coordinator, company):
    session = new_session(company, coach, items=[("샘플 발송", None, date(2021, 9, 15))])
    opened = edit_data(session)
    item_id = session.action_items[0].id

    first = client_as(coordinator).post(f"/coaching/sessions/{session.id}/edit",
                                        data={**opened, "action_items-0-done_on": "2021-09-14"})
    second = client_as(coach).post(f"/coaching/sessions/{session.id}/edit",
                                   data={**opened, "action_items-0-what": "덮어쓰기"})

    assert first.status_code == 302 and second.status_code == 409
    item = live_items(db, session.id)[0]
    assert (item.id, item.what, item.done_on) == (item_id, "샘플 발송", date(2021, 9, 14))


def test_an_edit_cannot_touch_an_item_of_another_session(db, client_as, coach, company):
    session = new_session(company, coach)
    other = new_session(company, coach, items=[("남의 과제", None, date(2021, 9, 15))])
    foreign_id = other.action_items[0].id

    response = client_as(coach).post(f"/coaching/sessions/{session.id}/edit",
                                     data=edit_data(session, **item_row(0, "탈취", "2021-09-15",
                                                                        item_id=str(foreign_id), remove=True)))

    assert response.status_code == 422
    assert [item.what for item in live_items(db, other.id)] == ["남의 과제"]


def test_a_bad_edit_is_refused_beside_the_field_and_nothing_changes(db, client_as, coach, company):
    session = new_session(company, coach)

    response = client_as(coach).post(f"/coaching/sessions/{session.id}/edit",
                                     data=edit_data(session, duration_minutes="1441"))

    assert response.status_code == 422
    error_beside(response, "duration_minutes")
    assert reload_session(db, session.id).duration_minutes == 60


def test_the_coach_who_led_a_session_deletes_it_with_its_items(db, client_as, coach, company):
    session = new_session(company, coach, items=[("샘플 발송", None, date(2021, 9, 15))])
    client = client_as(coach)

    response = client.post(f"/coaching/sessions/{session.id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company.id}"
    assert reload_session(db, session.id).deleted_at is not None
    assert live_items(db, session.id) == []
    assert client.get(f"/coaching/sessions/{session.id}").status_code == 404
    assert topics_on(client.get("/coaching/")) == []


def test_a_coordinator_edits_and_deletes_any_session(db, client_as, coordinator, coach, company):
    session = new_session(company, coach)
    client = client_as(coordinator)

    edited = client.post(f"/coaching/sessions/{session.id}/edit", data=edit_data(session, topic="코디 수정"))
    deleted = client.post(f"/coaching/sessions/{session.id}/delete")

    assert edited.status_code == 302 and deleted.status_code == 302
    assert reload_session(db, session.id).deleted_at is not None


# Who sees what --------------------------------------------------------------------------------------------

@pytest.fixture
def two_companies(coach, coach_b, outsider):
    mine = new_company("레인보우팜", coaches=[coach])
    theirs = new_company("아주건강한속삭임", coaches=[coach_b])
    return new_session(mine, coach, topic="한살림 입점"), new_session(theirs, coach_b, topic="SNS 홍보")


def test_a_coordinator_sees_every_session(client_as, coordinator, two_companies):
    assert sorted(topics_on(client_as(coordinator).get("/coaching/"))) == ["SNS 홍보", "한살림 입점"]


def test_a_coach_sees_only_sessions_of_companies_assigned_to_them(client_as, coach, coach_b, two_companies):
    mine, theirs = two_companies
    client = client_as(coach)

    listed = client.get("/coaching/")

    assert topics_on(listed) == ["한살림 입점"]
    assert "아주건강한속삭임" not in listed.text  # not even in the company filter
    assert client.get(f"/coaching/sessions/{mine.id}").status_code == 200
    assert client.get(f"/coaching/sessions/{theirs.id}").status_code == 404
    assert client.get(f"/coaching/sessions/{theirs.id}/edit").status_code == 404
    assert client.post(f"/coaching/sessions/{theirs.id}/delete").status_code == 404


def test_another_coach_finds_nothing_of_a_session_in_the_export(client_as, coach_b, two_companies):
    client = client_as(coach_b)

    rows = read_csv(client.get("/coaching/export.csv"))
    sheet = read_xlsx(client.get("/coaching/export.xlsx"))

    assert [row[5] for row in rows[1:]] == ["SNS 홍보"]
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["SNS 홍보"]


def test_a_coach_filtering_by_someone_elses_company_finds_nothing(client_as, coach, two_companies):
    _mine, theirs = two_companies

    response = client_as(coach).get(f"/coaching/?company_id={theirs.company_id}")
    exported = read_csv(client_as(coach).get(f"/coaching/export.csv?company_id={theirs.company_id}"))

    assert response.status_code == 200 and topics_on(response) == []
    assert exported[1:] == []


def test_a_coach_who_is_unassigned_no_longer_sees_the_sessions(db, client_as, coach, two_companies):
    mine, _theirs = two_companies
    set_coaches(db.session.get(Company, mine.company_id), [], actor=None)
    db.session.commit()

    assert client_as(coach).get(f"/coaching/sessions/{mine.id}").status_code == 404


def test_sessions_of_a_deleted_company_are_not_listed(db, client_as, coordinator, two_companies):
    mine, _theirs = two_companies
    from crm.companies.services import delete_company
    delete_company(db.session.get(Company, mine.company_id), actor=coordinator)
    db.session.commit()

    assert topics_on(client_as(coordinator).get("/coaching/")) == ["SNS 홍보"]


# Filters --------------------------------------------------------------------------------------------------

def test_filter_by_coach_and_by_company(client_as, coordinator, coach, coach_b, two_companies):
    mine, theirs = two_companies
    client = client_as(coordinator)

    assert topics_on(client.get(f"/coaching/?coach_id={coach_b.id}")) == ["SNS 홍보"]
    assert topics_on(client.get(f"/coaching/?company_id={mine.company_id}")) == ["한살림 입점"]
    assert topics_on(client.get(f"/coaching/?company_id={mine.company_id}&coach_id={coach_b.id}")) == []


def test_filter_by_a_part_of_the_company_name(client_as, coordinator, coach, two_companies):
    client = client_as(coordinator)

    assert topics_on(client.get("/coaching/?company_name=레인보우")) == ["한살림 입점"]
    assert topics_on(client.get("/coaching/?company_name=건강한")) == ["SNS 홍보"]
    assert topics_on(client.get("/coaching/?company_name=없는회사")) == []
    # A coach's search never reaches a company that is not theirs.
    assert topics_on(client_as(coach).get("/coaching/?company_name=건강한")) == []


def test_the_company_filter_offers_the_linked_company_not_every_company(client_as, coordinator, two_companies):
    mine, _theirs = two_companies
    client = client_as(coordinator)

    unfiltered = client.get("/coaching/").text
    linked = client.get(f"/coaching/?company_id={mine.company_id}").text

    assert "레인보우팜" not in unfiltered.split('id="company_id"')[1].split("</select>")[0]
    assert f'<option selected value="{mine.company_id}">레인보우팜</option>' in linked
    assert client.get("/coaching/?company_id=abc").status_code == 422


def test_filter_by_a_specialty_of_the_coach(db, client_as, coordinator, coach, coach_b, two_companies):
    sns = db.session.scalar(sa.select(Specialty).where(Specialty.name == "SNS 홍보"))
    retail = db.session.scalar(sa.select(Specialty).where(Specialty.name == "유통 입점"))
    db.session.add_all([CoachProfile(user_id=coach.id, specialties=[retail]),
                        CoachProfile(user_id=coach_b.id, specialties=[sns, retail])])
    db.session.commit()
    client = client_as(coordinator)

    assert topics_on(client.get(f"/coaching/?specialty_id={sns.id}")) == ["SNS 홍보"]
    assert sorted(topics_on(client.get(f"/coaching/?specialty_id={retail.id}"))) == ["SNS 홍보", "한살림 입점"]


def test_filter_by_a_range_of_days_includes_both_ends(client_as, coordinator, coach, company):
    for day in (1, 2, 3, 4):
        new_session(company, coach, held_on=date(2021, 9, day), topic=f"9월 {day}일")
    client = client_as(coordinator)

    assert topics_on(client.get("/coaching/?date_from=2021-09-02&date_to=2021-09-03")) == ["9월 3일", "9월 2일"]
    assert topics_on(client.get("/coaching/?date_from=2021-09-04")) == ["9월 4일"]
    assert topics_on(client.get("/coaching/?date_to=2021-09-01")) == ["9월 1일"]


@pytest.mark.parametrize("query, field", [("date_from=2021-08-05&date_to=2021-08-01", "date_to"),
                                          ("coach_id=abc", "coach_id"), ("date_from=어제", "date_from")])
def test_a_bad_filter_gets_the_form_back_with_a_message_and_is_ignored(client_as, coordinator, coach, company,
                                                                       query, field):
    new_session(company, coach)

    response = client_as(coordinator).get(f"/coaching/?{query}")
    exported = client_as(coordinator).get(f"/coaching/export.csv?{query}")

    assert response.status_code == 422 and exported.status_code == 422
    error_beside(response, field)
    assert "판로 코칭" in response.text


def test_every_filter_input_has_a_label(client_as, coordinator):
    response = client_as(coordinator).get("/coaching/")

    for name in ("coach_id", "company_id", "specialty_id", "date_from", "date_to"):
        assert f'<label class="form-label" for="{name}">' in response.text
    assert 'method="get"' in response.text


def test_the_list_is_newest_first_fifty_a_page_with_the_total(db, app, client_as, coordinator, coach, company):
    bulk_sessions(db, company, coach, 51)
    client = client_as(coordinator)

    first, second = client.get("/coaching/"), client.get("/coaching/?page=2")

    assert len(topics_on(first)) == 50 and topics_on(first)[0] == "코칭 0050"
    assert topics_on(second) == ["코칭 0000"]
    assert "전체 51건" in first.text


def test_a_row_shows_its_company_coach_mode_and_its_live_action_items_with_the_open_ones(db, client_as, coordinator,
                                                                                      coach, company):
    session = new_session(company, coach, topic="판로 코칭")
    done, _open, deleted = (ActionItem(session_id=session.id, company_id=company.id, what=f"과제 {n}",
                                       due_on=date(2021, 12, 31)) for n in range(3))
    done.done_on = date(2021, 10, 1)
    deleted.deleted_at = utcnow()
    db.session.add_all([done, _open, deleted])
    db.session.commit()

    response = client_as(coordinator).get("/coaching/")

    row = response.text.split('data-testid="session-row"')[1].split("</tr>")[0]
    for text in (f'<a href="/companies/{company.id}">{company.name}</a>', coach.name, "대면", "60",
                 f'<a href="/coaching/sessions/{session.id}" data-testid="session-link">판로 코칭</a>',
                 '<td class="text-end">2 (1)</td>'):
        assert text in row


def test_a_row_follows_its_action_items_after_the_list_was_shown(db, client_as, coordinator, coach, company):
    session = new_session(company, coach)
    client = client_as(coordinator)
    assert '<td class="text-end">0 (0)</td>' in client.get("/coaching/").text

    item = ActionItem(session_id=session.id, company_id=company.id, what="단가표 정리", due_on=date(2021, 12, 31))
    db.session.add(item)
    db.session.commit()
    assert '<td class="text-end">1 (1)</td>' in client.get("/coaching/").text

    item.done_on = date(2021, 10, 1)
    db.session.commit()
    assert '<td class="text-end">1 (0)</td>' in client.get("/coaching/").text


def test_kept_rows_follow_a_new_session_an_edited_topic_the_filter_and_the_language(db, client_as, coordinator,
                                                                                    coach, coach_b, company):
    first = new_session(company, coach, topic="첫 코칭")
    client = client_as(coordinator)
    assert client.get("/coaching/").text.count('data-testid="session-row"') == 1

    new_session(company, coach, held_on=date(2021, 9, 2), topic="둘째 코칭")
    first.topic = "고친 주제"
    db.session.commit()
    page = client.get("/coaching/").text
    assert page.count('data-testid="session-row"') == 2
    assert "고친 주제" in page and "첫 코칭" not in page
    new_session(company, coach_b, topic="다른 코치")
    assert client.get("/coaching/").text.count('data-testid="session-row"') == 3
    assert client.get(f"/coaching/?coach_id={coach_b.id}").text.count('data-testid="session-row"') == 1

    client.post("/lang", data={"lang": "en", "next": "/coaching/"})
    assert "In person" in client.get("/coaching/").text.split("<tbody>")[1]


def bulk_sessions(db, company, coach, count: int, *, start: int = 0):
    """Sessions with two action items each, written straight through the models."""
    for n in range(start, start + count):
        session = CoachingSession(company_id=company.id, coach_id=coach.id,
                                  held_on=date(2021, 1, 1) + timedelta(days=n), duration_minutes=60,
                                  mode=SessionMode.REMOTE, topic=f"코칭 {n:04d}")
        db.session.add(session)
        db.session.flush()
        db.session.add_all([ActionItem(session_id=session.id, company_id=company.id, what=f"과제 {n}-{k}",
                                       due_on=date(2021, 12, 31), owner_user_id=coach.id if k else None)
                            for k in range(2)])
    db.session.commit()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COACH])
def test_the_list_issues_the_same_number_of_statements_for_5_and_100_sessions(db, client_as, make_user, coach,
                                                                              coordinator, company, count_queries,
                                                                              role):
    client = client_as(coach if role is Role.COACH else coordinator)
    other = new_company("다른기업", coaches=[coach])

    def statements_for_the_page() -> int:
        with count_queries() as counter:
            response = client.get("/coaching/")
        assert response.status_code == 200
        return counter.count

    bulk_sessions(db, company, coach, 5)
    few = statements_for_the_page()
    bulk_sessions(db, other, coach, 95, start=5)
    many = statements_for_the_page()

    assert few == many
    assert many <= 12


def test_the_export_issues_the_same_number_of_statements_for_5_and_100_sessions(db, client_as, coordinator, coach,
                                                                                company, count_queries):
    client = client_as(coordinator)

    def statements() -> int:
        with count_queries() as counter:
            assert client.get("/coaching/export.csv").status_code == 200
        return counter.count

    bulk_sessions(db, company, coach, 5)
    few = statements()
    bulk_sessions(db, company, coach, 95, start=5)

    assert statements() == few


# The export -----------------------------------------------------------------------------------------------

@pytest.fixture
def exported_session(db, coach, company):
    session = new_session(company, coach, topic="한살림 입점", items=[("샘플 발송", None, date(2021, 9, 15)),
                                                                 ("단가표 정리", coach.id, date(2021, 9, 20))])
    session.action_items[0].done_on = date(2021, 9, 10)
    db.session.commit()
    return session


def test_the_csv_export_has_the_korean_headers_and_one_row_per_session(client_as, coordinator, exported_session):
    response = client_as(coordinator).get("/coaching/export.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["일자", "기업", "코치", "방식", "시간(분)", "주제", "내용", "제언", "실행과제 수",
                       "미완료 과제 수"]
    assert rows[1:] == [["2021-09-01", "레인보우팜", "코치1", "대면", "60", "한살림 입점", "내용", "제언", "2", "1"]]


def test_the_xlsx_export_has_the_same_headers_and_rows(client_as, coordinator, exported_session):
    sheet = read_xlsx(client_as(coordinator).get("/coaching/export.xlsx"))

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_HEADERS
    assert rows[1][0].date() == date(2021, 9, 1)
    assert rows[1][1:] == ("레인보우팜", "코치1", "대면", 60, "한살림 입점", "내용", "제언", 2, 1)


def test_the_export_is_exactly_the_filtered_list_on_every_page(app, client_as, coordinator, coach, company):
    app.config["PAGE_SIZE"] = 2
    for day in (1, 2, 3, 4):
        new_session(company, coach, held_on=date(2021, 9, day), topic=f"9월 {day}일")

    rows = read_csv(client_as(coordinator).get("/coaching/export.csv?date_from=2021-09-02"))

    assert [row[5] for row in rows[1:]] == ["9월 4일", "9월 3일", "9월 2일"]


def test_the_export_is_in_korean_whatever_the_reader_s_language(client_as, coordinator, exported_session):
    client = client_as(coordinator)
    client.post("/language", data={"lang": "en"})

    rows = read_csv(client.get("/coaching/export.csv"))

    assert rows[0][0] == "일자" and rows[1][3] == "대면"


def test_the_export_links_carry_the_current_filters(client_as, coordinator):
    response = client_as(coordinator).get("/coaching/?date_from=2021-09-01")

    assert "/coaching/export.csv?date_from=2021-09-01" in response.text
    assert "/coaching/export.xlsx?date_from=2021-09-01" in response.text


# The detail page and the company page ---------------------------------------------------------------------

def test_the_detail_page_shows_the_session_and_its_items(client_as, coach, exported_session):
    response = client_as(coach).get(f"/coaching/sessions/{exported_session.id}")

    assert response.status_code == 200
    for text in ("한살림 입점", "레인보우팜", "코치1", "대면", "60분", "샘플 발송", "단가표 정리", "2021. 9. 20."):
        assert text in response.text
    assert f"/coaching/sessions/{exported_session.id}/edit" in response.text


def test_the_detail_page_hides_the_edit_buttons_from_another_coach(client_as, coach_b, exported_session):
    response = client_as(coach_b).get(f"/coaching/sessions/{exported_session.id}")

    assert f"/coaching/sessions/{exported_session.id}/edit" not in response.text


def test_the_company_page_shows_recent_sessions_a_link_to_add_and_timeline_entries(client_as, coach, company):
    session = new_session(company, coach, topic="한살림 입점")

    response = client_as(coach).get(f"/companies/{company.id}")

    section = response.text.split('data-testid="company-sessions"')[1].split("</section>")[0]
    assert "한살림 입점" in section and f"/coaching/sessions/{session.id}" in section
    assert f"/coaching/sessions/new?company_id={company.id}" in section
    timeline = response.text.split('data-testid="timeline"')[1]
    assert "코칭: 한살림 입점" in timeline


def test_the_company_page_issues_the_same_number_of_statements_for_few_and_many_sessions(db, client_as, coordinator,
                                                                                       coach, company,
                                                                                       count_queries):
    client = client_as(coordinator)

    def statements() -> int:
        with count_queries() as counter:
            assert client.get(f"/companies/{company.id}").status_code == 200
        return counter.count

    bulk_sessions(db, company, coach, 3)
    few = statements()
    bulk_sessions(db, company, coach, 60, start=3)

    assert statements() == few


def test_the_navigation_offers_coaching_after_the_pipeline(client_as, coach):
    response = client_as(coach).get("/coaching/")

    nav = response.text.split('id="main-nav"')[1]
    assert nav.index('href="/pipeline/"') < nav.index('href="/coaching/"')
