"""The audit trail is written by the session itself: insert, update, delete, soft delete and restore."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crm.audit.context import acting_as
from crm.audit.listener import Audited
from crm.audit.models import AuditLog
from crm.core.mixins import SoftDeleteMixin, TimestampMixin, VersionedMixin
from crm.core.softdelete import including_deleted, restore, soft_delete


class ScratchBase(DeclarativeBase):
    """Models that exist only for these tests, outside the application's metadata and migrations."""


sa.Table("users", ScratchBase.metadata, sa.Column("id", sa.Integer, primary_key=True))


class Shelf(Audited, ScratchBase):
    __tablename__ = "scratch_shelves"
    id: Mapped[int] = mapped_column(primary_key=True)
    widgets: Mapped[list["Widget"]] = relationship(back_populates="shelf")


class Widget(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, ScratchBase):
    __tablename__ = "scratch_widgets"
    __audit_redact__ = frozenset({"secret"})
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    secret: Mapped[str | None] = mapped_column(sa.String(40))
    shelf_id: Mapped[int | None] = mapped_column(sa.ForeignKey("scratch_shelves.id"))
    shelf: Mapped[Shelf | None] = relationship(back_populates="widgets")


@pytest.fixture
def scratch_tables(db):
    tables = [Shelf.__table__, Widget.__table__]
    ScratchBase.metadata.create_all(db.engine, tables=tables)
    yield
    db.session.rollback()
    ScratchBase.metadata.drop_all(db.engine, tables=tables)


def _entries(db, record_type="Widget"):
    return db.session.scalars(sa.select(AuditLog).where(AuditLog.record_type == record_type)
                              .order_by(AuditLog.id)).all()


def test_t31_an_insert_is_logged_with_a_snapshot_and_the_acting_user(db, scratch_tables, coordinator):
    with acting_as(coordinator):
        db.session.add(Widget(name="하나", secret="s3cret"))
        db.session.commit()

    [entry] = _entries(db)
    assert (entry.action, entry.actor_id, entry.actor_label) == ("insert", coordinator.id, "coordinator1")
    assert entry.changes["name"] == "하나"
    assert entry.changes["secret"] == "***"
    assert entry.at is not None


def test_t31_an_update_is_logged_as_old_and_new_values_of_the_changed_fields_only(db, scratch_tables):
    widget = Widget(name="하나")
    db.session.add(widget)
    db.session.commit()

    widget.name = "둘"
    db.session.commit()
    widget.name = "둘"  # no real change: no row
    db.session.commit()

    assert [(e.action, e.changes) for e in _entries(db)][1:] == [("update", {"name": ["하나", "둘"]})]


def test_t31_changes_outside_a_request_or_user_context_are_attributed_to_system(db, scratch_tables):
    db.session.add(Widget(name="하나"))
    db.session.commit()

    [entry] = _entries(db)
    assert (entry.actor_id, entry.actor_label) == (None, "system")


def test_t31_a_hard_delete_is_logged_with_a_snapshot(db, scratch_tables):
    widget = Widget(name="하나")
    db.session.add(widget)
    db.session.commit()
    widget_id = widget.id

    db.session.delete(widget)
    db.session.commit()

    deleted = _entries(db)[-1]
    assert (deleted.action, deleted.record_id, deleted.changes["name"]) == ("delete", str(widget_id), "하나")


def test_t37_a_soft_deleted_record_is_left_out_of_queries_and_relationships_until_restored(db, scratch_tables, admin):
    shelf = Shelf()
    kept, hidden = Widget(name="남김", shelf=shelf), Widget(name="숨김", shelf=shelf)
    db.session.add_all([shelf, kept, hidden])
    db.session.commit()

    soft_delete(hidden, actor=admin)
    db.session.commit()
    db.session.expire_all()

    assert db.session.scalars(sa.select(Widget.name)).all() == ["남김"]
    assert [w.name for w in db.session.get(Shelf, shelf.id).widgets] == ["남김"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Widget.__table__)) == 2  # still stored
    trash = db.session.scalars(including_deleted(sa.select(Widget).where(Widget.deleted_at.is_not(None)))).all()
    assert [(w.name, w.deleted_by_id) for w in trash] == [("숨김", admin.id)]

    restore(trash[0], actor=admin)
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(Widget.name)).all()) == ["남김", "숨김"]
    assert [e.action for e in _entries(db)][-2:] == ["delete", "restore"]


def test_t32_a_stale_version_cannot_overwrite_a_newer_save(db, scratch_tables):
    widget = Widget(name="하나")
    db.session.add(widget)
    db.session.commit()
    assert widget.version == 1  # loaded: this editor holds version 1
    db.session.execute(sa.update(Widget.__table__).values(name="다른 사람", version=Widget.__table__.c.version + 1))

    widget.name = "내 저장"
    with pytest.raises(sa.orm.exc.StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_t31_audit_rows_cannot_be_changed_or_deleted_through_the_orm(db, scratch_tables):
    db.session.add(Widget(name="하나"))
    db.session.commit()
    [entry] = _entries(db)

    entry.action = "forged"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()


def test_t31_changes_of_a_many_to_many_collection_are_logged_as_ids(db, coach, coordinator):
    from crm.coaching.models import CoachProfile, Specialty

    specialties = db.session.scalars(sa.select(Specialty).order_by(Specialty.id)).all()
    profile = CoachProfile(user_id=coach.id, specialties=specialties[:2])
    db.session.add(profile)
    db.session.commit()
    with acting_as(coordinator):
        profile.specialties = [specialties[1], specialties[2]]
        db.session.commit()

    inserted, updated = _entries(db, "CoachProfile")
    assert inserted.changes["specialties"] == [specialties[0].id, specialties[1].id]
    assert updated.changes == {"specialties": [[specialties[0].id, specialties[1].id],
                                               [specialties[1].id, specialties[2].id]]}
