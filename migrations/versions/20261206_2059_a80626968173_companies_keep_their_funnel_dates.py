"""companies keep their funnel dates

Revision ID: a80626968173
Revises: aa3b8d77afba
Create Date: 2026-12-06 20:59:57.306994

"""
from collections import defaultdict
from datetime import timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a80626968173'
down_revision = 'aa3b8d77afba'
branch_labels = None
depends_on = None

# As crm.companies.funnel computes them when this revision was written (Seoul has kept UTC+9 since 1988).
SEOUL = timezone(timedelta(hours=9))


def _seoul_date(moment):
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(SEOUL).date()


def _funnel_dates(changes):
    sourced_at = min((at for stage, at in changes if stage == 'sourced'), default=None)
    listed_at = None
    if sourced_at is not None:
        listed_at = min((at for stage, at in changes if stage == 'listed' and at >= sourced_at), default=None)
    return {'funnel_sourced_at': sourced_at,
            'funnel_days_to_listing': None if listed_at is None
            else (_seoul_date(listed_at) - _seoul_date(sourced_at)).days}


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funnel_sourced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('funnel_days_to_listing', sa.Integer(), nullable=True))

    stage_changes = sa.table('stage_changes', sa.column('company_id', sa.Integer),
                             sa.column('to_stage', sa.String), sa.column('at', sa.DateTime(timezone=True)))
    companies = sa.table('companies', sa.column('id', sa.Integer),
                         sa.column('funnel_sourced_at', sa.DateTime(timezone=True)),
                         sa.column('funnel_days_to_listing', sa.Integer))
    connection = op.get_bind()
    changes = defaultdict(list)
    for company_id, stage, at in connection.execute(
            sa.select(stage_changes.c.company_id, stage_changes.c.to_stage, stage_changes.c.at)
            .where(stage_changes.c.to_stage.in_(('sourced', 'listed')))):
        changes[company_id].append((stage, at))
    rows = [{'company_id': company_id, **_funnel_dates(company_changes)}
            for company_id, company_changes in changes.items()]
    if rows:
        connection.execute(
            companies.update().where(companies.c.id == sa.bindparam('company_id'))
            .values(funnel_sourced_at=sa.bindparam('funnel_sourced_at'),
                    funnel_days_to_listing=sa.bindparam('funnel_days_to_listing')),
            rows)


def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('funnel_days_to_listing')
        batch_op.drop_column('funnel_sourced_at')
