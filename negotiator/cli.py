"""The ``negotiator`` command: quotes, proposals, policies, the service, batch jobs.

Exit codes: 0 success; 2 invalid input (the errors go to stderr as JSON, one
``{field, message}`` per bad field); 3 unknown policy; 4 a policy file is
invalid; 5 the store cannot be used (unreachable, or its schema not at head:
``negotiator db check`` exits 5 then); 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

from negotiator.core.errors import NegotiatorError, PolicyError, StoreError, UnknownPolicyError, ValidationError
from negotiator.policy import PolicyRegistry

EXIT_INVALID, EXIT_POLICY, EXIT_BAD_POLICY, EXIT_STORE = 2, 3, 4, 5


def _read_json(path: str):
    """A request file (or stdin) read by the same strict rule as the HTTP body."""
    from negotiator.wire.strict_json import loads
    try:
        with (sys.stdin if path == "-" else open(path, encoding="utf-8")) as fh:
            return loads(fh.read())
    except OSError as exc:
        raise ValidationError([_fe("(file)", f"cannot read {path}: {exc.strerror}")]) from None
    except (ValueError, RecursionError) as exc:
        raise ValidationError([_fe("(body)", f"not valid JSON: {str(exc)[:200]}")]) from None


def _fe(field: str, message: str):
    from negotiator.core.errors import FieldError
    return FieldError(field, message)


def _today(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def cmd_quote(args, registry) -> int:
    from negotiator.engine.quote import quote
    return _answer(quote, args, registry)


def cmd_propose(args, registry) -> int:
    from negotiator.engine.proposals import propose
    return _answer(propose, args, registry)


def _answer(fn, args, registry) -> int:
    """Read the request, answer it with ``fn`` (quote or propose), print the JSON."""
    result = fn(_read_json(args.request), registry, channel=args.channel, today=_today(args.today))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_policies(args, registry) -> int:
    for p in registry:
        print(f"{p.name}\t{p.version}\t{p.description}")
    return 0


def cmd_serve(args, registry) -> int:
    from negotiator.serve import main as serve_main
    return serve_main(args)


def cmd_batch(args, registry) -> int:
    from negotiator.batch.job import main as batch_main
    return batch_main(args, registry)


BATCH_EPILOG = """\
formats:
  input   CSV (UTF-8 or --encoding, LF or CRLF, RFC 4180 quoting, --delimiter , ; tab |), JSON Lines
          (one flat object a line) or Parquet; the columns are the flattened quote request (docs/batch.md)
  output  by suffix: .csv (spreadsheet-safe: formula-like cells get a leading '),
          .jsonl, .parquet (zstd; provenance in the file metadata); - is standard
          output (--format csv|jsonl)
  rejects --rejects, default OUTPUT with .rejects.csv: row_number, account_id, field, reason

exit codes:
  0    completed: every row offered or rejected (see the summary)
  1    unexpected error; nothing written
  2    unusable input or options: missing/unreadable file, unknown suffix or columns,
       bytes not valid in --encoding, a --delimiter the job does not read,
       input/OUTPUT/--rejects naming one file, output a folder, bad --as-of; nothing read
  3    unknown policy          4  invalid policy file
  5    failed part-way: the input changed while read, or an output could not be
       written (disk full); nothing written
  6    more rows rejected than --max-reject-rate: rejects written, offers not
  7    another job is writing the same OUTPUT or --rejects (a .NAME.lock beside it)
  130  interrupted (SIGINT)    143  SIGTERM    129  SIGHUP: nothing written, earlier
       files left as they were
"""
def _store_url(args) -> str:
    from negotiator.store.db import resolve_url
    return resolve_url(args.database_url or os.environ.get("NEGOTIATOR_DATABASE_URL", ""), args.data_dir or "")


def cmd_db(args, registry) -> int:
    """``db upgrade`` migrates to head; ``db check`` exits 5 unless at head; ``db purge`` drops stale quotes."""
    from negotiator.store.db import check_at_head, revision_status, safe_url, upgrade
    url = _store_url(args)
    if args.action == "upgrade":
        before, after = upgrade(url)
        print(f"negotiator: {safe_url(url)}: {before or 'empty'} -> {after} (head)")
        return 0
    if args.action == "check":
        current, head = revision_status(url)
        print(f"negotiator: {safe_url(url)}: at {current or 'nothing (empty)'}, head is {head}")
        return 0 if current == head else EXIT_STORE
    if not args.before:
        raise ValidationError([_fe("--before", "required for purge (YYYY-MM-DD)")])
    cutoff = _date_arg("--before", args.before)
    check_at_head(url)
    from negotiator.store.db import Database
    from negotiator.store.records import Records
    db = Database.open(url, pool_size=1)
    try:
        n = Records(db, registry).purge(cutoff)
    finally:
        db.dispose()
    print(f"negotiator: purged {n} quote(s) never accepted that expired before {cutoff.isoformat()}")
    return 0


def cmd_arrangements(args, registry) -> int:
    """``arrangements review --as-of DATE``: move arrangements to broken or completed, set-wise; then the day's
    follow-ups (reminders, missed instalments with their re-plan quotes, each with its contact window)."""
    from negotiator.store.db import Database, check_at_head
    from negotiator.store.records import Caller, Records
    url = _store_url(args)
    check_at_head(url)
    as_of = _date_arg("--as-of", args.as_of) if args.as_of else dt.date.today()
    db = Database.open(url, pool_size=1)
    principal = _cli_principal()
    try:
        records = Records(db, registry, as_of_days=_as_of_days())
        result = records.review(as_of, principal=principal)
        if not args.no_follow_ups:
            from negotiator.app.followups import follow_ups
            try:
                work = follow_ups(records, registry, as_of, args.timezone, Caller("agent", principal))
            except ValidationError as exc:
                raise ValidationError([_fe("--timezone", e.message) for e in exc.errors]) from None
            result["follow_ups"] = work["follow_ups"]
    except ValidationError as exc:   # a day out of range: named as the option that gave it
        if exc.errors and exc.errors[0].field == "--timezone":
            raise
        raise ValidationError([_fe("--as-of", e.message) for e in exc.errors]) from None
    finally:
        db.dispose()
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _as_of_days() -> int:
    """``NEGOTIATOR_AS_OF_DAYS`` as the service reads it (400 by default): how far from today ``--as-of`` may be."""
    raw = os.environ.get("NEGOTIATOR_AS_OF_DAYS", "").strip()
    if not raw:
        return 400
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise ValidationError([_fe("NEGOTIATOR_AS_OF_DAYS", "must be a whole number between 1 and 3650")])
    return int(raw)


def _cli_principal() -> str:
    """Who runs a command that writes events: ``cli:<the operating system's user>``."""
    import getpass
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{user}"[:80]


def _date_arg(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError([_fe(name, f"not a date (YYYY-MM-DD): {value!r}")]) from None


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="negotiator", description=__doc__.splitlines()[0])
    ap.add_argument("--policy-dir", help="a folder of extra policy YAML files")
    sub = ap.add_subparsers(dest="command", required=True)
    for name, helptext, fn in (("quote", "quote every option for a request (JSON file or -)", cmd_quote),
                               ("propose", "what-if: the plan a borrower's proposal implies", cmd_propose)):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("request")
        p.add_argument("--channel", choices=["agent", "portal", "batch"], default="agent")
        p.add_argument("--today", help="date to use when the request has no as_of (YYYY-MM-DD)")
        p.set_defaults(fn=fn)
    sub.add_parser("policies", help="list the policies and their versions").set_defaults(fn=cmd_policies)
    p = sub.add_parser("serve", help="run the HTTP service under gunicorn")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--dev", action="store_true", help="Flask's development server instead of gunicorn")
    p.set_defaults(fn=cmd_serve)
    p = sub.add_parser("batch", help="offers for a whole portfolio: INPUT -> OUTPUT (csv, jsonl, parquet)",
                       description="Offers for a whole portfolio, streamed in chunks through the quote engine:\n"
                                   "one output row per account and visible option, one reject record per bad\n"
                                   "field. Both files are written atomically (renamed into place at the end).",
                       epilog=BATCH_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="portfolio file: .csv (UTF-8, header row), .jsonl/.ndjson or .parquet/.pq")
    p.add_argument("output", help="offers file (.csv, .jsonl or .parquet by suffix), or - for standard output")
    p.add_argument("--policy", default="default", help="policy name (negotiator policies lists them)")
    p.add_argument("--as-of", dest="as_of",
                   help="as-of date for every row (default today: pass it for reproducible runs)")
    p.add_argument("--rejects", help="rejects file (default OUTPUT's name + .rejects.csv)")
    p.add_argument("--chunk-size", dest="chunk_size", type=int, default=None, metavar="ROWS",
                   help="rows per chunk (default 5000, whatever the workers: a peak near 350 MiB a worker)")
    p.add_argument("--chunk-mib", dest="chunk_mib", type=float, default=None, metavar="MIB",
                   help="input bytes per chunk, in MiB, whatever the rows (default 16): bounds memory on wide rows")
    p.add_argument("--encoding", default="utf-8",
                   help="text encoding of a CSV or JSON Lines INPUT (default utf-8; also gb18030, gbk, big5, "
                        "shift_jis, cp932, cp1252): a file not valid in it is refused, naming the first bad "
                        "line and the likely encoding")
    p.add_argument("--delimiter", default=",",
                   help="field delimiter of a CSV INPUT: ',' (the default), ';', tab (or \\t) or '|'; amounts "
                        "still take '.' as the decimal point (output CSV is always comma-separated)")
    p.add_argument("--channel", choices=["agent", "batch"], default="batch",
                   help="whose rules and figures (default batch)")
    p.add_argument("--workers", type=int, default=1,
                   help="processes working chunks out in parallel (one per core; the output is the same)")
    p.add_argument("--format", choices=["csv", "jsonl"], default=None,
                   help="format of OUTPUT - (standard output; default csv)")
    p.add_argument("--bom", action="store_true", help="start CSV files with a UTF-8 byte-order mark (for Excel)")
    p.add_argument("--max-reject-rate", dest="max_reject_rate", type=float, default=None, metavar="SHARE",
                   help="fail with exit 6 (rejects written, offers not) when more than this share of the rows "
                        "read is rejected (0-1, default 0.5; 1 never fails)")
    p.add_argument("--summary-json", dest="summary_json", metavar="PATH",
                   help="also write the summary as JSON (counts, by option, duplicates, provenance, exit code); "
                        "- for standard output")
    p.add_argument("--quiet", action="store_true", help="no progress bar (it shows only on a terminal anyway)")
    p.set_defaults(fn=cmd_batch)
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--database-url", dest="database_url", default="",
                       help="SQLAlchemy URL (default $NEGOTIATOR_DATABASE_URL, else the embedded SQLite file)")
    store.add_argument("--data-dir", dest="data_dir", default="",
                       help="folder of the embedded SQLite file (default $NEGOTIATOR_DATA_DIR)")
    p = sub.add_parser("db", help="the store: upgrade (migrate to head), check (exit 5 unless at head), purge",
                       parents=[store])
    p.add_argument("action", choices=["upgrade", "check", "purge"])
    p.add_argument("--before", help="purge: quotes never accepted that expired before this date (YYYY-MM-DD)")
    p.set_defaults(fn=cmd_db)
    p = sub.add_parser("arrangements", help="arrangements: review (nightly: move to broken or completed)",
                       parents=[store])
    p.add_argument("action", choices=["review"])
    p.add_argument("--as-of", dest="as_of", help="the day reviewed (default today)")
    p.add_argument("--timezone", default="UTC", help="follow-ups: the IANA time zone of borrowers whose "
                                                     "preferences hold none (default UTC)")
    p.add_argument("--no-follow-ups", dest="no_follow_ups", action="store_true",
                   help="only move arrangements; no reminders, follow-ups or re-plan quotes")
    p.set_defaults(fn=cmd_arrangements)
    return ap


def main(argv: list[str] | None = None) -> int:
    code = _main(argv)
    if argv is None and code >= 128 and "negotiator.batch.job" in sys.modules:
        # A batch stopped by a signal has already removed its parts and killed its workers. Leave now: a
        # worker killed while sending its result can leave the process pool's thread waiting on half a
        # message, which the interpreter would join at exit for ever (seen under load, about once in 25
        # signalled runs). Only when run as a program: a caller of main() keeps its own process.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        registry = PolicyRegistry.load(args.policy_dir)
        return args.fn(args, registry)
    except ValidationError as exc:
        json.dump({"title": exc.title, "errors": [e.as_dict() for e in exc.errors]}, sys.stderr,
                  ensure_ascii=False, indent=2)
        sys.stderr.write("\n")
        return EXIT_INVALID
    except (NegotiatorError, ValueError) as exc:
        bad_policy = isinstance(exc, PolicyError)
        print(f"negotiator: {'invalid policy: ' if bad_policy else ''}{exc}", file=sys.stderr)
        if exit_code := getattr(exc, "exit_code", None):
            return exit_code
        return EXIT_POLICY if isinstance(exc, UnknownPolicyError) else EXIT_BAD_POLICY if bad_policy else EXIT_INVALID
    except StoreError as exc:
        print(f"negotiator: store: {exc}", file=sys.stderr)
        return EXIT_STORE
    except BrokenPipeError:   # the reader (e.g. `head`) went away: not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
