"""The message catalogs (negotiator/locales) and the CLDR formats: complete in every language, plural forms
from the catalogs, amounts, dates and percentages by CLDR, and the language a request is answered in."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import LanguageAccept

from negotiator.core import formats, i18n
from negotiator.core.vocabulary import LOCALES
from negotiator.engine.explain import message
from negotiator.engine.quote import quote
from negotiator.web.text import accepted_lang, lang_of, language_name

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = json.loads((ROOT / "examples" / "requests" / "card_cny.json").read_text(encoding="utf-8"))


def _script():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogs = _script()


# -- complete catalogs ---------------------------------------------------------------------------------------

def test_every_catalog_is_complete_with_the_same_placeholders():
    """Every message of the English catalog is translated in every language, with English's placeholders and
    the language's number of plural forms; every key the code and pages pass literally is in the catalogs."""
    assert catalogs.problems() == []


def test_the_catalogs_are_the_languages_the_service_speaks():
    assert tuple(catalogs.LANGS) == LOCALES
    assert all(i18n.po_path(lang).is_file() for lang in LOCALES)


def test_check_finds_a_missing_translation_and_a_changed_placeholder(tmp_path):
    root = _copy_tree(tmp_path)
    cat = catalogs.load("zh-TW", root)
    cat.get("skip", context="page").string = ""
    cat.get("busy", context="page").string = ("請在 {secs} 秒後重試。",)
    catalogs.save(cat, "zh-TW", root)
    found = catalogs.problems(root)
    assert "zh-TW: page/skip not translated" in found
    assert any(p.startswith("zh-TW: page/busy placeholders ['secs']") for p in found)


# -- plural forms ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,en", [(1, "1 month"), (2, "2 months"), (12, "12 months")])
def test_counts_take_the_catalogs_plural_forms(n, en):
    assert message("account_too_new", "en", months=n) == f"The account must be open at least {en}."
    assert message("account_too_new", "zh-CN", months=n) == f"账户开立须满 {n} 个月。"
    assert message("account_too_new", "zh-TW", months=n) == f"帳戶開立須滿 {n} 個月。"


def test_a_count_word_agrees_with_its_verb():
    one = i18n.text("contact", "call_limit", "en", count=1, days=7, next="5 January 2027")
    assert one.startswith("1 call has been made")
    assert i18n.text("contact", "call_limit", "en", count=7, days=7, next="x").startswith("7 calls have been")


# -- CLDR formats ---------------------------------------------------------------------------------------------

#: Expected by CLDR (Babel's data): en_001 long dates and currency symbols, Chinese with the unit after.
AMOUNTS = [("1100.00", "CNY", "en", "CN¥1,100.00"), ("1100.00", "CNY", "zh-CN", "1,100.00 元"),
           ("1100.00", "CNY", "zh-TW", "1,100.00 人民幣"), ("1100.00", "GBP", "en", "£1,100.00"),
           ("1100.00", "USD", "zh-CN", "1,100.00 美元"), ("1100.00", "GBP", "zh-TW", "1,100.00 英鎊"),
           ("-1500.00", "CNY", "zh-CN", "-1,500.00 元"), ("1234567", "JPY", "en", "JP¥1,234,567"),
           ("0.00", "CNY", "zh-CN", "0.00 元")]


@pytest.mark.parametrize("amount,currency,lang,said", AMOUNTS)
def test_amounts_by_cldr(amount, currency, lang, said):
    assert formats.money(amount, currency, lang) == said


@pytest.mark.parametrize("lang,said", [("en", "3 January 2027"), ("zh-CN", "2027年1月3日"), ("zh-TW", "2027年1月3日")])
def test_dates_by_cldr(lang, said):
    assert formats.date("2027-01-03", lang) == said


@pytest.mark.parametrize("lang", LOCALES)
def test_percentages_by_cldr(lang):
    assert formats.percent("0.106283", lang) == "10.63%"
    assert formats.percent("0.000592", lang, exact=True) == "0.0592%"
    assert formats.percent("1.5", lang) == "150.00%"


def test_an_amount_is_never_read_from_a_float():
    with pytest.raises(TypeError):
        formats.money(1100.1, "CNY", "en")


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2,
                   allow_nan=False, allow_infinity=False),
       st.sampled_from(LOCALES))
def test_a_formatted_amount_holds_the_exact_decimal(value, lang):
    """The figure a person reads is the wire's to the minor unit: no float, no rounding on the way."""
    said = formats.money(str(value), "CNY", lang)
    digits = re.sub(r"[^0-9.\-]", "", said.replace("\u2212", "-"))
    assert Decimal(digits) == value


def test_the_currency_is_named_for_people():
    assert formats.currency_name("CNY", "zh-CN") == "元" and formats.currency_name("CNY", "zh-TW") == "人民幣"
    assert formats.currency_name("GBP", "en") == "British pounds"


# -- no ISO code in Chinese text ------------------------------------------------------------------------------

def _messages(obj) -> list[str]:
    if isinstance(obj, dict):
        return [m for k, v in obj.items() for m in ([v] if k == "message" else _messages(v))]
    if isinstance(obj, list):
        return [m for v in obj for m in _messages(v)]
    return []


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW"])
def test_no_iso_code_in_chinese_reasons(registry, locale):
    body = copy.deepcopy(EXAMPLE)
    body["locale"] = locale
    said = _messages(quote(body, registry))
    assert said and not [m for m in said if "CNY" in m]
    assert any("元" in m or "人民幣" in m for m in said)
    assert not [m for m in said if re.search(r"\d{4}-\d{2}-\d{2}", m)]      # dates as people write them


def test_traditional_reasons_are_in_traditional_characters(registry):
    body = copy.deepcopy(EXAMPLE)
    body["locale"] = "zh-TW"
    said = " ".join(_messages(quote(body, registry)))
    assert "還款" in said and "还款" not in said


# -- negotiation ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("asked,lang", [("zh-TW", "zh-TW"), ("zh-HK", "zh-TW"), ("zh-MO", "zh-TW"),
                                        ("zh-Hant", "zh-TW"), ("zh_Hant_HK", "zh-TW"), ("zh", "zh-CN"),
                                        ("zh-Hans", "zh-CN"), ("zh-SG", "zh-CN"), ("zh-CN", "zh-CN"),
                                        ("en-US", "en"), ("en", "en"), ("fr", None), ("", None), (None, None),
                                        ("not a tag", None)])
def test_negotiation(asked, lang):
    assert i18n.negotiate(asked) == lang


def test_accept_language_best_first():
    assert accepted_lang(LanguageAccept([("fr", 1), ("zh-HK", 0.8), ("en", 0.5)])) == "zh-TW"
    assert accepted_lang(LanguageAccept([("de", 1)])) is None
    assert lang_of("zh-HK") == "zh-TW" and lang_of("xx") == "en"


def test_every_language_is_offered_in_its_own_name():
    assert [language_name(lang) for lang in LOCALES] == ["English", "简体中文", "繁體中文"]


# -- add-words -------------------------------------------------------------------------------------------------

def _copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "negotiator" / "locales", root / "negotiator" / "locales")
    (root / "negotiator" / "web").mkdir(parents=True)
    shutil.copy(ROOT / "negotiator" / "web" / "text.py", root / "negotiator" / "web" / "text.py")
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    return root


NEW_WORDS = '''"""New words of the portal, until they are in the catalogs."""

WORDS = {
    "example_change_answers": {"en": "Change your answers", "zh-CN": "修改您的回答", "zh-TW": "修改您的回答"},
    "pay_by": {"en": "Pay by {date}", "zh-CN": "请于 {date} 前还款", "zh-TW": "請於 {date} 前還款"},
}
'''


def test_add_words_moves_a_modules_words_into_every_catalog(tmp_path):
    root = _copy_tree(tmp_path)
    text_py = root / "negotiator" / "web" / "text.py"
    text_py.write_text(text_py.read_text(encoding="utf-8") + "\nfrom negotiator.web.new_words_portal import WORDS "
                       "as _PORTAL  # noqa: E402\nWORDS.update(_PORTAL)\n", encoding="utf-8")
    module = root / "negotiator" / "web" / "new_words_portal.py"
    module.write_text(NEW_WORDS, encoding="utf-8")
    assert catalogs.add_words(module, root) == 0
    assert not module.exists()
    assert "new_words_portal" not in text_py.read_text(encoding="utf-8")
    assert "_PORTAL" not in text_py.read_text(encoding="utf-8")
    assert text_py.read_text(encoding="utf-8").rstrip() == \
        (ROOT / "negotiator" / "web" / "text.py").read_text(encoding="utf-8").rstrip()
    for lang, said in (("en", "Pay by {date}"), ("zh-CN", "请于 {date} 前还款"), ("zh-TW", "請於 {date} 前還款")):
        assert catalogs.load(lang, root).get("pay_by", context="page").string == said
    assert catalogs.problems(root) == []


def test_add_words_refuses_a_language_left_out_and_changes_nothing(tmp_path):
    root = _copy_tree(tmp_path)
    module = root / "negotiator" / "web" / "new_words_console.py"
    module.write_text('WORDS = {"queue": {"en": "Queue", "zh-CN": "队列"}}\n', encoding="utf-8")
    before = catalogs.po_path("en", root).read_bytes()
    assert catalogs.add_words(module, root) == 1
    assert module.exists() and catalogs.po_path("en", root).read_bytes() == before


def test_add_words_refuses_other_words_for_a_key_the_catalogs_hold(tmp_path):
    root = _copy_tree(tmp_path)
    module = root / "negotiator" / "web" / "new_words_console.py"
    module.write_text('WORDS = {"skip": {"en": "Skip", "zh-CN": "跳过", "zh-TW": "跳過"}}\n', encoding="utf-8")
    assert catalogs.add_words(module, root) == 1 and module.exists()
