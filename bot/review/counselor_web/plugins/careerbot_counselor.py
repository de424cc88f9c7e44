"""Datasette plugin for the counselors' view of the log (`careerbot faq serve` loads it with
--plugins-dir). SQL functions for the saved views: `local_time(iso)` shows a stored UTC time in
CAREERBOT_TIMEZONE, `guidance_title(doc_id)` the title of a guidance document instead of its
file slug. The home page lists the saved views (templates/index.html)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from datasette import hookimpl

DEFAULT_TIMEZONE = "America/New_York"


@lru_cache(maxsize=1)
def _zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("CAREERBOT_TIMEZONE") or DEFAULT_TIMEZONE)


def local_time(iso: str | None) -> str | None:
    """'2026-11-26T18:05:00+00:00' -> '2026-11-26 13:05 EST'."""
    if not iso:
        return iso
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(_zone()).strftime("%Y-%m-%d %H:%M %Z")


@lru_cache(maxsize=1)
def _titles() -> dict[str, str]:
    """Titles of the published index's documents (read once; the view is restarted with the bot)."""
    current = Path(os.environ.get("CAREERBOT_INDEX_DIR") or "index") / "current" / "passages.db"
    if not current.exists():
        return {}
    conn = sqlite3.connect(f"file:{current}?mode=ro", uri=True)
    try:
        return dict(conn.execute("select id, title from documents"))
    finally:
        conn.close()


def guidance_title(doc_id: str | None) -> str | None:
    return _titles().get(doc_id, doc_id) if doc_id else doc_id


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("local_time", 1, local_time, deterministic=True)
    conn.create_function("guidance_title", 1, guidance_title, deterministic=True)


@hookimpl
def extra_template_vars(template: str, datasette: Any
                        ) -> dict[str, Any] | Callable[[], Awaitable[dict[str, Any]]]:  # Datasette: untyped
    if template != "index.html":
        return {}

    async def views() -> dict[str, Any]:
        found = []
        for name in datasette.databases:
            if name.startswith("_"):
                continue
            for query, spec in (await datasette.get_canned_queries(name, None)).items():
                found.append({"url": datasette.urls.query(name, query), "title": spec.get("title") or query,
                              "description": spec.get("description", "")})
        return {"counselor_views": found}

    return views
