import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog


def test_a_row_pointing_at_a_missing_record_is_refused_on_every_database(db):
    db.session.add(AuditLog(actor_id=999_999, actor_label="ghost", action="login"))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
