"""The pipeline board: a column per stage and the funnel figures above it.

Every figure takes the same filters and the same visibility rule (a coach counts only the companies
assigned to them), and the number of statements does not grow with the number of companies: the counts
are one GROUP BY, the cards one union of limited queries (at most `COLUMN_SIZE` per stage), the funnel two
queries over the companies' funnel columns.
"""
import functools
import statistics
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from crm.auth.models import User
from crm.companies.models import Company, EnterpriseType, days_since
from crm.companies.pipeline import FUNNEL, NOTE_REQUIRED, Stage, allowed_targets, move_kind
from crm.companies.services import region_choices, visibility_key, visible_to
from crm.core.cache import cached
from crm.extensions import db

# The cards a column shows (those longest in the stage); the rest are a link to the filtered list away. Each card
# carries its move form, so this bounds the page's size.
COLUMN_SIZE = 12
# The funnel left to right, then the two side stages.
COLUMNS = (*FUNNEL, Stage.ON_HOLD, Stage.DROPPED)


@dataclass(frozen=True)
class BoardFilters:
    coordinator_id: int | None = None
    region_code: str | None = None
    enterprise_type: EnterpriseType | None = None

    def conditions(self) -> list:
        conditions = []
        if self.coordinator_id:
            conditions.append(Company.coordinator_id == self.coordinator_id)
        if self.region_code:
            conditions.append(Company.region_code == self.region_code)
        if self.enterprise_type:
            conditions.append(Company.enterprise_type == self.enterprise_type)
        return conditions

    def query_args(self) -> dict:
        """The active filters as the company list's query arguments (the same names the board uses)."""
        args = {"coordinator_id": self.coordinator_id, "region": self.region_code,
                "enterprise_type": self.enterprise_type and self.enterprise_type.value}
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class Target:
    """A stage a card may move to, and whether that move needs a note."""

    stage: Stage
    needs_note: bool


# What a card shows of its company, read as columns: 84 company entities cost more than the rest of the board.
CARD_COLUMNS = (Company.id, Company.name, Company.enterprise_type, Company.region_code, Company.stage,
                Company.held_from, Company.stage_since)


@dataclass(frozen=True)
class Card:
    """A company on the board: what its card shows, and what its move form needs (see move_targets)."""

    id: int
    name: str
    enterprise_type: EnterpriseType
    region_name: str | None
    stage: Stage
    held_from: Stage | None
    stage_since: datetime

    def days_in_stage(self, today: date) -> int:
        return days_since(self.stage_since, today)


@dataclass
class Column:
    stage: Stage
    count: int
    cards: list[Card]

    @property
    def more(self) -> bool:
        return self.count > len(self.cards)


@dataclass(frozen=True)
class FunnelFigures:
    """Conversion 발굴 → 입점완료 and the median days it took.

    `sourced`: companies with a StageChange to 발굴 (their creation at 발굴 included: from_stage empty).
    `converted`: of those, the companies with a StageChange to 입점완료 at or after their first 발굴 entry.
    `median_days`: over the converted companies, the median of the days (Asia/Seoul calendar days) from the
    first 발굴 entry to the first 입점완료 entry after it.
    """

    sourced: int
    converted: int
    median_days: float | None

    @property
    def conversion_percent(self) -> int | None:
        """converted / sourced as a whole percent (half up), or None when nothing was sourced."""
        if not self.sourced:
            return None
        return (self.converted * 200 + self.sourced) // (self.sourced * 2)


def _companies(stmt: sa.Select, filters: BoardFilters, user: User) -> sa.Select:
    return visible_to(stmt.where(*filters.conditions()), user)


def stage_counts(filters: BoardFilters, user: User) -> dict[Stage, int]:
    def count() -> dict[Stage, int]:
        stmt = _companies(sa.select(Company.stage, sa.func.count(Company.id)), filters, user).group_by(Company.stage)
        counts = dict.fromkeys(COLUMNS, 0)
        counts.update({Stage(stage): count for stage, count in db.session.execute(stmt)})
        return counts

    return cached(("board_stage_counts", filters, visibility_key(user)), count)


def longest_in_stage(filters: BoardFilters, user: User, *, per_stage: int = COLUMN_SIZE) -> dict[Stage, list[Card]]:
    """Per stage, the `per_stage` companies that have been in it longest; kept until domain data changes (building
    the statement alone cost as much as the query)."""
    return cached(("board_cards", filters, visibility_key(user), per_stage),
                  lambda: _longest_in_stage(filters, user, per_stage))


def _longest_in_stage(filters: BoardFilters, user: User, per_stage: int) -> dict[Stage, list[Card]]:
    """One statement: a union of one limited select per stage, each read in order from the index of live companies
    by stage (a window over every company costs a hundred times more at 30,000 companies)."""
    firsts = [
        _companies(sa.select(Company.id).where(Company.stage == stage, Company.deleted_at.is_(None)), filters, user)
        .order_by(Company.stage_since, Company.id).limit(per_stage).subquery()
        for stage in COLUMNS]
    ids = sa.union_all(*(sa.select(first.c.id) for first in firsts))
    stmt = sa.select(*CARD_COLUMNS).where(Company.id.in_(ids)).order_by(Company.stage_since, Company.id)
    region_names = dict(region_choices())
    cards: dict[Stage, list[Card]] = {stage: [] for stage in COLUMNS}
    for row in db.session.execute(stmt):
        cards[row.stage].append(Card(id=row.id, name=row.name, enterprise_type=row.enterprise_type,
                                     region_name=region_names.get(row.region_code), stage=row.stage,
                                     held_from=row.held_from, stage_since=row.stage_since))
    return cards


def columns(filters: BoardFilters, user: User) -> list[Column]:
    counts = stage_counts(filters, user)
    cards = longest_in_stage(filters, user)
    return [Column(stage, counts[stage], cards[stage]) for stage in COLUMNS]


def move_targets(company: Company | Card) -> tuple[Target, ...]:
    """The stages the transition table lets this company move to, each flagged when a note is required."""
    return _move_targets(company.stage, company.held_from)


# A function of the transition table alone, asked for by every card of the board: worked out once per kind.
@functools.cache
def _move_targets(stage: Stage, held_from: Stage | None) -> tuple[Target, ...]:
    return tuple(Target(target, move_kind(stage, target, held_from) in NOTE_REQUIRED)
                 for target in allowed_targets(stage, held_from))


def funnel_figures(filters: BoardFilters, user: User) -> FunnelFigures:
    """See FunnelFigures for the definitions; kept until domain data changes."""
    return cached(("board_funnel", filters, visibility_key(user)), lambda: _funnel_figures(filters, user))


def _funnel_figures(filters: BoardFilters, user: User) -> FunnelFigures:
    """Two statements over the companies' funnel columns (crm.companies.funnel keeps them from the stage changes):
    the count of sourced companies, and the days to listing of the converted ones for the median."""
    sourced = db.session.scalar(_companies(sa.select(sa.func.count(Company.funnel_sourced_at)), filters, user))
    days = list(db.session.scalars(_companies(sa.select(Company.funnel_days_to_listing), filters, user)
                                   .where(Company.funnel_days_to_listing.is_not(None))))
    return FunnelFigures(sourced=sourced or 0, converted=len(days),
                         median_days=statistics.median(days) if days else None)
