"""The message catalogs (negotiator/locales/<locale>/LC_MESSAGES/messages.po): extract, check, add words.

Usage::

    python scripts/catalogs.py extract [OUT]   # the keys the code and pages use literally (babel.cfg), as a .pot
    python scripts/catalogs.py check           # every catalog complete, placeholders and plurals right (exit 1)
    python scripts/catalogs.py add-words FILE [--context CTX]  # move a module's WORDS (page words unless CTX)
                                               # into every catalog, delete it
    python scripts/catalogs.py normalize       # write every catalog back in Babel's own form

A message is found by its context (``msgctxt``, the kind of text) and its
key (``msgid``); the English catalog holds the English words and is the
reference the others are checked against (docs/i18n.md).

``add-words FILE``: ``FILE`` is a module holding ``WORDS = {"key": {"en": ...,
"zh-CN": ..., "zh-TW": ...}}``, words a page added before they were in the
catalogs and that ``negotiator/web/text.py`` merges with ``WORDS.update``.
Every key goes into the ``page`` context of every catalog (a key the catalogs
already hold with other words is refused, as is a language left out), then
the module and the lines of ``text.py`` that import and merge it are deleted.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALES_DIR = ROOT / "negotiator" / "locales"
TEXT_MODULE = ROOT / "negotiator" / "web" / "text.py"
#: The lookups whose first argument is a message key (negotiator.web.text.t, negotiator.engine.explain.reason
#: and message, negotiator.wire.messages.detail).
KEYWORDS = {"t": None, "reason": None, "message": None, "detail": None}
#: The languages, by their tag and the catalogs' folder name; English first (the reference).
LANGS = {"en": "en", "zh-CN": "zh_CN", "zh-TW": "zh_TW"}
PLURAL_FORMS = {"en": 2, "zh-CN": 1, "zh-TW": 1}


def po_path(lang: str, root: Path = ROOT) -> Path:
    return root / "negotiator" / "locales" / LANGS[lang] / "LC_MESSAGES" / "messages.po"


def load(lang: str, root: Path = ROOT) -> Catalog:
    with po_path(lang, root).open("rb") as f:
        return read_po(f, locale=LANGS[lang])


def save(catalog: Catalog, lang: str, root: Path = ROOT) -> None:
    """Write ``catalog`` as ``lang``'s ``.po`` in Babel's own form (so that a tool's rewrite changes nothing
    else)."""
    catalog.msgid_bugs_address = "docs/i18n.md"
    catalog.last_translator = catalog.language_team = "negotiator"
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, sort_output=False, omit_header=False)
    po_path(lang, root).write_bytes(buf.getvalue())


def fields(text: str) -> set[str]:
    """The ``str.format`` fields of a message.

    >>> sorted(fields("{count} payments of {payment}")), fields("no field")
    (['count', 'payment'], set())
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, list | tuple) else (message.string,)


def _key(message) -> tuple[str | None, str]:
    return message.context, message.id[0] if isinstance(message.id, list | tuple) else message.id


def problems(root: Path = ROOT) -> list[str]:
    """Everything that keeps the catalogs from being complete and consistent (empty: none)."""
    out: list[str] = []
    catalogs = {lang: load(lang, root) for lang in LANGS}
    ref = {_key(m): m for m in catalogs["en"] if m.id}
    for lang, cat in catalogs.items():
        have = {_key(m): m for m in cat if m.id}
        if cat.num_plurals != PLURAL_FORMS[lang]:
            out.append(f"{lang}: {cat.num_plurals} plural forms, not {PLURAL_FORMS[lang]}")
        out += [f"{lang}: {ctx}/{key} missing" for ctx, key in ref if (ctx, key) not in have]
        out += [f"{lang}: {ctx}/{key} is not in the English catalog" for ctx, key in have if (ctx, key) not in ref]
        for k, m in have.items():
            if k not in ref:
                continue
            en = ref[k]
            if m.context is None:
                out.append(f"{lang}: {k[1]} has no context")
            if m.fuzzy:
                out.append(f"{lang}: {k[0]}/{k[1]} is fuzzy")
            if en.pluralizable != m.pluralizable:
                out.append(f"{lang}: {k[0]}/{k[1]} plural forms differ from English's")
            forms = _forms(m)
            if any(not f for f in forms):
                out.append(f"{lang}: {k[0]}/{k[1]} not translated")
                continue
            want = set().union(*(fields(f) for f in _forms(en)))
            for f in forms:
                try:
                    got = fields(f)
                except ValueError as exc:
                    out.append(f"{lang}: {k[0]}/{k[1]} is no format string ({exc})")
                    continue
                if got != want:
                    out.append(f"{lang}: {k[0]}/{k[1]} placeholders {sorted(got)}, English's {sorted(want)}")
    keys = {key for _, key in ref}
    out += [f"{where}: key {key!r} is in no catalog" for key, where in extracted(root) if key not in keys]
    return out


def extracted(root: Path = ROOT) -> list[tuple[str, str]]:
    """Every key the code and the pages pass literally to a lookup, with where (``path:line``)."""
    with (root / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    out = []
    with contextlib.redirect_stderr(io.StringIO()):      # Babel's notes on f-strings, which hold no keys
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(root), method_map, options_map, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True):
            if isinstance(message, str) and re.fullmatch(r"[a-z][a-z0-9_]*", message):
                out.append((message, f"{filename}:{lineno}"))
    return out


def extract(out: Path) -> int:
    """The literal keys as a template catalog (``.pot``) at ``out``."""
    cat = Catalog(project="negotiator", fuzzy=False)
    for key, where in extracted():
        path, line = where.rsplit(":", 1)
        cat.add(key, locations=[(path, int(line))])
    with out.open("wb") as f:
        write_po(f, cat, width=0)
    print(f"{len(cat)} keys extracted to {out}")
    return 0


def check() -> int:
    found = problems()
    for p in found:
        print(p)
    print(f"{len(found)} problems in {len(LANGS)} catalogs")
    return 1 if found else 0


def read_words(path: Path) -> dict[str, dict[str, str]]:
    """The ``WORDS`` dict literal of a module, read without running it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id == "WORDS" and node.value is not None:
            return ast.literal_eval(node.value)
    raise SystemExit(f"{path}: no WORDS = {{...}} found")


def unhook(module: str, text: str) -> str:
    """``text`` (negotiator/web/text.py) without the lines that import ``module`` and merge its words.

    >>> src = "from x import y\\nfrom negotiator.web.new_words_portal import WORDS as PORTAL\\nWORDS.update(PORTAL)\\n"
    >>> unhook("new_words_portal", src)
    'from x import y\\n'
    """
    lines = text.splitlines(keepends=True)
    aliases: set[str] = set()
    kept = []
    for line in lines:
        if re.search(rf"\b{re.escape(module)}\b", line):
            aliases |= set(re.findall(r"\bas\s+(\w+)", line)) or {module}
            continue
        kept.append(line)
    if aliases:
        names = "|".join(map(re.escape, aliases))
        merge = re.compile(rf"^\s*WORDS\.update\(\s*({names})\b[^)]*\)\s*$")
        kept = [line for line in kept if not merge.match(line)]
    return "".join(kept)


def add_words(path: Path, root: Path = ROOT, context: str = "page") -> int:
    """Move the ``WORDS`` of module ``path`` into ``context`` (``page`` unless told) of every catalog; delete
    the module."""
    words = read_words(path)
    catalogs = {lang: load(lang, root) for lang in LANGS}
    errors = []
    for key, texts in words.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            errors.append(f"{key!r}: a key is lowercase letters, digits and _")
        missing = [lang for lang in LANGS if not texts.get(lang)]
        if missing:
            errors.append(f"{key}: no words in {', '.join(missing)}")
            continue
        if len({frozenset(fields(t)) for t in texts.values()}) != 1:
            errors.append(f"{key}: the languages' placeholders differ")
        for lang, cat in catalogs.items():
            kept = cat.get(key, context=context)
            if kept is not None and kept.string != texts[lang]:
                errors.append(f"{key}: the {lang} catalog already has other words for it")
    if errors:
        print("\n".join(errors))
        return 1
    for lang, cat in catalogs.items():
        for key, texts in words.items():
            cat.add(key, texts[lang], context=context)
        save(cat, lang, root)
    text_module = root / "negotiator" / "web" / "text.py"
    text_module.write_text(unhook(path.stem, text_module.read_text(encoding="utf-8")), encoding="utf-8")
    path.unlink()
    print(f"{len(words)} words of {path.name} moved into {len(catalogs)} catalogs; {path.name} deleted")
    return 0


def normalize() -> int:
    for lang in LANGS:
        save(load(lang), lang)
    return 0


def main(argv: list[str]) -> int:
    args = argv[1:]
    if args[:1] == ["extract"] and len(args) <= 2:
        return extract(Path(args[1]) if len(args) == 2 else ROOT / "build" / "messages.pot")
    if args == ["check"]:
        return check()
    if args[:1] == ["add-words"] and len(args) == 2:
        return add_words(Path(args[1]).resolve())
    if args[:1] == ["add-words"] and len(args) == 4 and args[2] == "--context":
        return add_words(Path(args[1]).resolve(), context=args[3])
    if args == ["normalize"]:
        return normalize()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
