"""What coaching does when two companies are merged or one is purged for good.

Both change rows through the ORM, one by one, so the audit log records each of them."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from crm.coaching.models import ActionItem, CoachingSession, NeedsAssessment
from crm.companies.models import Company
from crm.companies.trash import TrashKind
from crm.core.softdelete import including_deleted, restore
from crm.extensions import db

# In the order a purge deletes them: the items hang on the sessions.
COMPANY_ROWS = (ActionItem, CoachingSession, NeedsAssessment)


def _rows_of(model, company_id: int) -> list:
    # Deleted rows too: restoring one after a merge must find a live company, and a purge leaves nothing.
    stmt = sa.select(model).where(model.company_id == company_id).order_by(model.id)
    return list(db.session.scalars(including_deleted(stmt)))


def move_coaching_records(survivor: Company, absorbed: Company, actor) -> None:
    """Merge handler: the absorbed company's assessments, sessions and action items go to the survivor."""
    for model in COMPANY_ROWS:
        for row in _rows_of(model, absorbed.id):
            row.company_id = survivor.id
    db.session.flush()


def purge_coaching_records(record, actor) -> None:
    """Purge handler: a company's action items, sessions and assessments (with their needs) go first."""
    if not isinstance(record, Company):
        return
    sessions = _rows_of(CoachingSession, record.id)
    session_ids = [session.id for session in sessions]
    item_stmt = sa.select(ActionItem).where(sa.or_(ActionItem.company_id == record.id,
                                                   ActionItem.session_id.in_(session_ids)))
    for item in db.session.scalars(including_deleted(item_stmt)):
        db.session.delete(item)
    db.session.flush()
    for session in sessions:
        db.session.delete(session)
    for assessment in _rows_of(NeedsAssessment, record.id):
        assessment.needs = []  # the links to specialties are rows of a plain table: cleared before the delete
        db.session.delete(assessment)
    db.session.flush()


def purge_session_items(record, actor) -> None:
    """Purge handler: a session's action items go before the session."""
    if not isinstance(record, CoachingSession):
        return
    for item in db.session.scalars(including_deleted(sa.select(ActionItem).where(ActionItem.session_id == record.id))):
        db.session.delete(item)
    db.session.flush()


def restore_session_items(session: CoachingSession, deleted_at) -> None:
    """Bring back the action items that were deleted together with the session."""
    stmt = sa.select(ActionItem).where(ActionItem.session_id == session.id, ActionItem.deleted_at == deleted_at)
    for item in db.session.scalars(including_deleted(stmt)):
        restore(item, actor=None)


def forget_needs(record, actor) -> None:
    """Purge handler: an assessment's links to specialties are rows of a plain table, cleared first."""
    if isinstance(record, NeedsAssessment):
        record.needs = []
        db.session.flush()


SESSION_TRASH = TrashKind(CoachingSession, _l("코칭"), (joinedload(CoachingSession.company),),
                          describe=lambda session: f"{session.held_on:%Y-%m-%d} {session.topic}",
                          on_restore=restore_session_items)
ASSESSMENT_TRASH = TrashKind(NeedsAssessment, _l("니즈 파악"), (joinedload(NeedsAssessment.company),),
                             describe=lambda assessment: f"{assessment.assessed_on:%Y-%m-%d}")
