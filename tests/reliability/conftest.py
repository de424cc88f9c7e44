"""The reliability suite: the real `careerbot serve` process against the stand-in Bot API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot_runner import TOKEN
from tests.conftest import ADMIN_ID
from tests.fake_bot_api import FakeBotAPI, message

SOAK = os.environ.get("CAREERBOT_SOAK") == "1"
FIGURES: dict[str, dict] = {}


class Served:
    """A running `careerbot serve` with its own data directory, API stand-in and log file."""

    def __init__(self, kb_settings, tmp: Path, api: FakeBotAPI | None = None, webhook: bool = False, **env):
        self.api = api or FakeBotAPI(TOKEN).start()
        self.args = ["--webhook"] if webhook else []
        if webhook:  # Telegram's side: the stand-in POSTs updates to this URL once setWebhook is called
            env = {"PORT": str(free_port()), "WEBHOOK_SECRET": "reliability-secret", **env}
            env.setdefault("WEBHOOK_URL", f"http://127.0.0.1:{env['PORT']}/telegram")
        self.data = Path(env.get("CAREERBOT_DATA_DIR", tmp / "data"))
        self.stderr_path = tmp / "serve.log"
        self.env = dict(os.environ, CAREERBOT_INDEX_DIR=str(kb_settings.index_dir), CAREERBOT_DATA_DIR=str(self.data),
                        CAREERBOT_KNOWLEDGE_DIR=str(kb_settings.knowledge_dir), TELEGRAM_BOT_TOKEN=TOKEN,
                        TELEGRAM_API_BASE_URL=self.api.base_url, ADMIN_USER_IDS=str(ADMIN_ID))
        self.env.update(env)
        self.proc = None
        self.start()

    def start(self) -> None:
        self._log = open(self.stderr_path, "a")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", *self.args], env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        ready = "setWebhook" if self.args else "getUpdates"
        n = len(self.api.calls_of(ready))
        self.api.wait_for(lambda: len(self.api.calls_of(ready)) > n or self.proc.poll() is not None,
                          timeout=120)
        assert self.proc.poll() is None, self.logs()

    def stop(self, sig=signal.SIGTERM, timeout: float = 60) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self._log.close()
        return code

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (an OOM kill, a host restart)."""
        self.proc.kill()
        self.proc.wait(30)
        self._log.close()

    def logs(self) -> str:
        return self.stderr_path.read_text() if self.stderr_path.exists() else ""

    def rss_mb(self) -> float:
        """Resident memory of the server and its encoder process."""
        total = 0.0
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        return total

    def db_count(self) -> int:
        import sqlite3

        conn = sqlite3.connect(self.data / "careerbot.db")
        try:
            return conn.execute("select count(*) from questions").fetchone()[0]
        finally:
            conn.close()


def warm_served(settings, data: Path) -> Iterator[Served]:
    """A served bot that has answered one question, stopped (with its stand-in) afterwards: the
    body of the `served` fixtures."""
    s = Served(settings, data)
    s.api.push(message(1, "warm up: what is a cma"))
    s.api.wait_replies(1, 1, timeout=120)
    yield s
    if s.proc.poll() is None:
        s.stop()
    s.api.stop()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(name: str, **figures) -> None:
    FIGURES[name] = figures
    print(f"\n{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def latencies(api: FakeBotAPI, sent: dict[int, list[int]]) -> list[float]:
    out = []
    for chat, uids in sent.items():
        for uid, reply in zip(uids, api.replies_to(chat)):
            out.append((reply["sent_at"] - api.pushed_at[uid]) * 1000)
    return out


def p95(values: list[float]) -> float:
    values = sorted(values)
    return round(values[int(0.95 * (len(values) - 1))], 1) if values else 0.0


__all__ = ["Served", "report", "latencies", "p95", "message", "SOAK", "FIGURES"]
