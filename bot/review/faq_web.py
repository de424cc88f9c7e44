"""`careerbot faq serve`: a read-only Datasette view of the question log for counselors."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

QUERIES = {
    "unanswered": {
        "title": "Unanswered questions",
        "description": "Questions the bot had no vetted guidance for, or judged outside its field, newest first. "
                       "Repeated ones are the best candidates for new guidance.",
        "sql": "select asked_at as \"asked\", question, case status when 'no_answer' then 'no guidance yet' "
               "else 'outside careers' end as \"why\", round(score, 2) as \"closest match\" from questions "
               "where status in ('no_answer', 'out_of_scope') order by asked_at desc limit 500",
    },
    "rated_down": {
        "title": "Answers rated not helpful",
        "description": "Answers someone marked 'Not helpful', with the guidance document that answered. "
                       "Check whether that document answers the question well.",
        "sql": "select f.at as \"rated\", q.question, q.top_doc as \"document\", f.comment from feedback f "
               "join questions q on q.id = f.question_id where f.helpful = 0 order by f.at desc limit 500",
    },
    "most_asked": {
        "title": "Most used guidance documents",
        "description": "Which documents answer the most questions, and how people rated them.",
        "sql": "select q.top_doc as \"document\", count(*) as \"questions\", "
               "sum(f.helpful = 1) as \"helpful\", sum(f.helpful = 0) as \"not helpful\" "
               "from questions q left join feedback f on f.question_id = q.id where q.status = 'answered' "
               "group by q.top_doc order by count(*) desc",
    },
    "daily": {
        "title": "Questions per day",
        "description": "How many questions came in each day and what share the bot answered.",
        "sql": "select substr(asked_at, 1, 10) as \"day\", count(*) as \"questions\", "
               "round(100.0 * sum(status = 'answered') / count(*), 1) as \"answered %\", "
               "sum(status = 'medical') as \"referred to a clinician\", sum(status = 'crisis') as \"crisis referrals (988)\" "
               "from questions group by 1 order by 1 desc",
    },
    "recent": {
        "title": "Recent questions",
        "description": "The latest questions and how they were answered (e-mail addresses and phone numbers "
                       "are removed before anything is stored).",
        "sql": "select asked_at as \"asked\", question, status, top_doc as \"document\", "
               "round(latency_ms) as \"ms\" from questions where status != 'crisis' order by asked_at desc limit 200",
    },
    "admin_events": {
        "title": "Admin activity",
        "description": "Index refreshes, rollbacks, imports, publications and refused admin commands.",
        "sql": "select at, actor, action, summary from admin_events order by at desc limit 500",
    },
}


def metadata(db_name: str) -> dict:
    return {
        "title": "careerbot: what people ask",
        "description": "A read-only view of the questions people ask careerbot. Start with the saved "
                       "views below: unanswered questions and answers rated not helpful show where "
                       "new guidance is needed. People appear only as pseudonymous keys.",
        "databases": {db_name: {
            "description": "The question log (read-only).",
            "queries": {name: {**q, "hide_sql": True} for name, q in QUERIES.items()},  # plain pages
            "tables": {name: {"hidden": True} for name in ("prefs", "inbox", "blocked")},
        }},
    }


def command(db_path: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port),
            "--metadata", str(metadata_path),
            "--setting", "default_allow_sql", "off",   # no SQL editing: saved views only
            "--setting", "allow_download", "off",
            "--setting", "allow_csv_stream", "off"]


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    if not db_path.exists():
        print(f"careerbot: no question log at {db_path} yet: it is created when the bot answers "
              "its first question", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db_path.stem)))
        print(f"Counselor view: http://{host}:{port}/{db_path.stem} (Ctrl-C to stop)", flush=True)
        return _run_until_stopped(command(db_path, meta, host, port))


def _run_until_stopped(cmd: list[str]) -> int:
    """Run Datasette as a child that ends with us: SIGTERM or Ctrl-C stops it too, and the port is
    free when this returns (without this, SIGTERM left Datasette serving the port)."""
    child = subprocess.Popen(cmd)
    previous = signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        code = child.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        if child.poll() is None:
            child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        signal.signal(signal.SIGTERM, previous)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code
