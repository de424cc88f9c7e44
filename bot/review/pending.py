"""Writes that wait: a log write that fails (disk full, the database locked past its timeout) is
kept in a small bounded queue and retried with backoff, so the answer never waits on the disk.

Anything that does not fit the queue is dropped and counted; the count is in /stats and the
server log.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Callable

log = logging.getLogger("careerbot.log")

# Rows held while the disk is full: at Telegram's 30 messages/s, about a minute of questions.
MAX_PENDING = 2000
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class PendingWrites:
    def __init__(self, max_pending: int = MAX_PENDING, backoff_s: tuple[float, ...] = BACKOFF_S):
        self._queue: deque[tuple[str, Callable[[], object]]] = deque()
        self._max = max_pending
        self._backoff = backoff_s
        self._cond = threading.Condition()
        self._closed = False
        self.dropped = 0
        self.written_late = 0
        self._thread: threading.Thread | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, what: str, write: Callable[[], object], error: Exception) -> None:
        with self._cond:
            if len(self._queue) >= self._max:
                self.dropped += 1
                log.error("log write dropped (%s): %d waiting already; %d dropped so far", what,
                          len(self._queue), self.dropped)
                return
            if not self._queue:
                log.warning("log write failed (%s: %s); answering anyway, the row waits in memory", what, error)
            self._queue.append((what, write))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="careerbot-log-retry", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        attempt = 0
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:  # flush() writes what is left
                    return
                what, write = self._queue[0]
            try:
                write()
            except Exception as exc:  # still failing: wait longer, keep the row
                pause = self._backoff[min(attempt, len(self._backoff) - 1)]
                attempt += 1
                with self._cond:
                    if self._closed:
                        return
                    self._cond.wait(pause)
                continue
            with self._cond:
                self._queue.popleft()
                self.written_late += 1
                if not self._queue:
                    log.info("log writes caught up: %d written late, %d dropped", self.written_late, self.dropped)
            attempt = 0

    def flush(self, timeout: float = 5.0) -> None:
        """Give waiting rows one last chance (at shutdown); whatever still fails is counted dropped."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        waiting, self._queue = list(self._queue), deque()
        for what, write in waiting:
            try:
                write()
            except Exception:
                self.dropped += 1
        if self.dropped:
            log.error("%d log writes were dropped (the disk stayed full or locked)", self.dropped)
