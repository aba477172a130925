"""Issue 23 item 3: one problem vocabulary — every code raised is in the one table, with the table's status."""

from __future__ import annotations

import ast
import pathlib

import pytest

from negotiator.app.problems import LEGACY_CODES, code_of
from negotiator.core.problems import PROBLEMS, markdown, pointer
from tests.service.conftest import headers, quote_body

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "negotiator"
DOCS = PACKAGE.parent / "docs" / "problems.md"


def _raised() -> list[tuple[str, int, str, int]]:
    """(file, line, code, status) of every RecordError(status, code, ...) and Problem(status, title, detail, code)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            at = {"RecordError": 1, "Problem": 3}.get(node.func.id)
            if at is None or len(node.args) <= at or not isinstance(node.args[0], ast.Constant):
                continue
            code = node.args[at]
            if isinstance(code, ast.JoinedStr):     # f"unknown_{what}": the codes it can make
                codes = ["unknown_quote", "unknown_arrangement"]
            else:
                assert isinstance(code, ast.Constant), f"{path}:{node.lineno}: a code must be a literal"
                codes = [code.value]
            found += [(path.name, node.lineno, c, node.args[0].value) for c in codes]
    return found


def test_every_code_raised_is_in_the_table_with_its_status():
    raised = _raised()
    assert len(raised) > 30
    wrong = [(f, line, c, s) for f, line, c, s in raised
             if code_of(c) not in PROBLEMS or PROBLEMS[code_of(c)].status != s]
    assert not wrong, wrong


def test_codes_are_snake_case_and_titles_unique_per_code():
    for code, kind in PROBLEMS.items():
        assert code == code.lower() and "-" not in code and " " not in code, code
        assert kind.title and kind.title[0].isupper() and 400 <= kind.status < 600, code
    assert all(code_of(old) in PROBLEMS for old in LEGACY_CODES)


def test_the_docs_page_carries_the_table():
    assert markdown() in DOCS.read_text(encoding="utf-8")


def test_the_contract_publishes_the_table(client):
    doc = client.get("/openapi.json").get_json()
    assert doc["x-problem-types"] == {c: {"status": k.status, "title": k.title, "description": k.description}
                                      for c, k in PROBLEMS.items()}
    assert doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"] == sorted(PROBLEMS)


@pytest.mark.parametrize(("field", "want"), [("account.balance", "/account/balance"),
                                             ("finances.income_lines[2].amount", "/finances/income_lines/2/amount"),
                                             ("(body)", ""), ("Idempotency-Key", "")])
def test_pointers(field, want):
    assert pointer(field) == want


def test_every_problem_has_code_instance_and_errors(client):
    """Three dialects before (a 404, a 401, a 422): one shape now, each with its table row."""
    answers = [client.get("/v1/nowhere", headers=headers()), client.get("/v1/policies"),
               client.post("/v1/quotes", json={**quote_body(), "locale": "xx"}, headers=headers())]
    for r in answers:
        p = r.get_json()
        kind = PROBLEMS[p["code"]]
        assert (p["status"], p["title"], p["type"]) == (r.status_code, kind.title,
                                                         "urn:negotiator:problem:" + p["code"])
        assert p["instance"] == "urn:negotiator:request:" + r.headers["X-Request-ID"]
        assert isinstance(p["errors"], list)
    assert [r.get_json()["code"] for r in answers] == ["not_found", "unauthorized", "invalid_input"]
