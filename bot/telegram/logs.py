"""The server's log lines: plain text for a terminal, or JSON lines (CAREERBOT_LOG_FORMAT=json) for a
log collector. Structured fields travel in `extra={"fields": {...}}` and are rendered by both."""

from __future__ import annotations

import datetime as dt
import json
import logging

FORMATS = ("text", "json")


class TextFormatter(logging.Formatter):
    """`2026-11-27 03:12:09,114 INFO careerbot.updates: update handled user=3f… status=answered`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = getattr(record, "fields", None)
        return line + "".join(f" {k}={v}" for k, v in fields.items()) if fields else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def formatter(name: str) -> logging.Formatter:
    return JsonFormatter() if name == "json" else TextFormatter()


def quiet_libraries() -> None:
    """Libraries that talk too much at INFO."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every request URL, token included
    # faiss logs "Could not load library with AVX512 support ... ModuleNotFoundError" at INFO while it
    # picks the AVX2 build it then loads fine: it reads like an error and is not one.
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)  # "Started server process" etc.
