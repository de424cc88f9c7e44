"""The careerbot command line. Thin: each command parses arguments and calls the library.

Heavy imports (torch, sentence-transformers, FAISS) happen inside the commands that need them,
so `careerbot --help` and `careerbot index status` start in well under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .admin import build_index
from .settings import Settings


def _fail(message: str, code: int = 1) -> int:
    print(f"careerbot: {message}", file=sys.stderr)
    return code


def cmd_index_build(args, settings: Settings) -> int:
    report, error = build_index(settings, force=True)
    if error:
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


def _admin_event(settings: Settings, action: str, summary: str) -> None:
    from .log import QuestionLog

    log = QuestionLog(settings.data_dir)
    try:
        log.admin_event(_actor(), action, summary[:2000])
    finally:
        log.close()


def cmd_index_refresh(args, settings: Settings) -> int:
    from .admin import summary

    report, error = build_index(settings, force=False)
    if error:
        _admin_event(settings, "refresh", "refused: " + error)
        print(error, file=sys.stderr)
        return 2
    text = summary(report)
    _admin_event(settings, "refresh", text)
    print(json.dumps(report.to_dict()) if args.json else text)
    return 0


def cmd_index_rollback(args, settings: Settings) -> int:
    from .index import rollback

    old, new = rollback(settings.index_dir)
    _admin_event(settings, "rollback", f"{old} -> {new}")
    print(f"published {new} again (was {old})")
    return 0


def cmd_knowledge_import(args, settings: Settings) -> int:
    from .imports import import_file

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


def cmd_knowledge_publish(args, settings: Settings) -> int:
    from .admin import publish_draft

    path, error = publish_draft(settings, args.id, args.reviewer)
    if error:
        print(f"careerbot: {error}", file=sys.stderr)
        return 2
    _admin_event(settings, "publish", f"{args.id} reviewed by {args.reviewer} -> {path}")
    print(f"published {path}; run 'careerbot index refresh' to make it live")
    return 0


def cmd_knowledge_check(args, settings: Settings) -> int:
    from .admin import STALE_AFTER_DAYS, stale_documents
    from .load import load_documents

    docs, problems = load_documents(settings.knowledge_dir)
    for p in problems:
        print(p)
    stale = stale_documents(settings)
    for d in stale:
        print(f"{d.path}: reviewed_on: {d.reviewed_on} is more than {STALE_AFTER_DAYS} days ago; "
              "check it against its sources and update reviewed_on")
    published = sum(d.publishable for d in docs)
    print(f"{len(docs)} documents ({published} published, {len(docs) - published} drafts): "
          f"{len(problems)} problem(s), {len(stale)} due for review")
    return 2 if problems else 0


def cmd_index_status(args, settings: Settings) -> int:
    from .index import read_manifest

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


def _assistant(settings: Settings):
    from .assistant import Assistant

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


def cmd_ask(args, settings: Settings) -> int:
    from .types import Context

    if not args.question and not args.file:
        return _fail("give a question, or --file PATH with one question per line")
    assistant = _assistant(settings)
    context = Context(state=args.state)
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


def cmd_chat(args, settings: Settings) -> int:
    from .chat import run_chat

    return run_chat(_assistant(settings))


def cmd_eval(args, settings: Settings) -> int:
    from .evaluate import DEFAULT_QUESTIONS, evaluate, load_questions

    path = Path(args.file or DEFAULT_QUESTIONS)
    try:
        questions = load_questions(path)
    except (OSError, KeyError, TypeError) as exc:
        return _fail(f"cannot read the evaluation questions in {path}: {exc}")
    report = evaluate(_assistant(settings), questions)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    print(report.markdown())
    if report.misses:
        print("\nWorst retrieval misses (hybrid):")
        for m in report.misses:
            print(f"  rank {m['rank'] or '>10'}: {m['q']!r} expected {m['expected']}, got {m['got']}")
    if report.wrong_decisions:
        print("\nWrong decisions:")
        for w in report.wrong_decisions:
            print(f"  {w['q']!r}: expected {w['expected']}, got {w['got']}")
    failures = report.failures()
    print("\nAll targets met." if not failures else "\nBelow target: " + "; ".join(failures))
    return 0 if not failures else 1


def cmd_run(args, settings: Settings) -> int:
    """What `make run` does: build the index if none is published, then serve or chat."""
    from .index import read_manifest

    if read_manifest(settings.index_dir) is None:
        print("No index is published yet: building it from the knowledge base (about a minute)...")
        report, error = build_index(settings)
        if error:
            print(error, file=sys.stderr)
            return 2
        print(f"published {report.version}")
    if os.environ.get("TELEGRAM_BOT_TOKEN"):
        from .telegram.serve import serve

        return serve(webhook=False)
    return cmd_chat(args, settings)


def cmd_serve(args, settings: Settings) -> int:
    from .telegram.serve import serve

    return serve(webhook=args.webhook)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="careerbot", description=(
        "Career guidance for medical assistants from a vetted knowledge base."))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ask = sub.add_parser("ask", help="answer one question (or a file of questions)")
    ask.add_argument("question", nargs="?", help="the question, in quotes")
    ask.add_argument("--file", help="read one question per line from this file")
    ask.add_argument("--json", action="store_true", help="print JSON (one line per question with --file)")
    ask.add_argument("--state", help="the asker's US state code, e.g. CA")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.set_defaults(func=cmd_chat)

    ev = sub.add_parser("eval", help="measure retrieval and answer decisions on the labelled questions")
    ev.add_argument("--file", help="questions YAML (default tests/eval/questions.yaml)")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)

    run = sub.add_parser("run", help="build the index if needed, then serve Telegram or chat here")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="run the Telegram bot (long polling, or --webhook)")
    serve.add_argument("--webhook", action="store_true",
                       help="serve PTB's webhook server on $PORT at the path of $WEBHOOK_URL")
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from .index import IndexUnavailable

        if isinstance(exc, (IndexUnavailable, FileNotFoundError)):
            return _fail(str(exc))
        raise


if __name__ == "__main__":
    sys.exit(main())
