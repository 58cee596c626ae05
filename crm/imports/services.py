"""An import from upload to undo: read and check (preview), change the column mapping, apply all rows or none,
undo. The parsed upload waits in the database (ImportBatch, ImportRow), never on disk, so any worker may
continue it; what applying changes is audited under the batch (AuditLog.import_batch_id)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from crm.audit.context import acting_as
from crm.audit.models import AuditAction, AuditLog
from crm.auth.models import Role, User
from crm.campaigns import services as campaign_services
from crm.campaigns.models import Campaign, Participation, ParticipationChange, ParticipationStatus
from crm.coaching import sessions as session_services
from crm.coaching.models import CoachingSession
from crm.companies import products as product_services
from crm.companies.funnel import funnel_dates
from crm.companies.models import Company, CompanyAlias, CompanyCoach, Product, StageChange
from crm.companies.pipeline import Stage
from crm.companies.rules import name_key
from crm.companies.services import distinct_aliases, update_company
from crm.core.bulk import BulkWriter
from crm.core.cache import raise_data_version
from crm.core.errors import RuleError
from crm.core.mixins import SoftDeleteMixin
from crm.core.softdelete import including_deleted, soft_delete
from crm.core.time import as_utc, utcnow
from crm.extensions import db
from crm.imports.kinds import (
    CHUNK,
    KINDS,
    CheckContext,
    batch_fields,
    cohort_with_indicators,
    company_fields_of,
    every_problem,
    fields_for,
    guess_mapping,
    lay_company_row,
    load_in_chunks,
)
from crm.imports.models import COACH_KINDS, ImportBatch, ImportKind, ImportRow, ImportStatus, RowMatch
from crm.imports.reading import read_upload
from crm.programs import progress
from crm.programs.models import Cohort, Enrollment, IndicatorValue, WeeklyReport

KEPT_FOR = timedelta(hours=24)
UNDO_WINDOW = timedelta(days=7)
# Rows a statement writes when the rows of an upload, or the companies it adds, are written in bulk: what the
# buffered rows take in memory.
WRITE_EVERY = 5000
# Models whose rows an undo puts back: their columns are restored from the audit log's [old, new] pairs.
UNDOABLE = {model.__name__: model for model in (Company, CompanyAlias, Product, Participation, ParticipationChange,
                                                 WeeklyReport, IndicatorValue, CoachingSession)}


def kinds_for(user: User) -> list[ImportKind]:
    """What the user may import: a coach only the sessions of their companies."""
    return [kind for kind in ImportKind if user.role is not Role.COACH or kind in COACH_KINDS]


def _checked_scope(kind: ImportKind, campaign_id: int | None, cohort_id: int | None) -> tuple[int | None, int | None]:
    """The live campaign or cohort a kind's rows belong to, as the user picked it; nothing for other kinds."""
    scope = KINDS[kind].scope
    if scope == "campaign":
        if campaign_id is None or db.session.scalar(sa.select(Campaign.id).where(Campaign.id == campaign_id)) is None:
            raise RuleError(_("참여기업을 가져올 캠페인을 고르세요."), field="campaign_id")
        return campaign_id, None
    if scope == "cohort":
        if cohort_id is None or db.session.scalar(sa.select(Cohort.id).where(Cohort.id == cohort_id)) is None:
            raise RuleError(_("주간 보고를 가져올 26주 과정을 고르세요."), field="cohort_id")
        return None, cohort_id
    return None, None


def create_batch(data: bytes, file_name: str, kind: ImportKind | str, *, actor: User, campaign_id: int | None = None,
                 cohort_id: int | None = None) -> ImportBatch:
    """Read an upload, match its columns and check every row; nothing but the batch and its rows is stored."""
    kind = ImportKind(kind)
    if kind not in kinds_for(actor):
        raise RuleError(_("코치는 배정된 기업의 코칭 기록만 가져올 수 있습니다."), field="kind")
    campaign_id, cohort_id = _checked_scope(kind, campaign_id, cohort_id)
    table = read_upload(data, file_name)
    fields = fields_for(kind, cohort_with_indicators(cohort_id))
    mapping = guess_mapping(fields, table.headers)
    if not any(mapping):
        raise RuleError(_("첫 행에서 열 제목을 찾지 못했습니다. 첫 행에 %(example)s 같은 열 제목이 있어야 합니다.",
                          example=", ".join(str(item.label) for item in fields[:3])), field="file")
    batch = ImportBatch(kind=kind, file_name=file_name[:255], status=ImportStatus.PREVIEW, headers=table.headers,
                        column_mapping=mapping, uploaded_by_id=actor.id, uploaded_at=utcnow(),
                        campaign_id=campaign_id, cohort_id=cohort_id)
    db.session.add(batch)
    db.session.flush()
    rows = [{"line": line, "cells": cells, "values": _values(cells, mapping)} for line, cells in table.rows]
    results = _checked(batch, rows, actor)
    writer = BulkWriter(db.session.connection(), chunk_size=WRITE_EVERY)
    for row, result in zip(rows, results, strict=True):
        writer.add(ImportRow.__table__, {"batch_id": batch.id, "line": row["line"], "cells": row["cells"], **result})
    writer.flush_all()
    _count(batch, results)
    return batch


def mapping_problems(batch: ImportBatch) -> list[str]:
    """What is wrong with the column mapping as a whole: a required field no column feeds, a field fed twice."""
    problems = []
    for item in batch_fields(batch):
        fed_by = batch.column_mapping.count(item.key)
        if item.required and not fed_by:
            problems.append(_("필수 항목 '%(field)s'에 맞는 열이 없습니다.", field=item.label))
        if fed_by > 1:
            problems.append(_("항목 '%(field)s'에 열이 두 개 이상 지정되었습니다.", field=item.label))
    return problems


def unmatched_headers(batch: ImportBatch) -> list[str]:
    """Headers that feed no field and that the export does not write either: the user may want to map them."""
    kind = KINDS[batch.kind]
    return [header for header, key in zip(batch.headers, batch.column_mapping, strict=False)
            if key is None and header and not kind.is_export_only(header)]


def _values(cells: list[str], mapping: list[str | None]) -> dict:
    return {key: (cells[position] if position < len(cells) else "") for position, key in enumerate(mapping) if key}


def _rows_with_values(batch: ImportBatch) -> list[dict]:
    stmt = (sa.select(ImportRow.id, ImportRow.line, ImportRow.cells, ImportRow.problems, ImportRow.match,
                      ImportRow.target_id, ImportRow.resolved, ImportRow.skip)
            .where(ImportRow.batch_id == batch.id).order_by(ImportRow.line))
    return [{"id": row_id, "line": line, "values": _values(cells, batch.column_mapping), "skip": skip,
             "stored": {"problems": problems, "has_problems": bool(problems), "match": match, "target_id": target_id,
                        "resolved": resolved}}
            for row_id, line, cells, problems, match, target_id, resolved, skip in db.session.execute(stmt)]


def _checked(batch: ImportBatch, rows: list[dict], actor: User) -> list[dict]:
    """For each row (line and values), what checking finds: the ImportRow columns problems, match and so on."""
    kind = KINDS[batch.kind]
    check = kind.make_checker(rows, CheckContext(batch=batch, actor=actor))
    column_of = {key: header for header, key in zip(batch.headers, batch.column_mapping, strict=False) if key}
    labels = {item.key: str(item.label) for item in batch_fields(batch)}
    results = []
    for row in rows:
        outcome = every_problem(check, row, kind.placeholders)
        problems = [{"column": column_of.get(problem["field"]) or labels.get(problem["field"]),
                     "message": problem["message"]} for problem in outcome.problems]
        results.append({"problems": problems, "has_problems": bool(problems), "match": outcome.match,
                        "target_id": outcome.target_id, "resolved": None if problems else outcome.values})
    return results


def _count(batch: ImportBatch, results: list[dict]) -> None:
    batch.row_count = len(results)
    batch.problem_row_count = sum(result["has_problems"] for result in results)
    db.session.flush()


def check_batch(batch: ImportBatch, *, actor: User) -> list[tuple[dict, dict]]:
    """Check every row against today's records and the forms' rules; store what changed since the last check.

    Returns each row (line, values) with what checking found, in line order."""
    rows = _rows_with_values(batch)
    results = _checked(batch, rows, actor)
    changed = [{"id": row["id"], **result} for row, result in zip(rows, results, strict=True)
               if result != row["stored"]]
    for start in range(0, len(changed), CHUNK):
        db.session.execute(sa.update(ImportRow), changed[start:start + CHUNK])
    _count(batch, results)
    return list(zip(rows, results, strict=True))


def change_mapping(batch: ImportBatch, mapping: list[str | None], *, update_existing: bool, actor: User) -> None:
    _check_open(batch)
    known = {item.key for item in batch_fields(batch)}
    if len(mapping) != len(batch.headers) or any(key not in known for key in mapping if key):
        raise RuleError(_("열 지정이 올바르지 않습니다."), field="mapping")
    batch.column_mapping = list(mapping)
    batch.update_existing = update_existing
    check_batch(batch, actor=actor)


def choose_updates(batch: ImportBatch, shown_lines: list[int], update_lines: list[int], *, actor: User) -> None:
    """Per row that matches an existing record: update it (a line in `update_lines`) or leave the record as it
    is (a line shown to the user but not chosen). Lines the user was not shown keep their choice."""
    _check_open(batch)
    chosen = set(update_lines)
    for start in range(0, len(shown_lines), CHUNK):
        lines = shown_lines[start:start + CHUNK]
        db.session.execute(sa.update(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.line.in_(lines))
                           .values(skip=sa.not_(ImportRow.line.in_([line for line in lines if line in chosen]))))


def is_expired(batch: ImportBatch) -> bool:
    return batch.status is ImportStatus.EXPIRED or (
        batch.status is ImportStatus.PREVIEW and as_utc(batch.uploaded_at) < utcnow() - KEPT_FOR)


def _check_open(batch: ImportBatch) -> None:
    if is_expired(batch):
        raise RuleError(_("미리보기가 만료되었습니다 (24시간). 파일을 다시 올리세요."))
    if batch.status is not ImportStatus.PREVIEW:
        raise RuleError(_("이미 적용했거나 되돌린 가져오기입니다."))


def expire_stale_batches() -> int:
    """Delete the rows of every upload older than 24 hours (an unapplied one becomes expired); the count."""
    cutoff = utcnow() - KEPT_FOR
    stale = sa.select(ImportBatch.id).where(ImportBatch.uploaded_at < cutoff)
    deleted = db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id.in_(stale))).rowcount
    for batch in db.session.scalars(sa.select(ImportBatch).where(ImportBatch.uploaded_at < cutoff,
                                                                 ImportBatch.status == ImportStatus.PREVIEW)):
        batch.status = ImportStatus.EXPIRED
    db.session.flush()
    return deleted


@dataclass
class RowToApply:
    line: int
    values: dict
    resolved: dict
    match: RowMatch
    target_id: int | None
    # A row matching an existing record that is to be left as it is.
    skip: bool = False


def apply_batch(batch: ImportBatch, *, actor: User) -> None:
    """Store every row or none: the caller commits once, or rolls back on any error. Rows are checked again
    first (records may have changed since the preview); a single problem refuses the whole import."""
    _check_open(batch)
    problems = mapping_problems(batch)
    if problems:
        raise RuleError(problems[0], field="mapping")
    checked = check_batch(batch, actor=actor)
    if batch.problem_row_count:
        raise RuleError(_("문제가 있는 행이 %(n)d개 있어 아무것도 저장하지 않았습니다. 고친 파일을 다시 올리세요.",
                          n=batch.problem_row_count))
    rows = [RowToApply(row["line"], row["values"], result["resolved"], result["match"], result["target_id"],
                       skip=result["match"] is RowMatch.UPDATE and (row["skip"] or not batch.update_existing))
            for row, result in checked]
    with acting_as(actor, import_batch_id=batch.id):
        try:
            created, updated, skipped = APPLIERS[batch.kind](batch, rows, actor=actor)
        except sa.exc.IntegrityError:
            # Somebody stored a record with the same business number after the check: the caller rolls back.
            raise RuleError(_("적용하는 동안 다른 사용자가 같은 기록을 저장했습니다. 다시 적용하세요.")) from None
        batch.created_count, batch.updated_count, batch.skipped_count = created, updated, skipped
        batch.status = ImportStatus.APPLIED
        batch.applied_by_id = actor.id
        batch.applied_at = utcnow()
        db.session.flush()


def _add_new_companies(rows: list[RowToApply], *, actor: User) -> None:
    """New companies as create_company makes them (their columns checked by the same clean_company_fields
    when the rows were checked just before; the start of the pipeline recorded; aliases other than the name),
    with the audit rows the listener writes for them, all written in bulk: the ORM takes ten seconds and more
    to build, flush and audit the 60,000 records of 20,000 companies.

    The session never holds the new records: a query later in the transaction loads them from the database."""
    # Whatever the session holds goes first, so that the writes keep their order.
    db.session.flush()
    raise_data_version(db.session)
    writer = BulkWriter(db.session.connection(), chunk_size=WRITE_EVERY)
    now = utcnow()
    company_ids = writer.reserve_ids(Company.__table__, len(rows))
    change_ids = writer.reserve_ids(StageChange.__table__, len(rows))
    # distinct_aliases compares the aliases with the company's name key, all it reads of the company.
    aliases_of = [distinct_aliases(Company(name_key=row.resolved["columns"]["name_key"]), row.resolved["aliases"])
                  for row in rows]
    alias_ids = iter(writer.reserve_ids(CompanyAlias.__table__, sum(map(len, aliases_of))))
    for row, company_id, change_id, aliases in zip(rows, company_ids, change_ids, aliases_of, strict=True):
        stage = Stage(row.resolved["stage"])
        writer.add_audited(Company, {
            **{key: _restored(Company, key, value) for key, value in row.resolved["columns"].items()},
            "id": company_id, "stage": stage, "stage_since": now, "held_from": None, "deleted_at": None,
            "deleted_by_id": None, "created_at": now, "updated_at": now, "version": 1,
            **funnel_dates([(stage, now)])})
        writer.add_audited(StageChange, {"id": change_id, "company_id": company_id, "from_stage": None,
                                         "to_stage": stage, "is_skip": False, "note": None, "by_id": actor.id,
                                         "at": now})
        for key, alias in aliases.items():
            writer.add_audited(CompanyAlias, {"id": next(alias_ids), "company_id": company_id, "name": alias,
                                              "name_key": key})
    writer.flush_all()


def _updated_targets(rows: list[RowToApply]) -> set[int]:
    return {row.target_id for row in rows if row.match is RowMatch.UPDATE and not row.skip}


def _counts(rows: list[RowToApply]) -> tuple[int, int, int]:
    """(created, updated, skipped) as applying the rows does them."""
    created = sum(row.match is RowMatch.NEW for row in rows)
    skipped = sum(row.skip for row in rows)
    return created, len(rows) - created - skipped, skipped


def _apply_companies(batch: ImportBatch, rows: list[RowToApply], *, actor: User) -> tuple[int, int, int]:
    _add_new_companies([row for row in rows if row.match is RowMatch.NEW], actor=actor)
    companies = load_in_chunks(Company, _updated_targets(rows), selectinload(Company.aliases))
    for row in rows:
        if row.match is RowMatch.UPDATE and not row.skip:
            company = companies[row.target_id]
            update_company(company, lay_company_row(row.values, company_fields_of(company)), version=None,
                           actor=actor)
    return _counts(rows)


def _apply_products(batch: ImportBatch, rows: list[RowToApply], *, actor: User) -> tuple[int, int, int]:
    companies = load_in_chunks(Company, {row.resolved["company_id"] for row in rows})
    products = load_in_chunks(Product, _updated_targets(rows))
    for row in rows:
        values = row.values
        if row.match is RowMatch.NEW:
            product_services.create_product(companies[row.resolved["company_id"]], name=values["name"],
                                            category=values.get("category"), price=values.get("price"),
                                            actor=actor)
        elif not row.skip:
            product = products[row.target_id]
            product_services.update_product(
                product, version=None, name=values["name"],
                category=values["category"] if "category" in values else product.category,
                price=values["price"] if "price" in values else product.price, actor=actor)
    return _counts(rows)


def _apply_participations(batch: ImportBatch, rows: list[RowToApply], *, actor: User) -> tuple[int, int, int]:
    """New companies join the campaign through add_participations (consecutive rows of one status together, so
    the campaign keeps the file's order), matched ones move along the status table, and every company taking
    part gets its figures through update_sales, as the sales form saves them."""
    campaign = db.session.get(Campaign, batch.campaign_id)
    applied = [row for row in rows if not row.skip]
    new_rows = [row for row in applied if row.match is RowMatch.NEW]
    participation_of = {}
    start = 0
    while start < len(new_rows):
        status = new_rows[start].resolved["status"]
        end = start
        while end < len(new_rows) and new_rows[end].resolved["status"] == status:
            end += 1
        added = campaign_services.add_participations(
            campaign, [row.resolved["company_id"] for row in new_rows[start:end]],
            status=ParticipationStatus(status), actor=actor)
        participation_of.update((participation.company_id, participation) for participation in added)
        start = end
    matched = load_in_chunks(Participation, _updated_targets(rows))
    participation_of.update((participation.company_id, participation) for participation in matched.values())
    sales_rows = []
    for row in applied:
        participation = participation_of[row.resolved["company_id"]]
        status = ParticipationStatus(row.resolved["status"])
        if participation.status is not status:
            campaign_services.move_participation(participation, status, note=None, actor=actor)
        if status in campaign_services.TAKING_PART:
            figures = {key: getattr(participation, key) for key in ("sales_before", "sales_after",
                                                                    "stated_change_rate")}
            figures |= row.resolved["figures"]
            sales_rows.append(campaign_services.SalesRowFields(participation.id, **figures))
    if sales_rows:
        campaign_services.update_sales(campaign, sales_rows, actor=actor)
    return _counts(rows)


def _apply_weekly_reports(batch: ImportBatch, rows: list[RowToApply], *, actor: User) -> tuple[int, int, int]:
    """Each new week through submit_report and each matched one through update_report, as a coordinator
    records and corrects them by hand."""
    enrollments = load_in_chunks(Enrollment, {row.resolved["enrollment_id"] for row in rows},
                                 selectinload(Enrollment.cohort).selectinload(Cohort.indicators))
    reports = load_in_chunks(WeeklyReport, _updated_targets(rows), selectinload(WeeklyReport.values),
                             joinedload(WeeklyReport.enrollment))
    for row in rows:
        if row.skip:
            continue
        fields = progress.ReportFields(**row.resolved["fields"])
        amounts = {int(key): value for key, value in row.resolved["indicators"].items()}
        if row.match is RowMatch.NEW:
            progress.submit_report(enrollments[row.resolved["enrollment_id"]], row.resolved["week"], fields, amounts,
                                   actor=actor)
        else:
            progress.update_report(reports[row.target_id], fields, amounts, version=None, actor=actor)
    return _counts(rows)


def _apply_coaching_sessions(batch: ImportBatch, rows: list[RowToApply], *, actor: User) -> tuple[int, int, int]:
    """Each session through create_session or update_session (its action items untouched), as the form saves."""
    companies = load_in_chunks(Company, {row.resolved["company_id"] for row in rows},
                               selectinload(Company.coach_links).joinedload(CompanyCoach.coach))
    sessions = load_in_chunks(CoachingSession, _updated_targets(rows), selectinload(CoachingSession.action_items))
    for row in rows:
        if row.skip:
            continue
        fields = dict(row.resolved["fields"])
        arguments = {"coach": fields.pop("coach_id"), "held_on": date.fromisoformat(fields.pop("held_on")), **fields}
        if row.match is RowMatch.NEW:
            session_services.create_session(companies[row.resolved["company_id"]], **arguments, actor=actor)
        else:
            session_services.update_session(sessions[row.target_id], version=None, **arguments, actor=actor)
    return _counts(rows)


APPLIERS = {
    ImportKind.COMPANIES: _apply_companies,
    ImportKind.PRODUCTS: _apply_products,
    ImportKind.PARTICIPATIONS: _apply_participations,
    ImportKind.WEEKLY_REPORTS: _apply_weekly_reports,
    ImportKind.COACHING_SESSIONS: _apply_coaching_sessions,
}


def _audit_rows_of(batch: ImportBatch) -> list[AuditLog]:
    stmt = (sa.select(AuditLog).where(AuditLog.import_batch_id == batch.id, AuditLog.record_type.in_(UNDOABLE))
            .order_by(AuditLog.id))
    return list(db.session.scalars(stmt))


def undo_blockers(batch: ImportBatch, audit_rows: list[AuditLog] | None = None) -> list[tuple[str, str]]:
    """(record type, id) of the records this import changed that anybody has changed since."""
    audit_rows = _audit_rows_of(batch) if audit_rows is None else audit_rows
    if not audit_rows:
        return []
    last_id = audit_rows[-1].id
    touched = sorted({(row.record_type, row.record_id) for row in audit_rows})
    blockers = set()
    for record_type in {record_type for record_type, _record_id in touched}:
        ids = [record_id for kind, record_id in touched if kind == record_type]
        for start in range(0, len(ids), CHUNK):
            stmt = sa.select(AuditLog.record_type, AuditLog.record_id).where(
                AuditLog.id > last_id, AuditLog.record_type == record_type,
                AuditLog.record_id.in_(ids[start:start + CHUNK]),
                sa.or_(AuditLog.import_batch_id.is_(None), AuditLog.import_batch_id != batch.id))
            blockers.update(db.session.execute(stmt).tuples())
    return sorted(blockers)


def can_undo(batch: ImportBatch) -> bool:
    return (batch.status is ImportStatus.APPLIED and batch.applied_at is not None
            and as_utc(batch.applied_at) >= utcnow() - UNDO_WINDOW)


def _restored(model, key: str, value):
    """A JSON value (from the audit log, or a checked row) as the column holds it."""
    restore = _restorer(model, key)
    return value if value is None or restore is None else restore(value)


@cache
def _restorer(model, key: str) -> Callable[[str], object] | None:
    column_type = model.__table__.columns[key].type
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return column_type.enum_class
    if isinstance(column_type, sa.Date):
        return date.fromisoformat
    return None


def undo_batch(batch: ImportBatch, *, actor: User) -> None:
    """Put back what the import changed: records it created are deleted (to the trash), fields it changed get
    their old values, aliases it removed return. Refused once anybody has changed one of those records."""
    if not can_undo(batch):
        raise RuleError(_("적용한 지 7일이 지나지 않은 가져오기만 되돌릴 수 있습니다."))
    audit_rows = _audit_rows_of(batch)
    blockers = undo_blockers(batch, audit_rows)
    if blockers:
        names = ", ".join(f"{record_type} #{record_id}" for record_type, record_id in blockers[:20])
        raise RuleError(_("가져온 뒤 바뀐 기록이 있어 되돌릴 수 없습니다: %(records)s", records=names))
    keys = {(row.record_type, int(row.record_id)) for row in audit_rows}
    records = {}
    for type_name, model in UNDOABLE.items():
        ids = {record_id for record_type, record_id in keys if record_type == type_name}
        for start in range(0, len(ids), CHUNK):
            chunk = sorted(ids)[start:start + CHUNK]
            stmt = including_deleted(sa.select(model).where(model.id.in_(chunk)))
            records.update(((type_name, record.id), record) for record in db.session.scalars(stmt))
    created_companies = {int(row.record_id) for row in audit_rows
                         if row.record_type == "Company" and row.action == AuditAction.INSERT}
    deleted_at = utcnow()
    with acting_as(actor, import_batch_id=batch.id):
        for row in reversed(audit_rows):
            model = UNDOABLE[row.record_type]
            record = records.get((row.record_type, int(row.record_id)))
            if row.action == AuditAction.INSERT and record is not None:
                if isinstance(record, SoftDeleteMixin):
                    soft_delete(record, actor=actor, at=deleted_at)
                elif getattr(record, "company_id", None) not in created_companies:
                    # Rows of companies the import created stay with them in the trash (aliases).
                    db.session.delete(record)
            elif row.action == AuditAction.UPDATE and record is not None:
                for key, (old, _new) in row.changes.items():
                    setattr(record, key, _restored(model, key, old))
                if "name" in row.changes and model is Company:
                    record.name_key = name_key(record.name)  # derived, so not in the audit log
            elif row.action == AuditAction.DELETE and model is CompanyAlias:
                db.session.add(CompanyAlias(company_id=row.changes["company_id"], name=row.changes["name"],
                                            name_key=name_key(row.changes["name"])))
        batch.status = ImportStatus.UNDONE
        batch.undone_by_id = actor.id
        batch.undone_at = utcnow()
        db.session.flush()


def template_rows(kind: ImportKind, cohort: Cohort | None = None) -> tuple[list[str], list[list[str]]]:
    """The headers of a kind and one example row: the file to download and fill in (for weekly reports of a
    cohort, a column per indicator, 0 in the example)."""
    kind = ImportKind(kind)
    fields = fields_for(kind, cohort)
    example = list(KINDS[kind].template_example)
    return [item.headers[0] for item in fields], [example + ["0"] * (len(fields) - len(example))]


def batch_for(user: User, batch_id: int) -> ImportBatch | None:
    """The batch if the user may see it: coordination every batch, a coach only their own uploads."""
    stmt = sa.select(ImportBatch).where(ImportBatch.id == batch_id)
    if user.role is Role.COACH:
        stmt = stmt.where(ImportBatch.uploaded_by_id == user.id)
    return db.session.scalar(stmt)


def recent_batches(user: User, limit: int = 50) -> list[ImportBatch]:
    stmt = (sa.select(ImportBatch).options(joinedload(ImportBatch.uploaded_by))
            .order_by(ImportBatch.id.desc()).limit(limit))
    if user.role is Role.COACH:
        stmt = stmt.where(ImportBatch.uploaded_by_id == user.id)
    return list(db.session.scalars(stmt))


def rows_for_preview(batch: ImportBatch, *, problems_only: bool = False, matched_only: bool = False,
                     limit: int) -> list[ImportRow]:
    stmt = sa.select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.line).limit(limit)
    if problems_only:
        stmt = stmt.where(ImportRow.has_problems.is_(True))
    if matched_only:
        stmt = stmt.where(ImportRow.has_problems.is_(False), ImportRow.match == RowMatch.UPDATE)
    return list(db.session.scalars(stmt))


def skipped_row_count(batch: ImportBatch) -> int:
    """Rows without problems matching a record that the user chose to leave as it is."""
    return db.session.scalar(sa.select(sa.func.count(ImportRow.id)).where(
        ImportRow.batch_id == batch.id, ImportRow.has_problems.is_(False), ImportRow.match == RowMatch.UPDATE,
        ImportRow.skip.is_(True)))


def match_counts(batch: ImportBatch) -> dict[RowMatch, int]:
    """How many rows without problems would add a record and how many match an existing one."""
    stmt = (sa.select(ImportRow.match, sa.func.count()).where(ImportRow.batch_id == batch.id,
                                                              ImportRow.has_problems.is_(False))
            .group_by(ImportRow.match))
    return dict(db.session.execute(stmt).tuples().all())


def campaign_choices() -> list[Campaign]:
    """Live campaigns, newest first, for the upload form."""
    return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc().nulls_last(),
                                                                Campaign.id.desc())))


def cohort_choices() -> list[Cohort]:
    """Live cohorts with their programme, newest first, for the upload form."""
    return list(db.session.scalars(sa.select(Cohort).options(joinedload(Cohort.program))
                                   .order_by(Cohort.start_on.desc(), Cohort.id.desc())))
