"""The question log: what people ask, how it was answered, their feedback, and admin events.

SQLite through sqlite-utils, one file in the data directory, WAL mode. People are pseudonymous:
a Telegram id is stored only as an HMAC keyed with a secret salt, and e-mail addresses and phone
numbers are redacted from questions before they are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

LOG_FILE = "careerbot.db"
CRISIS_PLACEHOLDER = "[crisis message]"
SALT_FILE = "log_salt"
BUSY_TIMEOUT_MS = 10_000

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# US numbers: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567, 5551234567
_PHONE = re.compile(r"(?<![\w])(\+?1[\s.-]?)?(\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w])")


# What people type to move around rather than to ask: a number opening a listed topic, "more", a
# command. Never logged as a question, and left out of the FAQ report if an older log holds it.
_NAVIGATION = re.compile(r"\s*(?:\d{1,3}|more|/\S*.*)\s*", re.IGNORECASE | re.DOTALL)


def is_navigation(text: str) -> bool:
    return bool(_NAVIGATION.fullmatch(text or ""))


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def load_salt(data_dir: Path) -> bytes:
    """CAREERBOT_LOG_SALT, or a random salt generated once and kept (mode 600) in the data directory."""
    env = os.environ.get("CAREERBOT_LOG_SALT")
    if env:
        return env.encode()
    path = data_dir / SALT_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


SCHEMA = {
    "questions": ({"id": int, "asked_at": str, "user_key": str, "channel": str, "question": str, "status": str,
                   "top_doc": str, "score": float, "latency_ms": float, "index_version": str}, "id"),
    "feedback": ({"question_id": int, "user_key": str, "helpful": int, "comment": str, "at": str}, "question_id"),
    "admin_events": ({"id": int, "at": str, "actor": str, "action": str, "summary": str}, "id"),
    "prefs": ({"user_key": str, "state": str, "updated_at": str}, "user_key"),
    # FAQ groups of the last report, so group ids stay stable (bot/review/group_ids.py)
    "faq_groups": ({"id": str, "label": str, "part": str, "centroid": bytes, "size": int, "seen_at": str}, "id"),
    "faq_members": ({"question_id": int, "group_id": str}, "question_id"),
    # the weekday each counselor gets the digest on (0 Monday .. 6 Sunday), by pseudonymous key
    "digest_days": ({"user_key": str, "weekday": int, "updated_at": str}, "user_key"),
}


class QuestionLog:
    def __init__(self, data_dir: Path):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / LOG_FILE
        self._salt = load_salt(data_dir)
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.Lock()
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # WAL with synchronous=NORMAL: no fsync per question; the database stays consistent after
        # a crash, at worst losing the last moments of log.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        """Create missing tables, columns and indexes; never drops or rewrites existing data."""
        for name, (columns, pk) in SCHEMA.items():
            table = self.db[name]
            if not table.exists():
                table.create(columns, pk=pk)
                continue
            for column, kind in columns.items():
                if column not in table.columns_dict:
                    table.add_column(column, kind)
        self.db["questions"].create_index(["user_key"], if_not_exists=True)
        self.db["questions"].create_index(["asked_at"], if_not_exists=True)

    def user_key(self, user_id: int | str) -> str:
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def record(self, user_key: str | None, channel: str, question: str, answer) -> int | None:
        if is_navigation(question):
            return None
        # A crisis message is never kept: counselors see that it happened, not what was said.
        text = CRISIS_PLACEHOLDER if answer.status == "crisis" else redact(question)
        row = {"asked_at": now(), "user_key": user_key, "channel": channel, "question": text,
               "status": answer.status, "top_doc": answer.top_doc, "score": answer.score,
               "latency_ms": answer.timings_ms.get("total"), "index_version": answer.index_version}
        with self._lock, self.db.conn:
            return self.db["questions"].insert(row).last_pk

    def _rows(self, sql: str, args=()) -> list[dict]:
        """Reads share the one connection with writes, so they take the same lock: sqlite-utils
        wraps statements in savepoints that must not interleave between threads."""
        with self._lock:
            return list(self.db.query(sql, args))

    def query(self, sql: str, args=()) -> list[dict]:
        return self._rows(sql, args)

    @contextmanager
    def writing(self):
        """The database inside one transaction, holding the lock every write takes."""
        with self._lock, self.db.conn:
            yield self.db

    def question(self, question_id: int) -> dict | None:
        rows = self._rows("select * from questions where id = ?", [question_id])
        return rows[0] if rows else None

    def feedback(self, question_id: int, user_key: str, helpful: bool, comment: str | None = None) -> bool:
        """Record helpful / not helpful; a later press on the same answer replaces the earlier one.
        Returns False when the answer does not exist or belongs to someone else."""
        q = self.question(question_id)
        if q is None or q["user_key"] != user_key:
            return False
        with self._lock, self.db.conn:
            self.db["feedback"].upsert({"question_id": question_id, "user_key": user_key,
                                        "helpful": int(helpful), "comment": comment, "at": now()},
                                       pk="question_id")
        return True

    def set_state(self, user_key: str, state: str | None) -> None:
        with self._lock, self.db.conn:
            if state:
                self.db["prefs"].upsert({"user_key": user_key, "state": state, "updated_at": now()}, pk="user_key")
            else:
                self.db.execute("delete from prefs where user_key = ?", [user_key])

    def get_state(self, user_key: str) -> str | None:
        rows = self._rows("select state from prefs where user_key = ?", [user_key])
        return rows[0]["state"] if rows else None

    def forget(self, user_key: str) -> int:
        """Delete everything kept about one person; returns the number of questions removed."""
        with self._lock, self.db.conn:
            n = self.db.execute("delete from questions where user_key = ?", [user_key]).rowcount
            self.db.execute("delete from feedback where user_key = ?", [user_key])
            self.db.execute("delete from prefs where user_key = ?", [user_key])
        return n

    def prune(self, older_than: dt.timedelta) -> int:
        cutoff = (dt.datetime.now(dt.timezone.utc) - older_than).isoformat(timespec="seconds")
        with self._lock, self.db.conn:
            self.db.execute("delete from feedback where question_id in "
                            "(select id from questions where asked_at < ?)", [cutoff])
            return self.db.execute("delete from questions where asked_at < ?", [cutoff]).rowcount

    def admin_event(self, actor: str, action: str, summary: str) -> None:
        with self._lock, self.db.conn:
            self.db["admin_events"].insert({"at": now(), "actor": actor, "action": action, "summary": summary})

    def stats(self) -> dict:
        today = dt.datetime.now(dt.timezone.utc).date()
        week = (today - dt.timedelta(days=6)).isoformat()

        def one(sql, args=()):
            return next(iter(self._rows(sql, args)[0].values()))

        answered = one("select count(*) from questions where asked_at >= ? and status = 'answered'", [week])
        total_week = one("select count(*) from questions where asked_at >= ?", [week])
        votes = one("select count(*) from feedback where at >= ?", [week])
        helpful = one("select count(*) from feedback where at >= ? and helpful = 1", [week])
        return {"today": one("select count(*) from questions where asked_at >= ?", [today.isoformat()]),
                "week": total_week,
                "answer_rate": answered / total_week if total_week else None,
                "helpful_rate": helpful / votes if votes else None}

    def close(self) -> None:
        self.db.close()
