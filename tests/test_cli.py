"""The ``negotiator`` command: every example request, and the error exits of cli.py's docstring."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from conftest import BASE_BODY, EXAMPLES

from negotiator.cli import main

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


def _command_for(path):
    return "propose" if "proposal" in json.loads(path.read_text(encoding="utf-8")) else "quote"


def test_there_are_examples_for_each_market():
    names = {p.name for p in EXAMPLE_FILES}
    assert {"card_cny.json", "loan_gbp_uk_conc.json", "card_usd_us_card_history.json", "card_cny_zh_cn.json",
            "portal_card_eur.json"} <= names


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_every_example_runs(path, capsys):
    assert main([_command_for(path), str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    if _command_for(path) == "quote":
        body = json.loads(path.read_text(encoding="utf-8"))
        assert out["policy"]["name"] == body["policy"]
        assert out["currency"] == body["account"]["currency"]
        for opt in out["options"]:
            assert sum(Decimal(x["payment"]) for x in opt["schedule"]) == Decimal(opt["total_payable"])


@pytest.mark.parametrize("name", ["portal_card_eur.json", "card_cny.json"])
def test_portal_channel_hides_internal_figures(name, capsys):
    assert main(["quote", "--channel", "portal", str(EXAMPLES / name)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["options"], "the portal example should offer a self-service plan"
    assert all(o["approval"] == "none" and "lender_npv" not in o for o in out["options"])


def test_zh_cn_example_is_explained_in_chinese(capsys):
    main(["quote", str(EXAMPLES / "card_cny_zh_cn.json")])
    out = json.loads(capsys.readouterr().out)
    assert any("分" in r["message"] for o in out["options"] for r in o["reasons"])


def test_us_card_example_has_history_for_reage(capsys):
    main(["quote", str(EXAMPLES / "card_usd_us_card_history.json")])
    out = json.loads(capsys.readouterr().out)
    codes = {r["code"] for d in out["declined"] for r in d["reasons"]}
    assert "history_required" not in codes


def test_quote_from_stdin_via_subprocess():
    proc = subprocess.run([sys.executable, "-m", "negotiator.cli", "quote", "-"], input=json.dumps(BASE_BODY),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["recommended_option_id"]


def _write(tmp_path, body, name="req.json"):
    path = tmp_path / name
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return str(path)


def test_invalid_input_exits_2_with_every_field_on_stderr(tmp_path, capsys):
    body = json.loads(json.dumps(BASE_BODY))
    body["account"].update(balance="-1", apr="NaN")
    body["finances"]["household_size"] = 0
    assert main(["quote", _write(tmp_path, body)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = json.loads(captured.err)
    fields = {e["field"] for e in err["errors"]}
    assert {"account.balance", "account.apr", "finances.household_size"} <= fields
    assert all(e["message"] for e in err["errors"])


@pytest.mark.parametrize("text", ["{not json", '{"a": NaN}', '{"a": Infinity}', "[]", "",
                                  '{"policy": "default", "policy": "x"}', '{"a": 1e999}', '{"a": ' + "9" * 41 + "}"])
def test_bad_json_exits_2(tmp_path, capsys, text):
    """The command line reads a request file by the HTTP body's rule: duplicate keys and huge numbers included."""
    assert main(["quote", _write(tmp_path, text)]) == 2
    assert json.loads(capsys.readouterr().err)["errors"]


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["quote", str(tmp_path / "absent.json")]) == 2
    assert json.loads(capsys.readouterr().err)["errors"][0]["field"] == "(file)"


def test_unknown_policy_exits_3(tmp_path, capsys):
    body = dict(json.loads(json.dumps(BASE_BODY)), policy="atlantis")
    assert main(["quote", _write(tmp_path, body)]) == 3
    assert "atlantis" in capsys.readouterr().err


def test_policies_lists_five_presets_with_versions(capsys):
    assert main(["policies"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [line.split("\t") for line in lines]
    assert [r[0] for r in rows] == ["cn-card", "cn-loan", "default", "uk-conc", "us-card"]
    assert all(r[1] for r in rows)


def test_bad_policy_dir_file_exits_4(tmp_path, capsys):
    (tmp_path / "broken.yaml").write_text("name: broken\nversion: '1'\nmax_apr: 7\n", encoding="utf-8")
    assert main(["--policy-dir", str(tmp_path), "policies"]) == 4
    err = capsys.readouterr().err
    assert "broken.yaml" in err


def test_missing_policy_dir_exits_4(tmp_path, capsys):
    assert main(["--policy-dir", str(tmp_path / "none"), "policies"]) == 4


def test_extra_policy_dir_is_listed(tmp_path, capsys):
    from importlib import resources
    text = resources.files("negotiator.policies").joinpath("default.yaml").read_text(encoding="utf-8")
    (tmp_path / "house.yaml").write_text(text.replace("name: default", "name: house", 1), encoding="utf-8")
    assert main(["--policy-dir", str(tmp_path), "policies"]) == 0
    assert "house" in capsys.readouterr().out


def test_console_script_is_installed():
    exe = EXAMPLES.parent.parent / ".venv" / "bin" / "negotiator"
    if not exe.exists():
        pytest.skip("console script not installed in .venv")
    proc = subprocess.run([str(exe), "quote", str(EXAMPLES / "card_cny.json")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["policy"]["name"] == "default"
