"""Per-person question limit: more than 20 questions a minute gets one request to slow down."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

LIMIT = 20
WINDOW_S = 60.0


class QuestionLimit:
    def __init__(self, limit: int = LIMIT, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._times: dict[int, deque] = defaultdict(deque)
        self._warned: dict[int, float] = {}

    def check(self, user_id: int) -> str:
        """'ok' to answer, 'warn' to ask once to slow down, 'drop' to stay quiet."""
        now = self.clock()
        times = self._times[user_id]
        while times and now - times[0] > self.window_s:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._warned.pop(user_id, None)
            return "ok"
        if now - self._warned.get(user_id, -self.window_s - 1) > self.window_s:
            self._warned[user_id] = now
            return "warn"
        return "drop"
