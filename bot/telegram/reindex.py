"""/reindex: the same refresh as `careerbot index refresh`, recorded as an admin event."""

from __future__ import annotations

import threading

from bot.knowledge.admin import build_index, summary


class Reindexer:
    def __init__(self, settings, encoder, question_log):
        self.settings, self.encoder, self.log = settings, encoder, question_log
        self._lock = threading.Lock()  # one refresh at a time

    def __call__(self, actor: str) -> str:
        with self._lock:
            report, error = build_index(self.settings, self.encoder, force=False)
        text = error if error else summary(report)
        self.log.admin_event(actor, "refresh", text[:2000])
        return text
