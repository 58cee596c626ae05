"""The synthetic dataset: users, companies with their pipeline history, products, programmes and weekly reports,
coaching, campaigns and the audit log, written in bulk (crm.scale.bulk) with every constraint the services keep.

Each part draws from its own random stream seeded by (seed, part), so a seed gives the same records and
names every time; dates are reckoned back from `now` (the time of the run unless given)."""
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter

import sqlalchemy as sa

from crm.auth.models import Role, new_session_token
from crm.auth.passwords import hash_password
from crm.campaigns.models import (
    METRICS_BY_CAMPAIGN_KIND,
    CampaignKind,
    CampaignStatus,
    DeliverableKind,
    DeliverableStatus,
    MetricKind,
    ParticipationStatus,
)
from crm.campaigns.reference import seed_channels
from crm.coaching.models import SessionMode
from crm.coaching.reference import seed_specialties
from crm.companies.funnel import funnel_dates
from crm.companies.models import LISTING_MOVES, CertificationKind, EnterpriseType, ListingStatus
from crm.companies.pipeline import NOTE_REQUIRED, Move, Stage, allowed_targets, move_kind
from crm.companies.reference import REGIONS, seed_reference_data
from crm.companies.rules import BUSINESS_NUMBER_WEIGHTS, name_key
from crm.core.errors import RuleError
from crm.core.time import SEOUL
from crm.extensions import db
from crm.programs.models import EnrollmentStatus, FinalReportStatus, ReportStatus, SettlementStatus
from crm.scale import names
from crm.scale.audit import write_audit_log
from crm.scale.bulk import SyntheticWriter, empty_database, finish_loading, has_companies, prepare_for_loading
from crm.scale.sizes import Sizes

# One password for every generated user, printed by the command: a synthetic dataset is never a real one.
PASSWORD = "synthetic-scale-2021!"
ADMIN_LOGIN = "scale-admin"
LONG_HISTORY_MOVES = 150
HISTORY_DAYS = 4 * 365

ENTERPRISE_TYPE_WEIGHTS = {
    EnterpriseType.COOPERATIVE: 45, EnterpriseType.SOCIAL_COOPERATIVE: 10, EnterpriseType.SOCIAL_ENTERPRISE: 12,
    EnterpriseType.PRE_SOCIAL_ENTERPRISE: 10, EnterpriseType.VILLAGE_ENTERPRISE: 7,
    EnterpriseType.SELF_SUFFICIENCY: 5, EnterpriseType.SOCIAL_VENTURE: 6, EnterpriseType.OTHER: 5,
}
CERTIFICATION_OF_TYPE = {
    EnterpriseType.SOCIAL_ENTERPRISE: (CertificationKind.SOCIAL_ENTERPRISE, "고용노동부"),
    EnterpriseType.PRE_SOCIAL_ENTERPRISE: (CertificationKind.PRE_REGIONAL, "광역자치단체"),
    EnterpriseType.SOCIAL_COOPERATIVE: (CertificationKind.SOCIAL_COOPERATIVE, "기획재정부"),
    EnterpriseType.VILLAGE_ENTERPRISE: (CertificationKind.VILLAGE_ENTERPRISE, "행정안전부"),
    EnterpriseType.SELF_SUFFICIENCY: (CertificationKind.SELF_SUFFICIENCY, "보건복지부"),
    EnterpriseType.SOCIAL_VENTURE: (CertificationKind.SOCIAL_VENTURE, "중소벤처기업부"),
}
# Seoul and Gyeonggi hold most organisations; every other 시·도 some.
REGION_WEIGHTS = {"11": 20, "41": 18}
MOVE_WEIGHTS = {Move.FORWARD: 8, Move.SKIP: 1, Move.BACK: 1, Move.HOLD: 1, Move.RESUME: 6, Move.DROP: 1,
                Move.REOPEN: 3}
MOVE_COUNTS, MOVE_COUNT_WEIGHTS = (0, 1, 2, 3, 4, 5, 6), (22, 20, 18, 15, 12, 8, 5)
CAMPAIGN_KIND_WEIGHTS = {CampaignKind.EXHIBITION: 40, CampaignKind.LIVE_COMMERCE: 25, CampaignKind.FUNDING: 10,
                         CampaignKind.CATALOG: 10, CampaignKind.CONTENT: 10, CampaignKind.OFFLINE: 5}
PARTICIPATION_PATH = (ParticipationStatus.APPLIED, ParticipationStatus.SELECTED, ParticipationStatus.PARTICIPATING,
                      ParticipationStatus.COMPLETED)
PRODUCT_CAMPAIGNS = frozenset({CampaignKind.EXHIBITION, CampaignKind.LIVE_COMMERCE, CampaignKind.CATALOG})
DELIVERABLE_KINDS = tuple(DeliverableKind)
METRIC_RANGES = {  # (low, high, step)
    MetricKind.PAYMENT_AMOUNT: (100_000, 5_000_000, 10_000), MetricKind.VIEWERS: (100, 20_000, 1),
    MetricKind.HEARTS: (0, 50_000, 1), MetricKind.PAID_ITEMS: (1, 400, 1), MetricKind.CANCELLED_ITEMS: (0, 20, 1),
    MetricKind.PRODUCT_VIEWS: (100, 30_000, 1), MetricKind.SUPPORTERS: (5, 800, 1),
    MetricKind.FUNDED_AMOUNT: (100_000, 20_000_000, 10_000), MetricKind.GOAL_AMOUNT: (500_000, 10_000_000, 100_000),
}


class ScaleRefused(RuleError):
    """The database is not one `generate` may write into as asked."""


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def with_check_digit(nine_digits: str) -> str:
    """A 사업자등록번호 whose last digit is the National Tax Service check digit of the first nine."""
    numbers = [int(digit) for digit in nine_digits]
    total = sum(n * w for n, w in zip(numbers, BUSINESS_NUMBER_WEIGHTS, strict=True)) + numbers[8] * 5 // 10
    return f"{nine_digits}{(10 - total % 10) % 10}"


def seoul_instant(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL).astimezone(UTC)


def stage_walk(rng: random.Random, start: Stage, moves: int, *, settle_when_listed: bool = True):
    """Moves along the transition table: [(from, to, kind)], forward moves weighted most."""
    stage, held_from, walk = start, None, []
    for _ in range(moves):
        if settle_when_listed and stage is Stage.LISTED and rng.random() < 0.9:
            break
        targets = allowed_targets(stage, held_from)
        kinds = [move_kind(stage, target, held_from) for target in targets]
        index = rng.choices(range(len(targets)), [MOVE_WEIGHTS[kind] for kind in kinds])[0]
        walk.append((stage, targets[index], kinds[index]))
        held_from = stage if kinds[index] is Move.HOLD else None
        stage = targets[index]
    return walk


@dataclass
class Generated:
    sizes: Sizes
    seed: int
    counts: dict[str, int]
    seconds: float = 0.0
    logins: list[tuple[str, Role]] = field(default_factory=list)
    long_history_company_ids: list[int] = field(default_factory=list)
    largest_campaign_id: int | None = None
    cohort_ids: list[int] = field(default_factory=list)
    password: str = PASSWORD

    def summary(self) -> list[str]:
        """What the command prints: the time, the rows per table, the logins, records worth opening."""
        lines = [f"합성 데이터를 만들었습니다: {self.seconds:.1f}초, 시드 {self.seed}, "
                 f"모두 {sum(self.counts.values()):,}행"]
        lines += [f"  {table:<24} {count:>10,}" for table, count in sorted(self.counts.items())]
        lines.append(f"로그인 (비밀번호는 모두 {self.password}):")
        for role in Role:
            logins = [login for login, login_role in self.logins if login_role is role]
            if logins:
                shown = logins[0] if len(logins) == 1 else f"{logins[0]} … {logins[-1]}"
                lines.append(f"  {shown:<45} {role.label} {len(logins)}명")
        if self.long_history_company_ids:
            lines.append("이력이 긴 기업: " + ", ".join(f"/companies/{i}" for i in self.long_history_company_ids[:5]))
        if self.largest_campaign_id is not None:
            lines.append(f"참여 기업이 가장 많은 캠페인: /campaigns/{self.largest_campaign_id} "
                         f"({self.sizes.largest_campaign}곳)")
        if self.cohort_ids:
            lines.append(f"과정 ({self.sizes.enrollments_per_cohort}곳 × {self.sizes.weeks}주): "
                         + ", ".join(f"/cohorts/{i}" for i in self.cohort_ids[:3]))
        return lines


@dataclass
class _Company:
    id: int
    created_at: datetime
    coordinator_id: int
    coach_ids: list[int]
    product_ids: list[int] = field(default_factory=list)


class _Generator:
    def __init__(self, writer: SyntheticWriter, sizes: Sizes, seed: int, now: datetime):
        self.w = writer
        self.sizes = sizes
        self.seed = seed
        self.now = now
        self.today = now.astimezone(SEOUL).date()
        self.admin_id: int | None = None
        self.coordinator_ids: list[int] = []
        self.coach_ids: list[int] = []
        self.logins: dict[int, str] = {}
        self.companies: list[_Company] = []
        self.coached: list[_Company] = []
        self.long_history: list[_Company] = []
        self.program_ids: list[int] = []
        self.cohort_ids: list[int] = []
        self.largest_campaign_id: int | None = None

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")

    def some_time_before(self, rng: random.Random, days: float, *, after: datetime | None = None) -> datetime:
        earliest = max(after or self.now - timedelta(days=days), self.now - timedelta(days=days))
        return earliest + (self.now - earliest) * rng.random()

    # --- users ------------------------------------------------------------------------------------------------

    def users(self) -> None:
        users, profiles = _table("users"), _table("coach_profiles")
        specialties = list(self.w.connection.scalars(sa.select(_table("specialties").c.id).order_by("sort_order")))
        password_hash = hash_password(PASSWORD)  # hashed once: the production cost is 0.1–0.2 s a hash
        rng = self.rng("users")
        people = [(ADMIN_LOGIN, "합성 관리자", Role.ADMIN)]
        people += [(f"scale-coordinator-{n:02d}", f"합성 코디네이터 {n:02d}", Role.COORDINATOR)
                   for n in range(1, self.sizes.coordinators + 1)]
        people += [(f"scale-coach-{n:02d}", f"합성 코치 {n:02d}", Role.COACH) for n in range(1, self.sizes.coaches + 1)]
        taken = set(self.w.connection.scalars(sa.select(users.c.login_id).where(
            users.c.login_id.in_([login for login, _name, _role in people]))))
        if taken:
            raise ScaleRefused(f"이미 있는 아이디: {', '.join(sorted(taken))} (--reset 으로 비우고 만드세요)")
        created = self.now - timedelta(days=HISTORY_DAYS + 30)
        for login_id, name, role in people:
            user_id = self.w.new_id(users)
            self.logins[user_id] = login_id
            self.w.add(users, {
                "id": user_id, "login_id": login_id, "name": name, "email": f"{login_id}@example.invalid",
                "role": role, "active": True, "password_hash": password_hash,
                "session_token": new_session_token(), "last_login_at": None,
                "created_at": created, "updated_at": created, "version": 1})
            if role is Role.ADMIN:
                self.admin_id = user_id
            elif role is Role.COORDINATOR:
                self.coordinator_ids.append(user_id)
            else:
                self.coach_ids.append(user_id)
                profile_id = self.w.new_id(profiles)
                self.w.add(profiles, {"id": profile_id, "user_id": user_id, "bio": "합성 데이터의 가상 코치입니다.",
                                      "contact": None, "created_at": created, "updated_at": created, "version": 1})
                for specialty_id in rng.sample(specialties, min(len(specialties), rng.randint(1, 3))):
                    self.w.add(_table("coach_specialties"), {"coach_profile_id": profile_id,
                                                             "specialty_id": specialty_id})

    # --- companies --------------------------------------------------------------------------------------------

    def companies_with_history(self) -> None:
        sizes, rng = self.sizes, self.rng("companies")
        types, type_weights = list(ENTERPRISE_TYPE_WEIGHTS), list(ENTERPRISE_TYPE_WEIGHTS.values())
        regions = [code for code, _name, _former in REGIONS]
        region_weights = [REGION_WEIGHTS.get(code, 4) for code in regions]
        long_numbers = {int((k + 0.5) * sizes.companies / sizes.long_histories) + 1
                        for k in range(sizes.long_histories)}
        for number in range(1, sizes.companies + 1):
            is_long = number in long_numbers
            enterprise_type = rng.choices(types, type_weights)[0]
            name = f"{names.MARK}기업 {number:05d} {rng.choice(names.WORDS)}{rng.choice(names.WORDS)}"
            if enterprise_type in (EnterpriseType.COOPERATIVE, EnterpriseType.SOCIAL_COOPERATIVE):
                name += " 협동조합" if enterprise_type is EnterpriseType.COOPERATIVE else " 사회적협동조합"
            created_at = self.now - timedelta(days=HISTORY_DAYS if is_long else rng.uniform(20, HISTORY_DAYS - 60))
            company = _Company(id=self.w.new_id(_table("companies")), created_at=created_at,
                               coordinator_id=rng.choice(self.coordinator_ids), coach_ids=[])
            if is_long or rng.random() < 0.25:
                company.coach_ids = rng.sample(self.coach_ids, min(len(self.coach_ids), 2 if rng.random() < 0.1 else 1))
                self.coached.append(company)
            start = Stage.LISTED if rng.random() < 0.03 else Stage.SOURCED
            moves = LONG_HISTORY_MOVES if is_long else rng.choices(MOVE_COUNTS, MOVE_COUNT_WEIGHTS)[0]
            walk = stage_walk(rng, start, moves, settle_when_listed=not is_long)
            times = sorted(created_at + (self.now - created_at) * rng.random() for _move in walk)
            stage, held_from = start, None
            if walk:
                stage, held_from = walk[-1][1], walk[-1][0] if walk[-1][2] is Move.HOLD else None
            entries = [(to_stage, at) for (_from, to_stage, _kind), at in zip(walk, times, strict=True)]
            funnel = funnel_dates([(start, created_at), *entries])
            self._company_row(rng, company, number, name, enterprise_type, rng.choices(regions, region_weights)[0],
                              stage, held_from, times[-1] if times else created_at, len(walk), funnel)
            self._stage_changes(rng, company, start, walk, times)
            self._aliases(rng, company, number, name)
            self._certification(rng, company, number, enterprise_type)
            for coach_id in company.coach_ids:
                self.w.add(_table("company_coaches"), {"id": self.w.new_id(_table("company_coaches")),
                                                       "company_id": company.id, "coach_id": coach_id})
            self.companies.append(company)
            if is_long:
                self.long_history.append(company)

    def _company_row(self, rng, company: _Company, number: int, name: str, enterprise_type: EnterpriseType,
                     region_code: str, stage: Stage, held_from: Stage | None, stage_since: datetime,
                     moves: int, funnel: dict) -> None:
        self.w.add(_table("companies"), {
            "id": company.id, "name": name, "name_key": name_key(name), "enterprise_type": enterprise_type,
            "business_number": with_check_digit(f"{900000000 + number:09d}") if rng.random() < 0.6 else None,
            "region_code": region_code, "industry": rng.choice(names.INDUSTRIES),
            "contact_name": f"{names.MARK}담당 {number:05d}", "phone": f"000-0000-{number % 10000:04d}",
            "email": f"company{number:05d}@example.invalid", "website": f"https://example.invalid/c{number:05d}",
            "shop_url": None, "note": "합성 데이터: 실제 기업이 아닙니다.", "coordinator_id": company.coordinator_id,
            "source": names.SOURCE, "discovered_on": company.created_at.astimezone(SEOUL).date(),
            "discovered_by_id": company.coordinator_id, "stage": stage, "stage_since": stage_since,
            "held_from": held_from, "created_at": company.created_at, "updated_at": stage_since,
            "version": 1 + moves, "deleted_at": None, "deleted_by_id": None, **funnel})

    def _stage_changes(self, rng, company: _Company, start: Stage, walk, times) -> None:
        table = _table("stage_changes")
        self.w.add(table, {"id": self.w.new_id(table), "company_id": company.id, "from_stage": None,
                           "to_stage": start, "is_skip": False, "note": None, "by_id": company.coordinator_id,
                           "at": company.created_at})
        for (from_stage, to_stage, kind), at in zip(walk, times, strict=True):
            self.w.add(table, {"id": self.w.new_id(table), "company_id": company.id, "from_stage": from_stage,
                               "to_stage": to_stage, "is_skip": kind is Move.SKIP,
                               "note": rng.choice(names.MOVE_NOTES) if kind in NOTE_REQUIRED else None,
                               "by_id": company.coordinator_id, "at": at})

    def _aliases(self, rng, company: _Company, number: int, name: str) -> None:
        count = 2 if rng.random() < 0.1 else 1 if rng.random() < 0.45 else 0
        for index in range(count):
            alias = f"{rng.choice(names.WORDS)}{names.MARK}브랜드 {number:05d}-{index + 1}"
            self.w.add(_table("company_aliases"), {"id": self.w.new_id(_table("company_aliases")),
                                                   "company_id": company.id, "name": alias,
                                                   "name_key": name_key(alias)})

    def _certification(self, rng, company: _Company, number: int, enterprise_type: EnterpriseType) -> None:
        if enterprise_type not in CERTIFICATION_OF_TYPE or rng.random() < 0.2:
            return
        kind, issuer = CERTIFICATION_OF_TYPE[enterprise_type]
        valid_from = company.created_at.astimezone(SEOUL).date() - timedelta(days=rng.randint(0, 900))
        valid_to = None
        if kind.is_pre_social_enterprise:
            valid_to = valid_from + timedelta(days=3 * 365 - 2)  # a designation lasts less than three years
        elif kind is CertificationKind.SOCIAL_VENTURE:
            valid_to = valid_from + timedelta(days=365)
        table = _table("certifications")
        self.w.add(table, {"id": self.w.new_id(table), "company_id": company.id, "kind": kind,
                           "number": f"{names.MARK}-{number:05d}", "issuer": issuer, "valid_from": valid_from,
                           "valid_to": valid_to, "created_at": company.created_at,
                           "updated_at": company.created_at, "version": 1, "deleted_at": None,
                           "deleted_by_id": None})

    # --- products ---------------------------------------------------------------------------------------------

    def products(self) -> None:
        if not self.sizes.products:
            return
        rng = self.rng("products")
        products, listings, changes = _table("products"), _table("product_listings"), _table("listing_changes")
        store_id = self.w.connection.scalar(sa.select(_table("stores").c.id).where(_table("stores").c.is_default))
        for number in range(1, self.sizes.products + 1):
            # Skewed: a few companies have hundreds of products, most have a handful.
            company = self.companies[int(len(self.companies) * rng.random() ** 1.6)]
            product_id = self.w.new_id(products)
            created_at = self.some_time_before(rng, HISTORY_DAYS, after=company.created_at)
            deleted = rng.random() < 0.005
            self.w.add(products, {
                "id": product_id, "company_id": company.id,
                "name": f"{names.MARK}상품 {number:06d} {rng.choice(names.WORDS)} {rng.choice(names.PRODUCT_NOUNS)}",
                "category": rng.choice(names.PRODUCT_CATEGORIES), "price": rng.randint(30, 1500) * 100,
                "created_at": created_at, "updated_at": created_at, "version": 1,
                "deleted_at": created_at if deleted else None,
                "deleted_by_id": company.coordinator_id if deleted else None})
            if not deleted:
                company.product_ids.append(product_id)
            if rng.random() < 0.4:
                self._listing(rng, listings, changes, product_id, store_id, created_at, company.coordinator_id)

    def _listing(self, rng, listings, changes, product_id, store_id, created_at, by_id) -> None:
        listing_id, status, at = self.w.new_id(listings), ListingStatus.NOT_LISTED, created_at
        moves = []
        for _move in range(rng.randint(1, 3)):
            to_status = rng.choice(sorted(LISTING_MOVES[status]))
            at = at + (self.now - at) * rng.random()
            moves.append((status, to_status, at))
            status = to_status
        rejection = rng.choice(names.REJECTION_NOTES) if status is ListingStatus.REJECTED else None
        self.w.add(listings, {"id": listing_id, "product_id": product_id, "store_id": store_id, "status": status,
                              "status_since": at, "rejection_reason": rejection, "created_at": moves[0][2],
                              "updated_at": at, "version": 1 + len(moves)})
        for from_status, to_status, when in moves:
            note = rng.choice(names.REJECTION_NOTES) if to_status is ListingStatus.REJECTED else None
            if to_status is ListingStatus.REJECTED and when == at:
                note = rejection
            self.w.add(changes, {"id": self.w.new_id(changes), "listing_id": listing_id, "from_status": from_status,
                                 "to_status": to_status, "note": note, "by_id": by_id, "at": when})

    # --- programmes, cohorts, weekly reports ------------------------------------------------------------------

    def programs(self) -> None:
        sizes, rng = self.sizes, self.rng("programs")
        if not sizes.programs:
            return
        programs = _table("programs")
        # Cohorts end one after another, the latest just before today, so every week has its report.
        starts = sorted(self.today - timedelta(days=7 * sizes.weeks + 1 + 14 * index) for index in range(sizes.cohorts))
        first_day = starts[0] if starts else self.today
        per_program = max(1, -(-sizes.cohorts // sizes.programs))
        for index in range(sizes.programs):
            block = starts[index * per_program:(index + 1) * per_program]
            year = (block[0] if block else first_day).year
            program_id, owner_id = self.w.new_id(programs), rng.choice(self.coordinator_ids)
            created_at = seoul_instant(block[0] - timedelta(days=30)) if block else self.now - timedelta(days=400)
            theme = names.PROGRAM_THEMES[index % len(names.PROGRAM_THEMES)]
            self.w.add(programs, {"id": program_id, "year": year, "sort_order": index + 1,
                                  "name": f"{names.MARK} 사업 {index + 1:02d} {theme}",
                                  "description": "합성 데이터의 가상 사업입니다.", "note": None,
                                  "owner_id": owner_id, "created_at": created_at,
                                  "updated_at": created_at, "version": 1, "deleted_at": None,
                                  "deleted_by_id": None})
            self.program_ids.append(program_id)
            for start_on in block:
                self._cohort(rng, program_id, start_on, owner_id)

    def _cohort(self, rng, program_id: int, start_on: date, owner_id: int) -> None:
        sizes = self.sizes
        cohorts, stages, indicators, targets = (_table("cohorts"), _table("cohort_stages"), _table("indicators"),
                                                 _table("indicator_targets"))
        cohort_id = self.w.new_id(cohorts)
        self.cohort_ids.append(cohort_id)
        created_at = seoul_instant(start_on - timedelta(days=21))
        self.w.add(cohorts, {"id": cohort_id, "program_id": program_id,
                             "name": f"{names.MARK} 과정 {len(self.cohort_ids):02d}기", "start_on": start_on,
                             "weeks": sizes.weeks, "note": None, "created_at": created_at,
                             "updated_at": created_at, "version": 1, "deleted_at": None, "deleted_by_id": None})
        first, second = max(1, sizes.weeks * 2 // 13), max(2, sizes.weeks * 10 // 13)
        stage_ids = []
        for name, first_week, last_week in zip(names.COHORT_STAGES, (1, first + 1, second + 1),
                                               (first, second, sizes.weeks), strict=True):
            stage_id = self.w.new_id(stages)
            stage_ids.append(stage_id)
            self.w.add(stages, {"id": stage_id, "cohort_id": cohort_id, "name": name, "first_week": first_week,
                                "last_week": last_week})
        indicator_ids = []
        for order, (name, unit, _weekly, stage_targets) in enumerate(names.INDICATORS):
            indicator_id = self.w.new_id(indicators)
            indicator_ids.append(indicator_id)
            self.w.add(indicators, {"id": indicator_id, "cohort_id": cohort_id, "name": name, "unit": unit,
                                    "sort_order": order})
            for stage_id, value in zip(stage_ids, stage_targets, strict=True):
                self.w.add(targets, {"id": self.w.new_id(targets), "indicator_id": indicator_id,
                                     "stage_id": stage_id, "value": value})
        for company in rng.sample(self.companies, sizes.enrollments_per_cohort):
            self._enrollment(rng, cohort_id, start_on, company, owner_id, indicator_ids, created_at)

    def _enrollment(self, rng, cohort_id, start_on, company: _Company, owner_id, indicator_ids, created_at) -> None:
        enrollments, reports, values = _table("enrollments"), _table("weekly_reports"), _table("indicator_values")
        enrollment_id = self.w.new_id(enrollments)
        budget = rng.randint(20, 100) * 100_000
        dropped = rng.random() < 0.08
        self.w.add(enrollments, {
            "id": enrollment_id, "cohort_id": cohort_id, "company_id": company.id,
            "project_title": f"{names.MARK} 프로젝트 {enrollment_id:05d} {rng.choice(names.WORDS)} 판로 넓히기",
            "budget": budget, "status": EnrollmentStatus.DROPPED if dropped else EnrollmentStatus.COMPLETED,
            "final_report_status": FinalReportStatus.NOT_SUBMITTED if dropped else FinalReportStatus.REVIEWED,
            "final_report_submitted_on": None if dropped else start_on + timedelta(days=7 * self.sizes.weeks + 3),
            "final_report_comment": None,
            "settlement_status": SettlementStatus.NOT_STARTED if dropped else SettlementStatus.SETTLED,
            "settlement_amount": None if dropped else budget - rng.randint(0, 10) * 100_000,
            "settlement_comment": None, "created_at": created_at, "updated_at": created_at, "version": 1,
            "deleted_at": None, "deleted_by_id": None})
        for week in range(1, self.sizes.weeks + 1):
            week_end = start_on + timedelta(days=7 * week - 1)
            submitted_at = min(seoul_instant(week_end - timedelta(days=rng.randint(0, 3)), 17, rng.randint(0, 59))
                               + timedelta(days=3 if rng.random() < 0.05 else 0), self.now)
            reviewed_at = (min(submitted_at + timedelta(days=rng.uniform(0.2, 4)), self.now)
                           if rng.random() < 0.85 else None)
            report_id = self.w.new_id(reports)
            self.w.add(reports, {
                "id": report_id, "enrollment_id": enrollment_id, "week": week,
                "work_done": rng.choice(names.REPORT_WORK), "next_plan": rng.choice(names.REPORT_PLANS),
                "difficulties": rng.choice(names.REPORT_DIFFICULTIES) if rng.random() < 0.2 else None,
                "status": rng.choices(tuple(ReportStatus), (80, 15, 5))[0], "submitted_at": submitted_at,
                "submitted_by_id": owner_id, "submitted_via_link_id": None,
                "review_comment": rng.choice(names.REVIEW_COMMENTS) if reviewed_at else None,
                "reviewed_at": reviewed_at, "reviewed_by_id": owner_id if reviewed_at else None,
                "created_at": submitted_at, "updated_at": reviewed_at or submitted_at,
                "version": 2 if reviewed_at else 1})
            for indicator_id, (_name, _unit, (low, high), _targets) in zip(indicator_ids, names.INDICATORS,
                                                                           strict=True):
                value = rng.randint(low, high)
                if high > 1000:
                    value -= value % 1000
                self.w.add(values, {"id": self.w.new_id(values), "report_id": report_id,
                                    "indicator_id": indicator_id, "value": value})

    # --- coaching ---------------------------------------------------------------------------------------------

    def coaching(self) -> None:
        rng = self.rng("coaching")
        pool = self.coached or self.companies
        sessions, items = _table("coaching_sessions"), _table("action_items")
        for number in range(1, self.sizes.coaching_sessions + 1):
            company = rng.choice(pool)
            coach_id = rng.choice(company.coach_ids or self.coach_ids)
            held_on = self.today - timedelta(days=rng.randint(0, 730))
            created_at = min(seoul_instant(held_on, 18, rng.randint(0, 59)), self.now)
            session_id = self.w.new_id(sessions)
            self.w.add(sessions, {
                "id": session_id, "company_id": company.id, "coach_id": coach_id, "held_on": held_on,
                "duration_minutes": rng.choice((30, 60, 90, 120, 180)), "mode": rng.choice(tuple(SessionMode)),
                "topic": f"{names.MARK} 코칭 {number:05d}: {rng.choice(names.SESSION_TOPICS)}",
                "content": "합성 코칭 기록입니다. 실제 상담 내용이 아닙니다.",
                "recommendations": names.RECOMMENDATION if rng.random() < 0.6 else None,
                "created_at": created_at, "updated_at": created_at, "version": 1, "deleted_at": None,
                "deleted_by_id": None})
            for _item in range(rng.choices((0, 1, 2, 3), (20, 35, 30, 15))[0]):
                due_on = held_on + timedelta(days=rng.randint(7, 42))
                done_on = None
                if due_on < self.today and rng.random() < 0.7:
                    done_on = min(max(held_on, due_on - timedelta(days=rng.randint(-5, 10))), self.today)
                owner = rng.random()
                owner_id = coach_id if owner < 0.4 else company.coordinator_id if owner < 0.6 else None
                self.w.add(items, {"id": self.w.new_id(items), "session_id": session_id, "company_id": company.id,
                                   "what": rng.choice(names.ACTION_ITEMS), "owner_user_id": owner_id,
                                   "due_on": due_on, "done_on": done_on, "created_at": created_at,
                                   "updated_at": created_at, "version": 1, "deleted_at": None,
                                   "deleted_by_id": None})
        self._assessments(pool)

    def _assessments(self, pool: list[_Company]) -> None:
        rng = self.rng("assessments")
        assessments = _table("needs_assessments")
        specialties = list(self.w.connection.scalars(sa.select(_table("specialties").c.id)))
        for _number in range(self.sizes.needs_assessments):
            company = rng.choice(pool)
            assessed_on = self.today - timedelta(days=rng.randint(0, 730))
            created_at = min(seoul_instant(assessed_on, 16), self.now)
            assessment_id = self.w.new_id(assessments)
            self.w.add(assessments, {
                "id": assessment_id, "company_id": company.id, "assessed_on": assessed_on,
                "problems": names.ASSESSMENT_PROBLEMS, "improvements": names.ASSESSMENT_IMPROVEMENTS,
                "assessed_by_id": rng.choice(company.coach_ids or [company.coordinator_id]),
                "created_at": created_at, "updated_at": created_at, "version": 1, "deleted_at": None,
                "deleted_by_id": None})
            for specialty_id in rng.sample(specialties, min(len(specialties), rng.randint(1, 3))):
                self.w.add(_table("assessment_needs"), {"assessment_id": assessment_id, "specialty_id": specialty_id})

    # --- campaigns --------------------------------------------------------------------------------------------

    def campaigns(self) -> None:
        sizes, rng = self.sizes, self.rng("campaigns")
        if not sizes.campaigns:
            return
        channels = list(self.w.connection.execute(sa.select(_table("channels").c.id, _table("channels").c.name)
                                                  .order_by(_table("channels").c.id)))
        kinds, kind_weights = list(CAMPAIGN_KIND_WEIGHTS), list(CAMPAIGN_KIND_WEIGHTS.values())
        rest = sizes.participations - sizes.largest_campaign
        others = sizes.campaigns - 1
        for index in range(sizes.campaigns):
            if index == 0:
                count = sizes.largest_campaign
            else:
                count = rest // others + (1 if index <= rest % others else 0)
            kind = CampaignKind.LIVE_COMMERCE if index == 0 else rng.choices(kinds, kind_weights)[0]
            self._campaign(rng, index, kind, rng.choice(channels), count)

    def _campaign(self, rng, index: int, kind: CampaignKind, channel, count: int) -> None:
        campaigns = _table("campaigns")
        campaign_id = self.w.new_id(campaigns)
        if index == 0:
            self.largest_campaign_id = campaign_id
        starts_on = self.today - timedelta(days=rng.randint(-30, 700))
        ends_on = starts_on + timedelta(days=rng.randint(6, 30))
        length = (ends_on - starts_on).days + 1
        if ends_on < self.today:
            status = CampaignStatus.CANCELLED if rng.random() < 0.04 else CampaignStatus.FINISHED
        elif starts_on <= self.today:
            status = CampaignStatus.RUNNING
        else:
            status = CampaignStatus.RECRUITING if rng.random() < 0.7 else CampaignStatus.PLANNED
        created_at = min(seoul_instant(starts_on - timedelta(days=30)), self.now)
        funding = kind is CampaignKind.FUNDING
        self.w.add(campaigns, {
            "id": campaign_id, "name": f"{names.MARK} 기획전 {index + 1:03d} {rng.choice(names.CAMPAIGN_WORDS)}",
            "channel_id": channel.id,
            "program_id": rng.choice(self.program_ids) if self.program_ids and rng.random() < 0.6 else None,
            "kind": kind, "status": status, "starts_on": starts_on, "ends_on": ends_on,
            "baseline_starts_on": starts_on - timedelta(days=length), "baseline_ends_on": starts_on - timedelta(days=1),
            "preopen_starts_on": starts_on - timedelta(days=14) if funding else None,
            "preopen_ends_on": starts_on - timedelta(days=1) if funding else None,
            "description": f"합성 데이터의 가상 캠페인입니다 ({channel.name}).", "stated_company_count": None,
            "stated_product_count": None, "stated_before_total": None, "stated_after_total": None,
            "stated_change_rate": None, "stated_source": None, "created_at": created_at, "updated_at": created_at,
            "version": 1, "deleted_at": None, "deleted_by_id": None})
        for company in rng.sample(self.companies, count):
            self._participation(rng, campaign_id, kind, status, company, created_at, ends_on)

    def _participation(self, rng, campaign_id, kind, campaign_status, company: _Company, created_at, ends_on) -> None:
        participations, changes = _table("participations"), _table("participation_changes")
        if campaign_status is CampaignStatus.FINISHED:
            status = ParticipationStatus.WITHDRAWN if rng.random() < 0.1 else ParticipationStatus.COMPLETED
        elif campaign_status is CampaignStatus.RUNNING:
            status = ParticipationStatus.PARTICIPATING
        elif campaign_status is CampaignStatus.CANCELLED:
            status = ParticipationStatus.WITHDRAWN
        else:
            status = rng.choice((ParticipationStatus.APPLIED, ParticipationStatus.SELECTED))
        completed = status is ParticipationStatus.COMPLETED
        before = (0 if rng.random() < 0.1 else rng.randint(1, 500) * 10_000) if completed else None
        after = rng.randint(1, 1500) * 10_000 if completed else None
        participation_id = self.w.new_id(participations)
        end = min(seoul_instant(ends_on, 20), self.now)
        path = list(PARTICIPATION_PATH[:PARTICIPATION_PATH.index(status) + 1] if status in PARTICIPATION_PATH
                    else PARTICIPATION_PATH[:rng.randint(1, 3)] + (status,))
        times = sorted(created_at + (end - created_at) * rng.random() for _step in path)
        self.w.add(participations, {"id": participation_id, "campaign_id": campaign_id, "company_id": company.id,
                                    "status": status, "sales_before": before, "sales_after": after,
                                    "stated_change_rate": None, "note": None, "created_at": times[0],
                                    "updated_at": times[-1], "version": len(path)})
        previous = None
        for step, at in zip(path, times, strict=True):
            self.w.add(changes, {"id": self.w.new_id(changes), "participation_id": participation_id,
                                 "from_status": previous, "to_status": step, "note": None,
                                 "by_id": company.coordinator_id, "at": at})
            previous = step
        if completed:
            self._metrics(rng, participation_id, kind, times[-1])
        if kind in PRODUCT_CAMPAIGNS and company.product_ids:
            table = _table("participation_products")
            self.w.add(table, {"id": self.w.new_id(table), "participation_id": participation_id,
                               "product_id": rng.choice(company.product_ids), "concept": None, "selling_point": None})
        if kind is CampaignKind.CONTENT:
            table = _table("deliverables")
            self.w.add(table, {"id": self.w.new_id(table), "participation_id": participation_id,
                               "kind": rng.choice(DELIVERABLE_KINDS),
                               "status": DeliverableStatus.DONE if completed else DeliverableStatus.IN_PRODUCTION,
                               "title": f"{names.MARK} 콘텐츠 {participation_id:05d}", "url": None,
                               "created_at": times[0], "updated_at": times[-1], "version": 1, "deleted_at": None,
                               "deleted_by_id": None})

    def _metrics(self, rng, participation_id: int, kind: CampaignKind, at: datetime) -> None:
        metrics = _table("metrics")
        for metric in METRICS_BY_CAMPAIGN_KIND.get(kind, ()):
            low, high, step = METRIC_RANGES[metric]
            value = rng.randrange(low, high + 1, step)
            self.w.add(metrics, {"id": self.w.new_id(metrics), "participation_id": participation_id, "kind": metric,
                                 "on_date": None, "value": value, "created_at": at, "updated_at": at})


def generate(sizes: Sizes, seed: int = 1, *, reset: bool = False, now: datetime | None = None) -> Generated:
    """Write the synthetic dataset and commit. Refuses a database that holds companies unless `reset`, which
    empties every table first (users and audit log included)."""
    problems = sizes.problems()
    if problems:
        raise ValueError("; ".join(problems))
    started = perf_counter()
    connection = db.session.connection()
    if reset:
        empty_database(connection)
    elif has_companies(connection):
        raise ScaleRefused("데이터베이스에 이미 기업이 있습니다. 모두 지우고 만들려면 --reset 을 쓰세요.")
    seed_reference_data()
    seed_specialties()
    seed_channels()
    prepare_for_loading(connection)
    writer = SyntheticWriter(connection)
    generator = _Generator(writer, sizes, seed, (now or datetime.now(UTC)).replace(microsecond=0))
    generator.users()
    generator.companies_with_history()
    generator.products()
    generator.programs()
    generator.coaching()
    generator.campaigns()
    write_audit_log(generator)
    writer.flush_all()
    db.session.commit()
    finish_loading(db.session.connection())
    db.session.commit()
    return Generated(sizes=sizes, seed=seed, counts=dict(writer.counts), seconds=perf_counter() - started,
                     logins=[(login, role) for login, role in _logins(generator)],
                     long_history_company_ids=[company.id for company in generator.long_history],
                     largest_campaign_id=generator.largest_campaign_id, cohort_ids=generator.cohort_ids)


def _logins(generator: _Generator) -> list[tuple[str, Role]]:
    roles = {generator.admin_id: Role.ADMIN, **{i: Role.COORDINATOR for i in generator.coordinator_ids},
             **{i: Role.COACH for i in generator.coach_ids}}
    return [(login, roles[user_id]) for user_id, login in generator.logins.items()]
