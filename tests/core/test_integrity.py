import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.companies.models import Company
from crm.core.time import SEOUL
from crm.programs.models import Enrollment, ReportStatus, WeeklyReport

VERSION_INPUT = re.compile(r'name="version" type="hidden" value="(\d+)"')


def test_t34_a_row_pointing_at_a_missing_record_is_refused_on_every_database(db):
    db.session.add(AuditLog(actor_id=999_999, actor_label="ghost", action="login"))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()


def test_t31_timestamps_come_back_as_aware_utc_whatever_zone_they_were_given_in(db):
    seoul_evening = datetime(2021, 11, 25, 21, 0, tzinfo=SEOUL)
    entry = AuditLog(actor_label="system", action="login", at=seoul_evening)
    db.session.add(entry)
    db.session.commit()
    db.session.expire_all()

    stored = db.session.scalar(sa.select(AuditLog.at).where(AuditLog.id == entry.id))

    assert stored == datetime(2021, 11, 25, 12, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


@pytest.mark.parametrize("orphan", [
    lambda: WeeklyReport(enrollment_id=999_999, week=1, work_done="없는 참여의 보고", status=ReportStatus.ON_TRACK),
    lambda: Enrollment(cohort_id=999_999, company_id=999_999, project_title="없는 기업의 참여"),
], ids=["weekly report of a missing enrollment", "enrollment of a missing company"])
def test_t34_a_weekly_report_or_enrollment_pointing_nowhere_is_refused(db, orphan):
    db.session.add(orphan())

    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()


def test_t32_the_second_of_two_editors_gets_409_and_the_first_save_is_kept(db, make_company, coordinator, make_user,
                                                                          client_as):
    company = make_company("두 편집자")
    editor_a, editor_b = client_as(coordinator), client_as(make_user(Role.COORDINATOR))
    form_a = editor_a.get(f"/companies/{company.id}/edit").text
    form_b = editor_b.get(f"/companies/{company.id}/edit").text
    opened_on = int(VERSION_INPUT.search(form_a).group(1))

    saved = editor_a.post(f"/companies/{company.id}/edit", data={
        "name": "두 편집자", "enterprise_type": "other", "note": "A가 먼저", "version": opened_on})
    stale = editor_b.post(f"/companies/{company.id}/edit", data={
        "name": "두 편집자", "enterprise_type": "other", "note": "B가 나중",
        "version": int(VERSION_INPUT.search(form_b).group(1))})

    assert (saved.status_code, stale.status_code) == (302, 409)
    assert "다른 사용자가 먼저 저장했습니다" in stale.text
    db.session.expire_all()
    stored = db.session.get(Company, company.id)
    assert (stored.note, stored.version) == ("A가 먼저", opened_on + 1)
