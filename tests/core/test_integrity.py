from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.core.time import SEOUL


def test_a_row_pointing_at_a_missing_record_is_refused_on_every_database(db):
    db.session.add(AuditLog(actor_id=999_999, actor_label="ghost", action="login"))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()


def test_timestamps_come_back_as_aware_utc_whatever_zone_they_were_given_in(db):
    seoul_evening = datetime(2021, 11, 25, 21, 0, tzinfo=SEOUL)
    entry = AuditLog(actor_label="system", action="login", at=seoul_evening)
    db.session.add(entry)
    db.session.commit()
    db.session.expire_all()

    stored = db.session.scalar(sa.select(AuditLog.at).where(AuditLog.id == entry.id))

    assert stored == datetime(2021, 11, 25, 12, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)
