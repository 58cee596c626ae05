"""What a coach's dashboard shows: their companies, their recent and upcoming sessions and their open items."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from crm.auth.models import User
from crm.coaching.actions import action_list_statement
from crm.coaching.models import ActionItem, CoachingSession
from crm.companies.models import Company
from crm.companies.services import visible_to
from crm.core.pagination import cached_count
from crm.core.time import seoul_today
from crm.extensions import db

COMPANY_LIMIT = 20
SESSION_LIMIT = 5
ITEM_LIMIT = 5


@dataclass
class CoachDashboard:
    companies: list[Company]
    more_companies: bool  # the coach has more than COMPANY_LIMIT companies: the page links to the full list
    recent_sessions: list[CoachingSession]
    upcoming_sessions: list[CoachingSession]
    open_item_count: int
    open_items: list[ActionItem]
    today: date


def _sessions_led_by(coach: User) -> sa.Select:
    stmt = (sa.select(CoachingSession).join(CoachingSession.company)
            .where(CoachingSession.coach_id == coach.id).options(contains_eager(CoachingSession.company)))
    return visible_to(stmt, coach)


def coach_dashboard(coach: User, today: date | None = None) -> CoachDashboard:
    """Five statements whatever the numbers; only companies assigned to the coach, as everywhere."""
    today = today or seoul_today()
    companies = list(db.session.scalars(
        visible_to(sa.select(Company), coach).order_by(Company.name, Company.id).limit(COMPANY_LIMIT + 1)))
    recent = list(db.session.scalars(
        _sessions_led_by(coach).where(CoachingSession.held_on <= today)
        .order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc()).limit(SESSION_LIMIT)))
    upcoming = list(db.session.scalars(
        _sessions_led_by(coach).where(CoachingSession.held_on > today)
        .order_by(CoachingSession.held_on, CoachingSession.id).limit(SESSION_LIMIT)))
    items = action_list_statement(coach, today=today)
    # Counting a coach's open items scans their sessions' items: kept until domain data changes.
    count = cached_count(items)
    top = list(db.session.scalars(items.limit(ITEM_LIMIT))) if count else []
    return CoachDashboard(companies=companies[:COMPANY_LIMIT], more_companies=len(companies) > COMPANY_LIMIT,
                          recent_sessions=recent, upcoming_sessions=upcoming, open_item_count=count,
                          open_items=top, today=today)
