"""Rebuild the spreadsheet schedules under tests/data/schedules (LibreOffice Calc).

Python only *writes formulas* here; LibreOffice Calc computes every number.
For each case a tab-separated sheet of formulas is imported by
``soffice --headless`` into an ``.ods`` workbook (formulas kept, so a reader
can open it and inspect them), and that workbook is exported to CSV as
displayed values. The engine is never imported.

Each month of a sheet::

    interest  = ROUND(principal_outstanding * apr / 12, digits)
    payment   = level, or on the last line everything outstanding
    principal = MIN(payment - interest, principal_outstanding)
    fees      = payment - interest - principal       (fees bear no interest, paid last)

Run: ``python tests/data/make_schedules.py`` (needs ``soffice`` on PATH).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).parent / "schedules"

#: name -> (principal, fees, apr, level, term, digits); amounts in major units.
CASES = {
    "usd_10000_12pct_36m_at_332.15": ("10000", "0", "0.12", "332.15", 36, 2),
    "usd_10000_12pct_36m_at_332.14": ("10000", "0", "0.12", "332.14", 36, 2),
    "cny_5000_fees_250_18pct_24m_at_258.36": ("5000", "250", "0.18", "258.36", 24, 2),
    "cny_5000_fees_250_18pct_24m_at_258.35": ("5000", "250", "0.18", "258.35", 24, 2),
    "jpy_1000000_15pct_60m_at_23790": ("1000000", "0", "0.15", "23790", 60, 0),
    "jpy_1000000_15pct_60m_at_23789": ("1000000", "0", "0.15", "23789", 60, 0),
    "gbp_12345.67_fees_123.45_23.99pct_48m_at_403.98": ("12345.67", "123.45", "0.2399", "403.98", 48, 2),
    "gbp_12345.67_fees_123.45_23.99pct_48m_at_403.97": ("12345.67", "123.45", "0.2399", "403.97", 48, 2),
}

PARAMS = ("principal", "fees", "apr", "level", "term", "digits")
HEADER = ["number", "payment", "interest", "principal", "fees", "balance_after",
          "principal_outstanding", "fees_outstanding", "", "parameter", "value"]


def sheet(case) -> str:
    rows = [HEADER]
    term = case[4]
    for k in range(1, term + 1):
        r = k + 1
        prev_p = "$K$2" if k == 1 else f"G{r - 1}"
        prev_f = "$K$3" if k == 1 else f"H{r - 1}"
        row = [
            str(k),
            f"=IF(A{r}=$K$6,ROUND({prev_p}+{prev_f}+C{r},$K$7),$K$5)",
            f"=ROUND({prev_p}*$K$4/12,$K$7)",
            f"=ROUND(MIN(B{r}-C{r},{prev_p}),$K$7)",
            f"=ROUND(B{r}-C{r}-D{r},$K$7)",
            f"=ROUND(G{r}+H{r},$K$7)",
            f"=ROUND({prev_p}-D{r},$K$7)",
            f"=ROUND({prev_f}-E{r},$K$7)",
            "",
        ]
        if k <= len(PARAMS):
            row += [PARAMS[k - 1], str(case[k - 1])]
        rows.append(row)
    return "\n".join("\t".join(r) for r in rows) + "\n"


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("needs LibreOffice: apt-get install -y --no-install-recommends libreoffice-calc-nogui")
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, case in CASES.items():
            src = tmp / f"{name}.csv"
            src.write_text(sheet(case), encoding="utf-8")
            # Import: tab separated, UTF-8, en-US (1033), evaluate formulas (13th token).
            infilter = "--infilter=CSV:9,34,76,1,,1033,false,true,false,false,false,-1,true"
            subprocess.run([soffice, "--headless", infilter, "--convert-to", "ods", "--outdir", str(HERE), str(src)],
                           check=True, capture_output=True)
            # Export the values as displayed, comma separated.
            subprocess.run([soffice, "--headless", "--convert-to",
                            'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true',
                            "--outdir", str(HERE), str(HERE / f"{name}.ods")], check=True, capture_output=True)


if __name__ == "__main__":
    main()
