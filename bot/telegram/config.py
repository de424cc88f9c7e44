"""What `careerbot serve` reads from the environment, checked before anything starts.

Every problem is one line naming the setting and what to put there; serve prints them all and
exits with code 2 rather than starting on a value it would misread.
"""

from __future__ import annotations

import errno
import math
import re
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TELEGRAM_MESSAGES_PER_SECOND = 30


@dataclass(frozen=True)
class ServeConfig:
    token: str
    admins: frozenset[int]
    max_rate: float
    webhook_url: str = ""
    webhook_secret: str = ""
    port: int = 0


def admin_ids(raw: str) -> frozenset[int] | None:
    try:
        ids = frozenset(int(x) for x in raw.replace(" ", "").split(",") if x)
    except ValueError:
        return None
    return ids if all(i > 0 for i in ids) else None


def _rate(raw: str) -> float | None:
    try:
        rate = float(raw)
    except ValueError:
        return None
    return rate if math.isfinite(rate) and rate >= 0 else None


def data_dir_problem(path: Path) -> str | None:
    """Whether careerbot can keep its log in `path` (created if missing)."""
    if path.exists() and not path.is_dir():
        return f"CAREERBOT_DATA_DIR {path} is a file: point it at a directory careerbot may write to"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return None  # full, not misconfigured: serve starts and says so (bot/review/log.py)
        return (f"CAREERBOT_DATA_DIR {path} is not writable ({exc.strerror}): give careerbot's user write "
                "access or choose another directory")
    return None


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def read(env: Mapping[str, str], webhook: bool, data_dir: Path) -> tuple[ServeConfig | None, list[str]]:
    """The serve configuration, or the list of problems (one line each)."""
    problems = []
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        problems.append("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it "
                        "(or use 'careerbot chat' to talk to the bot in this terminal)")
    admins = admin_ids(env.get("ADMIN_USER_IDS", ""))
    if admins is None:
        problems.append("ADMIN_USER_IDS must be comma-separated positive numeric Telegram user ids")
    raw_rate = env.get("TELEGRAM_MAX_MESSAGES_PER_SECOND", str(TELEGRAM_MESSAGES_PER_SECOND)).strip()
    rate = _rate(raw_rate)
    if rate is None:
        problems.append(f"TELEGRAM_MAX_MESSAGES_PER_SECOND must be a positive number (30 is Telegram's limit; "
                        f"0 lifts it for a self-hosted Bot API), not {raw_rate!r}")
    url = secret = ""
    port = 0
    if webhook:
        url = env.get("WEBHOOK_URL", "").strip()
        secret = env.get("WEBHOOK_SECRET", "").strip()
        raw_port = env.get("PORT", "8443").strip()
        parsed = urlparse(url)
        # http is accepted only for a local stand-in Bot API; Telegram itself calls https only.
        local = parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost")
        if not ((parsed.scheme == "https" or local) and parsed.hostname and parsed.path.strip("/")):
            problems.append("WEBHOOK_URL must be the public https:// URL Telegram should call, with a path "
                            f"(for example https://example.org/telegram), not {url!r}")
        if not _SECRET_RE.match(secret):
            problems.append("WEBHOOK_SECRET must be set: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
            problems.append(f"PORT must be a port number from 1 to 65535, not {raw_port!r}")
        else:
            port = int(raw_port)
            if port_in_use(port):
                problems.append(f"PORT {port} is already in use: stop what listens there or choose another port")
    if (problem := data_dir_problem(data_dir)) is not None:
        problems.append(problem)
    if problems or admins is None or rate is None:
        return None, problems
    return ServeConfig(token, admins, rate, url, secret, port), []
