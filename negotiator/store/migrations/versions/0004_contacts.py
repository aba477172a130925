"""The contact log and the borrowers' contact preferences (issue 21), both append-only like the events.

``contacts``: one row per contact (channel, direction, time with the offset it
was given, outcome, person), recorded through a channel by a principal.
``contact_preferences``: what the borrower asked (channels refused, quiet
times, a preferred channel, a language, a time zone, a moratorium notified);
a change is a new row, the account's newest in force. Triggers refuse every
``UPDATE`` and ``DELETE`` (and, on SQLite, an insert replacing a row; on
PostgreSQL, ``TRUNCATE``): the log is the lender's record of contact (12 CFR
1006.100 keeps records of it; 商业银行信用卡业务监督管理办法 art. 68 keeps
collection records two years).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TABLES = {"contacts": "contact_id", "contact_preferences": "preference_id"}


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_triggers(table: str, key: str) -> list[str]:
    abort = f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
    return [f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {abort}",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {abort}",
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN NEW.{key} IS NOT NULL AND EXISTS "
            f"(SELECT 1 FROM {table} WHERE {key} = NEW.{key}) {abort}"]


def _postgresql_triggers(table: str) -> list[str]:
    return [f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION negotiator_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION negotiator_append_only()"]


CHANNELS = ("agent", "portal", "batch", "supervisor")


def upgrade() -> None:
    op.create_table('contacts',
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('policy_name', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('utc_offset', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('person', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.String(length=16), nullable=False),
    sa.Column('principal', sa.String(length=80), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(_in("channel", ("call", "sms", "email", "letter", "visit")), name=op.f('ck_contacts_channel')),
    sa.CheckConstraint(_in("direction", ("outbound", "inbound")), name=op.f('ck_contacts_direction')),
    sa.CheckConstraint(_in("outcome", ("no_answer", "message_left", "conversation", "promise_to_pay", "refused",
                                       "wrong_party")), name=op.f('ck_contacts_outcome')),
    sa.CheckConstraint(_in("person", ("borrower", "third_party")), name=op.f('ck_contacts_person')),
    sa.CheckConstraint(_in("recorded_by", CHANNELS), name=op.f('ck_contacts_recorded_by')),
    sa.CheckConstraint('utc_offset BETWEEN -1080 AND 1080', name=op.f('ck_contacts_utc_offset')),
    sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_contacts'))
    )
    op.create_index('ix_contacts_account_at', 'contacts', ['account_id', 'at', 'contact_id'])
    op.create_table('contact_preferences',
    sa.Column('preference_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
              nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('refused', sa.JSON(), nullable=False),
    sa.Column('quiet', sa.JSON(), nullable=False),
    sa.Column('preferred', sa.String(length=8), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('moratorium', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=16), nullable=False),
    sa.Column('principal', sa.String(length=80), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(_in("recorded_by", CHANNELS), name=op.f('ck_contact_preferences_recorded_by')),
    sa.PrimaryKeyConstraint('preference_id', name=op.f('pk_contact_preferences'))
    )
    op.create_index('ix_contact_preferences_account', 'contact_preferences', ['account_id', 'preference_id'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION negotiator_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; END $$")
        for table in TABLES:
            for statement in _postgresql_triggers(table):
                op.execute(statement)
    else:
        for table, key in TABLES.items():
            for statement in _sqlite_triggers(table, key):
                op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for name in (("no_update_delete", "no_truncate") if postgresql else ("no_update", "no_delete", "no_replace")):
            op.execute(f"DROP TRIGGER {table}_{name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION negotiator_append_only()")
    op.drop_index('ix_contact_preferences_account', table_name='contact_preferences')
    op.drop_table('contact_preferences')
    op.drop_index('ix_contacts_account_at', table_name='contacts')
    op.drop_table('contacts')
