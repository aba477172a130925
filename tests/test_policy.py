"""policy: the five presets, validation on load naming the key, the registry."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import pytest

from negotiator.core.errors import PolicyError, UnknownPolicyError
from negotiator.policy import PolicyRegistry, load_policy, load_policy_text

PRESETS = ("cn-card", "cn-loan", "default", "uk-conc", "us-card")


def preset_text(name: str) -> str:
    return resources.files("negotiator.policies").joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def test_five_presets_with_versions(registry):
    assert registry.names() == list(PRESETS)
    for p in registry:
        assert p.version and p.source.startswith("presets/")


@pytest.mark.parametrize("name, max_months", [("cn-card", 60), ("us-card", 60), ("default", 60), ("uk-conc", 60)])
def test_instalment_terms_follow_the_sources(registry, name, max_months):
    """China art. 70 / 2022 notice 5 years; OCC 2003-1 60-month workouts."""
    assert registry.get(name).options.instalment.max_months == max_months


def test_market_rules_from_the_sources(registry):
    us, uk, cn = registry.get("us-card"), registry.get("uk-conc"), registry.get("cn-card")
    # FFIEC 2000: 9 months old, 3 consecutive payments, once in 12 months, twice in 5 years; 180 DPD.
    assert (us.reage.min_account_age_months, us.reage.min_consecutive_payments,
            us.reage.max_per_12_months, us.reage.max_per_5_years) == (9, 3, 1, 2)
    assert us.charge_off_dpd == 180
    assert us.options.payment_holiday.max_months <= 12           # OCC 2003-1 hardship programmes
    assert uk.options.payment_holiday.max_months == 2            # 60-day breathing space
    assert cn.options.instalment.pricing == "flat_fee" and cn.currencies == ("CNY",)
    for p in (us, uk, cn, registry.get("default")):               # HMRC-like portal bounds
        assert p.portal.max_term_months <= 24


@pytest.mark.parametrize("name", PRESETS)
def test_each_preset_cites_its_source_in_comments(name):
    comments = [line for line in preset_text(name).splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 3


def test_preset_reloads_from_text(registry):
    p = load_policy_text(preset_text("default"), "copy")
    assert p.name == "default" and p.max_apr == Decimal("0.60") and p.max_apr_ppm == 600_000


def _with(text: str, old: str, new: str) -> str:
    changed, n = re.subn(re.escape(old), new, text, count=1)
    assert n == 1, old
    return changed


BAD_POLICIES = [
    ("name: default", "name: Default Policy", "name"),
    ('version: "2026.11.1"', "version: ''", "version"),
    ("rounding: half_up", "rounding: ceiling", "rounding"),
    ('max_apr: "0.60"', 'max_apr: "1.5"', "max_apr"),
    ('max_apr: "0.60"', 'max_apr: "lots"', "max_apr"),
    ("first_payment_offset_days: 30", "first_payment_offset_days: 400", "first_payment_offset_days"),
    ("instalment: {min_months: 3, max_months: 60, max_dpd: 179}",
     "instalment: {min_months: 3, max_months: 700, max_dpd: 179}", "options.instalment.max_months"),
    ("instalment: {min_months: 3, max_months: 60, max_dpd: 179}",
     "instalment: {min_months: 30, max_months: 12, max_dpd: 179}", "options.instalment.min_months"),
    ("instalment: {min_months: 3, max_months: 60, max_dpd: 179}",
     "instalment: {min_months: 3, max_months: 60, max_dpd: 179, pricing: flat_fee}",
     "options.instalment.flat_fee_rate"),
    ("catch_up: {max_months: 6, min_dpd: 1, max_dpd: 89}",
     "catch_up: {max_months: 6, min_dpd: 1, max_dpd: 89, colour: red}", "options.catch_up.colour"),
    ('fee_waiver: {max_share: "1.00", max_dpd: 179}', 'fee_waiver: {max_share: "-0.5", max_dpd: 179}',
     "options.fee_waiver.max_share"),
    ('none: {max_concession: "100", max_share: "0.02"}', 'none: {max_concession: "100000", max_share: "0.02"}',
     "approval"),
    ('surplus_share: "0.80"', 'surplus_share: "2"', "affordability.surplus_share"),
    ("charge_off_dpd: 180", "charge_off_dpd: 180\nsurprise: 1", "surprise"),
]


@pytest.mark.parametrize("old, new, key", BAD_POLICIES, ids=[k for _, _, k in BAD_POLICIES])
def test_bad_keys_are_named(old, new, key):
    with pytest.raises(PolicyError) as exc:
        load_policy_text(_with(preset_text("default"), old, new), "bad.yaml")
    assert exc.value.key == key
    assert "bad.yaml" in str(exc.value) and key in str(exc.value)


def test_required_key_missing():
    text = re.sub(r"(?ms)^approval:.*?(?=^portal:)", "", preset_text("default"))
    with pytest.raises(PolicyError) as exc:
        load_policy_text(text, "x.yaml")
    assert exc.value.key == "approval"


def test_reage_rules_required_when_instalments_need_them():
    text = re.sub(r"(?ms)^reage:.*?(?=^approval:)", "", preset_text("us-card"))
    with pytest.raises(PolicyError) as exc:
        load_policy_text(text, "x.yaml")
    assert exc.value.key == "reage"


@pytest.mark.parametrize("text", ["name: [unclosed", "a: b: c", "\t- x", "just a string", "- a\n- b", ""])
def test_bad_yaml_is_refused_naming_the_file(text):
    with pytest.raises(PolicyError) as exc:
        load_policy_text(text, "broken.yaml")
    assert exc.value.key == "(file)"
    assert exc.value.source == "broken.yaml"


def test_missing_file(tmp_path):
    with pytest.raises(PolicyError) as exc:
        load_policy(tmp_path / "absent.yaml")
    assert exc.value.key == "(file)"


def test_registry_with_extra_folder(tmp_path):
    (tmp_path / "house.yaml").write_text(_with(preset_text("default"), "name: default", "name: house"), "utf-8")
    reg = PolicyRegistry.load(tmp_path)
    assert reg.names() == sorted([*PRESETS, "house"])


def test_registry_refuses_duplicates_and_bad_folders(tmp_path):
    (tmp_path / "dup.yaml").write_text(preset_text("default"), "utf-8")
    with pytest.raises(PolicyError, match="duplicate"):
        PolicyRegistry.load(tmp_path)
    with pytest.raises(PolicyError):
        PolicyRegistry.load(tmp_path / "nowhere")


def test_unknown_policy_lists_the_known(registry):
    with pytest.raises(UnknownPolicyError) as exc:
        registry.get("mars")
    assert exc.value.known == list(PRESETS)


def test_public_dict_is_plain_data(registry):
    d = registry.get("us-card").public_dict()
    assert d["name"] == "us-card" and d["max_apr"] == "0.36"
    assert d["options"]["instalment"]["max_months"] == 60
