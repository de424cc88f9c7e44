"""The question log: what people ask, how it was answered, their feedback, and admin events.

SQLite through sqlite-utils, one file in the data directory, WAL mode. People are pseudonymous:
a Telegram id is stored only as an HMAC keyed with a secret salt, and e-mail addresses and phone
numbers are redacted from questions before they are written.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.errors import ConfigError
from bot.types import Answer
from .pending import PendingWrites

T = TypeVar("T")
LOG_FILE = "careerbot.db"
CRISIS_PLACEHOLDER = "[crisis message]"
SALT_FILE = "log_salt"
MIN_SALT_CHARS = 16  # a generated salt has 64; shorter ones were typed by hand or cut short
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
    """CAREERBOT_LOG_SALT, or a random salt generated once and kept (mode 600) in the data directory.

    An empty or short salt would make user keys a plain hash of the Telegram id, so it is refused.
    """
    env = os.environ.get("CAREERBOT_LOG_SALT")
    if env is not None and env.strip():
        if len(env.strip()) < MIN_SALT_CHARS:
            raise ConfigError(f"CAREERBOT_LOG_SALT is shorter than {MIN_SALT_CHARS} characters: use a long random "
                              "value (for example the output of 'openssl rand -hex 32')")
        return env.strip().encode()
    path = data_dir / SALT_FILE
    if not path.exists():
        _write_salt(data_dir, path)
    salt = path.read_text().strip()
    if len(salt) < MIN_SALT_CHARS:
        raise ConfigError(f"{path} is empty or shorter than {MIN_SALT_CHARS} characters (cut short by a full disk?): "
                          "restore it from a backup, or delete it to start new pseudonyms (old user keys will "
                          "no longer match their questions)")
    return salt.encode()


def _write_salt(data_dir: Path, path: Path) -> None:
    """Temp file, fsync, rename: the salt file is either whole or absent, never empty."""
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".{SALT_FILE}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, path)
        dir_fd = os.open(data_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise ConfigError(disk_full(data_dir)) from None
        raise


def disk_full(data_dir: Path) -> str:
    return (f"the disk under {data_dir} is full: careerbot cannot create or update its log there; "
            "free some space and start again")


def is_disk_full(exc: BaseException) -> bool:
    return (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in str(exc)


SCHEMA: dict[str, tuple[dict[str, type], str]] = {
    "questions": ({"id": int, "asked_at": str, "user_key": str, "channel": str, "question": str, "status": str,
                   "top_doc": str, "score": float, "latency_ms": float, "index_version": str,
                   "update_id": int}, "id"),
    "feedback": ({"question_id": int, "user_key": str, "helpful": int, "comment": str, "at": str}, "question_id"),
    "admin_events": ({"id": int, "at": str, "actor": str, "action": str, "summary": str}, "id"),
    "prefs": ({"user_key": str, "state": str, "updated_at": str}, "user_key"),
    # Telegram updates kept until answered (bot/telegram/inbox.py); the payload is encrypted.
    "inbox": ({"update_id": int, "received_at": str, "payload": bytes, "done_at": str}, "update_id"),
    # People who blocked the bot (Telegram answered 403): nothing is sent until they write again.
    "blocked": ({"user_key": str, "at": str}, "user_key"),
    # FAQ groups of the last report, so group ids stay stable (bot/review/group_ids.py)
    "faq_groups": ({"id": str, "label": str, "part": str, "centroid": bytes, "size": int, "seen_at": str}, "id"),
    "faq_members": ({"question_id": int, "group_id": str}, "question_id"),
    # the weekday each counselor gets the digest on (0 Monday .. 6 Sunday), by pseudonymous key
    "digest_days": ({"user_key": str, "weekday": int, "updated_at": str}, "user_key"),
}


class QuestionLog:
    """Writes never stop an answer: one that fails (disk full, locked past the busy timeout) waits
    in `pending` and is retried; the method returns None meanwhile."""

    def __init__(self, data_dir: Path):
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if is_disk_full(exc):
                raise ConfigError(disk_full(data_dir)) from None
            raise
        self.path = data_dir / LOG_FILE
        self._salt = load_salt(data_dir)
        self.pending = PendingWrites()
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.Lock()
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # WAL with synchronous=NORMAL: no fsync per question; the database stays consistent after
        # a crash, at worst losing the last moments of log.
        self.db.execute("PRAGMA synchronous=NORMAL")
        try:
            self._migrate()
        except sqlite3.OperationalError as exc:
            if is_disk_full(exc):
                raise ConfigError(disk_full(data_dir)) from None
            raise

    def _migrate(self) -> None:
        """Create missing tables, columns and indexes; never drops or rewrites existing data."""
        for name, (columns, pk) in SCHEMA.items():
            table = self.db.table(name)
            if not table.exists():
                table.create(columns, pk=pk)
                continue
            for column, kind in columns.items():
                if column not in table.columns_dict:
                    table.add_column(column, kind)
        self.db.table("questions").create_index(["user_key"], if_not_exists=True)
        self.db.table("questions").create_index(["asked_at"], if_not_exists=True)
        # A Telegram update answered again after a crash (the inbox) is logged once.
        self.db.table("questions").create_index(["update_id"], unique=True, if_not_exists=True)

    def user_key(self, user_id: int | str) -> str:
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def secret(self, purpose: str) -> bytes:
        """A key for `purpose` derived from the salt (the inbox encrypts updates with it)."""
        return hmac.new(self._salt, f"careerbot:{purpose}".encode(), hashlib.sha256).digest()

    def _write(self, what: str, write: Callable[[], T]) -> T | None:
        """Run `write` in a transaction; if the disk refuses, keep it for later and return None."""
        def attempt() -> T:
            with self._lock, self.db.conn:
                return write()
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            self.pending.add(what, attempt, exc)
            return None

    def record(self, user_key: str | None, channel: str, question: str, answer: Answer,
               update_id: int | None = None) -> int | None:
        """The question's id, or None when the write had to wait (the answer goes out anyway) or the
        input was navigation (a number typed to open a topic, a command). A Telegram update recorded
        already keeps its first row."""
        if is_navigation(question):
            return None
        # A crisis message is never kept: counselors see that it happened, not what was said.
        text = CRISIS_PLACEHOLDER if answer.status == "crisis" else redact(question)
        row = {"asked_at": now(), "user_key": user_key, "channel": channel, "question": text,
               "status": answer.status, "top_doc": answer.top_doc, "score": answer.score,
               "latency_ms": answer.timings_ms.get("total"), "index_version": answer.index_version,
               "update_id": update_id}

        def insert() -> int | None:
            if update_id is not None:
                seen = self.db.execute("select id from questions where update_id = ?", [update_id]).fetchone()
                if seen:
                    return seen[0]
            return self.db.table("questions").insert(row).last_pk
        return self._write("question", insert)

    def _rows(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> list[dict]:
        """Reads share the one connection with writes, so they take the same lock: sqlite-utils
        wraps statements in savepoints that must not interleave between threads."""
        with self._lock:
            return list(self.db.query(sql, args))

    def query(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> list[dict]:
        return self._rows(sql, args)

    @contextmanager
    def writing(self) -> Iterator[sqlite_utils.Database]:
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
        row = {"question_id": question_id, "user_key": user_key, "helpful": int(helpful), "comment": comment,
               "at": now()}
        self._write("feedback", lambda: self.db.table("feedback").upsert(row, pk="question_id"))
        return True

    def set_state(self, user_key: str, state: str | None) -> None:
        if state:
            row = {"user_key": user_key, "state": state, "updated_at": now()}
            self._write("state", lambda: self.db.table("prefs").upsert(row, pk="user_key"))
        else:
            self._write("state", lambda: self.db.execute("delete from prefs where user_key = ?", [user_key]))

    def block(self, user_key: str) -> None:
        """Telegram said this person blocked the bot: send nothing until they write again."""
        row = {"user_key": user_key, "at": now()}
        self._write("blocked", lambda: self.db.table("blocked").upsert(row, pk="user_key"))

    def unblock(self, user_key: str) -> None:
        self._write("blocked", lambda: self.db.execute("delete from blocked where user_key = ?", [user_key]))

    def blocked_keys(self) -> dict[str, dt.datetime]:
        return {r["user_key"]: dt.datetime.fromisoformat(r["at"]) for r in self._rows("select * from blocked")}

    def get_state(self, user_key: str) -> str | None:
        rows = self._rows("select state from prefs where user_key = ?", [user_key])
        return rows[0]["state"] if rows else None

    def forget(self, user_key: str) -> int | None:
        """Delete everything kept about one person; returns the number of questions removed (None:
        the disk refused, the erasure waits and is retried)."""
        def erase() -> int:
            n = self.db.execute("delete from questions where user_key = ?", [user_key]).rowcount
            for table in ("feedback", "prefs", "blocked"):
                self.db.execute(f"delete from {table} where user_key = ?", [user_key])
            return n
        return self._write("forget", erase)

    def prune(self, older_than: dt.timedelta) -> int:
        cutoff = (dt.datetime.now(dt.timezone.utc) - older_than).isoformat(timespec="seconds")
        with self._lock, self.db.conn:
            self.db.execute("delete from feedback where question_id in "
                            "(select id from questions where asked_at < ?)", [cutoff])
            return self.db.execute("delete from questions where asked_at < ?", [cutoff]).rowcount

    def admin_event(self, actor: str, action: str, summary: str) -> None:
        row = {"at": now(), "actor": actor, "action": action, "summary": summary}
        self._write("admin event", lambda: self.db.table("admin_events").insert(row))

    def stats(self) -> dict:
        today = dt.datetime.now(dt.timezone.utc).date()
        week = (today - dt.timedelta(days=6)).isoformat()

        def one(sql: str, args: Sequence[Any] = ()) -> Any:
            return next(iter(self._rows(sql, args)[0].values()))

        answered = one("select count(*) from questions where asked_at >= ? and status = 'answered'", [week])
        total_week = one("select count(*) from questions where asked_at >= ?", [week])
        votes = one("select count(*) from feedback where at >= ?", [week])
        helpful = one("select count(*) from feedback where at >= ? and helpful = 1", [week])
        return {"today": one("select count(*) from questions where asked_at >= ?", [today.isoformat()]),
                "week": total_week,
                "answer_rate": answered / total_week if total_week else None,
                "helpful_rate": helpful / votes if votes else None,
                "log_waiting": len(self.pending), "log_dropped": self.pending.dropped}

    def close(self) -> None:
        self.pending.flush()
        self.db.close()
