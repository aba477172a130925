"""explain: every reason code has a message in every language of the catalogs."""

from __future__ import annotations

import re
import string

import pytest

from negotiator.engine.explain import MESSAGES, PORTAL_HIDDEN, message, reason


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_in_both_languages_with_the_same_placeholders(code):
    texts = MESSAGES[code]
    assert set(texts) == {"en", "zh-CN", "zh-TW"}
    fields = {loc: {f for _, f, _, _ in string.Formatter().parse(t) if f} for loc, t in texts.items()}
    assert fields["en"] == fields["zh-CN"] == fields["zh-TW"]
    assert re.search(r"[\u4e00-\u9fff]", texts["zh-CN"]) and re.search(r"[\u4e00-\u9fff]", texts["zh-TW"])


def test_messages_never_pressure():
    pressure = re.compile(r"\b(immediately|urgent|must pay|final notice|legal action|or else)\b", re.IGNORECASE)
    assert not [c for c, t in MESSAGES.items() if pressure.search(t["en"])]


def test_unknown_locale_falls_back_to_english():
    assert message("no_fees", "fr") == MESSAGES["no_fees"]["en"]


def test_category_names_are_translated():
    assert "食品" in message("expense_above_guideline", "zh-CN", category="food", amount="CNY 1.00")
    assert "food" in message("expense_above_guideline", "en", category="food", amount="CNY 1.00")


def test_reason_shape():
    assert reason("no_fees", "zh-CN") == {"code": "no_fees", "message": "没有可减免的费用。"}


def test_portal_hidden_codes_exist():
    assert set(MESSAGES) >= PORTAL_HIDDEN
