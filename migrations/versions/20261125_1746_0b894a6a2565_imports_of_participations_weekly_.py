"""imports of participations, weekly reports and coaching sessions

A batch names the campaign or cohort its rows belong to; a row matching an existing record may be skipped.

Revision ID: 0b894a6a2565
Revises: 86f34d6237d4
Create Date: 2026-11-25 17:46:05.449738

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b894a6a2565'
down_revision = '86f34d6237d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cohort_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_import_batches_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_import_batches_cohort_id_cohorts'), 'cohorts', ['cohort_id'], ['id'])

    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skip', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.drop_column('skip')

    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_import_batches_cohort_id_cohorts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_import_batches_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_column('cohort_id')
        batch_op.drop_column('campaign_id')
