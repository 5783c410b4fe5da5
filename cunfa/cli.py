"""The ``cunfa`` command: build, train, search and run, all from the same settings."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Sequence

from cunfa import logs
from cunfa.settings import get_settings

logger = logging.getLogger("cunfa")


def _cmd_index_build(args: argparse.Namespace) -> int:
    from knowledge.base import index_inputs
    from knowledge.learn.index_build import build_index

    settings = get_settings()
    path = build_index(
        settings.index_dir,
        index_inputs(settings),
        encoders_root=settings.encoders_dir,
        force=args.force,
        refit_ranker=getattr(args, "refit_ranker", False),
    )
    print(path)
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from cunfa.bot_model import train

    print(train(get_settings(), force=args.force))
    return 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    """Everything ``make run`` needs before it can start: schema, index, sample villages, Rasa model."""
    from cunfa.settings import PROJECT_ROOT
    from knowledge.villages import VillageStore, seed_samples

    args.force = False
    # Migrate before any service starts, so the API and the action server never race to do it.
    _store()
    _cmd_index_build(args)
    added = seed_samples(VillageStore(get_settings().villages_dir), PROJECT_ROOT / "samples" / "villages")
    if added:
        logger.info("added sample villages: %s", ", ".join(added))
    return _cmd_train(args)


def _cmd_villages_add(args: argparse.Namespace) -> int:
    from knowledge.errors import RulesFormatError
    from knowledge.villages import InvalidVillage, VillageStore

    try:
        text = sys.stdin.read() if args.rules == "-" else open(args.rules, encoding="utf-8").read()
        info = VillageStore(get_settings().villages_dir).put(args.id, args.name, text)
    except (OSError, UnicodeDecodeError, RulesFormatError, InvalidVillage) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(info.to_dict(), ensure_ascii=False))
    return 0


def _cmd_villages_bank(args: argparse.Namespace) -> int:
    """A village's own questions for its clauses: one file, searchable by the running service within a second."""
    from knowledge.errors import KnowledgeError
    from knowledge.villages import VillageStore

    try:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
        count = VillageStore(get_settings().villages_dir).put_bank(args.id, text)
    except (OSError, UnicodeDecodeError, KnowledgeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"village_id": args.id, "clauses_with_questions": count}, ensure_ascii=False))
    return 0


def _cmd_villages_list(args: argparse.Namespace) -> int:
    from knowledge.villages import VillageStore

    for info in VillageStore(get_settings().villages_dir).list():
        print(json.dumps(info.to_dict(), ensure_ascii=False))
    return 0


def _cmd_guides_check(args: argparse.Namespace) -> int:
    """Schema, then every cited article against the statute collection; exit 2 on any problem."""
    from pathlib import Path

    from knowledge.guides import GuideFormatError, citation_problems, load_guides, read_guide, statute_lookup
    from knowledge.ingest import load_statutes
    from triage import DISPUTE_TYPES

    settings = get_settings()
    try:
        if args.paths:
            guides = [read_guide(Path(p), dispute_types=DISPUTE_TYPES) for p in args.paths]
        else:
            guides = list(load_guides(settings.guides_dir, dispute_types=DISPUTE_TYPES))
    except GuideFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    statutes = statute_lookup(load_statutes(settings.laws_dir))
    problems = [line for guide in guides for line in citation_problems(guide, statutes)]
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    print(f"{len(guides)} guide(s) checked, {len(problems)} problem(s)")
    return 2 if problems else 0


def _cmd_bank_check(args: argparse.Namespace) -> int:
    """Format, then every article against the statute collection; exit 2 on any problem."""
    from pathlib import Path

    from knowledge.bank import BankFormatError, bank_files, bank_problems, read_bank_file
    from knowledge.guides import statute_lookup
    from knowledge.ingest import load_statutes

    settings = get_settings()
    paths = [Path(p) for p in args.paths] or bank_files(settings.bank_dir)
    try:
        entries = [entry for path in paths for entry in read_bank_file(path)]
    except (OSError, BankFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problems = bank_problems(entries, statute_lookup(load_statutes(settings.laws_dir)))
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    questions = sum(len(e.questions) for e in entries)
    print(f"{len(paths)} file(s), {len(entries)} article(s), {questions} question(s), {len(problems)} problem(s)")
    return 2 if problems else 0


def _cmd_risk_train(args: argparse.Namespace) -> int:
    """Fit triage/risk_model.json from data/risk/train/ and print the cross-validation report."""
    from triage.learn.risk_training import train

    try:
        report = train()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def _cmd_guides_fit(args: argparse.Namespace) -> int:
    """Fit knowledge/guides/matter_model.json from the guides and the FAQ's train split."""
    from knowledge.guides import GuideFormatError, load_guides
    from knowledge.learn.matter_training import train
    from triage import DISPUTE_TYPES

    settings = get_settings()
    try:
        book = load_guides(settings.guides_dir, dispute_types=DISPUTE_TYPES)
    except GuideFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(train(book, settings.faq_file, settings.guides_dir), ensure_ascii=False, indent=2))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    """Prepare in a child process, then supervise.

    The index build loads the whole corpus and imports heavy numeric libraries; doing it in a
    child keeps the long-lived supervisor small and free of threads before it forks children.
    """
    import subprocess

    from cunfa.bot_model import model_path
    from cunfa.supervisor import run_stack

    code = subprocess.run([sys.executable, "-m", "cunfa.cli", "prepare"], check=False).returncode
    if code != 0:
        logger.error("preparing the index or the Rasa model failed (exit %s)", code)
        return code
    settings = get_settings()
    return run_stack(settings, model_path(settings))


def _cmd_search(args: argparse.Namespace) -> int:
    from knowledge import KnowledgeBase, KnowledgeError

    if (args.query is None) == (args.queries is None):
        print("error: give either a query or --queries FILE.jsonl", file=sys.stderr)
        return 2
    try:
        kb = KnowledgeBase.from_settings(get_settings())
        if args.queries is not None:
            return _search_batch(kb, args)
        hits = kb.search(args.query, k=args.k, source=args.source, village_id=args.village_id, mode=args.mode)
    except KnowledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump({"hits": [h.to_dict() for h in hits]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for rank, hit in enumerate(hits, 1):
            print(f"{rank:>3}. [{hit.source}] {hit.citation}  ({hit.score:.2f})")
            print(f"     {' '.join(hit.text.split())[:160]}")
    return 0


def _search_batch(kb, args: argparse.Namespace) -> int:
    """One JSON line out per line in, index loaded once; a bad line yields an error line, not a stop."""
    import time

    from knowledge import KnowledgeError

    failures = 0
    source = sys.stdin if args.queries == "-" else open(args.queries, encoding="utf-8")
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            qid = None
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("q"), str):
                    raise ValueError('each line must be an object with a string "q"')
                qid = item.get("id", number)
                started = time.perf_counter()
                hits = kb.search(
                    item["q"],
                    k=int(item.get("k", args.k)),
                    source=item.get("source", args.source),
                    village_id=item.get("village_id", args.village_id),
                    mode=args.mode,
                )
                out = {
                    "id": qid,
                    "hits": [h.to_dict() for h in hits],
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                }
            except (ValueError, KnowledgeError) as exc:
                failures += 1
                out = {"id": qid if qid is not None else number, "error": f"line {number}: {exc}"}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    if failures:
        print(f"{failures} line(s) failed; see their error lines", file=sys.stderr)
    return 1 if failures else 0


def _cmd_users_add(args: argparse.Namespace) -> int:
    """Bootstrap an account; the password comes on stdin so it never shows in `ps` or history."""
    from cases.staff import StaffError, add_user

    password = sys.stdin.readline().rstrip("\r\n")
    store = _store()
    try:
        with store.session() as session:
            user = add_user(
                session, username=args.username, role=args.role, password=password, display_name=args.name,
                phone=args.phone,
            )  # fmt: skip
            session.commit()
            print(json.dumps({"username": user.username, "role": user.role, "display_name": user.display_name}))
    except StaffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_users_post(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from cases.models import User
    from cases.staff import StaffError, add_roster_entry

    store = _store()
    with store.session() as session:
        user = session.scalar(select(User).where(User.username == args.username))
        if user is None:
            print(f"error: no user {args.username!r}", file=sys.stderr)
            return 2
        try:
            add_roster_entry(
                session, user=user, handler_role=args.handler_role, village_id=args.village_id, township=args.township
            )
        except StaffError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        session.commit()
    print(json.dumps({"username": args.username, "handler_role": args.handler_role, "village_id": args.village_id,
                      "township": args.township}, ensure_ascii=False))  # fmt: skip
    return 0


def _cli_actor() -> str:
    """Who made a change from the command line, as the audit log names them."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return "cli"


def _cmd_users_list(args: argparse.Namespace) -> int:
    """One JSON line per account: role, posts, disabled, locked until, last login; never a password hash."""
    from cases import audit
    from cases.staff import list_staff

    store = _store()
    with store.session() as session:
        accounts = list_staff(session)
        audit.record(session, actor=_cli_actor(), action="list_users", count=len(accounts))
        session.commit()
    for account in accounts:
        print(json.dumps(account.to_dict(), ensure_ascii=False))
    return 0


def _cmd_users_change(args: argparse.Namespace) -> int:
    """disable, enable, reset-password (the new password on stdin, never in argv) and unlock; each audited."""
    from cases.errors import CaseError
    from cases.staff import disable_user, enable_user, reset_password, unlock_user

    actor = _cli_actor()
    password = sys.stdin.readline().rstrip("\r\n") if args.users_command == "reset-password" else ""
    store = _store()
    try:
        with store.session() as session:
            if args.users_command == "disable":
                result = {"disabled": not disable_user(session, args.username, actor=actor).active}
            elif args.users_command == "enable":
                result = {"disabled": not enable_user(session, args.username, actor=actor).active}
            elif args.users_command == "reset-password":
                reset_password(session, args.username, password, actor=actor)
                result = {"password_reset": True}
            else:
                result = {"was_locked": unlock_user(session, args.username, actor=actor)}
            session.commit()
    except CaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"username": args.username, **result}, ensure_ascii=False))
    return 0


def _cmd_eval_nlu(args: argparse.Namespace) -> int:
    """Held-out NLU scores for the current bot model (trained first if needed)."""
    from cunfa import bot_model, nlu_eval

    settings = get_settings()
    model = bot_model.train(settings)
    nlu_file = nlu_eval.TEST_FILE if args.split == "test" else nlu_eval.DEV_FILE
    # Rasa logs parse results to stdout; keep stdout for the report alone.
    with contextlib.redirect_stdout(sys.stderr):
        result = nlu_eval.evaluate(model, settings, nlu_file)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    dispute = result["dispute_type"]
    print(f"{result['file']} with {result['model']}")
    print(f"intent macro-F1: {result['intent_macro_f1']}  (accuracy {result['intent_accuracy']})")
    for name, f1 in result["intent_f1"].items():
        print(f"  {name:20s} {f1}")
    print(f"dispute_type accuracy: {dispute['accuracy']} on {dispute['examples']} annotated messages")
    print(
        f"  messages without a type that got one: {dispute['unlabelled_with_a_type']}"
        f" of {dispute['unlabelled_messages']}"
    )
    for error in dispute["errors"][:20]:
        print(f"  miss: {error['text']!r} gold={error['gold']} predicted={error['predicted']}")
    print(f"Rasa's own reports: {result['rasa_report_dir']}")
    return 0


def _cmd_eval_retrieval(args: argparse.Namespace) -> int:
    """Statute retrieval on a held-out FAQ split, every mode side by side."""
    from knowledge import KnowledgeBase
    from knowledge.base import index_inputs
    from knowledge.learn.evaluation import evaluate, held_out_view, tune
    from knowledge.learn.questions import load_questions
    from knowledge.splits import learning_splits

    settings = get_settings()
    if args.tune and args.split == "test":
        logger.error("--tune chooses on the dev split; the test split is never tuned on (use --split dev)")
        return 2
    inputs = index_inputs(settings)
    kb = held_out_view(KnowledgeBase.from_settings(settings), inputs, settings.encoders_dir, args.split)
    questions = load_questions(settings.faq_file, args.split)
    if args.limit:
        questions = questions[: args.limit]
    if args.tune:
        for row in tune(kb, inputs, settings.encoders_dir, questions):
            print(json.dumps(row, ensure_ascii=False))
        return 0
    rows = [evaluate(kb, questions, mode).row() for mode in (args.modes or kb.modes)]
    encoder = kb.index.dense.encoder.name if kb.index.dense is not None else "none"
    learned = "+".join(learning_splits(args.split))
    if args.json:
        report = {"split": args.split, "encoder": encoder, "faq_splits": learned, "results": rows}
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"split={args.split} questions={len(questions)} encoder={encoder} FAQs and encoder from: {learned}")
    header = ["mode", "R@1", "R@5", "R@10", "R@100", "MRR@10", "p50_ms", "p95_ms"]
    print("  ".join(f"{h:>8}" for h in header))
    for row in rows:
        print("  ".join(f"{row[h]:>8}" for h in header))
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    settings = get_settings()
    data = {k: str(v) for k, v in settings.dict().items()}
    for secret in ("rasa_token", "admin_token", "notify_webhook_secret"):
        data[secret] = "***" if getattr(settings, secret) else ""
    data["database (effective)"] = settings.database
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    """Delete or anonymise what has outlived its retention now (the API also does it every hour)."""
    import json
    from datetime import datetime, timezone

    from cases.retention import purge

    settings = get_settings()
    store = _store()
    with store.session() as session:
        report = purge(
            session,
            now=datetime.now(timezone.utc),
            conversation_days=settings.retention_conversation_days,
            closed_case_days=settings.retention_closed_case_days,
        )
        session.commit()
    print(json.dumps(report.to_dict(), ensure_ascii=False))
    return 0


def _store():  # cases.CaseStore, imported lazily like everything the CLI runs
    """The case store with this process's data keys configured (personal fields are encrypted)."""
    from cases import open_store
    from cunfa.data_keys import ensure_configured

    ensure_configured(get_settings())
    return open_store(get_settings().database)


def _cmd_keys_new(args: argparse.Namespace) -> int:
    """Print a fresh data key, to put first in CUNFA_DATA_KEYS before `cunfa keys rotate`."""
    from cases.crypto import new_key

    print(new_key())
    return 0


def _cmd_keys_rotate(args: argparse.Namespace) -> int:
    """Re-encrypt every personal field and conversation with the first key in CUNFA_DATA_KEYS."""
    from cases.key_rotation import rotate_all

    store = _store()
    with store.session() as session:
        report = rotate_all(session)
    print(json.dumps({"cases": report.cases, "conversation_events": report.conversation_events}))
    return 0


def _cmd_notify_add(args: argparse.Namespace) -> int:
    """Record a notification channel; with ``--target -`` and ``--secret-stdin`` nothing secret is in argv."""
    from notify.channels import ChannelError, add_channel, channel_view

    target = sys.stdin.readline().strip() if args.target == "-" else args.target
    secret = sys.stdin.readline().strip() if args.secret_stdin else None
    store = _store()
    try:
        with store.session() as session:
            channel = add_channel(
                session, scope=args.scope, role=args.role, kind=args.kind, target=target, secret=secret,
                name=args.name, enabled=not args.disabled, actor=_cli_actor(),
            )  # fmt: skip
            session.commit()
            print(json.dumps(channel_view(channel), ensure_ascii=False))
    except ChannelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_notify_list(args: argparse.Namespace) -> int:
    """One JSON line per channel; targets masked, secrets only as has_secret."""
    from notify.channels import channel_view, list_channels

    with _store().session() as session:
        for channel in list_channels(session):
            print(json.dumps(channel_view(channel), ensure_ascii=False))
    return 0


def _cmd_notify_remove(args: argparse.Namespace) -> int:
    from notify.channels import ChannelNotFound, remove_channel

    try:
        with _store().session() as session:
            remove_channel(session, args.id, actor=_cli_actor())
            session.commit()
    except ChannelNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"id": args.id, "removed": True}))
    return 0


def _cmd_notify_test(args: argparse.Namespace) -> int:
    """Send a test message through one channel now; exit 0 only when the provider accepted it."""
    from cases import audit
    from notify.channels import ChannelNotFound
    from notify.delivery import send_test

    try:
        with _store().session() as session:
            result = send_test(session, get_settings(), args.id)
            audit.record(
                session, actor=_cli_actor(), action="notify_channel_tested", channel_id=args.id,
                outcome=result.outcome.value, code=result.code,
            )  # fmt: skip
            session.commit()
    except ChannelNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"id": args.id, "outcome": result.outcome.value, "code": result.code, "detail": result.detail},
                     ensure_ascii=False))  # fmt: skip
    return 0 if result.outcome.value == "sent" else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cunfa", description="村法助手 Cunfa: legal-aid assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="knowledge index").add_subparsers(dest="index_command", required=True)
    build = index.add_parser("build", help="build the knowledge index if its inputs changed")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument(
        "--refit-ranker",
        action="store_true",
        help="fit the ranker on out-of-fold encoders (minutes) instead of using knowledge/learn/ranker_fitted.json, "
        "and rewrite that file",
    )
    build.set_defaults(func=_cmd_index_build)

    train = sub.add_parser("train", help="train the Rasa model if bot/ or config.yml changed")
    train.add_argument("--force", action="store_true", help="retrain even if up to date")
    train.set_defaults(func=_cmd_train)

    sub.add_parser("prepare", help="build the index and train the model as needed").set_defaults(func=_cmd_prepare)
    sub.add_parser("run", help="start Rasa, the action server and the API").set_defaults(func=_cmd_run)
    sub.add_parser("settings", help="print the effective settings").set_defaults(func=_cmd_settings)
    sub.add_parser(
        "purge", help="delete or anonymise conversations and closed cases past their retention (docs/privacy.md)"
    ).set_defaults(func=_cmd_purge)
    keys = sub.add_parser("keys", help="the keys that encrypt personal data").add_subparsers(
        dest="keys_command", required=True
    )
    keys.add_parser("new", help="print a fresh key").set_defaults(func=_cmd_keys_new)
    keys.add_parser(
        "rotate", help="re-encrypt everything with the first key of CUNFA_DATA_KEYS (then drop the old key)"
    ).set_defaults(func=_cmd_keys_rotate)

    villages = sub.add_parser("villages", help="village rules").add_subparsers(dest="villages_command", required=True)
    add = villages.add_parser("add", help="add or replace one village's rules (searchable at once)")
    add.add_argument("--id", required=True, help="village id: lowercase letters, digits, - or _")
    add.add_argument("--name", required=True, help="village name, e.g. 青石湾村")
    add.add_argument("--rules", required=True, help="Markdown or text file with 第N条 clauses (- for stdin)")
    add.set_defaults(func=_cmd_villages_add)
    villages.add_parser("list", help="list villages").set_defaults(func=_cmd_villages_list)
    own_bank = villages.add_parser(
        "bank", help="add or replace a village's own questions for its clauses (searchable at once)"
    )
    own_bank.add_argument("--id", required=True, help="village id")
    own_bank.add_argument(
        "--file",
        required=True,
        help='JSONL: {"article": "第三条", "questions": [...], "keywords": [...]} (- for stdin)',
    )
    own_bank.set_defaults(func=_cmd_villages_bank)

    risk = sub.add_parser("risk", help="the risk engine's model").add_subparsers(dest="risk_command", required=True)
    risk.add_parser("train", help="fit triage/risk_model.json from data/risk/train/").set_defaults(func=_cmd_risk_train)

    guides = sub.add_parser("guides", help="matter guides (办事指南)").add_subparsers(
        dest="guides_command", required=True
    )
    check = guides.add_parser("check", help="check guide files and every article they cite")
    check.add_argument("paths", nargs="*", help="guide files (default: every guide in CUNFA_GUIDES_DIR)")
    check.set_defaults(func=_cmd_guides_check)
    guides.add_parser("fit", help="fit the matter model from the guides").set_defaults(func=_cmd_guides_fit)

    bank = sub.add_parser("bank", help="the villagers' question bank (knowledge/bank.py)").add_subparsers(
        dest="bank_command", required=True
    )
    bank_check = bank.add_parser("check", help="check bank files and every article they name")
    bank_check.add_argument("paths", nargs="*", help="bank files (default: every file in CUNFA_BANK_DIR)")
    bank_check.set_defaults(func=_cmd_bank_check)

    users = sub.add_parser("users", help="staff accounts").add_subparsers(dest="users_command", required=True)
    user_add = users.add_parser("add", help="create a staff account (password read from stdin)")
    user_add.add_argument("--username", required=True)
    user_add.add_argument("--role", required=True, choices=["admin", "lawyer", "mediator", "grid_worker", "hotline"])
    user_add.add_argument("--name", default="", help="display name, e.g. 张律师")
    user_add.add_argument("--phone", default=None)
    user_add.add_argument("--password-stdin", action="store_true", required=True, help="read the password from stdin")
    user_add.set_defaults(func=_cmd_users_add)
    roster = users.add_parser("post", help="post a user to a village or township roster")
    roster.add_argument("--username", required=True)
    roster.add_argument("--handler-role", required=True, choices=["mediator", "lawyer", "legal_aid", "emergency"])
    roster.add_argument("--village-id", default=None)
    roster.add_argument("--township", default=None)
    roster.set_defaults(func=_cmd_users_post)
    users.add_parser("list", help="list accounts: role, posts, disabled, locked, last login").set_defaults(
        func=_cmd_users_list
    )
    for name, text in (
        ("disable", "disable an account; its open sessions end at once"),
        ("enable", "enable a disabled account"),
        ("reset-password", "set a new password (read from stdin); open sessions end"),
        ("unlock", "lift a login lockout after failed attempts"),
    ):
        change = users.add_parser(name, help=text)
        change.add_argument("--username", required=True)
        if name == "reset-password":
            change.add_argument("--password-stdin", action="store_true", required=True, help="read it from stdin")
        change.set_defaults(func=_cmd_users_change)

    notify = sub.add_parser("notify", help="where staff notifications go (docs/notifications.md)").add_subparsers(
        dest="notify_command", required=True
    )
    notify_add = notify.add_parser("add", help="add a channel for a village, township or the county and a role")
    notify_add.add_argument("--scope", required=True, help="village:<id>, township:<name> or county")
    notify_add.add_argument("--role", required=True, choices=["mediator", "lawyer", "legal_aid", "emergency", "*"])
    notify_add.add_argument("--kind", required=True, choices=["wecom", "dingtalk", "wechat_template", "webhook"])
    notify_add.add_argument("--target", required=True, help="robot/webhook URL or openid; '-' reads it from stdin")
    notify_add.add_argument("--secret-stdin", action="store_true", help="read the signing secret from stdin")
    notify_add.add_argument("--name", default="", help="what admins call it, e.g. 清水镇调解员群")
    notify_add.add_argument("--disabled", action="store_true", help="record it switched off")
    notify_add.set_defaults(func=_cmd_notify_add)
    notify.add_parser("list", help="list channels (targets masked, secrets never shown)").set_defaults(
        func=_cmd_notify_list
    )
    notify_remove = notify.add_parser("remove", help="delete a channel")
    notify_remove.add_argument("id", type=int)
    notify_remove.set_defaults(func=_cmd_notify_remove)
    notify_test = notify.add_parser("test", help="send a test message through a channel now")
    notify_test.add_argument("id", type=int)
    notify_test.set_defaults(func=_cmd_notify_test)

    evaluation = sub.add_parser("eval", help="evaluation").add_subparsers(dest="eval_command", required=True)
    retrieval = evaluation.add_parser("retrieval", help="statute retrieval on the held-out FAQ split")
    retrieval.add_argument("--split", choices=["test", "dev"], default="test")
    retrieval.add_argument("--modes", nargs="*", choices=["hybrid", "bm25", "dense", "rrf"])
    retrieval.add_argument("--limit", type=int, default=0, help="only the first N questions")
    retrieval.add_argument(
        "--tune", action="store_true", help="refit the ranker at several regularisations, compare on --split dev"
    )
    retrieval.add_argument("--json", action="store_true")
    retrieval.set_defaults(func=_cmd_eval_retrieval)
    nlu = evaluation.add_parser("nlu", help="intent macro-F1 and dispute-type accuracy on the held-out NLU file")
    nlu.add_argument("--split", choices=["test", "dev"], default="test")
    nlu.add_argument("--json", action="store_true")
    nlu.set_defaults(func=_cmd_eval_nlu)

    search = sub.add_parser("search", help="search statutes, FAQs and village rules")
    search.add_argument("query", nargs="?")
    search.add_argument("--queries", help='JSONL file (or - for stdin) of {"id", "q", "village_id"?, "source"?}')
    search.add_argument("--k", type=int, default=10, help="number of hits (1-100)")
    search.add_argument("--mode", choices=["hybrid", "bm25", "dense", "rrf"], default="hybrid")
    search.add_argument("--source", choices=["statute", "village_rule", "faq"])
    search.add_argument("--village-id", dest="village_id")
    search.add_argument("--json", action="store_true", help='print {"hits": [...]} as JSON')
    search.set_defaults(func=_cmd_search)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(get_settings().log_level)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
