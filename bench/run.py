"""careerbot's benchmark (`make bench`): a Markdown table on stdout, JSON in bench/results/latest.json.

Every figure is the median of several runs, with min and max. Ratios are measured side by side in
one process, because absolute times drift on a shared machine. Run on the project's two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402

RESULTS = ROOT / "bench" / "results"


WORDS = ("medical assistant certification exam training program externship clinic patient injection "
         "phlebotomy billing coding scheduling records pay hours employer state board license").split()


def write_synthetic(folder: Path, docs: int, rng, per_doc: int = 50, prefix: str = "synth") -> None:
    """Published knowledge documents of `per_doc` passages of 60 topic words each."""
    folder.mkdir(exist_ok=True)
    for d in range(docs):
        sections = []
        for j in range(per_doc):
            text = " ".join(rng.choice(WORDS, size=60)).capitalize() + "."
            sections.append(f"## Section {j}\n\n{text} Passage {d}-{j} ends here with a full sentence.")
        (folder / f"{prefix}-{d}.md").write_text(
            f"---\nid: {prefix}-{d}\ntitle: Synthetic {d}\ntopic: job\nsources: [bench]\nreviewed_on: 2026-01-01\n"
            f"reviewed_by: bench\nstatus: published\n---\n\n" + "\n\n".join(sections))


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def summary(values):
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "runs": len(values)}


class Bench:
    def __init__(self, runs: int, quick: bool):
        self.runs, self.quick = runs, quick
        self.results: dict[str, dict] = {}
        self.tmp = Path(tempfile.mkdtemp(prefix="careerbot-bench-"))
        base = Settings.from_env({})
        self.settings = Settings(data_dir=self.tmp / "data", knowledge_dir=ROOT / "knowledge",
                                 index_dir=self.tmp / "index", model_path=base.model_path, model_id=base.model_id)

    def record(self, name: str, unit: str, values, note: str = ""):
        self.results[name] = {"unit": unit, **summary(values), "note": note}
        print(f"  {name}: {self.results[name]['median']} {unit}", file=sys.stderr, flush=True)

    # -- index --------------------------------------------------------------------------------
    def index_builds(self, encoder):
        from bot.knowledge.admin import build_index

        times = []
        for i in range(self.runs):
            s = replace(self.settings, data_dir=self.tmp / f"cold{i}", index_dir=self.tmp / f"cold-index{i}")
            t0 = time.perf_counter()
            report, error = build_index(s, encoder)
            assert error is None, error
            times.append(time.perf_counter() - t0)
            passages = report.passages_embedded
        self.record("index build, real knowledge base, cold cache", "s", times, f"{passages} passages")
        self.record("index build, real knowledge base, throughput", "passages/s", [passages / t for t in times])
        # refresh after one changed document (model already loaded, as in the bot's /reindex)
        kb = self.tmp / "kb"
        shutil.copytree(ROOT / "knowledge", kb)
        s = replace(self.settings, knowledge_dir=kb)
        build_index(s, encoder)
        times = []
        doc = kb / "medical-assistant-pay.md"
        for i in range(self.runs):
            doc.write_text(doc.read_text() + f"\nRevision note {i}.\n")
            t0 = time.perf_counter()
            report, _ = build_index(s, encoder, force=False)
            times.append(time.perf_counter() - t0)
            assert report.published and report.changed == 1
        self.record("refresh after one changed document (model loaded)", "s", times,
                    f"{report.passages_embedded} passage(s) re-embedded")
        # synthetic 10,000 passages, cold
        n = 2000 if self.quick else 10_000
        synth = self.tmp / "synth"
        rng = np.random.default_rng(1)
        write_synthetic(synth, n // 50, rng)
        s = replace(self.settings, knowledge_dir=synth, data_dir=self.tmp / "synth-data", index_dir=self.tmp / "synth-index")
        t0 = time.perf_counter()
        report, error = build_index(s, encoder)
        dt = time.perf_counter() - t0
        assert error is None, error
        self.record(f"index build, synthetic {report.passages_embedded} passages, cold cache", "s", [dt])
        self.record("index build, synthetic, throughput", "passages/s", [report.passages_embedded / dt])
        t0 = time.perf_counter()
        vecs = encoder.encode([f"{' '.join(rng.choice(WORDS, size=60))}." for _ in range(256)])
        bare = time.perf_counter() - t0
        self.record("bare encoder throughput, same passage length", "passages/s", [256 / bare])
        return vecs

    # -- answers in process ---------------------------------------------------------------------
    def in_process(self, encoder):
        from bot.assistant import Assistant
        from bot.review.evaluate import evaluate, load_questions, load_splits

        assistant = Assistant.create(self.settings)  # answers with the index's ONNX encoder
        questions = [q.q for q in load_questions(ROOT / "tests" / "eval" / "questions.yaml")]
        for q in questions[:30]:
            assistant.ask(q)
        p50s, p95s, ratios, enc50 = [], [], [], []
        for _ in range(self.runs):
            ask_ms, enc_ms = [], []
            for q in questions:  # side by side: the same question through both, in one process
                t0 = time.perf_counter()
                encoder.encode([q])
                enc_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                assistant.ask(q)
                ask_ms.append((time.perf_counter() - t0) * 1000)
            p50s.append(pct(ask_ms, 0.5))
            p95s.append(pct(ask_ms, 0.95))
            enc50.append(pct(enc_ms, 0.5))
            ratios.append(statistics.median(ask_ms) / statistics.median(enc_ms))
        self.record("Assistant.ask p50 (warm, ONNX encoder)", "ms", p50s, f"{len(questions)} evaluation questions")
        self.record("Assistant.ask p95 (warm, ONNX encoder)", "ms", p95s)
        self.record("bare torch encode p50 (same questions)", "ms", enc50)
        self.record("ask / bare torch encode (p50 ratio)", "x", ratios)
        report = evaluate(assistant, load_splits(ROOT / "tests" / "eval"))
        self.eval_table = report.markdown()
        self.results["eval"] = report.to_dict()

    # -- processes ------------------------------------------------------------------------------
    def env(self, **extra):
        return {**os.environ, "CAREERBOT_DATA_DIR": str(self.settings.data_dir),
                "CAREERBOT_INDEX_DIR": str(self.settings.index_dir),
                "CAREERBOT_KNOWLEDGE_DIR": str(self.settings.knowledge_dir), **extra}

    def startup(self):
        exe = str(Path(sys.executable).with_name("careerbot"))
        for name, args in (("careerbot --help", ["--help"]), ("careerbot index status", ["index", "status"]),
                           ("careerbot ask, cold process to first answer", ["ask", "what is a cma"])):
            times = []
            for _ in range(max(3, self.runs)):
                t0 = time.perf_counter()
                subprocess.run([exe, *args], env=self.env(), check=True, capture_output=True)
                times.append(time.perf_counter() - t0)
            self.record(name, "s", times)

    def serve(self, api, **env) -> subprocess.Popen:
        """`careerbot serve` against the stand-in Bot API, its log in a file (a full stderr pipe
        would stall it), with a fresh data directory unless one is given: each stand-in numbers its
        updates from 1, and the inbox would take a second run's updates for ones already answered."""
        from tests.bot_runner import TOKEN

        data = env.pop("CAREERBOT_DATA_DIR", None) or tempfile.mkdtemp(dir=self.tmp, prefix="serve-data-")
        exe = str(Path(sys.executable).with_name("careerbot"))
        with open(self.tmp / "serve.log", "a") as log:
            return subprocess.Popen([exe, "serve"], env=self.env(TELEGRAM_BOT_TOKEN=TOKEN, CAREERBOT_DATA_DIR=str(data),
                                    TELEGRAM_API_BASE_URL=api.base_url, **env),
                                    stdout=subprocess.DEVNULL, stderr=log, text=True)

    @staticmethod
    def stop(proc: subprocess.Popen, api) -> None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        api.stop()

    def telegram(self):
        from tests.bot_runner import TOKEN
        from tests.fake_bot_api import FakeBotAPI, message

        users, per_user = (200, 10) if not self.quick else (100, 5)
        total = users * per_user
        questions = [q for q in (ROOT / "tests" / "eval" / "questions.yaml").read_text().splitlines()
                     if q.startswith("- q: ")]
        questions = [q[5:].strip("'\"") for q in questions]

        def run(rate: float | None, max_messages: str):
            api = FakeBotAPI(TOKEN).start()
            proc = self.serve(api, TELEGRAM_MAX_MESSAGES_PER_SECOND=max_messages)
            try:
                api.push(message(1, "warm up: what is a cma"))
                api.wait_replies(1, 1, timeout=120)
                order: dict[int, list[int]] = {}
                t_start = time.monotonic()
                for i in range(total):
                    user = 1000 + i % users
                    if rate:
                        delay = t_start + i / rate - time.monotonic()
                        if delay > 0:
                            time.sleep(delay)
                    uid = api.push(message(user, questions[i % len(questions)]))
                    order.setdefault(user, []).append(uid)
                # a cheap predicate: the bench shares the two cores with the server it measures
                try:
                    api.wait_for(lambda: len(api.sent) >= total + 1, timeout=600)
                except AssertionError:
                    raise RuntimeError(f"the bot answered {len(api.sent) - 1} of {total} questions in 600 s")
                latencies, last = [], 0.0
                for user, uids in order.items():
                    replies = api.replies_to(user)
                    for uid, reply in zip(uids, replies):
                        latencies.append((reply["sent_at"] - api.pushed_at[uid]) * 1000)
                        last = max(last, reply["sent_at"])
                answered = sum(len(api.replies_to(u)) for u in order)
                rss = _peak_rss_mb(proc.pid)
                return {"throughput": total / (last - t_start), "p50": pct(latencies, 0.5),
                        "p95": pct(latencies, 0.95), "answered": answered, "sent": total, "rss": rss}
            finally:
                self.stop(proc, api)

        for label, rate, limit in (("30/s offered (Telegram's ceiling)", 30.0, "30"),
                                   ("maximum rate", None, "0")):
            runs = [run(rate, limit) for _ in range(self.runs if not rate or not self.quick else 1)]
            self.record(f"Telegram path, {label}: answers/s", "answers/s", [r["throughput"] for r in runs],
                        f"{users} users, {total} questions")
            self.record(f"Telegram path, {label}: p50 queued to reply", "ms", [r["p50"] for r in runs])
            self.record(f"Telegram path, {label}: p95 queued to reply", "ms", [r["p95"] for r in runs])
            self.record(f"Telegram path, {label}: dropped", "questions", [r["sent"] - r["answered"] for r in runs])
            self.record(f"Telegram path, {label}: serving peak RSS (server and its children)", "MB",
                        [r["rss"] for r in runs])

    def serve_start(self):
        """`careerbot serve` answering a question already waiting when it starts: process start to
        the reply reaching the stand-in Bot API (token check, index load, first encode included)."""
        from tests.bot_runner import TOKEN
        from tests.fake_bot_api import FakeBotAPI, message

        times = []
        for _ in range(max(3, self.runs)):
            api = FakeBotAPI(TOKEN).start()
            api.push(message(1, "what is a cma"))
            t0 = time.monotonic()
            proc = self.serve(api)
            try:
                reply = api.wait_replies(1, 1, timeout=60)[0]
                times.append(reply["sent_at"] - t0)
            finally:
                self.stop(proc, api)
        self.record("careerbot serve, process start to first answer", "s", times, "stand-in Bot API, index published")

    def reindex(self):
        """Question latency through the served path while an admin's /reindex embeds 500 new
        passages in the server's child process, against the same server's latency just before."""
        from tests.bot_runner import TOKEN
        from tests.fake_bot_api import FakeBotAPI, message

        rate, admin = 10.0, 77
        questions = [q[5:].strip("'\"") for q in (ROOT / "tests" / "eval" / "questions.yaml").read_text().splitlines()
                     if q.startswith("- q: ")]
        before95, during50, during95, refresh_s, rss = [], [], [], [], []
        for r in range(self.runs):
            # A copy of the published index and the knowledge base; the embedding cache too, so the
            # refresh embeds only the new documents' passages.
            kb, index, data = (self.tmp / f"reindex-{r}-{n}" for n in ("kb", "index", "data"))
            shutil.copytree(self.settings.knowledge_dir, kb)
            shutil.copytree(self.settings.index_dir, index, symlinks=True)
            data.mkdir()
            shutil.copy(self.settings.embedding_cache_path, data / "embeddings.db")
            api = FakeBotAPI(TOKEN).start()
            proc = self.serve(api, CAREERBOT_KNOWLEDGE_DIR=str(kb), CAREERBOT_INDEX_DIR=str(index),
                              CAREERBOT_DATA_DIR=str(data), ADMIN_USER_IDS=str(admin),
                              TELEGRAM_MAX_MESSAGES_PER_SECOND="0")
            try:
                api.push(message(1, "warm up: what is a cma"))
                api.wait_replies(1, 1, timeout=120)
                asked: dict[int, tuple[int, float]] = {}  # update id -> (user, pushed at)

                def ask_for(seconds: float, until=None) -> list[int]:
                    uids, t_start, i = [], time.monotonic(), 0
                    while (until is None and time.monotonic() - t_start < seconds) or (until and not until()):
                        delay = t_start + i / rate - time.monotonic()
                        if delay > 0:
                            time.sleep(delay)
                        user = 2000 + len(asked)
                        uid = api.push(message(user, questions[len(asked) % len(questions)]))
                        asked[uid] = (user, api.pushed_at[uid])
                        uids.append(uid)
                        i += 1
                    return uids

                quiet = ask_for(10.0)
                write_synthetic(kb, 10, np.random.default_rng(100 + r), prefix="reindex")  # 500 passages
                t_refresh = time.monotonic()
                api.push(message(admin, "/reindex"))
                peak, seen = [0.0], {"scanned": 0, "admin": 0}

                def refreshed() -> bool:  # sampling the server and its refresh child meanwhile
                    try:
                        peak[0] = max(peak[0], _peak_rss_mb(proc.pid))
                    except (FileNotFoundError, ProcessLookupError):
                        pass  # the child ended between listing and reading
                    new = api.sent[seen["scanned"]:]  # only the new replies: cheap beside the server
                    seen["scanned"] += len(new)
                    seen["admin"] += sum(int(m["chat_id"]) == admin for m in new)
                    return seen["admin"] >= 2

                busy = ask_for(0, until=refreshed)
                refresh_s.append(time.monotonic() - t_refresh)
                summary = api.replies_to(admin)[-1]["text"]
                api.wait_for(lambda: len(api.sent) >= len(asked) + 3, timeout=120)  # + warm-up, admin's two
                rss.append(peak[0])
            finally:
                self.stop(proc, api)
            embedded = int(re.search(r"passages (\d+) embedded", summary).group(1))
            assert embedded >= 500, summary

            replied: dict[int, float] = {}  # chat -> first reply sent at (one question per user)
            for m in api.sent:
                replied.setdefault(int(m["chat_id"]), m["sent_at"])

            def latencies(uids):
                return [(replied[asked[u][0]] - asked[u][1]) * 1000 for u in uids]

            before95.append(pct(latencies(quiet), 0.95))
            during = latencies(busy)
            during50.append(pct(during, 0.5))
            during95.append(pct(during, 0.95))
        note = f"{rate:.0f} questions/s; {embedded} passages embedded"
        self.record("/reindex: question p95 before it", "ms", before95, note)
        self.record("/reindex: question p50 during it", "ms", during50)
        self.record("/reindex: question p95 during it", "ms", during95)
        self.record("/reindex: refresh, asked to summary", "s", refresh_s)
        self.record("/reindex: peak RSS, server and its refresh process", "MB", rss,
                    "sampled 10 times a second")

    # -- scale ----------------------------------------------------------------------------------
    def scale(self, like: np.ndarray):
        """Search latency and recall@10 on synthetic embedding-like vectors: points scattered
        around topic centres drawn from real passage embeddings, then normalised."""
        import faiss

        from bot.knowledge.index import configure, make_faiss_index

        faiss.omp_set_num_threads(2)
        rng = np.random.default_rng(7)
        sizes = (10_000, 100_000) if self.quick else (10_000, 100_000, 1_000_000)
        dim = like.shape[1]
        for n in sizes:
            centres = like[rng.integers(0, len(like), size=2000)]
            centres = centres + rng.normal(0, 0.03, size=centres.shape).astype(np.float32)
            xb = np.empty((n, dim), dtype=np.float32)
            for start in range(0, n, 100_000):
                m = min(100_000, n - start)
                xb[start:start + m] = centres[rng.integers(0, len(centres), size=m)] + \
                    rng.normal(0, 0.035, size=(m, dim)).astype(np.float32)
            xb /= np.linalg.norm(xb, axis=1, keepdims=True)
            xq = xb[rng.integers(0, n, size=300)] + rng.normal(0, 0.03, size=(300, dim)).astype(np.float32)
            xq /= np.linalg.norm(xq, axis=1, keepdims=True)
            flat = faiss.IndexFlatIP(dim)
            flat.add(xb)
            _, truth = flat.search(xq, 10)
            t0 = time.perf_counter()
            approx, params = make_faiss_index(xb, threshold=0)
            build_s = time.perf_counter() - t0
            configure(approx, params)
            for label, index in (("exact (flat)", flat), (f"IVF nlist={params['nlist']} nprobe={params['nprobe']}",
                                                          approx)):
                p50s, p95s = [], []
                for _ in range(self.runs):
                    times = []
                    found = []
                    for q in xq:
                        t0 = time.perf_counter()
                        _, ids = index.search(q.reshape(1, -1), 10)
                        times.append((time.perf_counter() - t0) * 1000)
                        found.append(ids[0])
                    p50s.append(pct(times, 0.5))
                    p95s.append(pct(times, 0.95))
                recall = float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]))
                self.record(f"search {n:,} vectors, {label}: p50", "ms", p50s)
                self.record(f"search {n:,} vectors, {label}: p95", "ms", p95s)
                self.record(f"search {n:,} vectors, {label}: recall@10 vs exact", "", [recall])
            self.record(f"build IVF over {n:,} vectors", "s", [build_s])
            del xb, flat, approx

    def markdown(self) -> str:
        lines = ["| measure | median | min | max | runs | unit | note |", "|---|---:|---:|---:|---:|---|---|"]
        for name, r in self.results.items():
            if name == "eval":
                continue
            lines.append(f"| {name} | {r['median']} | {r['min']} | {r['max']} | {r['runs']} | {r['unit']} | "
                         f"{r['note']} |")
        return "\n".join(lines) + "\n\nQuality beside speed (`careerbot eval`):\n\n" + self.eval_table + "\n"


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process and its children (the server and a /reindex's refresh)."""
    pids = [pid]
    # Every thread's children: a /reindex starts its refresh from a worker thread, not the main one.
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(p) for p in children.read_text().split()]
    total = 0.0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller synthetic sizes, fewer Telegram runs")
    parser.add_argument("--only", help="comma-separated sections: index,answers,startup,serve,telegram,reindex,scale")
    args = parser.parse_args()
    sections = set((args.only or "index,answers,startup,serve,telegram,reindex,scale").split(","))
    from bot.knowledge.embed import Encoder

    bench = Bench(args.runs, args.quick)
    bench.eval_table = "(not run)"
    try:
        encoder = Encoder(bench.settings.model_dir(), bench.settings.model_id)
        like = None
        if "index" in sections:
            like = bench.index_builds(encoder)
        if sections & {"answers", "startup", "serve", "telegram", "reindex"}:
            from bot.knowledge.admin import build_index

            build_index(bench.settings, encoder)  # the index they all answer from
        if "answers" in sections:
            bench.in_process(encoder)
        if "startup" in sections:
            bench.startup()
        if "serve" in sections:
            bench.serve_start()
        if "telegram" in sections:
            bench.telegram()
        if "reindex" in sections:
            bench.reindex()
        if "scale" in sections:
            if like is None:
                like = encoder.encode([f"medical assistant topic {i}" for i in range(256)])
            bench.scale(like)
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
           "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "results": bench.results,
           "peak_rss_bench_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    (RESULTS / "latest.json").write_text(json.dumps(out, indent=2))
    print(bench.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
