"""The ``reaged`` event: a re-ageing arrangement re-ages the account once its payments are made.

FFIEC Uniform Retail Credit Classification and Account Management Policy
(2000): the borrower should have made at least three consecutive minimum
monthly payments or the equivalent lump sum before an account is re-aged.
The store records a ``reaged`` event on the payment that completes them; the
events' CHECK constraint on ``type`` gains it. PostgreSQL changes the
constraint in place; SQLite rebuilds the table (its rows copied as they are)
and sets its append-only triggers again.

Revision ID: 0002_reaged_event
Revises: 0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

OLD = ('quote_issued', 'accepted', 'approved', 'rejected', 'payment_recorded', 'instalment_missed', 'broken',
       'completed', 'cancelled', 'superseded')
NEW = (*OLD, 'reaged')
SQLITE_TRIGGERS = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
]

revision = '0002_reaged_event'
down_revision = '0001'
branch_labels = None
depends_on = None


def _types(types: tuple[str, ...]) -> str:
    return "type IN (" + ", ".join(f"'{t}'" for t in types) + ")"


def _events(types: tuple[str, ...]) -> sa.Table:
    """The events table as 0001 made it, with the event types ``types``."""
    return sa.Table(
        'events', sa.MetaData(),
        sa.Column('event_id', sa.Integer(), primary_key=True, autoincrement=True, nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('request_id', sa.String(length=128), nullable=True),
        sa.Column('account_id', sa.String(length=64), nullable=True),
        sa.Column('quote_id', sa.String(length=40), nullable=True),
        sa.Column('arrangement_id', sa.String(length=40), sa.ForeignKey(
            'arrangements.arrangement_id', name='fk_events_arrangement_id_arrangements'), nullable=True),
        sa.Column('instalment_number', sa.Integer(), nullable=True),
        sa.Column('status_before', sa.String(length=20), nullable=True),
        sa.Column('status_after', sa.String(length=20), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.CheckConstraint("channel IN ('agent', 'portal', 'batch', 'supervisor', 'system')",
                           name='ck_events_channel'),
        sa.CheckConstraint(_types(types), name='ck_events_type'),
        sa.Index('ix_events_arrangement_id', 'arrangement_id'),
    )


def _change(types: tuple[str, ...]) -> None:
    if op.get_context().dialect.name == "sqlite":
        for name in ("events_no_update", "events_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        with op.batch_alter_table('events', copy_from=_events(types), recreate="always"):
            pass
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)
        return
    op.drop_constraint(op.f('ck_events_type'), 'events', type_='check')
    op.create_check_constraint(op.f('ck_events_type'), 'events', _types(types))


def upgrade() -> None:
    _change(NEW)


def downgrade() -> None:
    _change(OLD)
