"""Events record the W3C Trace Context ids of the request that wrote them (``trace_id``, ``span_id``).

The trace id joins an audit event to the request's log line and its
OpenTelemetry spans (W3C Trace Context, section 3.2.2.3); rows written
before this revision, and by the command line, have none (NULL).

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = (("trace_id", 32), ("span_id", 16))


def upgrade() -> None:
    # Plain ADD COLUMNs (not a batch copy, which would drop the append-only triggers on SQLite).
    for name, length in COLUMNS:
        op.add_column('events', sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE events DROP COLUMN {name}")   # in place (SQLite 3.35+): triggers kept
        else:
            op.drop_column('events', name)
