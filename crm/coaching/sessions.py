"""Coaching sessions and their action items: record, edit, delete; the session list and its export.

Who records a session for whom:
- a coach records sessions only for companies assigned to them, always as themselves (a coach field they
  send is ignored), and edits and deletes only their own;
- a coordinator or an admin records and edits any session and chooses its coach among the coaches assigned
  to the company — a session whose coach could not see its company would be lost to that coach.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from crm.auth.models import COORDINATION, Role, User
from crm.coaching.models import (
    MAX_SESSION_MINUTES,
    ActionItem,
    CoachingSession,
    CoachProfile,
    SessionMode,
    Specialty,
    coach_specialties,
)
from crm.companies import timeline
from crm.companies.models import Company
from crm.companies.queries import matching_names
from crm.companies.services import visible_to
from crm.core.cache import cached
from crm.core.errors import RuleError, StaleEditError
from crm.core.filters import korean_date
from crm.core.softdelete import soft_delete
from crm.core.text import blank_to_none
from crm.core.time import seoul_today, utcnow
from crm.extensions import db

TOPIC_MAX = 200
TEXT_MAX = 20_000
WHAT_MAX = 500
# A session is recorded after it took place: a day of slack for a session late in the evening abroad.
DAYS_AHEAD_ALLOWED = 1
EARLIEST_HELD_ON = date(2000, 1, 1)
# The company page shows this many of the newest sessions.
COMPANY_SECTION_LIMIT = 5
ACTION_ITEMS_FIELD = "action_items"
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


@dataclass
class ActionItemFields:
    """One row of a session form's action items; `id` names an existing item of the session."""

    what: str | None = None
    owner_user_id: int | None = None
    due_on: date | None = None
    done_on: date | None = None
    id: int | None = None
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        return self.id is None and not blank_to_none(self.what) and self.due_on is None and self.done_on is None


def _as_item_fields(item) -> ActionItemFields:
    if isinstance(item, ActionItemFields):
        return item
    what, owner_user_id, due_on = item
    return ActionItemFields(what=what, owner_user_id=owner_user_id, due_on=due_on)


# --- rules shared by the form and the services ----------------------------------------------------------


def clean_duration(value) -> int:
    """A duration in whole minutes, 1 to 1,440 (24 hours); "90" and " 90 " are accepted."""
    if isinstance(value, str):
        value = value.replace(",", "").strip()
        if not value:
            value = None
        elif _WHOLE_NUMBER.fullmatch(value):
            value = int(value)
        else:
            raise RuleError(_("시간은 분 단위 정수로 입력하세요 (예: 90)."), field="duration_minutes")
    if value is None:
        raise RuleError(_("시간(분)을 입력하세요."), field="duration_minutes")
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(_("시간은 분 단위 정수로 입력하세요 (예: 90)."), field="duration_minutes")
    if value <= 0:
        raise RuleError(_("시간은 1분 이상이어야 합니다."), field="duration_minutes")
    if value > MAX_SESSION_MINUTES:
        raise RuleError(_("시간은 24시간(1,440분)을 넘을 수 없습니다."), field="duration_minutes")
    return value


def check_held_on(held_on: date | None, today: date | None = None) -> date:
    """The day a session took place: not later than tomorrow in Seoul (a session is recorded once held)."""
    if held_on is None:
        raise RuleError(_("코칭 일자를 입력하세요."), field="held_on")
    latest = (today or seoul_today()) + timedelta(days=DAYS_AHEAD_ALLOWED)
    if held_on > latest:
        raise RuleError(_("코칭 일자는 %(day)s보다 늦을 수 없습니다. 진행한 코칭을 기록하세요.",
                          day=korean_date(latest)), field="held_on")
    if held_on < EARLIEST_HELD_ON:
        raise RuleError(_("코칭 일자를 확인하세요."), field="held_on")
    return held_on


def clean_topic(topic: str | None) -> str:
    topic = blank_to_none(topic)
    if not topic:
        raise RuleError(_("주제를 입력하세요."), field="topic")
    if len(topic) > TOPIC_MAX:
        raise RuleError(_("주제는 %(n)d자 이하입니다.", n=TOPIC_MAX), field="topic")
    return topic


def _clean_text(value: str | None, field: str) -> str | None:
    value = blank_to_none(value)
    if value and len(value) > TEXT_MAX:
        raise RuleError(_("%(n)s자 이하로 입력하세요.", n=f"{TEXT_MAX:,}"), field=field)
    return value


def _clean_mode(mode) -> SessionMode:
    try:
        return SessionMode(mode)
    except ValueError:
        raise RuleError(_("진행 방식을 선택하세요."), field="mode") from None


def check_action_item(item: ActionItemFields) -> None:
    """An action item needs what is to be done and a due date; field names are those of one form row."""
    what = blank_to_none(item.what)
    if not what:
        raise RuleError(_("실행과제 내용을 입력하세요."), field="what")
    if len(what) > WHAT_MAX:
        raise RuleError(_("실행과제는 %(n)d자 이하입니다.", n=WHAT_MAX), field="what")
    if item.due_on is None:
        raise RuleError(_("실행과제의 기한을 입력하세요."), field="due_on")


def _in_row(error: RuleError, index: int) -> RuleError:
    return RuleError(error.message, field=f"{ACTION_ITEMS_FIELD}-{index}-{error.field}")


# --- who may be chosen -------------------------------------------------------------------------------------


def assigned_coaches(company: Company) -> list[User]:
    """The company's assigned coaches who are active, by name (from the company's loaded coach links)."""
    return sorted((coach for coach in company.coaches if coach.active), key=lambda user: (user.name, user.id))


def coach_choices(company: Company, session: CoachingSession | None = None) -> list[User]:
    coaches = assigned_coaches(company)
    if session is not None and all(coach.id != session.coach_id for coach in coaches):
        coaches.append(session.coach)
    return coaches


def owner_choices(company: Company, session: CoachingSession | None = None) -> list[User]:
    """Users who may own an action item: the company's coaches and the active coordinators and admins,
    and whoever already owns one of the session's items."""
    users = {coach.id: coach for coach in assigned_coaches(company)}
    staff = db.session.scalars(sa.select(User).where(User.role.in_(COORDINATION), User.active.is_(True)))
    users.update({user.id: user for user in staff})
    if session is not None:
        users.update({item.owner.id: item.owner for item in session.action_items if item.owner is not None})
    return sorted(users.values(), key=lambda user: (user.name, user.id))


def _choose_coach(company: Company, coach, actor: User, session: CoachingSession | None = None) -> int:
    if actor.role is Role.COACH:
        return actor.id  # a coach records as themselves, whatever the form sent
    coach_id = coach.id if isinstance(coach, User) else coach
    if not coach_id:
        raise RuleError(_("코치를 선택하세요."), field="coach_id")
    allowed = {user.id for user in assigned_coaches(company)}
    if session is not None:
        allowed.add(session.coach_id)
    if coach_id not in allowed:
        raise RuleError(_("이 기업에 배정된 코치만 선택할 수 있습니다."), field="coach_id")
    return coach_id


def clean_session_fields(company: Company, *, coach, held_on, duration_minutes, mode, topic, content,
                         recommendations, actor: User, session: CoachingSession | None = None) -> dict:
    """A session's column values by the rules the session form and the import share."""
    return {
        "coach_id": _choose_coach(company, coach, actor, session),
        "held_on": check_held_on(held_on),
        "duration_minutes": clean_duration(duration_minutes),
        "mode": _clean_mode(mode),
        "topic": clean_topic(topic),
        "content": _clean_text(content, "content"),
        "recommendations": _clean_text(recommendations, "recommendations"),
    }


def _checked_items(company: Company, items,
                   session: CoachingSession | None = None) -> list[tuple[int, ActionItemFields]]:
    """The rows that say something, with their row numbers; every row checked, the first refusal raised."""
    rows = [(index, _as_item_fields(item)) for index, item in enumerate(items or ())]
    rows = [(index, item) for index, item in rows if not item.is_blank]
    owners = None
    current = {item.id: item for item in session.action_items} if session is not None else {}
    for index, item in rows:
        if item.id is not None and item.id not in current:
            raise RuleError(_("이 코칭 기록의 실행과제가 아닙니다."), field=f"{ACTION_ITEMS_FIELD}-{index}-what")
        if item.remove:
            continue
        try:
            check_action_item(item)
        except RuleError as error:
            raise _in_row(error, index) from None
        if item.owner_user_id is None:
            continue
        existing = current.get(item.id)
        if existing is not None and existing.owner_user_id == item.owner_user_id:
            continue
        if owners is None:
            owners = {user.id for user in owner_choices(company)}
        if item.owner_user_id not in owners:
            raise RuleError(_("이 기업의 코치나 코디네이터만 담당자로 지정할 수 있습니다."),
                            field=f"{ACTION_ITEMS_FIELD}-{index}-owner_user_id")
    return rows


# --- changes ----------------------------------------------------------------------------------------------


def create_session(company: Company, *, coach=None, held_on: date | None, duration_minutes, mode, topic: str | None,
                   content: str | None = None, recommendations: str | None = None, action_items=(),
                   actor: User) -> CoachingSession:
    """Record a session with its action items (each `(what, owner_user_id or None for the company, due_on)` or
    ActionItemFields). The caller has checked that the actor may see the company."""
    if actor.role is Role.COACH and not company.visible_to(actor):
        raise RuleError(_("배정된 기업의 코칭만 기록할 수 있습니다."))
    values = clean_session_fields(company, coach=coach, held_on=held_on, duration_minutes=duration_minutes, mode=mode,
                             topic=topic, content=content, recommendations=recommendations, actor=actor)
    rows = _checked_items(company, action_items)
    session = CoachingSession(company_id=company.id, **values)
    db.session.add(session)
    db.session.flush()
    for _index, item in rows:
        if not item.remove:
            db.session.add(_new_item(session, item))
    db.session.flush()
    return session


def _new_item(session: CoachingSession, item: ActionItemFields) -> ActionItem:
    return ActionItem(session_id=session.id, company_id=session.company_id, what=blank_to_none(item.what),
                      owner_user_id=item.owner_user_id or None, due_on=item.due_on, done_on=item.done_on)


def update_session(session: CoachingSession, *, version: int | None, coach=None, held_on: date | None,
                   duration_minutes, mode, topic: str | None, content: str | None = None,
                   recommendations: str | None = None, action_items=(), actor: User) -> CoachingSession:
    """Change a session and its action items in one save: rows with an id change (or, marked, are deleted),
    rows without one are added. Refused when somebody saved the session since `version` was read."""
    if not session.can_edit(actor):
        raise RuleError(_("자신이 기록한 코칭만 수정할 수 있습니다."))
    if version is not None and version != session.version:
        raise StaleEditError()
    company = session.company
    values = clean_session_fields(company, coach=coach, held_on=held_on, duration_minutes=duration_minutes, mode=mode,
                             topic=topic, content=content, recommendations=recommendations, actor=actor,
                             session=session)
    rows = _checked_items(company, action_items, session)
    items_changed = _apply_items(session, [item for _index, item in rows], actor)
    for key, value in values.items():
        setattr(session, key, value)
    if items_changed:
        # The session's version guards the whole form: a change to its items alone bumps it too.
        session.updated_at = utcnow()
    db.session.flush()
    return session


def _apply_items(session: CoachingSession, items: list[ActionItemFields], actor: User) -> bool:
    current = {item.id: item for item in session.action_items}
    changed = False
    for fields in items:
        if fields.id is None:
            if not fields.remove:
                db.session.add(_new_item(session, fields))
                changed = True
            continue
        item = current[fields.id]
        if fields.remove:
            soft_delete(item, actor=actor)
            changed = True
            continue
        new = {"what": blank_to_none(fields.what), "owner_user_id": fields.owner_user_id or None,
               "due_on": fields.due_on, "done_on": fields.done_on}
        for key, value in new.items():
            if getattr(item, key) != value:
                setattr(item, key, value)
                changed = True
    return changed


def delete_session(session: CoachingSession, *, actor: User) -> None:
    """Hide the session and its action items (coordinators, admins and the session's own coach)."""
    if not session.can_edit(actor):
        raise RuleError(_("자신이 기록한 코칭만 삭제할 수 있습니다."))
    deleted_at = utcnow()
    for item in session.action_items:
        soft_delete(item, actor=actor, at=deleted_at)
    soft_delete(session, actor=actor, at=deleted_at)
    db.session.flush()


# --- reading ----------------------------------------------------------------------------------------------


def session_for(user: User, session_id: int) -> CoachingSession | None:
    """The live session with its company, coach and items if the user may see its company, else None."""
    stmt = (sa.select(CoachingSession).join(CoachingSession.company).where(CoachingSession.id == session_id)
            .options(contains_eager(CoachingSession.company),
                     joinedload(CoachingSession.coach),
                     selectinload(CoachingSession.action_items).joinedload(ActionItem.owner)))
    return db.session.scalar(visible_to(stmt, user))


def session_list_statement(user: User, *, coach_id: int | None = None, company_id: int | None = None,
                           company_name: str | None = None, date_from: date | None = None,
                           date_to: date | None = None, specialty_id: int | None = None,
                           columns: tuple | None = None) -> sa.Select:
    """Live sessions of live companies the user may see, matching every given filter, newest first, with
    what a row shows (company, coach, action items) — or, given `columns`, those columns of them. Dates are
    Seoul calendar days, both ends included."""
    if columns:
        stmt = sa.select(*columns).join(CoachingSession.company)
    else:
        stmt = (sa.select(CoachingSession).join(CoachingSession.company)
                .options(contains_eager(CoachingSession.company), joinedload(CoachingSession.coach),
                         selectinload(CoachingSession.action_items)))
    conditions = []
    if coach_id:
        conditions.append(CoachingSession.coach_id == coach_id)
    if company_id:
        conditions.append(CoachingSession.company_id == company_id)
    if (names := matching_names(company_name)) is not None:
        conditions.append(names)
    if date_from:
        conditions.append(CoachingSession.held_on >= date_from)
    if date_to:
        conditions.append(CoachingSession.held_on <= date_to)
    if specialty_id:
        coaches_with_it = (sa.select(CoachProfile.user_id)
                           .join(coach_specialties, coach_specialties.c.coach_profile_id == CoachProfile.id)
                           .where(coach_specialties.c.specialty_id == specialty_id))
        conditions.append(CoachingSession.coach_id.in_(coaches_with_it))
    stmt = stmt.where(*conditions).order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())
    return visible_to(stmt, user)


@dataclass(frozen=True)
class SessionRow:
    """What the session list shows of one session."""

    id: int
    held_on: date
    company_id: int
    company_name: str
    coach_name: str
    mode: SessionMode
    duration_minutes: int
    topic: str
    item_count: int
    open_item_count: int


def session_rows(session_ids: list[int]) -> list[SessionRow]:
    """The list page's rows of a page of session ids, in their order. Two statements: columns and counts rather
    than sessions with their company, coach and every action item as entities."""
    rows = {row.id: row for row in db.session.execute(
        sa.select(CoachingSession.id, CoachingSession.held_on, CoachingSession.company_id,
                  Company.name.label("company_name"), User.name.label("coach_name"), CoachingSession.mode,
                  CoachingSession.duration_minutes, CoachingSession.topic)
        .join(Company, CoachingSession.company_id == Company.id).join(User, CoachingSession.coach_id == User.id)
        .where(CoachingSession.id.in_(session_ids)))}
    counts = {session_id: (items, open_items) for session_id, items, open_items in db.session.execute(
        sa.select(ActionItem.session_id, sa.func.count(ActionItem.id),
                  sa.func.count(sa.case((ActionItem.done_on.is_(None), ActionItem.id))))
        .where(ActionItem.session_id.in_(session_ids)).group_by(ActionItem.session_id))}
    return [SessionRow(id=row.id, held_on=row.held_on, company_id=row.company_id, company_name=row.company_name,
                       coach_name=row.coach_name, mode=row.mode, duration_minutes=row.duration_minutes,
                       topic=row.topic, item_count=counts.get(row.id, (0, 0))[0],
                       open_item_count=counts.get(row.id, (0, 0))[1])
            for row in map(rows.get, session_ids)]


def company_choice(user: User, company_id: int | None) -> list[tuple[int, str]]:
    """The filtered company as a choice, when the user may see it: a list of every company would be tens of
    thousands of options, so the filter offers the one a link chose and a name search for the rest."""
    if not company_id:
        return []
    stmt = visible_to(sa.select(Company.id, Company.name).where(Company.id == company_id), user)
    return [(found_id, name) for found_id, name in db.session.execute(stmt)]


def coach_filter_choices() -> list[tuple[int, str]]:
    """(id, name) of every user with the coach role (inactive ones too: their sessions stay findable), for the
    list's filter; kept until domain data changes."""
    return cached(("coach choices",), lambda: [tuple(row) for row in db.session.execute(
        sa.select(User.id, User.name).where(User.role == Role.COACH).order_by(User.name, User.id))])


def specialty_filter_choices() -> list[tuple[int, str]]:
    """(id, name) of every specialty in display order, for the list's filter; kept until domain data changes."""
    return cached(("specialty choices",), lambda: [tuple(row) for row in db.session.execute(
        sa.select(Specialty.id, Specialty.name).order_by(Specialty.sort_order, Specialty.id))])


def open_item_count(session: CoachingSession) -> int:
    """From the loaded items."""
    return sum(1 for item in session.action_items if item.is_open)


# --- the company page -------------------------------------------------------------------------------------


def company_section_context(company: Company, user: User) -> dict:
    """The company's newest sessions and how many it has, in two statements."""
    recent = list(db.session.scalars(
        sa.select(CoachingSession).where(CoachingSession.company_id == company.id)
        .options(joinedload(CoachingSession.coach))
        .order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc()).limit(COMPANY_SECTION_LIMIT)))
    total = db.session.scalar(sa.select(sa.func.count(CoachingSession.id))
                              .where(CoachingSession.company_id == company.id, CoachingSession.deleted_at.is_(None)))
    # Anyone who sees the company page may record (a coach sees only their companies); a coordinator needs
    # a coach assigned first, since the session's coach is chosen among them.
    needs_coach = user.role is not Role.COACH and not assigned_coaches(company)
    return {"sessions": recent, "session_count": total, "can_add": not needs_coach, "needs_coach": needs_coach}


def session_timeline(company: Company, limit: int) -> list[timeline.TimelineEntry]:
    """The company's newest sessions, when they were recorded, in one statement."""
    stmt = (sa.select(CoachingSession.id, CoachingSession.created_at, CoachingSession.held_on,
                      CoachingSession.topic, CoachingSession.mode, CoachingSession.duration_minutes, User.name)
            .join(User, CoachingSession.coach_id == User.id)
            .where(CoachingSession.company_id == company.id, CoachingSession.deleted_at.is_(None))
            .order_by(CoachingSession.created_at.desc(), CoachingSession.id.desc()).limit(limit))
    entries = []
    for session_id, created_at, held_on, topic, mode, minutes, coach_name in db.session.execute(stmt):
        title = _("코칭: %(topic)s", topic=topic)
        detail = _("%(day)s · %(mode)s · %(minutes)s분", day=korean_date(held_on),
                   mode=mode.label, minutes=minutes)
        url = url_for("coaching.detail", session_id=session_id) if has_request_context() else None
        entries.append(timeline.TimelineEntry(at=created_at, kind="coaching", title=title, detail=detail,
                                              actor=coach_name, url=url))
    return entries
