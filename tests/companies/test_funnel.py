"""A company's funnel columns (crm.companies.funnel) always equal what its stage changes say, whichever way the
changes were written: created, moved, merged, imported, or generated at scale."""
import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from crm.audit.models import AuditLog
from crm.companies import board, funnel, merge, services
from crm.companies.models import Company, StageChange
from crm.companies.pipeline import Stage, allowed_targets
from crm.core.softdelete import including_deleted
from crm.core.time import SEOUL

T0 = datetime(2021, 4, 1, 1, 0, tzinfo=UTC)


def columns_from_the_history(company_id: int, db) -> dict:
    """The definition, read straight off the stage changes (the oracle the kept columns must match)."""
    changes = db.session.execute(sa.select(StageChange.to_stage, StageChange.at)
                                 .where(StageChange.company_id == company_id)).all()
    sourced = [at for stage, at in changes if stage is Stage.SOURCED]
    if not sourced:
        return {"funnel_sourced_at": None, "funnel_days_to_listing": None}
    listed = [at for stage, at in changes if stage is Stage.LISTED and at >= min(sourced)]
    days = (min(listed).astimezone(SEOUL).date() - min(sourced).astimezone(SEOUL).date()).days if listed else None
    return {"funnel_sourced_at": min(sourced), "funnel_days_to_listing": days}


def kept_columns(company_id: int, db) -> dict:
    row = db.session.execute(including_deleted(sa.select(Company.funnel_sourced_at, Company.funnel_days_to_listing)
                                               .where(Company.id == company_id))).one()
    return {"funnel_sourced_at": row.funnel_sourced_at, "funnel_days_to_listing": row.funnel_days_to_listing}


def test_random_histories_keep_columns_equal_to_their_stage_changes(make_company, db, coordinator):
    rng = random.Random(7)
    companies = []
    for number in range(30):
        with time_machine.travel(T0 + timedelta(hours=rng.randint(0, 500)), tick=False):
            companies.append(make_company(f"무작위{number}", stage=rng.choice([Stage.SOURCED] * 4 + list(Stage))))
    for step in range(150):
        company = rng.choice(companies)
        targets = allowed_targets(company.stage, company.held_from)
        with time_machine.travel(T0 + timedelta(days=30, hours=7 * step), tick=False):
            services.move_stage(company, rng.choice(targets), note="사유", actor=coordinator)
        db.session.commit()

    expected = {company.id: columns_from_the_history(company.id, db) for company in companies}
    assert {company.id: kept_columns(company.id, db) for company in companies} == expected
    converted = [value["funnel_days_to_listing"] for value in expected.values()
                 if value["funnel_days_to_listing"] is not None]
    assert converted, "the random walk should list some companies"
    figures = board.funnel_figures(board.BoardFilters(), coordinator)
    assert figures.sourced == sum(value["funnel_sourced_at"] is not None for value in expected.values())
    assert figures.converted == len(converted)


def test_a_move_back_to_sourcing_keeps_the_first_sourcing_and_the_first_listing_after_it(make_company, db,
                                                                                       coordinator):
    with time_machine.travel(datetime(2021, 3, 1, 14, 30, tzinfo=UTC), tick=False):  # 3. 1. 23:30 in Seoul
        company = make_company()
    for day, stage, note in ((3, Stage.LISTED, None), (5, Stage.DROPPED, "중단"), (9, Stage.SOURCED, "재개"),
                             (12, Stage.LISTED, None)):
        with time_machine.travel(datetime(2021, 3, day, 15, 30, tzinfo=UTC), tick=False):  # 00:30 the next day
            services.move_stage(company, stage, note=note, actor=coordinator)
    db.session.commit()

    assert company.funnel_sourced_at == datetime(2021, 3, 1, 14, 30, tzinfo=UTC)
    assert company.funnel_days_to_listing == 3  # 3. 1. to 3. 4. in Seoul


def test_a_company_never_at_sourcing_has_neither_column(make_company, db, coordinator):
    company = make_company(stage=Stage.LISTED)
    services.move_stage(company, Stage.DROPPED, note="중단", actor=coordinator)
    db.session.commit()

    assert kept_columns(company.id, db) == {"funnel_sourced_at": None, "funnel_days_to_listing": None}


def test_a_merge_gives_the_survivor_the_absorbed_companys_earlier_sourcing_and_listing(make_company, db,
                                                                                        coordinator):
    with time_machine.travel(T0, tick=False):
        absorbed = make_company("먼저 찾은 곳")
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        services.move_stage(absorbed, Stage.LISTED, note=None, actor=coordinator)
        db.session.commit()
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        survivor = make_company("나중에 찾은 곳")
    assert survivor.funnel_days_to_listing is None

    merge.merge_companies(survivor, absorbed, actor=coordinator)
    db.session.commit()

    assert kept_columns(survivor.id, db) == {"funnel_sourced_at": T0, "funnel_days_to_listing": 4}
    assert kept_columns(absorbed.id, db) == {"funnel_sourced_at": None, "funnel_days_to_listing": None}
    assert board.funnel_figures(board.BoardFilters(), coordinator) == board.FunnelFigures(1, 1, 4)


def test_the_columns_are_not_logged_and_leave_the_companys_version_alone(make_company, db, coordinator):
    company = make_company()
    version = company.version
    services.move_stage(company, Stage.LISTED, note=None, actor=coordinator)
    db.session.commit()

    assert company.version == version + 1  # the move itself, once
    logged = db.session.scalars(sa.select(AuditLog.changes).where(AuditLog.record_type == "Company",
                                                                  AuditLog.record_id == str(company.id)))
    logged = list(logged)
    assert any("stage" in changes for changes in logged)  # the move is logged …
    assert not any("funnel" in key for changes in logged for key in changes)  # … its funnel columns are not


def test_refreshing_rewrites_columns_that_went_wrong(make_company, db, coordinator):
    company = make_company()
    services.move_stage(company, Stage.LISTED, note=None, actor=coordinator)
    db.session.commit()
    right = kept_columns(company.id, db)
    db.session.execute(sa.update(Company).where(Company.id == company.id)
                       .values(funnel_sourced_at=None, funnel_days_to_listing=99))

    funnel.refresh_funnel_dates(db.session.connection(), [company.id])

    assert kept_columns(company.id, db) == right == columns_from_the_history(company.id, db)
