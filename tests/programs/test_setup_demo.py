"""The demo cohort: the report's 2021 cohort with its 7 companies and projects, loaded once however often run;
and an enrollment in the admin's trash."""
from datetime import date

import sqlalchemy as sa

from crm.demo import load_demo
from crm.programs.demo import DEMO_COHORT_NAME, PROGRAM_COHORT
from crm.programs.models import Cohort, Enrollment, EnrollmentStatus, Indicator, IndicatorTarget
from crm.programs.setup import delete_enrollment


def test_the_demo_cohort_has_the_reports_seven_projects_all_completed(db):
    load_demo()
    db.session.commit()

    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == DEMO_COHORT_NAME))
    assert cohort.program.name == PROGRAM_COHORT
    assert (cohort.start_on, cohort.weeks, len(cohort.stages)) == (date(2021, 5, 3), 26, 3)
    assert cohort.note.startswith("(예시) 보고서는 단계별 지표의 값을 밝히지 않아 예시로 두었습니다")
    assert 2 <= len(cohort.indicators) <= 3
    titles = {enrollment.company.name: enrollment.project_title for enrollment in cohort.enrollments}
    assert titles == {
        "㈜공공디자인이즘": "공생공작 쇼핑라이브",
        "365공유경제사회적협동조합": "관광 약자를 위한 통영관광",
        "레인보우팜 주식회사 농업회사법인": "국제농업박람회 진행",
        "소이플리협동조합": "롯데마트 사회적경제상품전 이장마트",
        "㈜유쾌한": "사회적가치 정기구독 서비스 <보따리> 런칭",
        "들애초": "평창군 농특산물 농협하나로마트 순회판매",
        "워킹맘": "공공급식을 통한 사회서비스 분야 모델 개발",
    }
    assert {enrollment.status for enrollment in cohort.enrollments} == {EnrollmentStatus.COMPLETED}


def test_loading_the_demo_twice_changes_nothing_of_the_cohort(db):
    load_demo()
    db.session.commit()

    def counts():
        return [db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (Cohort, Enrollment, Indicator, IndicatorTarget)]

    first = counts()
    load_demo()
    db.session.commit()

    assert counts() == first and first[:2] == [1, 7]


def test_a_deleted_enrollment_shows_in_the_admins_trash_and_comes_back(db, admin, client_as, make_enrollment):
    enrollment = make_enrollment(project_title="공생공작 쇼핑라이브")
    delete_enrollment(enrollment, actor=admin)
    db.session.commit()
    client = client_as(admin)

    listing = client.get("/admin/trash/?kind=enrollment")
    restored = client.post(f"/admin/trash/enrollment/{enrollment.id}/restore")

    assert listing.status_code == 200 and "테스트 기수 · 공생공작 쇼핑라이브" in listing.text
    assert restored.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Enrollment, enrollment.id).is_deleted


def test_deleted_programmes_and_cohorts_show_in_the_admins_trash(db, admin, client_as, make_program, make_cohort):
    program = make_program("지울 사업")
    cohort = make_cohort("지울 과정", program=program)
    client = client_as(admin)
    client.post(f"/cohorts/{cohort.id}/delete")
    client.post(f"/programs/{program.id}/delete")

    cohorts = client.get("/admin/trash/?kind=cohort")
    programs = client.get("/admin/trash/?kind=program")

    assert cohorts.status_code == 200 and "지울 사업 · 지울 과정" in cohorts.text
    assert programs.status_code == 200 and "2021 지울 사업" in programs.text
