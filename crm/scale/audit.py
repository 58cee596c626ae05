"""Synthetic audit rows, shaped like the listener's ({field: [old, new]} for an update, a snapshot for an insert)
and like the security events' (logins, failed logins, exports): spread evenly over two years, over the
generated records and their users, with a share on the companies that have a long history."""
from datetime import datetime, timedelta

from crm.companies.pipeline import Stage
from crm.extensions import db
from crm.scale import names

AUDIT_DAYS = 730
LONG_HISTORY_SHARE = 0.1  # of the company edits
IPS = tuple(f"10.0.{block}.{host}" for block in range(4) for host in (11, 23, 42, 87))
STAGES = tuple(stage.value for stage in Stage)


class _Events:
    """Each method makes one kind of event: (actor id, action, record type, record id, changes)."""

    def __init__(self, generator, rng):
        self.g = generator
        self.rng = rng
        self.staff = [*generator.coordinator_ids, generator.admin_id]
        self.everyone = list(generator.logins)
        tables = db.metadata.tables
        self.ids = {name: generator.w.ids_given(tables[name]) for name in (
            "stage_changes", "products", "coaching_sessions", "weekly_reports", "participations")}

    def _id_of(self, table: str) -> str | None:
        ids = self.ids[table]
        return str(self.rng.choice(ids)) if ids else None

    def company_edit(self, at: datetime):
        rng, g = self.rng, self.g
        pool = g.long_history if g.long_history and rng.random() < LONG_HISTORY_SHARE else g.companies
        changes = rng.choice((
            lambda: {"phone": [f"000-0000-{rng.randint(0, 9999):04d}", f"000-0000-{rng.randint(0, 9999):04d}"]},
            lambda: {"industry": [rng.choice(names.INDUSTRIES), rng.choice(names.INDUSTRIES)]},
            lambda: {"coordinator_id": [rng.choice(g.coordinator_ids), rng.choice(g.coordinator_ids)]},
            lambda: {"stage": [rng.choice(STAGES), rng.choice(STAGES)]},
            lambda: {"note": [None, "합성 메모: 연락처 확인"]}))()
        return rng.choice(self.staff), "update", "Company", str(rng.choice(pool).id) if pool else None, changes

    def stage_change(self, at: datetime):
        actor_id = self.rng.choice(self.staff)
        company_id = self.rng.choice(self.g.companies).id if self.g.companies else None
        changes = {"company_id": company_id, "from_stage": "sourced", "to_stage": "contacted", "is_skip": False,
                   "note": None, "by_id": actor_id, "at": at.isoformat()}
        return actor_id, "insert", "StageChange", self._id_of("stage_changes"), changes

    def price_change(self, at: datetime):
        old = self.rng.randint(30, 1500) * 100
        changes = {"price": [old, old + self.rng.randint(-10, 10) * 100]}
        return self.rng.choice(self.staff), "update", "Product", self._id_of("products"), changes

    def coaching_session(self, at: datetime):
        coach_id = self.rng.choice(self.g.coach_ids)
        changes = {"coach_id": coach_id, "topic": f"{names.MARK} 코칭: {self.rng.choice(names.SESSION_TOPICS)}",
                   "mode": "remote", "duration_minutes": 60}
        return coach_id, "insert", "CoachingSession", self._id_of("coaching_sessions"), changes

    def report_review(self, at: datetime):
        actor_id = self.rng.choice(self.staff)
        changes = {"review_comment": [None, self.rng.choice(names.REVIEW_COMMENTS)],
                   "reviewed_at": [None, at.isoformat()], "reviewed_by_id": [None, actor_id]}
        return actor_id, "update", "WeeklyReport", self._id_of("weekly_reports"), changes

    def participation_move(self, at: datetime):
        changes = {"status": ["selected", "participating"]}
        return self.rng.choice(self.staff), "update", "Participation", self._id_of("participations"), changes

    def sign_in(self, at: datetime):
        user_id = self.rng.choice(self.everyone)
        return user_id, self.rng.choice(("login", "login", "logout")), "User", str(user_id), None

    def failed_sign_in(self, at: datetime):
        return None, "login_failed", None, None, {"login_id": f"synthetic-unknown-{self.rng.randint(1, 50)}"}

    def export(self, at: datetime):
        changes = {"list": "companies", "format": self.rng.choice(("csv", "xlsx")),
                   "rows": self.rng.randint(1, max(1, len(self.g.companies)))}
        return self.rng.choice(self.staff), "export", None, None, changes


def write_audit_log(generator) -> None:
    total = generator.sizes.audit_rows
    if not total:
        return
    rng, writer, table = generator.rng("audit"), generator.w, db.metadata.tables["audit_logs"]
    events = _Events(generator, rng)
    kinds = {events.company_edit: 35, events.stage_change: 10, events.price_change: 12, events.coaching_session: 8,
             events.report_review: 10, events.participation_move: 5, events.sign_in: 13, events.failed_sign_in: 3,
             events.export: 4}
    start = generator.now - timedelta(days=AUDIT_DAYS)
    span = timedelta(days=AUDIT_DAYS, minutes=-1)
    for number, make in enumerate(rng.choices(list(kinds), list(kinds.values()), k=total)):
        # Times grow with the id, as the listener's rows do.
        at = start + span * (number / total)
        actor_id, action, record_type, record_id, changes = make(at)
        label = generator.logins[actor_id] if actor_id is not None else changes["login_id"]
        writer.add(table, {"id": writer.new_id(table), "at": at, "actor_id": actor_id, "actor_label": label,
                           "ip": rng.choice(IPS), "action": action, "record_type": record_type,
                           "record_id": record_id, "changes": changes, "import_batch_id": None})
