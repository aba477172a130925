"""Initial schema: quotes, arrangements, instalments, payments, events, idempotency keys.

The events table is append-only: triggers refuse every UPDATE and DELETE
(and, on PostgreSQL, TRUNCATE) on it.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

LIVE = sa.text("status IN ('pending_approval', 'active')")
STATUSES = ("status IN ('pending_approval', 'active', 'broken', 'completed', 'cancelled', 'superseded', "
            "'rejected')")
EVENT_TYPES = ("type IN ('quote_issued', 'accepted', 'approved', 'rejected', 'payment_recorded', "
               "'instalment_missed', 'broken', 'completed', 'cancelled', 'superseded')")

SQLITE_TRIGGERS = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
]
POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION negotiator_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$",
    "CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION negotiator_events_append_only()",
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION negotiator_events_append_only()",
]


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('quotes',
    sa.Column('quote_id', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=True),
    sa.Column('policy_name', sa.String(length=64), nullable=False),
    sa.Column('policy_version', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('agent', 'portal', 'batch', 'supervisor')", name=op.f('ck_quotes_channel')),
    sa.CheckConstraint('expires_at >= created_at', name=op.f('ck_quotes_expiry')),
    sa.PrimaryKeyConstraint('quote_id', name=op.f('pk_quotes'))
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_expires_at'), ['expires_at'], unique=False)

    op.create_table('arrangements',
    sa.Column('arrangement_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('quote_id', sa.String(length=40), nullable=False),
    sa.Column('option_id', sa.String(length=64), nullable=False),
    sa.Column('option_type', sa.String(length=32), nullable=False),
    sa.Column('approval', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('accepted_by', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('digits', sa.Integer(), nullable=False),
    sa.Column('policy_name', sa.String(length=64), nullable=False),
    sa.Column('policy_version', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('first_due', sa.Date(), nullable=False),
    sa.Column('last_due', sa.Date(), nullable=False),
    sa.Column('monthly_payment', sa.BigInteger(), nullable=False),
    sa.Column('total_payable', sa.BigInteger(), nullable=False),
    sa.Column('paid_total', sa.BigInteger(), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('missed_allowed', sa.Integer(), nullable=False),
    sa.Column('replaces', sa.String(length=40), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("approval IN ('none', 'agent', 'supervisor')", name=op.f('ck_arrangements_approval')),
    sa.CheckConstraint("channel IN ('agent', 'portal', 'batch', 'supervisor')", name=op.f('ck_arrangements_channel')),
    sa.CheckConstraint(STATUSES, name=op.f('ck_arrangements_status')),
    sa.CheckConstraint('first_due <= last_due', name=op.f('ck_arrangements_dates')),
    sa.CheckConstraint('grace_days >= 0 AND missed_allowed >= 0 AND term_months >= 1', name=op.f('ck_arrangements_rules')),
    sa.CheckConstraint('paid_total >= 0 AND paid_total <= total_payable', name=op.f('ck_arrangements_paid_total')),
    sa.CheckConstraint('total_payable > 0 AND monthly_payment >= 0', name=op.f('ck_arrangements_amounts')),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.quote_id'], name=op.f('fk_arrangements_quote_id_quotes')),
    sa.ForeignKeyConstraint(['replaces'], ['arrangements.arrangement_id'], name=op.f('fk_arrangements_replaces_arrangements')),
    sa.PrimaryKeyConstraint('arrangement_id', name=op.f('pk_arrangements'))
    )
    with op.batch_alter_table('arrangements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrangements_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_arrangements_status_last_due', ['status', 'last_due'], unique=False)
        batch_op.create_index('uq_arrangements_live_account', ['account_id'], unique=True, sqlite_where=LIVE, postgresql_where=LIVE)

    op.create_table('events',
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('account_id', sa.String(length=64), nullable=True),
    sa.Column('quote_id', sa.String(length=40), nullable=True),
    sa.Column('arrangement_id', sa.String(length=40), nullable=True),
    sa.Column('instalment_number', sa.Integer(), nullable=True),
    sa.Column('status_before', sa.String(length=20), nullable=True),
    sa.Column('status_after', sa.String(length=20), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.CheckConstraint("channel IN ('agent', 'portal', 'batch', 'supervisor', 'system')", name=op.f('ck_events_channel')),
    sa.CheckConstraint(EVENT_TYPES, name=op.f('ck_events_type')),
    sa.ForeignKeyConstraint(['arrangement_id'], ['arrangements.arrangement_id'], name=op.f('fk_events_arrangement_id_arrangements')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_arrangement_id'), ['arrangement_id'], unique=False)

    op.create_table('instalments',
    sa.Column('arrangement_id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('grace_ends', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('cum_due', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0 AND cum_due >= amount', name=op.f('ck_instalments_amounts')),
    sa.CheckConstraint('grace_ends >= due_date', name=op.f('ck_instalments_grace')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_instalments_number')),
    sa.ForeignKeyConstraint(['arrangement_id'], ['arrangements.arrangement_id'], name=op.f('fk_instalments_arrangement_id_arrangements')),
    sa.PrimaryKeyConstraint('arrangement_id', 'number', name=op.f('pk_instalments'))
    )
    with op.batch_alter_table('instalments', schema=None) as batch_op:
        batch_op.create_index('ix_instalments_grace_ends', ['grace_ends'], unique=False)

    op.create_table('payments',
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('arrangement_id', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payments_amount')),
    sa.ForeignKeyConstraint(['arrangement_id'], ['arrangements.arrangement_id'], name=op.f('fk_payments_arrangement_id_arrangements')),
    sa.PrimaryKeyConstraint('payment_id', name=op.f('pk_payments')),
    sa.UniqueConstraint('arrangement_id', 'reference', name='uq_payments_reference')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_arrangement_paid_on', ['arrangement_id', 'paid_on'], unique=False)

    triggers = POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_no_truncate ON events")
        op.execute("DROP TRIGGER events_no_update_delete ON events")
        op.execute("DROP FUNCTION negotiator_events_append_only()")
    else:
        op.execute("DROP TRIGGER events_no_update")
        op.execute("DROP TRIGGER events_no_delete")
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_arrangement_paid_on')

    op.drop_table('payments')
    with op.batch_alter_table('instalments', schema=None) as batch_op:
        batch_op.drop_index('ix_instalments_grace_ends')

    op.drop_table('instalments')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_arrangement_id'))

    op.drop_table('events')
    with op.batch_alter_table('arrangements', schema=None) as batch_op:
        batch_op.drop_index('uq_arrangements_live_account', sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.drop_index('ix_arrangements_status_last_due')
        batch_op.drop_index(batch_op.f('ix_arrangements_account_id'))

    op.drop_table('arrangements')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotes_expires_at'))
        batch_op.drop_index(batch_op.f('ix_quotes_account_id'))

    op.drop_table('quotes')
    op.drop_table('idempotency_keys')
