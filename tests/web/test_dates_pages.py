"""Dates are the server's on the pages too: the borrower page quotes as of the server's today, the console's
as_of is held to the range around it (the same rules as the API: negotiator/app/dates.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from negotiator.store.models import Quote

from .test_console import AGENT, _form
from .test_portal import _link, _options


def test_the_borrower_page_quotes_as_of_the_servers_day(web_app, web_client):
    web_app.extensions["negotiator"]["clock"].set(dt.date(2026, 11, 23))
    assert _options(web_client, _link(web_client, "ACC-DAY")).status_code == 200
    with web_app.extensions["negotiator"]["records"].db.sessions() as s:
        [(as_of, created)] = s.execute(sa.select(Quote.as_of, Quote.created_at)
                                       .where(Quote.account_id == "ACC-DAY")).all()
    assert as_of == dt.date(2026, 11, 23) and created.date() == as_of


def test_the_console_refuses_a_day_out_of_range_naming_it(web_client):
    r = web_client.post("/console/quote", data=_form(web_client, as_of="1990-01-01"), headers=AGENT)
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "as_of" in text and "within 400 days of today" in text
