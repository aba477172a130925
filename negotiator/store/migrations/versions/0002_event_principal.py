"""Events record who authenticated (``principal``) beside the actor a body names; no event can be replaced.

``principal`` is the API key's channel and id (``agent:3f2a...``), the
console's signed-in agent (``console:<agent>``), the borrower page's
invitation (``portal:<invitation>``) or the command line's user
(``cli:<user>``); rows written before this revision have none (NULL).

SQLite's ``INSERT OR REPLACE`` (and ``REPLACE``) resolves a clash of
``event_id`` by deleting the old row, which fires no delete trigger unless
recursive triggers are on: a trigger now refuses any insert of an
``event_id`` that exists. PostgreSQL has no such statement (``ON CONFLICT DO
UPDATE`` fires the update trigger, which refuses it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0002_reaged_event'
branch_labels = None
depends_on = None

SQLITE_NO_REPLACE = ("CREATE TRIGGER events_no_replace BEFORE INSERT ON events "
                     "WHEN NEW.event_id IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE event_id = NEW.event_id) "
                     "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")


def upgrade() -> None:
    # A plain ADD COLUMN (not a batch copy, which would drop the append-only triggers on SQLite).
    op.add_column('events', sa.Column('principal', sa.String(length=80), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER events_no_replace")
        # SQLite 3.35+ drops a column in place.
        op.execute("ALTER TABLE events DROP COLUMN principal")
    else:
        op.drop_column('events', 'principal')
