"""The issue's "done when", as a new user does it: ``negotiator serve`` (what ``scripts/run`` starts, gunicorn in
development mode), the console link its banner prints, the example quoted, a counter-offer tried and a plan
booked; an invitation made with the README's curl line, completed on a phone-sized window in Chinese; the
arrangement and its events seen in the console."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

from service.conftest import ROOT, serve

from negotiator.web.text import WORDS

from .pages import human_text
from .test_browser import isolated


def w(key: str, lang: str) -> str:
    return WORDS[key][lang]


def readme_invitation_command(port: int) -> str:
    """The README's curl line for an invitation, aimed at this server, without the jq filter."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n\s*(curl -s localhost:8080/v1/invitations.*?)```", readme, re.S).group(1)
    command = block.replace("localhost:8080", f"127.0.0.1:{port}")
    return command.split("| jq", 1)[0].strip().rstrip("\\").strip()


def test_new_user_walkthrough(browser, tmp_path):
    with serve(tmp_path / "serve.log") as server:
        banner = (tmp_path / "serve.log").read_text()
        console_link = re.search(r"Agent console: (\S+)", banner).group(1)
        assert console_link.startswith(server["url"])

        # The agent: the example account, a counter-offer, a plan booked.
        agent = browser.new_context(viewport={"width": 1280, "height": 900})
        page = agent.new_page()
        page.goto(console_link)
        account_id = f"ACC-W{uuid.uuid4().hex[:8]}"
        page.fill("#f-account_id", account_id)
        with page.expect_navigation():
            page.get_by_role("button", name="Quote").click()
        page.fill("#f-p_payment", "300")
        with page.expect_navigation():
            page.get_by_role("button", name="Try it").click()
        assert page.locator("#whatif").get_by_role("heading", name="Counter-offer").is_visible()
        with page.expect_navigation():
            page.locator("#opt-h ~ article.option").first.get_by_role("button").click()
        assert "Booked: a_" in page.get_by_role("status").inner_text()
        assert "dev-agent" in page.locator("table.events").inner_text()

        # The lender's system: the README's curl line makes the invitation.
        out = subprocess.run(["bash", "-c", readme_invitation_command(server["port"])], cwd=ROOT,
                             capture_output=True, text=True, timeout=30, check=True).stdout
        invitation = json.loads(out)
        assert invitation["locale"] == "zh-CN"

        # The borrower, on a phone, in Chinese.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                    locale="zh-CN")
        p = phone.new_page()
        p.goto(invitation["url"])
        p.get_by_label(w("income", "zh-CN")).fill("3500")
        p.get_by_label(w("spending", "zh-CN")).fill("2000")
        with p.expect_navigation():
            p.get_by_role("button", name=w("see_options", "zh-CN")).click()
        isolated(p, "walkthrough options")
        human_text(p.inner_text("body"), "walkthrough options")
        with p.expect_navigation():
            p.locator("article.option").first.get_by_role("button", name=w("choose", "zh-CN")).click()
        assert p.get_by_role("heading", name=w("confirm_title", "zh-CN")).is_visible()
        human_text(p.inner_text("body"), "walkthrough confirmation")
        reference = re.search(r"/plans/(a_[0-9a-f]{20})", p.url).group(1)     # the arrangement's id

        # Back in the console: the borrower's arrangement and its events.
        page.goto(f"{server['url']}/console/accounts?account_id={invitation['account_id']}")
        section = page.locator("section.arrangement", has_text=reference)
        assert section.count() == 1
        events = section.locator("table.events tbody tr td:nth-child(2)").all_inner_texts()
        assert events == [w("event_quote_issued", "en"), w("event_accepted", "en")]
        agent.close()
        phone.close()
