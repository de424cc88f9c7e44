"""`careerbot faq serve`: the counselors' home page, a read-only Datasette over the question log.

Datasette's own parts: metadata (saved views described in plain words, raw tables hidden), a
plugin (times in CAREERBOT_TIMEZONE, guidance titles instead of file slugs) and two templates (the
home page lists the saved views; a saved view reads as a page, not as an SQL query).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

WEB = Path(__file__).parent / "counselor_web"   # the plugin and templates, shipped in the wheel
STATUS_WORDS = ("case q.status when 'answered' then 'answered' when 'no_answer' then 'no guidance yet' "
                "when 'out_of_scope' then 'outside careers' when 'medical' then 'referred to a clinician' "
                "when 'crisis' then 'crisis: 988 given' else q.status end")

# The saved views, in the order the home page lists them. Times go through local_time() and
# documents through guidance_title() (counselor_web/plugins); no user key appears in any of them.
QUERIES = {
    "unanswered": {
        "title": "Questions the bot could not answer",
        "description": "Questions with no vetted guidance yet, or judged outside health-care careers, newest "
                       "first. The ones asked again and again are the best candidates for new guidance.",
        "sql": "select local_time(q.asked_at) as \"asked\", q.question as \"question\", " + STATUS_WORDS +
               " as \"why\" from questions q where q.status in ('no_answer', 'out_of_scope') "
               "order by q.asked_at desc limit 500",
    },
    "rated_down": {
        "title": "Answers people marked not helpful",
        "description": "Each answer someone marked 'Not helpful', with the guidance that answered it. Read the "
                       "question beside the guidance: does the guidance answer what was asked?",
        "sql": "select local_time(f.at) as \"rated\", q.question as \"question\", "
               "guidance_title(q.top_doc) as \"guidance that answered\", coalesce(f.comment, '') as \"comment\" "
               "from feedback f join questions q on q.id = f.question_id where f.helpful = 0 "
               "order by f.at desc limit 500",
    },
    "guidance_use": {
        "title": "Which guidance answers the most questions",
        "description": "Each guidance document, how many questions it answered and how people rated those "
                       "answers (most people do not rate: 0 means nobody pressed that button).",
        "sql": "select guidance_title(q.top_doc) as \"guidance\", count(*) as \"questions answered\", "
               "coalesce(sum(f.helpful = 1), 0) as \"helpful\", coalesce(sum(f.helpful = 0), 0) as \"not helpful\" "
               "from questions q left join feedback f on f.question_id = q.id where q.status = 'answered' "
               "group by q.top_doc order by count(*) desc",
    },
    "daily": {
        "title": "Questions per day",
        "description": "How many questions came in each day, what share the bot answered, and how many were "
                       "referred to a clinician or to the 988 crisis line.",
        "sql": "select substr(local_time(asked_at), 1, 10) as \"day\", count(*) as \"questions\", "
               "round(100.0 * sum(status = 'answered') / count(*)) || '%' as \"answered\", "
               "sum(status = 'medical') as \"referred to a clinician\", "
               "sum(status = 'crisis') as \"crisis referrals (988)\" from questions group by 1 order by 1 desc",
    },
    "recent": {
        "title": "Recent questions",
        "description": "The latest questions and what the bot did with them. E-mail addresses and phone "
                       "numbers are removed before anything is stored; crisis messages are never kept.",
        "sql": "select local_time(q.asked_at) as \"asked\", q.question as \"question\", " + STATUS_WORDS +
               " as \"what the bot did\", coalesce(guidance_title(q.top_doc), '') as \"guidance\" "
               "from questions q where q.status != 'crisis' order by q.asked_at desc limit 200",
    },
    "referred": {
        "title": "Questions referred to a clinician",
        "description": "Questions about a person's own health: the bot referred them to a doctor, nurse or "
                       "pharmacist (911 in an emergency). Check that no career question landed here by mistake.",
        "sql": "select local_time(asked_at) as \"asked\", question as \"question\" from questions "
               "where status = 'medical' order by asked_at desc limit 500",
    },
    "groups": {
        "title": "Question groups from the last FAQ report",
        "description": "The groups of the latest 'careerbot faq report', biggest first. A group keeps its "
                       "name from one report to the next.",
        "sql": "select label as \"group (most common phrasing)\", size as \"questions\", "
               "local_time(seen_at) as \"last reported\" from faq_groups order by size desc, label limit 500",
    },
    "admin_activity": {
        "title": "Admin activity",
        "description": "Guidance refreshes and rollbacks, imports, publications and refused admin commands.",
        "sql": "select local_time(at) as \"when\", action as \"action\", summary as \"what happened\" "
               "from admin_events order by at desc limit 500",
    },
    "technical": {
        "title": "Technical details (for admins)",
        "description": "Each question with the bot's match score, the time it took and the index version "
                       "that answered. Not needed for counseling.",
        "sql": "select local_time(asked_at) as \"asked\", question, status, top_doc as \"document id\", "
               "round(score, 3) as \"score\", round(latency_ms) as \"ms\", index_version as \"index version\" "
               "from questions where status != 'crisis' order by asked_at desc limit 500",
    },
}


def metadata(db_name: str, timezone: str) -> dict:
    from bot.review.log import SCHEMA

    return {
        "title": "careerbot: what people ask",
        "description": "What people ask careerbot, read-only. Start with the questions the bot could not "
                       f"answer and the answers marked not helpful. Times are in {timezone}. People are "
                       "never named: the log keeps no Telegram id, name, e-mail or phone number.",
        "databases": {db_name: {
            "description": "The question log (read-only).",
            "queries": {name: {**q, "hide_sql": True} for name, q in QUERIES.items()},  # plain pages
            "tables": {name: {"hidden": True} for name in SCHEMA},  # raw tables: not listed
        }},
    }


def command(db_path: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port),
            "--metadata", str(metadata_path),
            "--plugins-dir", str(WEB / "plugins"), "--template-dir", str(WEB / "templates"),
            "--setting", "default_allow_sql", "off",   # no SQL editing: saved views only
            "--setting", "allow_download", "off",
            "--setting", "allow_csv_stream", "off"]


def serve(db_path: Path, index_dir: Path, timezone: str, host: str = "127.0.0.1", port: int = 8001) -> int:
    if not db_path.exists():
        print(f"careerbot: no question log at {db_path} yet: it is created when the bot answers "
              "its first question", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db_path.stem, timezone)))
        print(f"Counselor view: http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
        env = dict(os.environ, CAREERBOT_TIMEZONE=timezone, CAREERBOT_INDEX_DIR=str(index_dir.resolve()))
        return _run_until_stopped(command(db_path, meta, host, port), env)


def _run_until_stopped(cmd: list[str], env: dict[str, str]) -> int:
    """Run Datasette as a child that ends with us: SIGTERM or Ctrl-C stops it too, and the port is
    free when this returns (without this, SIGTERM left Datasette serving the port)."""
    child = subprocess.Popen(cmd, env=env)
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
