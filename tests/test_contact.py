"""The contact rules at their boundaries (issue 21), from the presets' ``contact`` blocks: the hours across a
daylight-saving change, the 7th and 8th call, the 7th day after a conversation, refused channels, third parties
and a moratorium, on and off."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from negotiator.core.errors import PolicyError
from negotiator.engine.contact import Contact, Preferences, window
from negotiator.policy import PolicyRegistry, load_policy_text

REGISTRY = PolicyRegistry.load()
US = REGISTRY.get("us-card").contact
UK = REGISTRY.get("uk-conc").contact
CN = REGISTRY.get("cn-card").contact
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(tz, y, m, d, hh=12, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=tz)


def _calls(tz, days, outcome="no_answer", person="borrower", hour=10):
    return [Contact("call", "outbound", _local(tz, *day, hour), outcome, person) for day in days]


# ---------------------------------------------------------------- hours, by the borrower's clock

@pytest.mark.parametrize("day,offset", [((2027, 3, 13), -5), ((2027, 3, 14), -4)])
def test_2059_is_allowed_and_2100_is_not_either_side_of_the_dst_change(day, offset):
    """12 CFR 1006.6(b)(1)(i): after 9 p.m. local time is inconvenient. New York moves to daylight time on
    14 March 2027: 20:59 and 21:00 are local times on both days (UTC-5, then UTC-4), and the next allowed time is
    08:00 local the next morning (both in daylight time)."""
    at_2059 = dt.datetime(*day, 20, 59, tzinfo=dt.timezone(dt.timedelta(hours=offset)))
    assert window(US, "call", at_2059, NY).allowed
    at_2100 = at_2059 + dt.timedelta(minutes=1)
    a = window(US, "call", at_2100, NY)
    assert not a.allowed and [c for c, _ in a.reasons] == ["outside_hours"]
    morning = dt.date(*day) + dt.timedelta(days=1)
    assert a.next_allowed_at == dt.datetime.combine(morning, dt.time(8), tzinfo=dt.timezone(dt.timedelta(hours=-4)))


def test_0759_is_too_early_and_0800_is_allowed_in_the_borrowers_zone_not_the_servers():
    """07:59 in Los Angeles is 10:59 in New York: the borrower's zone decides."""
    la = ZoneInfo("America/Los_Angeles")
    a = window(US, "sms", _local(la, 2027, 1, 5, 7, 59), la)
    assert not a.allowed and a.next_allowed_at == _local(la, 2027, 1, 5, 8, 0)
    assert window(US, "sms", _local(la, 2027, 1, 5, 8, 0), la).allowed


def test_a_letter_keeps_no_hours():
    assert window(US, "letter", _local(NY, 2027, 1, 5, 23, 30), NY).allowed


def test_the_borrowers_quiet_time_is_kept_and_ends_when_it_ends():
    """CONC 7.9.4R: due regard to the customer's reasonable requests (a shift worker asleep 09:00-17:00)."""
    prefs = Preferences(quiet=((dt.time(9), dt.time(17)),))
    a = window(UK, "call", _local(LONDON, 2027, 1, 5, 9, 0), LONDON, prefs=prefs)
    assert not a.allowed and a.next_allowed_at == _local(LONDON, 2027, 1, 5, 17, 0)
    assert window(UK, "call", _local(LONDON, 2027, 1, 5, 8, 59), LONDON, prefs=prefs).allowed


# ---------------------------------------------------------------- calls in seven days, conversations

def test_the_seventh_call_in_seven_days_is_allowed_and_the_eighth_is_not():
    """1006.14(b)(2)(i): more than seven calls within seven consecutive days is presumed harassment. Six calls
    on 1-6 January: the 7th (on the 7th) is allowed; after seven, the 8th is not, until the call of 1 January
    has left the window (8 January, from 08:00)."""
    six = _calls(NY, [(2027, 1, d) for d in range(1, 7)])
    assert window(US, "call", _local(NY, 2027, 1, 7, 15), NY, six).allowed
    seven = six + _calls(NY, [(2027, 1, 7)])
    a = window(US, "call", _local(NY, 2027, 1, 7, 15), NY, seven)
    assert not a.allowed and [c for c, _ in a.reasons] == ["call_limit"]
    assert a.next_allowed_at == _local(NY, 2027, 1, 8, 8, 0)
    assert window(US, "call", _local(NY, 2027, 1, 8, 8, 0), NY, seven).allowed


def test_calls_count_per_person_and_only_calls_count():
    seven = _calls(NY, [(2027, 1, d) for d in range(1, 8)], person="third_party")
    assert window(US, "call", _local(NY, 2027, 1, 7, 15), NY, seven).allowed     # another person's calls
    texts = [Contact("sms", "outbound", _local(NY, 2027, 1, d, 10), "message_left") for d in range(1, 8)]
    assert window(US, "call", _local(NY, 2027, 1, 7, 15), NY, texts).allowed
    # 1006.14(b)(2)(i) counts the calls the collector places: the borrower's own calls in are not counted.
    inbound = [Contact("call", "inbound", _local(NY, 2027, 1, d, 10), "message_left") for d in range(1, 8)]
    assert window(US, "call", _local(NY, 2027, 1, 7, 15), NY, inbound).allowed


@pytest.mark.parametrize("day,allowed", [(3, False), (9, False), (10, True)])
def test_no_call_within_seven_days_of_a_conversation(day, allowed):
    """1006.14(b)(2)(ii), the day of the conversation (3 January) counted as the first: no call on 3 to 9
    January, allowed again on the 10th."""
    talk = _calls(NY, [(2027, 1, 3)], outcome="conversation", hour=11)
    a = window(US, "call", _local(NY, 2027, 1, day, 14), NY, talk)
    assert a.allowed is allowed
    if not allowed:
        assert [c for c, _ in a.reasons] == ["after_conversation"]
        assert a.next_allowed_at == _local(NY, 2027, 1, 10, 8, 0)


def test_the_uk_daily_count_is_the_lenders_and_opens_the_next_morning():
    """uk-conc.yaml: three calls a day (the lender's figure)."""
    three = _calls(LONDON, [(2027, 1, 5)] * 3)
    a = window(UK, "call", _local(LONDON, 2027, 1, 5, 16), LONDON, three)
    assert not a.allowed and a.next_allowed_at == _local(LONDON, 2027, 1, 6, 8, 0)
    assert window(UK, "call", _local(LONDON, 2027, 1, 5, 16), LONDON, three[:2]).allowed


# ---------------------------------------------------------------- lasting reasons: no next time promised

def test_a_refused_channel_is_never_offered_a_time():
    prefs = Preferences(refused=frozenset({"call"}))
    a = window(US, "call", _local(NY, 2027, 1, 5, 12), NY, prefs=prefs)
    assert not a.allowed and a.next_allowed_at is None
    assert "telephone" in a.wire("en")["reasons"][0]["message"]
    assert "电话" in a.wire("zh-CN")["reasons"][0]["message"]
    assert window(US, "email", _local(NY, 2027, 1, 5, 12), NY, prefs=prefs).allowed


def test_a_moratorium_stops_contact_and_its_end_lifts_it():
    at = _local(LONDON, 2027, 1, 5, 12)
    a = window(UK, "call", at, LONDON, moratorium=True)
    assert not a.allowed and [c for c, _ in a.reasons] == ["moratorium"] and a.next_allowed_at is None
    assert window(UK, "call", at, LONDON, moratorium=False).allowed


def test_no_third_party_collection_in_china():
    """商业银行信用卡业务监督管理办法 art. 68: only the debtor (cn-card.yaml third_party: false)."""
    at = _local(SHANGHAI, 2027, 1, 5, 12)
    assert not window(CN, "call", at, SHANGHAI, person="third_party").allowed
    assert window(CN, "call", at, SHANGHAI).allowed


def test_every_reason_is_said_at_once():
    """At 22:00 after seven calls: both the hours and the count, and the next time satisfies both."""
    seven = _calls(NY, [(2027, 1, d) for d in range(1, 8)])
    a = window(US, "call", _local(NY, 2027, 1, 7, 22), NY, seven)
    assert [c for c, _ in a.reasons] == ["outside_hours", "call_limit"]
    assert a.next_allowed_at == _local(NY, 2027, 1, 8, 8, 0)
    assert window(US, "call", a.next_allowed_at, NY, seven).allowed


def test_the_policy_refuses_hours_that_end_before_they_start():
    text = (Path(__file__).parents[1] / "negotiator" / "policies" / "default.yaml").read_text(encoding="utf-8")
    bad = text.replace('hours: {start: "08:00", end: "21:00"}', 'hours: {start: "21:00", end: "08:00"}')
    assert bad != text
    with pytest.raises(PolicyError, match="end"):
        load_policy_text(bad, "bad-hours.yaml")
