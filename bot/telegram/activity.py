"""One INFO line per handled update, and the counts /healthz reports.

A handler says what became of its update with `note(status=..., top_doc=...)`; the Application
times every update and writes the line when it is done. The line carries the pseudonymous user
key, never the message text or the token.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application

if TYPE_CHECKING:
    from .handlers import Services

log = logging.getLogger("careerbot.updates")
_outcome: ContextVar[dict | None] = ContextVar("careerbot_update_outcome", default=None)


def note(**fields: object) -> None:
    """Record what became of the update being handled (status, top_doc, index, kind)."""
    outcome = _outcome.get()
    if outcome is not None:
        outcome.update(fields)


def kind(update: Update) -> str:
    if update.callback_query is not None:
        return "button"
    text = update.message.text if update.message is not None else None
    if text is None:
        return "other"
    return "command" if text.startswith("/") else "question"


@dataclass
class Activity:
    """Counts since start, for /healthz."""

    started: float = field(default_factory=time.monotonic)
    updates: int = 0
    questions_answered: int = 0

    def uptime_s(self) -> float:
        return round(time.monotonic() - self.started, 1)


class CareerbotApplication(Application):
    """PTB's Application, timing and logging each update it processes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activity = Activity()

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        token = _outcome.set({"kind": kind(update), "status": "ok"})
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            outcome = _outcome.get() or {}
            _outcome.reset(token)
            self._record(update, outcome, (time.perf_counter() - started) * 1000)

    def _record(self, update: Update, outcome: dict, ms: float) -> None:
        from .handlers import SERVICES

        self.activity.updates += 1
        if outcome.get("replied"):  # a question that got its answer (whatever its status)
            self.activity.questions_answered += 1
        services: Services | None = self.bot_data.get(SERVICES)
        user = update.effective_user
        chat = update.effective_chat
        fields = {
            "update_id": update.update_id,
            "user": services.log.user_key(user.id) if services is not None and user is not None else "-",
            "chat": chat.type if chat is not None else "-",
            "kind": outcome["kind"],
            "status": outcome["status"],
            "top_doc": outcome.get("top_doc") or "-",
            "ms": round(ms, 1),
            "index": outcome.get("index") or _index_version(services),
        }
        log.info("update handled", extra={"fields": fields})


def _index_version(services: Services | None) -> str:
    if services is None:
        return "-"
    try:
        return services.assistant.about()["version"]
    except Exception:  # no usable index: the line still goes out
        return "-"
