"""The careerbot command line. Thin: each command parses arguments and calls the library.

Heavy imports (torch, sentence-transformers, FAISS) happen inside the commands that need them,
so `careerbot --help` and `careerbot index status` start in well under a second.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.knowledge.admin import build_index, ensure_index
from bot.errors import CareerbotError, ConfigError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.review.faq import Report
    from bot.review.log import QuestionLog


def _fail(message: str, code: int = 1) -> int:
    print(f"careerbot: {message}", file=sys.stderr)
    return code


def _progress(done: int, total: int) -> None:
    """Passages embedded of total, on one terminal line (nothing when output is not a terminal)."""
    print(f"\rembedding passages: {done} of {total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def cmd_index_build(args: argparse.Namespace, settings: Settings) -> int:
    report, error = build_index(settings, force=True, progress=_progress if sys.stderr.isatty() else None)
    if report is None:
        print(error, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(f"published {report.version}: {report.passages_embedded} passages embedded, "
              f"{report.passages_reused} reused from the cache, in {report.seconds:.1f} s")
    return 0


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


@contextlib.contextmanager
def _question_log(settings: Settings) -> Iterator[QuestionLog]:
    from bot.review.log import QuestionLog

    log = QuestionLog(settings.data_dir)
    try:
        yield log
    finally:
        log.close()


def _admin_event(settings: Settings, action: str, summary: str) -> None:
    with _question_log(settings) as log:
        log.admin_event(_actor(), action, summary[:2000])


def cmd_index_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.admin import summary

    report, error = build_index(settings, force=False, progress=_progress if sys.stderr.isatty() else None)
    if report is None:
        _admin_event(settings, "refresh", f"refused: {error}")
        print(error, file=sys.stderr)
        return 2
    text = summary(report)
    _admin_event(settings, "refresh", text)
    print(json.dumps(report.to_dict()) if args.json else text)
    return 0


def cmd_index_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.index import rollback

    old, new = rollback(settings.index_dir)
    _admin_event(settings, "rollback", f"{old} -> {new}")
    print(f"published {new} again (was {old})")
    return 0


def cmd_knowledge_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.imports import import_file

    if importlib.util.find_spec("trafilatura") is None:
        return _fail("importing articles needs the build dependencies: pip install 'careerbot[build]'", 2)

    try:
        result = import_file(Path(args.path), settings.knowledge_dir / "drafts", topic=args.topic,
                             title=args.title, source=args.source)
    except (OSError, ValueError) as exc:
        return _fail(str(exc))
    _admin_event(settings, "import", f"{args.path} -> {result.path} ({result.kept} kept, "
                                     f"{len(result.removed)} removed)")
    print(f"wrote {result.path} (status: draft, id: {result.doc_id}): {result.kept} paragraphs kept")
    if result.removed:
        print(f"removed {len(result.removed)} paragraph(s) as off-topic noise:")
        for para in result.removed:
            print(f"  - {para[:100]}")
    print(f"review it, then: careerbot knowledge publish {result.doc_id} --reviewer \"YOUR NAME\"")
    return 0


def cmd_knowledge_publish(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.admin import publish_draft

    path, error = publish_draft(settings, args.id, args.reviewer)
    if path is None:
        print(f"careerbot: {error}", file=sys.stderr)
        return 2
    _admin_event(settings, "publish", f"{args.id} reviewed by {args.reviewer} -> {path}")
    print(f"published {path}; run 'careerbot index refresh' to make it live")
    return 0


def cmd_knowledge_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.admin import STALE_AFTER_DAYS, stale_documents
    from bot.knowledge.load import load_documents, warnings

    docs, problems = load_documents(settings.knowledge_dir)
    for p in problems:
        print(p)
    stale = stale_documents(settings)
    for d in stale:
        print(f"{d.path}: reviewed_on: {d.reviewed_on} is more than {STALE_AFTER_DAYS} days ago; "
              "check it against its sources and update reviewed_on")
    warned = [w for d in docs for w in warnings(d)]
    for w in warned:
        print(f"warning: {w}")
    published = sum(d.publishable for d in docs)
    print(f"{len(docs)} documents ({published} published, {len(docs) - published} drafts): "
          f"{len(problems)} problem(s), {len(stale)} due for review, {len(warned)} warning(s)")
    return 2 if problems else 0


def _duration(text: str) -> dt.timedelta:
    import re

    m = re.fullmatch(r"(\d+)\s*([dhw])", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration like 180d, 12h or 4w")
    n, unit = int(m.group(1)), m.group(2)
    return {"d": dt.timedelta(days=n), "h": dt.timedelta(hours=n), "w": dt.timedelta(weeks=n)}[unit]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None


def cmd_log_forget(args: argparse.Namespace, settings: Settings) -> int:
    with _question_log(settings) as log:
        n = log.forget(args.user_key)
        log.admin_event(_actor(), "forget", f"erased {n} question(s) of one user")
    print(f"erased {n} question(s) and the feedback and preferences of user {args.user_key}")
    return 0


def cmd_log_prune(args: argparse.Namespace, settings: Settings) -> int:
    with _question_log(settings) as log:
        n = log.prune(args.older_than)
        log.admin_event(_actor(), "prune", f"deleted {n} question(s) older than {args.older_than.days} days")
    print(f"deleted {n} question(s) older than {args.older_than.days} days")
    return 0


def _faq_report(settings: Settings, since: dt.date | None) -> Report:
    from bot.review.faq import report_now

    with _question_log(settings) as log:
        return report_now(settings, log, since)  # the index's ONNX encoder: no torch


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    else:
        sys.stdout.write(text)


def cmd_faq_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review.faq import RENDERERS

    _write(RENDERERS[args.format](_faq_report(settings, args.since)), args.out)
    return 0


def cmd_faq_digest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review.digest import RENDERERS, digest_now

    with _question_log(settings) as log:
        _write(RENDERERS[args.format](digest_now(settings, log)), args.out)
    return 0


def cmd_faq_draft(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review.faq import draft
    from bot.knowledge.index import published_path, read_manifest

    report = _faq_report(settings, args.since)
    group = next((g for g in report.groups if g.id == args.group_id), None)
    if group is None:
        return _fail(f"no group '{args.group_id}' in the report; run 'careerbot faq report' for the ids")
    topic = "job"
    published = published_path(settings.index_dir)
    manifest = read_manifest(settings.index_dir)
    if group.top_doc and published is not None and manifest:
        from bot.knowledge.index import LoadedIndex

        meta = LoadedIndex(published, manifest["model_id"]).documents.get(group.top_doc)
        topic = meta["topic"] if meta else topic
    doc_id, text = draft(group, topic)
    target = settings.knowledge_dir / "drafts" / f"{doc_id}.md"
    if target.exists():
        return _fail(f"{target} already exists: edit it, or remove it to draft again")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    _admin_event(settings, "draft", f"{group.id} -> {target}")
    print(f"wrote {target} (status: draft); fill it in, then: careerbot knowledge publish {doc_id} --reviewer NAME")
    return 0


def cmd_faq_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review.faq_web import serve
    from bot.review.log import LOG_FILE

    path = settings.data_dir / LOG_FILE
    if path.exists():
        with _question_log(settings):
            pass  # adds the tables a newer careerbot reads (faq_groups, ...), so every view works
    return serve(path, settings.index_dir, settings.timezone, args.host, args.port)


def cmd_index_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.index import read_manifest

    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        return _fail(f"no index is published in {settings.index_dir}: run 'careerbot index build'")
    if args.json:
        print(json.dumps(manifest, indent=2))
    else:
        for key in ("version", "built_at", "model_id", "dim", "index_type", "documents", "passages",
                    "knowledge_hash", "reviewed_latest"):
            print(f"{key:16} {manifest.get(key)}")
    return 0


def cmd_index_verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.index import verify_versions

    results = verify_versions(settings.index_dir)
    if not results:
        return _fail(f"no index version in {settings.index_dir}: run 'careerbot index build'")
    for name, published, problem in results:
        print(f"{name}{' (published)' if published else ''}: {problem or 'intact'}")
    return 1 if any(problem for _, _, problem in results) else 0


def _assistant(settings: Settings):
    from bot.assistant import Assistant

    return Assistant.create(settings)


def answer_lines(assistant, lines, context):
    """One result per non-blank line, in order; a question that fails does not stop the rest."""
    for line in lines:
        if not line.strip():
            continue
        try:
            yield assistant.ask(line, context).to_dict() | {"question": line}
        except Exception as exc:
            yield {"question": line, "status": "error", "error": f"{type(exc).__name__}: {exc}"}


def _say(text: str, done: bool = True) -> None:
    """Progress on stderr, so `ask --json` output stays clean; `done=False` continues the line."""
    print(text, end="\n" if done else " ", file=sys.stderr, flush=True)


def _build_if_missing(args: argparse.Namespace, settings: Settings) -> int | None:
    """Build and publish an index first when none is published (unless --no-build); an exit code on failure."""
    if args.no_build:
        return None
    error = ensure_index(settings, _say)
    if error:
        print(f"careerbot: {error}", file=sys.stderr)
        return 2
    return None


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.types import Context

    if not args.question and not args.file:
        return _fail("give a question, or --file PATH with one question per line")
    if (code := _build_if_missing(args, settings)) is not None:
        return code
    assistant = _assistant(settings)
    context = Context(state=args.state)
    if args.log:
        from bot.review.log import QuestionLog

        log = QuestionLog(settings.data_dir)
        assistant = LoggingAssistant(assistant, log, log.user_key(_actor()), "cli")
    if args.file:
        path = Path(args.file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            return _fail(f"cannot read {path}: {exc}")
        for out in answer_lines(assistant, lines, context):
            print(json.dumps(out) if args.json else
                  f"Q: {out['question']}\n{out.get('answer', out.get('error'))}\n", flush=True)
        return 0
    answer = assistant.ask(args.question, context)
    print(json.dumps(answer.to_dict(), indent=2) if args.json else answer.answer)
    return 0


class LoggingAssistant:
    """The Assistant, with every question recorded in the log (for the console front ends)."""

    def __init__(self, assistant, log, user_key: str, channel: str):
        self.assistant, self.log, self.user_key, self.channel = assistant, log, user_key, channel

    def ask(self, question, context=None, **kw):
        answer = self.assistant.ask(question, context, **kw)
        self.log.record(self.user_key, self.channel, question, answer)
        return answer

    def __getattr__(self, name):
        return getattr(self.assistant, name)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.chat import run_chat

    if (code := _build_if_missing(args, settings)) is not None:
        return code
    with _question_log(settings) as log:
        return run_chat(LoggingAssistant(_assistant(settings), log, log.user_key(_actor()), "chat"))


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review.evaluate import EVAL_DIR, evaluate, load_questions, load_splits

    try:
        splits = ({Path(args.file).stem: load_questions(Path(args.file))} if args.file
                  else load_splits(Path(args.dir or EVAL_DIR)))
    except (OSError, KeyError, TypeError) as exc:
        return _fail(f"cannot read the evaluation questions: {exc}")
    report = evaluate(_assistant(settings), splits)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0 if not report.failures() else 1
    print(report.markdown())
    for name, split in report.splits.items():
        if split.misses:
            print(f"\nWorst retrieval misses ({name}):")
            for m in split.misses:
                print(f"  rank {m['rank'] or '>10'}: {m['q']!r} expected {m['expected']}, got {m['got']}")
        if split.wrong_decisions:
            print(f"\nWrong decisions ({name}):")
            for w in split.wrong_decisions:
                print(f"  {w['q']!r}: expected {w['expected']}, got {w['got']}")
    failures = report.failures()
    print("\nAll targets met." if not failures else "\nBelow target: " + "; ".join(failures))
    if report.pending():
        print("Targets of open work, not yet met: " + "; ".join(report.pending()))
    return 0 if not failures else 1


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """What `make run` does: build the index if none is published, then serve or chat."""
    if os.environ.get("TELEGRAM_BOT_TOKEN"):
        from .telegram.serve import serve

        return serve(settings, webhook=False)
    return cmd_chat(args, settings)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from .telegram.serve import serve

    health_port = args.health_port or os.environ.get("CAREERBOT_HEALTH_PORT", "").strip() or None
    return serve(settings, webhook=args.webhook, build=not args.no_build, health_port=health_port)


def version_text(settings: Settings) -> str:
    from bot.knowledge.index import read_manifest
    from bot.telegram.webserver import package_version

    manifest = read_manifest(settings.index_dir)
    index = (f"index {manifest['version']} ({manifest['documents']} documents, {manifest['passages']} passages)"
             if manifest else f"no index published in {settings.index_dir}")
    return f"careerbot {package_version()}; {index}"


class _Version(argparse.Action):
    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, help="print the package and published index versions")

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            print(version_text(Settings.from_env()))
        except CareerbotError as exc:
            parser.exit(2, f"careerbot: {exc}\n")
        parser.exit()


def _no_build(command: argparse.ArgumentParser) -> None:
    command.add_argument("--no-build", action="store_true",
                         help="when no index is published, stop instead of building one from the knowledge base")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="careerbot", description=(
        "Career guidance for medical assistants from a vetted knowledge base."))
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ask = sub.add_parser("ask", help="answer one question (or a file of questions)")
    ask.add_argument("question", nargs="?", help="the question, in quotes")
    ask.add_argument("--file", help="read one question per line from this file")
    ask.add_argument("--json", action="store_true", help="print JSON (one line per question with --file)")
    ask.add_argument("--state", help="the asker's US state code, e.g. CA")
    ask.add_argument("--log", action="store_true", help="record the question in the question log")
    _no_build(ask)
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    _no_build(chat)
    chat.set_defaults(func=cmd_chat)

    ev = sub.add_parser("eval", help="measure retrieval and answer decisions on the labelled questions")
    ev.add_argument("--dir", help="folder with questions.yaml (dev split) and unseen.yaml (default tests/eval)")
    ev.add_argument("--file", help="one questions YAML instead, reported as its own split")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)

    run = sub.add_parser("run", help="build the index if needed, then serve Telegram or chat here")
    run.set_defaults(func=cmd_run, no_build=False)

    serve = sub.add_parser("serve", help="run the Telegram bot (long polling, or --webhook)")
    serve.add_argument("--webhook", action="store_true",
                       help="serve Telegram's webhook and /healthz on $PORT at the path of $WEBHOOK_URL")
    serve.add_argument("--health-port", metavar="PORT",
                       help="polling: also serve GET /healthz on this port (default $CAREERBOT_HEALTH_PORT)")
    _no_build(serve)
    serve.set_defaults(func=cmd_serve)

    index = sub.add_parser("index", help="build and inspect the search index")
    isub = index.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    b = isub.add_parser("build", help="build and publish a new index version from the knowledge base")
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=cmd_index_build)
    r = isub.add_parser("refresh", help="validate, re-embed what changed and publish (nothing if unchanged)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_index_refresh)
    rb = isub.add_parser("rollback", help="publish the previous version again")
    rb.set_defaults(func=cmd_index_rollback)
    v = isub.add_parser("verify", help="check every kept version's files against their SHA-256")
    v.set_defaults(func=cmd_index_verify)
    s = isub.add_parser("status", help="show the published version's manifest")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_index_status)

    knowledge = sub.add_parser("knowledge", help="import, check and publish guidance documents")
    ksub = knowledge.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    imp = ksub.add_parser("import", help="turn an HTML, text or Markdown article into a draft")
    imp.add_argument("path")
    imp.add_argument("--topic", default="job", help="the draft's topic (default: job)")
    imp.add_argument("--title", help="the draft's title (default: the article's own)")
    imp.add_argument("--source", help="the article's source URL or citation")
    imp.set_defaults(func=cmd_knowledge_import)
    pub = ksub.add_parser("publish", help="mark a reviewed draft published and move it into place")
    pub.add_argument("id")
    pub.add_argument("--reviewer", required=True, help="who reviewed it")
    pub.set_defaults(func=cmd_knowledge_publish)
    chk = ksub.add_parser("check", help="list validation problems and documents due for review")
    chk.set_defaults(func=cmd_knowledge_check)

    logp = sub.add_parser("log", help="the question log: erase a person's history, enforce retention")
    lsub = logp.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    lf = lsub.add_parser("forget", help="delete everything logged about one user key")
    lf.add_argument("--user-key", required=True)
    lf.set_defaults(func=cmd_log_forget)
    lp = lsub.add_parser("prune", help="delete questions older than a duration, e.g. 180d")
    lp.add_argument("--older-than", required=True, type=_duration)
    lp.set_defaults(func=cmd_log_prune)

    faq = sub.add_parser("faq", help="what people ask: grouped report, drafts, read-only web view")
    fsub = faq.add_subparsers(dest="faq_command", metavar="ACTION", required=True)
    fr = fsub.add_parser("report", help="questions grouped by meaning, unanswered and rated-down first")
    fr.add_argument("--since", type=_date, help="only questions asked on or after this date (YYYY-MM-DD)")
    fr.add_argument("--format", choices=("md", "csv", "json", "html"), default="md")
    fr.add_argument("--out", help="write to this file instead of the terminal")
    fr.set_defaults(func=cmd_faq_report)
    fdg = fsub.add_parser("digest", help="the weekly digest of the last 7 days (for e-mail from cron)")
    fdg.add_argument("--format", choices=("md", "html"), default="md")
    fdg.add_argument("--out", help="write to this file instead of the terminal")
    fdg.set_defaults(func=cmd_faq_digest)
    fd = fsub.add_parser("draft", help="write a draft guidance document for a group of questions")
    fd.add_argument("group_id")
    fd.add_argument("--since", type=_date)
    fd.set_defaults(func=cmd_faq_draft)
    fs = fsub.add_parser("serve", help="a read-only web view of the log for counselors (Datasette)")
    fs.add_argument("--host", default="127.0.0.1")
    fs.add_argument("--port", type=int, default=8001)
    fs.set_defaults(func=cmd_faq_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args, Settings.from_env())
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `careerbot ask ... | head`: the reader has gone, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ConfigError as exc:  # a bad setting: exit 2, as `serve` does for its own settings
        return _fail(str(exc), 2)
    except (CareerbotError, FileNotFoundError) as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
