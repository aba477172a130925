"""``python -m negotiator.kinds``: write :mod:`negotiator.kinds.dispatch` from the registry."""

from pathlib import Path

from negotiator.kinds import dispatch_source

target = Path(__file__).with_name("dispatch.py")
target.write_text(dispatch_source(), encoding="utf-8")
print(f"wrote {target}")
