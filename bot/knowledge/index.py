"""Build, publish and load index versions.

A version is a directory under the index directory holding the FAISS index (inner product on
normalised vectors), `passages.db` (passages plus an FTS5 table for lexical search) and
`manifest.json`. `index/current` is a symlink to the published version; publishing replaces it in
one atomic rename, so a reader sees the old version or the new one, never a half-built one.

The manifest records the SHA-256 of every file of its version (and of the exported encoder it
names). Loading checks them: a corrupt published version is passed over for the newest intact
one, with one line in the log, and a refresh rebuilds it even when no document changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.answer.gate import Gate, examples_hash
from bot.errors import BuildError, IndexUnavailable
from bot.answer.encoder import OnnxEncoder, load as load_encoder
from bot.knowledge.export import ENCODERS, export, verify
from bot.answer.query import expand
from bot.knowledge.passages import sentences, split_document
from bot.states import named as named_states
from bot.types import Document, Gap, Passage

if TYPE_CHECKING:
    import faiss

    from bot.knowledge.embed import EmbeddingCache, Encoder, Progress

log = logging.getLogger("careerbot.index")
CURRENT = "current"
MANIFEST = "manifest.json"
KEEP_VERSIONS = 3
# 2: ONNX encoder folder in the manifest, gate with a crisis class; 3: known gaps (gaps.npy);
# 4: the sources each sentence cites (sentences.sources); 5: the gate holds a crisis classifier of its own
FORMAT = 5
# Up to this many passages exact search is both exact and fast (about 4 ms at 50k on two cores);
# past it an IVF index answers in under 5 ms at a million with recall@10 of 1.0 (README, Performance);
# below it IVF would lose recall (0.80 at 10k in `make bench`).
APPROX_THRESHOLD = 50_000


def doc_hash(doc: Document) -> str:
    meta = [doc.id, doc.title, doc.topic, list(doc.sources), str(doc.reviewed_on), doc.reviewed_by,
            list(doc.states), doc.body, doc.short_title, doc.order]
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:16]


def _reviewed_on(doc: Document) -> dt.date:
    """A document's review date, which every indexed (publishable) document has."""
    if doc.reviewed_on is None:
        raise BuildError(f"{doc.path}: reviewed_on is missing; only published, reviewed documents "
                         "can be indexed (load them with load_publishable)")
    return doc.reviewed_on


def knowledge_hash(doc_hashes: dict[str, str], model_id: str) -> str:
    payload = json.dumps({"model": model_id, "docs": doc_hashes, "format": FORMAT}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def published_path(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = index_dir / target
    return path if (path / MANIFEST).is_file() else None


def read_manifest(index_dir: Path) -> dict | None:
    """The published version's manifest, without loading FAISS or the model (None when there is
    none or it cannot be read)."""
    path = published_path(index_dir)
    return None if path is None else _manifest(path)


def _manifest(version: Path) -> dict | None:
    try:
        manifest = json.loads((version / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and "version" in manifest else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != MANIFEST}


def check_version(version: Path) -> str | None:
    """What is wrong with a built version (its first corrupt or missing file), or None when every
    file matches the SHA-256 its manifest recorded."""
    manifest = _manifest(version)
    if manifest is None:
        return f"{MANIFEST} is missing or unreadable"
    if "files" not in manifest:
        return None  # built before versions recorded their hashes: nothing to check against
    folders = [(version, manifest["files"]),
               (version.parent / manifest.get("encoder", ""), manifest.get("encoder_files", {}))]
    for folder, hashes in folders:
        for name, expected in hashes.items():
            path = folder / name
            if not path.is_file():
                return f"{path.relative_to(version.parent)} is missing"
            if sha256(path) != expected:
                return f"{path.relative_to(version.parent)} does not match its SHA-256 in the manifest"
    return None


@dataclass
class BuildReport:
    published: bool
    version: str
    previous_version: str | None
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    passages_embedded: int = 0
    passages_reused: int = 0
    seconds: float = 0.0
    min_cosine: float | None = None   # the exported encoder against sentence-transformers
    pruned: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "added", "changed", "removed", "unchanged", "passages_embedded", "passages_reused",
            "published", "version", "previous_version", "seconds", "min_cosine")}


def _write_passages_db(path: Path, docs: list[Document], passages: list[Passage]) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(path)
    db.table("documents").insert_all(({
        "id": d.id, "title": d.title, "topic": d.topic, "sources": json.dumps(list(d.sources)),
        "reviewed_on": _reviewed_on(d).isoformat(), "reviewed_by": d.reviewed_by,
        "states": ",".join(d.states), "path": d.path.name, "short_title": d.short_title, "position": d.order,
    } for d in docs), pk="id", columns={"position": int})
    db.table("passages").insert_all(({
        "id": i, "doc_id": p.doc_id, "title": p.title, "section": p.section, "text": p.text,
        "topic": p.topic, "states": ",".join(p.states), "sources": json.dumps(list(p.sources)),
        "asks": "\n".join(p.asks), "reviewed_on": p.reviewed_on,
    } for i, p in enumerate(passages)), pk="id")
    db.table("passages").enable_fts(["title", "section", "text", "asks"], tokenize="porter")
    # Rows of asks.npy, gaps.npy and sentences.npy, in order: which passage each belongs to. Gaps
    # stay out of FTS5: their words must not draw the passage into answers.
    db.table("asks").create({"id": int, "passage_id": int, "text": str}, pk="id")
    # A sentence's sources: positions in its passage's sources (JSON), what an answer showing it cites.
    db.table("sentences").create({"id": int, "passage_id": int, "text": str, "sources": str}, pk="id")
    db.table("gaps").create({"id": int, "passage_id": int, "name": str, "text": str}, pk="id")
    db.table("asks").insert_all(({"id": i, "passage_id": pid, "text": t}
                                 for i, (pid, t) in enumerate(ask_rows(passages))), pk="id")
    db.table("gaps").insert_all(({"id": i, "passage_id": pid, "name": g.name, "text": g.question}
                                 for i, (pid, g) in enumerate(gap_rows(passages))), pk="id")
    cites = [c for p in passages for c in p.cites]
    db.table("sentences").insert_all(({"id": i, "passage_id": pid, "text": t, "sources": json.dumps(c)}
                                      for i, ((pid, t), c) in enumerate(zip(sentence_rows(passages), cites,
                                                                            strict=True))), pk="id")
    db.close()


def ask_rows(passages: list[Passage]) -> list[tuple[int, str]]:
    return [(i, a) for i, p in enumerate(passages) for a in p.asks]


def gap_rows(passages: list[Passage]) -> list[tuple[int, Gap]]:
    return [(i, g) for i, p in enumerate(passages) for g in p.gaps]


def sentence_rows(passages: list[Passage]) -> list[tuple[int, str]]:
    return [(i, t) for i, p in enumerate(passages) for t in sentences(p.text)]


def build(docs: list[Document], index_dir: Path, encoder: Encoder, cache: EmbeddingCache, *, force: bool = True,
          now: dt.datetime | None = None, progress: Progress | None = None) -> BuildReport:
    """Embed (reusing cached vectors), write a new version beside the published one, publish it.
    `progress(done, total)` follows the passages being embedded."""
    import faiss

    from bot.knowledge.embed import embed_with_cache

    started = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(index_dir)
    current = published_path(index_dir)
    broken = check_version(current) if current is not None else None
    if current is not None and broken:
        log.warning("the published index %s is corrupt (%s): rebuilding it", current.name, broken)
    previous_version: str | None = previous["version"] if previous else None
    old_hashes = previous.get("doc_hashes", {}) if previous else {}
    doc_hashes = {d.id: doc_hash(d) for d in docs}
    examples_key = examples_hash()
    khash = knowledge_hash(doc_hashes, f"{encoder.model_id}|gate:{examples_key}")
    report = BuildReport(published=False, version=previous_version or "", previous_version=previous_version)
    report.added = sum(1 for d in doc_hashes if d not in old_hashes)
    report.removed = sum(1 for d in old_hashes if d not in doc_hashes)
    report.changed = sum(1 for d, h in doc_hashes.items() if d in old_hashes and old_hashes[d] != h)
    report.unchanged = sum(1 for d, h in doc_hashes.items() if old_hashes.get(d) == h)
    if not docs:
        raise IndexUnavailable("no published documents to index: add documents with 'status: published' "
                          "and a reviewer to the knowledge directory")
    reviewed_latest = max(_reviewed_on(d) for d in docs)  # every document has a review date
    if previous and previous.get("knowledge_hash") == khash and not force and not broken:
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    passages = [p for d in docs for p in split_document(d)]
    texts = [p.embed_text for p in passages]
    vectors, embedded = embed_with_cache(texts, encoder, cache, progress)
    report.passages_embedded = embedded
    report.passages_reused = len(passages) - embedded
    # The questions each section answers, and each sentence (answers open with the ones that
    # match the question best): embedded now, so answering costs a dot product, not an encode.
    ask_vectors, _ = embed_with_cache([expand(t) for _, t in ask_rows(passages)], encoder, cache)
    gap_vectors, _ = embed_with_cache([expand(g.question) for _, g in gap_rows(passages)], encoder, cache)
    sentence_vectors, _ = embed_with_cache([t for _, t in sentence_rows(passages)], encoder, cache)
    encoder_folder, mhash = export(encoder.model, encoder.model_path, index_dir)
    # Every passage is checked against the exported encoder: cheap next to embedding (ONNX is
    # about three times faster than torch), and it catches an export that drifted.
    onnx = OnnxEncoder(index_dir / encoder_folder, encoder.model_id)
    report.min_cosine = verify(onnx, texts, vectors, index_dir / encoder_folder)

    now = now or dt.datetime.now(dt.timezone.utc)
    version = f"v{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}-{khash[:8]}"
    staging = index_dir / f".{version}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    index, search_params = make_faiss_index(vectors)
    faiss.write_index(index, str(staging / "vectors.faiss"))
    np.save(staging / "asks.npy", ask_vectors)
    np.save(staging / "gaps.npy", gap_vectors)
    np.save(staging / "sentences.npy", sentence_vectors)
    _write_passages_db(staging / "passages.db", docs, passages)
    # The crisis classifier learns that the questions the sections answer are no crisis.
    career_questions = sorted({a for _, a in ask_rows(passages)})
    gate_hash = examples_hash(career_questions=career_questions)
    # Never copied from a corrupt version: its gate is fitted again.
    if (previous and previous_version is not None and not broken and previous.get("gate_hash") == gate_hash
            and (previous_gate := index_dir / previous_version / Gate.FILE).is_file()):
        shutil.copyfile(previous_gate, staging / Gate.FILE)  # same examples: no need to fit again
    else:
        Gate.from_examples(encoder, cache, career_questions=career_questions).save(staging)
    manifest = {
        "version": version, "format": FORMAT, "model_id": encoder.model_id, "dim": int(vectors.shape[1]),
        **search_params, "passages": len(passages), "documents": len(docs),
        "knowledge_hash": khash, "doc_hashes": doc_hashes, "gate_hash": gate_hash,
        "encoder": encoder_folder, "model_hash": mhash,
        "built_at": now.isoformat(timespec="seconds"),
        "reviewed_latest": reviewed_latest.isoformat(),
        "files": file_hashes(staging), "encoder_files": file_hashes(index_dir / encoder_folder),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2))
    _fsync_dir(staging)
    os.rename(staging, index_dir / version)
    publish(index_dir, version)
    report.published = True
    report.version = version
    report.pruned = prune(index_dir)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def make_faiss_index(vectors: np.ndarray, threshold: int = APPROX_THRESHOLD
                     ) -> tuple[faiss.Index, dict[str, Any]]:
    """Exact inner-product search, or past `threshold` vectors an IVF index; returns the index and
    the search parameters the manifest records."""
    import faiss

    n, dim = vectors.shape
    if n <= threshold:
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index, {"index_type": "flat"}
    nlist = int(4 * np.sqrt(n))
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    sample = vectors[rng.choice(n, size=min(n, 64 * nlist), replace=False)]
    ivf.train(sample)
    ivf.add(vectors)
    nprobe = max(8, nlist // 32)
    return ivf, {"index_type": "ivf", "nlist": nlist, "nprobe": nprobe}


def configure(index: Any, manifest: dict) -> None:  # an IndexIVF when the manifest says "ivf"
    """Apply the manifest's search parameters to a loaded FAISS index."""
    if manifest.get("index_type") == "ivf":
        index.nprobe = int(manifest["nprobe"])
        index.make_direct_map()


def _fsync_dir(path: Path) -> None:
    for child in path.iterdir():
        with open(child, "rb") as fh:
            os.fsync(fh.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(index_dir: Path, version: str) -> None:
    """Point `current` at a version in one atomic rename."""
    if not (index_dir / version / MANIFEST).is_file():
        raise IndexUnavailable(f"{index_dir / version} is not a built index version")
    tmp = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(version, tmp)
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir_only(index_dir)


def _fsync_dir_only(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def versions(index_dir: Path) -> list[str]:
    """Built versions, oldest first (names sort by build time)."""
    if not index_dir.is_dir():
        return []
    return sorted(p.name for p in index_dir.iterdir()
                  if p.is_dir() and p.name.startswith("v") and (p / MANIFEST).is_file())


def verify_versions(index_dir: Path) -> list[tuple[str, bool, str | None]]:
    """Every kept version, newest first: (name, published, problem or None)."""
    current = published_path(index_dir)
    return [(name, current is not None and current.name == name, check_version(index_dir / name))
            for name in reversed(versions(index_dir))]


def prune(index_dir: Path, keep: int = KEEP_VERSIONS) -> list[str]:
    """Remove all but the newest `keep` versions (never the published one) and stale staging dirs."""
    current = published_path(index_dir)
    removed = []
    for name in versions(index_dir)[:-keep]:
        if current is not None and current.name == name:
            continue
        shutil.rmtree(index_dir / name, ignore_errors=True)
        removed.append(name)
    for stale in [*index_dir.glob(".v*.building-*"), *index_dir.glob(f"{ENCODERS}/.*.building-*")]:
        pid = stale.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and Path(f"/proc/{pid}").exists()):
            shutil.rmtree(stale, ignore_errors=True)
    # Exported encoders no kept version names any more.
    used = {(_manifest(index_dir / v) or {}).get("encoder") for v in versions(index_dir)}
    for folder in index_dir.glob(f"{ENCODERS}/*"):
        if folder.is_dir() and not folder.name.startswith(".") and f"{ENCODERS}/{folder.name}" not in used:
            shutil.rmtree(folder, ignore_errors=True)
    return removed


@dataclass(frozen=True)
class PassageFeatures:
    """What a passage is about, read once when a version is loaded (the reranker's inputs)."""

    heading_credentials: frozenset[str]
    text_credentials: frozenset[str]
    subjects: frozenset[str]
    named_states: frozenset[str]  # states the text names in full ("California at about $47,850")


def passage_features(p: Passage) -> PassageFeatures:
    from bot.answer import entities

    heading = p.title if p.section == p.title else f"{p.title}: {p.section}"
    return PassageFeatures(entities.credentials(heading), entities.credentials(p.text),
                           entities.subjects(" ".join([heading, *p.asks])), named_states(p.text))


class LoadedIndex:
    """One published version in memory: FAISS vectors, passages and the FTS5 table."""

    def __init__(self, path: Path, model_id: str, dim: int | None = None,
                 on_broken: Callable[[LoadedIndex, str], None] | None = None):
        import faiss

        self.path = path
        self._on_broken = on_broken  # called when passages.db turns out corrupt while serving
        self.manifest = json.loads((path / MANIFEST).read_text())
        self.version = self.manifest["version"]
        if self.manifest.get("format") != FORMAT:
            raise IndexUnavailable(f"index {self.version} has format {self.manifest.get('format')}, this careerbot "
                                   f"reads format {FORMAT}: run 'careerbot index build' to rebuild it")
        if self.manifest["model_id"] != model_id or (dim is not None and self.manifest["dim"] != dim):
            raise IndexUnavailable(
                f"index {self.version} was built with model '{self.manifest['model_id']}' "
                f"({self.manifest['dim']} dimensions) but the configured model is '{model_id}'"
                f"{f' ({dim} dimensions)' if dim else ''}: run 'careerbot index build' to rebuild it, "
                "or set CAREERBOT_MODEL back")
        self.faiss = faiss.read_index(str(path / "vectors.faiss"))
        configure(self.faiss, self.manifest)
        # Kept beside FAISS to score lexical-only candidates densely (a few MB per 10k passages).
        self.vectors = self.faiss.reconstruct_n(0, self.faiss.ntotal)
        # Opened read-only and immutable: a published version never changes.
        self.db = sqlite3.connect(f"file:{path / 'passages.db'}?mode=ro&immutable=1", uri=True,
                                  check_same_thread=False)
        self._db_lock = threading.Lock()
        self.sentences: dict[int, list[tuple[int, str]]] = {}
        cites: dict[int, list[tuple[int, ...]]] = {}
        for sid, pid, text, cited in self.db.execute("select id, passage_id, text, sources from sentences order by id"):
            self.sentences.setdefault(pid, []).append((sid, text))
            cites.setdefault(pid, []).append(tuple(json.loads(cited)))
        rows = self.db.execute("select id, doc_id, title, section, text, topic, states, sources, reviewed_on, asks "
                               "from passages order by id").fetchall()
        gaps: dict[int, list[Gap]] = {}
        for pid, name, text in self.db.execute("select passage_id, name, text from gaps order by id"):
            gaps.setdefault(pid, []).append(Gap(name, text))
        self.passages = [Passage(doc_id=r[1], title=r[2], section=r[3], text=r[4], topic=r[5],
                                 states=tuple(s for s in r[6].split(",") if s), sources=tuple(json.loads(r[7])),
                                 reviewed_on=r[8], asks=tuple(a for a in r[9].split("\n") if a),
                                 gaps=tuple(gaps.get(r[0], ())), cites=tuple(cites.get(r[0], ()))) for r in rows]
        # Section questions, known gaps and sentences: vectors and the passage each belongs to.
        self.ask_vectors = np.load(path / "asks.npy")
        self.ask_passage = np.array([r[0] for r in self.db.execute("select passage_id from asks order by id")],
                                    dtype=np.int64)
        self.gap_vectors = np.load(path / "gaps.npy")
        rows = gap_rows(self.passages)  # the build's order, the rows of gaps.npy
        self.gaps = [g for _, g in rows]
        self.gap_passage = np.array([pid for pid, _ in rows], dtype=np.int64)
        self.sentence_vectors = np.load(path / "sentences.npy")
        self.documents = {r[0]: {"id": r[0], "title": r[1], "topic": r[2], "sources": json.loads(r[3]),
                                 "reviewed_on": r[4], "states": tuple(s for s in r[5].split(",") if s)}
                          for r in self.db.execute(
                              "select id, title, topic, sources, reviewed_on, states from documents order by id")}
        self.titles = {d: meta["title"] for d, meta in self.documents.items()}
        self.labels, self.reading_order = self._presentation()
        # The gate trained with this version (a refresh retrains it when its examples change).
        self.gate = Gate.load(path)
        # The encoder exported with this version, shared by every version built with the same model.
        self.encoder = load_encoder(path.parent / self.manifest["encoder"], self.manifest["model_id"])
        self.features = [passage_features(p) for p in self.passages]
        self.first_passage: dict[str, int] = {}
        for i, p in enumerate(self.passages):
            self.first_passage.setdefault(p.doc_id, i)

    def _presentation(self) -> tuple[dict[str, str], list[str]]:
        """Button labels (short titles) and document ids in reading order (each document's `order`
        in its topic, unordered ones after by label); versions built before these fields get titles."""
        cur = self.db.cursor()
        cur.row_factory = sqlite3.Row
        rows = cur.execute("select * from documents").fetchall()
        labels = {r["id"]: (r["short_title"] if "short_title" in r.keys() else "") or r["title"] for r in rows}
        position = {r["id"]: r["position"] if "position" in r.keys() else None for r in rows}
        order = sorted(labels, key=lambda d: (position[d] is None, position[d] or 0, labels[d].lower()))
        return labels, order

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        scores, ids = self.faiss.search(vector.reshape(1, -1).astype(np.float32), min(k, len(self.passages)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def lexical(self, match: str, k: int) -> list[tuple[int, float]]:
        """FTS5 BM25 hits as (passage id, score), higher is better."""
        if not match:
            return []
        try:
            with self._db_lock:
                rows = self.db.execute(
                    "select rowid, bm25(passages_fts, 2.0, 2.0, 1.0) from passages_fts "
                    "where passages_fts match ? order by bm25(passages_fts, 2.0, 2.0, 1.0) limit ?",
                    (match, k)).fetchall()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "fts5" in str(exc):
                raise  # a query FTS5 cannot parse is a bug to see, not corruption
            # passages.db changed under us (overwritten, truncated): this question goes on with
            # dense search alone, and the next ones are answered from an intact version.
            if self._on_broken is not None:
                self._on_broken(self, f"passages.db cannot be read ({exc})")
            return []
        return [(int(r), -float(s)) for r, s in rows]

    def close(self) -> None:
        self.db.close()


class IndexStore:
    """Serves the published version and picks up a newly published one without a restart.

    A caller holds on to the LoadedIndex it got, so a question in flight finishes on the version
    it started with while new questions get the new one.
    """

    def __init__(self, index_dir: Path, model_id: str, dim: int | None = None):
        self.index_dir = index_dir
        self.model_id = model_id
        self.dim = dim
        self._loaded: LoadedIndex | None = None
        self._published: Path | None = None  # what `current` pointed at when _loaded was chosen
        self._broken: dict[Path, str] = {}   # versions found corrupt, with what is wrong
        self._lock = threading.Lock()

    def get(self) -> LoadedIndex:
        path = published_path(self.index_dir)
        if path is None:
            raise IndexUnavailable(f"no index is published in {self.index_dir}: run 'careerbot index build'")
        loaded = self._loaded
        if loaded is not None and self._published == path:
            return loaded
        with self._lock:
            if self._loaded is None or self._published != path:
                self._loaded = self._load_intact(path)
                self._published = path
            return self._loaded

    def _load_intact(self, published: Path) -> LoadedIndex:
        """The published version if it is intact, else the newest intact one, said in one line."""
        candidates = [published] + [self.index_dir / v for v in reversed(versions(self.index_dir))
                                    if v != published.name]
        for path in candidates:
            problem = self._broken.get(path) or check_version(path)
            if problem is None:
                try:
                    loaded = LoadedIndex(path, self.model_id, self.dim, on_broken=self._mark_broken)
                except IndexUnavailable:
                    if path == published:
                        raise  # built for another model or format: the admin must rebuild
                    continue
                except Exception as exc:  # unreadable despite matching hashes (built before hashes)
                    problem = f"it cannot be loaded ({type(exc).__name__}: {exc})"
                else:
                    if path != published:
                        log.error("index %s is corrupt (%s): answering from %s, the newest intact version; "
                                  "run 'careerbot index refresh' to rebuild it", published.name,
                                  self._broken[published], path.name)
                    return loaded
            self._broken[path] = problem
        raise IndexUnavailable(f"no intact index version in {self.index_dir} ({published.name}: "
                               f"{self._broken[published]}): run 'careerbot index build'")

    def _mark_broken(self, loaded: LoadedIndex, problem: str) -> None:
        with self._lock:
            if loaded.path in self._broken:
                return
            self._broken[loaded.path] = problem
            if self._loaded is loaded:
                self._loaded = None  # the next get() chooses again
                self._published = None


def rollback(index_dir: Path) -> tuple[str, str]:
    """Republish the version built before the published one; returns (from, to)."""
    current = published_path(index_dir)
    if current is None:
        raise IndexUnavailable(f"no index is published in {index_dir}: nothing to roll back")
    built = versions(index_dir)
    position = built.index(current.name)
    if position == 0:
        raise IndexUnavailable(f"{current.name} is the oldest version kept; there is nothing before it")
    publish(index_dir, built[position - 1])
    return current.name, built[position - 1]
