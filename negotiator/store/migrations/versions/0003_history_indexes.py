"""Indexes so that a page's cost does not grow with an account's history (issue 19, item 7).

``ix_arrangements_account_created``: an account's arrangements newest first,
a page at a time (``GET /v1/accounts/{id}/arrangements``, the console, the
borrower page's live plan). ``ix_events_quote_id``: the events of a quote
(an arrangement's trail starts at its quote's ``quote_issued``; the borrower
page finds the plan its invitation booked through it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX (not a batch copy, which would drop the events' triggers on SQLite).
    op.create_index('ix_arrangements_account_created', 'arrangements', ['account_id', 'created_at', 'arrangement_id'])
    op.create_index('ix_events_quote_id', 'events', ['quote_id'])


def downgrade() -> None:
    op.drop_index('ix_events_quote_id', table_name='events')
    op.drop_index('ix_arrangements_account_created', table_name='arrangements')
