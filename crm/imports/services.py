"""An import from upload to undo: read and check (preview), change the column mapping, apply all rows or none,
undo. The parsed upload waits in the database (ImportBatch, ImportRow), never on disk, so any worker may
continue it; what applying changes is audited under the batch (AuditLog.import_batch_id)."""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from crm.audit.context import acting_as
from crm.audit.models import AuditAction, AuditLog
from crm.auth.models import User
from crm.companies import products as product_services
from crm.companies.models import Company, CompanyAlias, Product
from crm.companies.pipeline import Stage
from crm.companies.rules import name_key
from crm.companies.services import distinct_aliases, start_of_pipeline, update_company
from crm.core.errors import RuleError
from crm.core.mixins import SoftDeleteMixin
from crm.core.softdelete import including_deleted, soft_delete
from crm.core.time import as_utc, utcnow
from crm.extensions import db
from crm.imports.kinds import CHUNK, KINDS, company_fields_of, lay_company_row, load_in_chunks
from crm.imports.models import ImportBatch, ImportKind, ImportRow, ImportStatus, RowMatch
from crm.imports.reading import read_upload

KEPT_FOR = timedelta(hours=24)
UNDO_WINDOW = timedelta(days=7)
# New records are flushed (and so audited) this many at a time while an import is applied.
FLUSH_EVERY = 1000
# Models whose rows an undo puts back: their columns are restored from the audit log's [old, new] pairs.
UNDOABLE = {model.__name__: model for model in (Company, CompanyAlias, Product)}


def create_batch(data: bytes, file_name: str, kind: ImportKind | str, *, actor: User) -> ImportBatch:
    """Read an upload, match its columns and check every row; nothing but the batch and its rows is stored."""
    kind = ImportKind(kind)
    table = read_upload(data, file_name)
    mapping = KINDS[kind].guess_mapping(table.headers)
    if not any(mapping):
        raise RuleError(_("첫 행에서 열 제목을 찾지 못했습니다. 첫 행에 %(example)s 같은 열 제목이 있어야 합니다.",
                          example=", ".join(str(item.label) for item in KINDS[kind].fields[:3])), field="file")
    batch = ImportBatch(kind=kind, file_name=file_name[:255], status=ImportStatus.PREVIEW, headers=table.headers,
                        column_mapping=mapping, uploaded_by_id=actor.id, uploaded_at=utcnow())
    db.session.add(batch)
    db.session.flush()
    rows = [{"line": line, "cells": cells, "values": _values(cells, mapping)} for line, cells in table.rows]
    results = _checked(batch, rows)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(ImportRow), [
            {"batch_id": batch.id, "line": row["line"], "cells": row["cells"], **result}
            for row, result in zip(rows[start:start + CHUNK], results[start:start + CHUNK], strict=True)])
    _count(batch, results)
    return batch


def mapping_problems(batch: ImportBatch) -> list[str]:
    """What is wrong with the column mapping as a whole: a required field no column feeds, a field fed twice."""
    kind = KINDS[batch.kind]
    problems = []
    for item in kind.fields:
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
                      ImportRow.target_id, ImportRow.resolved)
            .where(ImportRow.batch_id == batch.id).order_by(ImportRow.line))
    return [{"id": row_id, "line": line, "values": _values(cells, batch.column_mapping),
             "stored": {"problems": problems, "has_problems": bool(problems), "match": match, "target_id": target_id,
                        "resolved": resolved}}
            for row_id, line, cells, problems, match, target_id, resolved in db.session.execute(stmt)]


def _checked(batch: ImportBatch, rows: list[dict]) -> list[dict]:
    """For each row (line and values), what checking finds: the ImportRow columns problems, match and so on."""
    check = KINDS[batch.kind].make_checker(rows)
    column_of = {key: header for header, key in zip(batch.headers, batch.column_mapping, strict=False) if key}
    labels = {item.key: str(item.label) for item in KINDS[batch.kind].fields}
    results = []
    for row in rows:
        outcome = check(row)
        problems = [{"column": column_of.get(problem["field"]) or labels.get(problem["field"]),
                     "message": problem["message"]} for problem in outcome.problems]
        results.append({"problems": problems, "has_problems": bool(problems), "match": outcome.match,
                        "target_id": outcome.target_id, "resolved": None if problems else outcome.values})
    return results


def _count(batch: ImportBatch, results: list[dict]) -> None:
    batch.row_count = len(results)
    batch.problem_row_count = sum(result["has_problems"] for result in results)
    db.session.flush()


def check_batch(batch: ImportBatch) -> list[tuple[dict, dict]]:
    """Check every row against today's records and the forms' rules; store what changed since the last check.

    Returns each row (line, values) with what checking found, in line order."""
    rows = _rows_with_values(batch)
    results = _checked(batch, rows)
    changed = [{"id": row["id"], **result} for row, result in zip(rows, results, strict=True)
               if result != row["stored"]]
    for start in range(0, len(changed), CHUNK):
        db.session.execute(sa.update(ImportRow), changed[start:start + CHUNK])
    _count(batch, results)
    return list(zip(rows, results, strict=True))


def change_mapping(batch: ImportBatch, mapping: list[str | None], *, update_existing: bool, actor: User) -> None:
    _check_open(batch)
    known = {item.key for item in KINDS[batch.kind].fields}
    if len(mapping) != len(batch.headers) or any(key not in known for key in mapping if key):
        raise RuleError(_("열 지정이 올바르지 않습니다."), field="mapping")
    batch.column_mapping = list(mapping)
    batch.update_existing = update_existing
    check_batch(batch)


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


def apply_batch(batch: ImportBatch, *, actor: User) -> None:
    """Store every row or none: the caller commits once, or rolls back on any error. Rows are checked again
    first (records may have changed since the preview); a single problem refuses the whole import."""
    _check_open(batch)
    problems = mapping_problems(batch)
    if problems:
        raise RuleError(problems[0], field="mapping")
    checked = check_batch(batch)
    if batch.problem_row_count:
        raise RuleError(_("문제가 있는 행이 %(n)d개 있어 아무것도 저장하지 않았습니다. 고친 파일을 다시 올리세요.",
                          n=batch.problem_row_count))
    rows = [RowToApply(row["line"], row["values"], result["resolved"], result["match"], result["target_id"])
            for row, result in checked]
    with acting_as(actor, import_batch_id=batch.id):
        apply = _apply_companies if batch.kind is ImportKind.COMPANIES else _apply_products
        try:
            created, updated, skipped = apply(rows, update_existing=batch.update_existing, actor=actor)
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
    flushed a chunk at a time: one flush per company would take minutes for a large file. A chunk's stage
    changes and aliases name the ids its flush gave, and go out with the next chunk's flush."""
    started = utcnow()
    for start in range(0, len(rows), FLUSH_EVERY):
        chunk = rows[start:start + FLUSH_EVERY]
        companies = [Company(**{key: _restored(Company, key, value) for key, value in row.resolved["columns"].items()},
                             stage=Stage(row.resolved["stage"]), stage_since=started) for row in chunk]
        db.session.add_all(companies)
        db.session.flush()
        for row, company in zip(chunk, companies, strict=True):
            db.session.add(start_of_pipeline(company, actor=actor))
            db.session.add_all(CompanyAlias(company_id=company.id, name=alias, name_key=key)
                               for key, alias in distinct_aliases(company, row.resolved["aliases"]).items())
    db.session.flush()


def _apply_companies(rows: list[RowToApply], *, update_existing: bool, actor: User) -> tuple[int, int, int]:
    new_rows = [row for row in rows if row.match is RowMatch.NEW]
    _add_new_companies(new_rows, actor=actor)
    targets = {row.target_id for row in rows if row.match is RowMatch.UPDATE} if update_existing else set()
    companies = load_in_chunks(Company, targets, selectinload(Company.aliases))
    created, updated, skipped = len(new_rows), 0, 0
    for row in rows:
        if row.match is RowMatch.NEW:
            continue
        if update_existing:
            company = companies[row.target_id]
            update_company(company, lay_company_row(row.values, company_fields_of(company)), version=None,
                           actor=actor)
            updated += 1
        else:
            skipped += 1
    return created, updated, skipped


def _apply_products(rows: list[RowToApply], *, update_existing: bool, actor: User) -> tuple[int, int, int]:
    companies = load_in_chunks(Company, {row.resolved["company_id"] for row in rows})
    targets = {row.target_id for row in rows if row.match is RowMatch.UPDATE} if update_existing else set()
    products = load_in_chunks(Product, targets)
    created = updated = skipped = 0
    for row in rows:
        values = row.values
        if row.match is RowMatch.NEW:
            product_services.create_product(companies[row.resolved["company_id"]], name=values["name"],
                                            category=values.get("category"), price=values.get("price"),
                                            actor=actor)
            created += 1
        elif update_existing:
            product = products[row.target_id]
            product_services.update_product(
                product, version=None, name=values["name"],
                category=values["category"] if "category" in values else product.category,
                price=values["price"] if "price" in values else product.price, actor=actor)
            updated += 1
        else:
            skipped += 1
    return created, updated, skipped


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
    if value is None:
        return None
    column_type = model.__table__.columns[key].type
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return column_type.enum_class(value)
    if isinstance(column_type, sa.Date):
        return date.fromisoformat(value)
    return value


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
                elif record.company_id not in created_companies:
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


def template_rows(kind: ImportKind) -> tuple[list[str], list[list[str]]]:
    """The headers of a kind and one example row: the file to download and fill in."""
    definition = KINDS[ImportKind(kind)]
    return [item.headers[0] for item in definition.fields], [list(definition.template_example)]


def recent_batches(limit: int = 50) -> list[ImportBatch]:
    stmt = (sa.select(ImportBatch).options(joinedload(ImportBatch.uploaded_by))
            .order_by(ImportBatch.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def rows_for_preview(batch: ImportBatch, *, problems_only: bool, limit: int) -> list[ImportRow]:
    stmt = sa.select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.line).limit(limit)
    if problems_only:
        stmt = stmt.where(ImportRow.has_problems.is_(True))
    return list(db.session.scalars(stmt))


def match_counts(batch: ImportBatch) -> dict[RowMatch, int]:
    """How many rows without problems would add a record and how many match an existing one."""
    stmt = (sa.select(ImportRow.match, sa.func.count()).where(ImportRow.batch_id == batch.id,
                                                              ImportRow.has_problems.is_(False))
            .group_by(ImportRow.match))
    return dict(db.session.execute(stmt).tuples().all())
