"""/reindex: the same refresh as `careerbot index refresh`, in a child process, recorded as an admin event."""

from __future__ import annotations

import threading

from bot.knowledge.admin import run_refresh_in_child
from bot.review.log import QuestionLog
from bot.settings import Settings


class Reindexer:
    def __init__(self, settings: Settings, question_log: QuestionLog) -> None:
        self.settings, self.log = settings, question_log
        self._lock = threading.Lock()  # one refresh at a time

    def __call__(self, actor: str) -> str:
        with self._lock:
            text = run_refresh_in_child(self.settings)
        self.log.admin_event(actor, "refresh", text[:2000])
        return text
