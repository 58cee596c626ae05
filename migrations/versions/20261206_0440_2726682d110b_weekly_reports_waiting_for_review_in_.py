"""weekly reports waiting for review in index order

Revision ID: 2726682d110b
Revises: 6695cb1e522f
Create Date: 2026-12-06 04:40:01.179826

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2726682d110b'
down_revision = '6695cb1e522f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('weekly_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_weekly_reports_reviewed_at'))
        batch_op.create_index('ix_weekly_reports_waiting_for_review', ['reviewed_at', 'submitted_at', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('weekly_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_weekly_reports_waiting_for_review')
        batch_op.create_index(batch_op.f('ix_weekly_reports_reviewed_at'), ['reviewed_at'], unique=False)

