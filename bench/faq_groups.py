"""FAQ grouping at scale (`make bench`): 100,000 logged-style questions grouped in one go.

The questions are made from the labelled set (tests/eval/faq_groups.yaml): each is one of its
342 questions, either repeated as typed (30%) or varied (a filler word, a dropped word, two letters
swapped), with its real embedding moved by noise so that varied questions are distinct points
around it (cosine about 0.96 to the original), as rephrasings are. Vectors come through the
embedding cache, as in a weekly report (each logged question is embedded once, when first
reported). Prints the time, the groups found and, against the labelled group each question came
from, the adjusted Rand index.

    python bench/faq_groups.py [--questions 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.embed import EmbeddingCache, content_hash, embed_with_cache  # noqa: E402
from bot.review.grouping import group_texts, normalise  # noqa: E402
from bot.settings import Settings  # noqa: E402

FILLERS = ["pls", "please", "thanks", "asap", "help", "quick question", "anyone know", "today", "now", "lol",
           "?", "real quick", "for real", "honestly", "again", "in 2026", "this year", "right now", "hey", "hi"]
TARGET_S = 60.0


def vary(text: str, rng: random.Random) -> str:
    words = text.split()
    kind = rng.randrange(3)
    if kind == 0 and len(words) > 3:
        del words[rng.randrange(1, len(words))]
    elif kind == 1:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
    return " ".join(words)


class CacheOnly:
    """The report's encoder, when every vector is already in the cache."""
    model_id, dim = "bench", 384

    def encode(self, texts):
        raise AssertionError(f"{len(texts)} texts were not in the cache")


def make_questions(n: int, seed: int = 7):
    from bot.knowledge.embed import Encoder

    groups = yaml.safe_load((ROOT / "tests" / "eval" / "faq_groups.yaml").read_text())
    base = [(q, name) for name, qs in groups.items() for q in qs]
    settings = Settings.from_env({})
    encoder = Encoder(settings.model_dir(), settings.model_id)
    base_vectors = encoder.encode([normalise(q) for q, _ in base])
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    texts, truth, vectors = [], [], {}
    for _ in range(n):
        b = rng.randrange(len(base))
        q, name = base[b]
        if rng.random() < 0.3:
            text, vector = q, base_vectors[b]
        else:
            text = vary(q, rng)
            v = base_vectors[b] + noise.normal(0, 0.3 / np.sqrt(base_vectors.shape[1]), base_vectors.shape[1])
            vector = (v / np.linalg.norm(v)).astype(np.float32)
        key = normalise(text)
        vectors.setdefault(key, base_vectors[b] if key == normalise(q) else vector)
        texts.append(text)
        truth.append(name)
    return texts, truth, vectors


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    from sklearn.metrics import adjusted_rand_score

    texts, truth, vectors = make_questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        cache = EmbeddingCache(Path(tmp) / "emb.db")
        cache.put({content_hash(k): v for k, v in vectors.items()}, CacheOnly.model_id)
        times, grouping = [], None
        for _ in range(args.runs):
            t0 = time.perf_counter()
            grouping = group_texts(texts, lambda keys: embed_with_cache(keys, CacheOnly(), cache)[0])
            times.append(time.perf_counter() - t0)
        cache.close()
    ari = adjusted_rand_score(truth, grouping.labels)
    result = {"questions": len(texts), "distinct": len(grouping.keys), "groups": len(set(grouping.labels)),
              "seconds_median": round(statistics.median(times), 2), "seconds_min": round(min(times), 2),
              "seconds_max": round(max(times), 2), "runs": len(times), "ari_vs_source_group": round(ari, 3),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print("| FAQ grouping | figure | target |\n|---|---:|---|")
    print(f"| questions (distinct after normalising) | {result['questions']:,} ({result['distinct']:,}) | |")
    print(f"| seconds, median of {len(times)} (min, max) | {result['seconds_median']} "
          f"({result['seconds_min']}, {result['seconds_max']}) | < {TARGET_S:.0f} s |")
    print(f"| groups found | {result['groups']:,} | |")
    print(f"| adjusted Rand index against the source groups | {ari:.3f} | |")
    print(f"| peak RSS, whole process | {result['peak_rss_mb']} MB | |")
    out = ROOT / "bench" / "results" / "faq_groups.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["seconds_median"] < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
