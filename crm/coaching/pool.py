"""The expert pool: coach profiles, the managed specialty list, and what the pool page shows of each coach."""
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from crm.auth.models import COORDINATION, Role, User
from crm.coaching.models import CoachingSession, CoachProfile, Specialty, coach_specialties
from crm.companies.models import Company, CompanyCoach
from crm.core.errors import RuleError, StaleEditError
from crm.core.pagination import paginate
from crm.core.text import blank_to_none
from crm.core.time import utcnow
from crm.extensions import db

SPECIALTY_NAME_MAX = 60
BIO_MAX = 2000
CONTACT_MAX = 200
# The version a profile form carries when it was opened before the coach had a profile.
NO_PROFILE_VERSION = 0


# ── the specialty list ───────────────────────────────────────────────────────────────────────────────────────


def all_specialties() -> list[Specialty]:
    return list(db.session.scalars(sa.select(Specialty).order_by(Specialty.sort_order, Specialty.name)))


def add_specialty(name: str | None, *, actor: User | None) -> Specialty:
    """A new specialty at the end of the list; a name already on it (ignoring case and spaces) is refused."""
    name = blank_to_none(name)
    if not name:
        raise RuleError(_("분야 이름을 입력하세요."), field="name")
    name = " ".join(name.split())
    if len(name) > SPECIALTY_NAME_MAX:
        raise RuleError(_("분야 이름은 %(n)d자 이하입니다.", n=SPECIALTY_NAME_MAX), field="name")
    key = name.replace(" ", "").casefold()
    if any(existing.replace(" ", "").casefold() == key for existing in db.session.scalars(sa.select(Specialty.name))):
        raise RuleError(_("이미 목록에 있는 분야입니다."), field="name")
    last = db.session.scalar(sa.select(sa.func.max(Specialty.sort_order)))
    specialty = Specialty(name=name, sort_order=(last or 0) + 1, active=True)
    db.session.add(specialty)
    db.session.flush()
    return specialty


def set_specialty_active(specialty: Specialty, active: bool, *, actor: User | None) -> Specialty:
    """A deactivated specialty is no longer offered; the profiles and assessments that name it keep it."""
    specialty.active = bool(active)
    db.session.flush()
    return specialty


# ── profiles ─────────────────────────────────────────────────────────────────────────────────────────────────


def coach_by_id(user_id: int) -> User | None:
    """The user if they have the coach role (active or not), else None."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.role is Role.COACH else None


def profile_of(coach: User) -> CoachProfile | None:
    return db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == coach.id)
                             .options(selectinload(CoachProfile.specialties)))


def may_edit_profile(user: User, coach: User) -> bool:
    """The coach themselves, coordinators and admins."""
    return user.role in COORDINATION or user.id == coach.id


def specialty_choices(profile: CoachProfile | None) -> list[Specialty]:
    """What a profile may pick: the active specialties, and any inactive one the coach already has."""
    held = {specialty.id for specialty in profile.specialties} if profile else set()
    return [specialty for specialty in all_specialties() if specialty.active or specialty.id in held]


def save_profile(coach: User, *, bio: str | None, contact: str | None, specialty_ids, version: int | None,
                 actor: User | None) -> CoachProfile:
    """Create the coach's profile on the first save, update it after.

    `version` is the profile's version when the form was opened (NO_PROFILE_VERSION before there was one);
    a different version now means somebody saved in between. None skips the check (CLI, demo data)."""
    profile = profile_of(coach)
    current_version = profile.version if profile is not None else NO_PROFILE_VERSION
    if version is not None and version != current_version:
        raise StaleEditError()
    bio = blank_to_none(bio)
    if bio and len(bio) > BIO_MAX:
        raise RuleError(_("소개는 %(n)d자 이하입니다.", n=BIO_MAX), field="bio")
    contact = blank_to_none(contact)
    if contact and len(contact) > CONTACT_MAX:
        raise RuleError(_("연락처는 %(n)d자 이하입니다.", n=CONTACT_MAX), field="contact")
    wanted = {int(specialty_id) for specialty_id in specialty_ids or ()}
    allowed = {specialty.id: specialty for specialty in specialty_choices(profile)}
    if not wanted <= allowed.keys():
        raise RuleError(_("목록에 없는 분야는 고를 수 없습니다."), field="specialty_ids")
    specialties = sorted((allowed[i] for i in wanted), key=lambda s: (s.sort_order, s.name))
    if profile is None:
        profile = CoachProfile(user_id=coach.id, bio=bio, contact=contact, specialties=specialties)
        db.session.add(profile)
    else:
        if {s.id for s in profile.specialties} != wanted:
            # A change of specialties alone updates no column: touch the row so its version moves on and a
            # form opened before it is refused as stale.
            profile.updated_at = utcnow()
        profile.bio = bio
        profile.contact = contact
        profile.specialties = specialties
    db.session.flush()
    return profile


# ── the pool page ────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class PoolEntry:
    coach: User
    profile: CoachProfile | None
    company_count: int
    session_count: int
    # Only what the viewer may see: every company for coordinators, a coach's own for that coach, else none.
    companies: list[Company] = field(default_factory=list)

    @property
    def specialties(self) -> list[Specialty]:
        return self.profile.specialties if self.profile else []


def pool_statement(specialty_id: int | None = None) -> sa.Select:
    stmt = (sa.select(User).where(User.role == Role.COACH, User.active.is_(True)).order_by(User.name, User.id))
    if specialty_id is not None:
        stmt = stmt.where(User.id.in_(
            sa.select(CoachProfile.user_id).join(coach_specialties, coach_specialties.c.coach_profile_id
                                                 == CoachProfile.id)
            .where(coach_specialties.c.specialty_id == specialty_id)))
    return stmt


def coach_loads(coach_ids: list[int]) -> dict[int, int]:
    """Companies (live) assigned to each coach, in one statement."""
    if not coach_ids:
        return {}
    rows = db.session.execute(
        sa.select(CompanyCoach.coach_id, sa.func.count(CompanyCoach.id))
        .join(Company, Company.id == CompanyCoach.company_id)
        .where(Company.deleted_at.is_(None), CompanyCoach.coach_id.in_(coach_ids))
        .group_by(CompanyCoach.coach_id))
    return dict(rows.all())


def session_counts(coach_ids: list[int]) -> dict[int, int]:
    """Coaching sessions (not deleted, of live companies) of each coach, in one statement."""
    if not coach_ids:
        return {}
    rows = db.session.execute(
        sa.select(CoachingSession.coach_id, sa.func.count(CoachingSession.id))
        .join(Company, Company.id == CoachingSession.company_id)
        .where(CoachingSession.deleted_at.is_(None), Company.deleted_at.is_(None),
               CoachingSession.coach_id.in_(coach_ids))
        .group_by(CoachingSession.coach_id))
    return dict(rows.all())


def specialty_ids_by_coach(coach_ids: list[int]) -> dict[int, set[int]]:
    """The specialty ids of each coach's profile, in one statement."""
    if not coach_ids:
        return {}
    rows = db.session.execute(
        sa.select(CoachProfile.user_id, coach_specialties.c.specialty_id)
        .join(coach_specialties, coach_specialties.c.coach_profile_id == CoachProfile.id)
        .where(CoachProfile.user_id.in_(coach_ids)))
    result: dict[int, set[int]] = defaultdict(set)
    for user_id, specialty_id in rows:
        result[user_id].add(specialty_id)
    return dict(result)


def _companies_by_coach(coach_ids: list[int]) -> dict[int, list[Company]]:
    if not coach_ids:
        return {}
    links = db.session.scalars(
        sa.select(CompanyCoach).join(CompanyCoach.company)
        .where(CompanyCoach.coach_id.in_(coach_ids), Company.deleted_at.is_(None))
        .options(contains_eager(CompanyCoach.company)).order_by(Company.name, Company.id))
    result: dict[int, list[Company]] = defaultdict(list)
    for link in links:
        result[link.coach_id].append(link.company)
    return dict(result)


def pool_page(viewer: User, *, specialty_id: int | None = None):
    """One page of the pool for `viewer`; its items are PoolEntry rows."""
    page = paginate(pool_statement(specialty_id))
    page.items = pool_entries(viewer, list(page.items))
    return page


def pool_entries(viewer: User, coaches: list[User]) -> list[PoolEntry]:
    """What `viewer` sees of each coach, in a fixed number of statements whatever the number of coaches."""
    ids = [coach.id for coach in coaches]
    profiles = {profile.user_id: profile for profile in db.session.scalars(
        sa.select(CoachProfile).where(CoachProfile.user_id.in_(ids))
        .options(selectinload(CoachProfile.specialties)))} if ids else {}
    loads = coach_loads(ids)
    sessions = session_counts(ids)
    if viewer.role in COORDINATION:
        companies = _companies_by_coach(ids)
    else:
        companies = _companies_by_coach([viewer.id] if viewer.id in ids else [])
    return [PoolEntry(coach=coach, profile=profiles.get(coach.id), company_count=loads.get(coach.id, 0),
                      session_count=sessions.get(coach.id, 0), companies=companies.get(coach.id, []))
            for coach in coaches]
