"""The rights table as published: docs/service.md and the OpenAPI document print negotiator/app/rights.py."""

from __future__ import annotations

import re

import yaml

from negotiator.app import rights

from .conftest import ROOT


def test_docs_service_md_prints_the_table():
    text = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- rights:begin -->\n(.*?)\n<!-- rights:end -->", text, re.S)
    assert m, "docs/service.md has no rights table between its markers"
    assert m.group(1) == rights.markdown(), "docs/service.md's table differs from negotiator/app/rights.py"


def test_the_openapi_document_prints_the_table_and_names_every_channel():
    doc = yaml.safe_load((ROOT / "api_spec" / "openapi.yaml").read_text(encoding="utf-8"))
    info = doc["info"]["description"]
    assert rights.markdown() in info and rights.LEGEND in info
    for channel in rights.CHANNELS:
        assert f"`{channel}`" in info
    assert "403" in doc["paths"]["/v1/arrangements/{arrangement_id}/payments"]["post"]["responses"]
