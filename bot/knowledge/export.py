"""Export the sentence-transformers encoder to ONNX at build time, so serving needs no torch.

The export lives in a content-addressed folder beside the index versions,
`index/encoders/<model hash>/` (model.onnx, tokenizer.json, encoder.json), so every version built
with the same model shares it and a rebuild reuses it. sentence-transformers' own ONNX backend
needs optimum-onnx, which does not install beside the pinned transformers; `torch.onnx.export` of
the underlying transformer does, and gives cosine 1.0000 against sentence-transformers (measured
on every passage of the knowledge base at each build, see `verify`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.errors import BuildError

if TYPE_CHECKING:
    from bot.answer.encoder import TextEncoder

ENCODERS = "encoders"
MIN_COSINE = 0.9999
OPSET = 17
# Texts per onnxruntime call in `verify`. onnxruntime keeps its largest buffers (attention is batch
# x 12 heads x tokens², padded to the longest text of the call): the check of 861 passages in
# unsorted calls of 64 took 1.7 GB, and a /reindex child to a 2.46 GB peak; sorted calls of 8 take
# 113 MB and no longer (77 s against 111 s, load 7; bench/run.py --only reindex, README Performance).
VERIFY_BATCH = 8


def model_hash(model_path: Path) -> str:
    """SHA-256 over every file of the model directory (names and bytes), in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(model_path).rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(model_path)).encode() + b"\0")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def export(model: Any, model_path: Path, index_dir: Path) -> tuple[str, str]:
    """The encoder folder for this model (exported now, or reused); returns (relative path, model hash)."""
    mhash = model_hash(model_path)
    relative = f"{ENCODERS}/{mhash[:16]}"
    target = index_dir / relative
    if (target / "encoder.json").is_file():
        return relative, mhash
    staging = index_dir / ENCODERS / f".{mhash[:16]}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _export_onnx(model, staging / "model.onnx")
    tokenizer = Path(model_path) / "tokenizer.json"
    if not tokenizer.is_file():
        raise BuildError(f"{model_path}: no tokenizer.json; the encoder cannot be exported without a fast tokenizer")
    shutil.copyfile(tokenizer, staging / "tokenizer.json")
    (staging / "encoder.json").write_text(json.dumps({
        "model_hash": mhash, "max_seq_length": int(model.max_seq_length),
        "dim": int(model.get_embedding_dimension()), "pooling": "mean", "normalize": True,
        "inputs": ["input_ids", "attention_mask", "token_type_ids"], "opset": OPSET,
    }, indent=2))
    for child in staging.iterdir():
        with open(child, "rb") as fh:
            os.fsync(fh.fileno())
    try:
        os.rename(staging, target)
    except OSError:  # another build exported the same model first
        shutil.rmtree(staging, ignore_errors=True)
    return relative, mhash


def _export_onnx(model: Any, path: Path) -> None:
    import torch

    transformer = model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        """The transformer's token vectors; pooling and normalising happen in numpy at run time."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:  # torch tensors
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = torch.ones(2, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes about constant shapes; verified by `verify`
        torch.onnx.export(Hidden(transformer), (sample, sample, torch.zeros_like(sample)), str(path),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})


def verify(encoder: TextEncoder, texts: list[str], reference: np.ndarray, folder: Path) -> float:
    """The exported encoder must agree with sentence-transformers on every text, or the build stops."""
    if not texts:
        return 1.0
    vectors = np.empty_like(reference)
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths: little padding
    for start in range(0, len(texts), VERIFY_BATCH):
        rows = order[start:start + VERIFY_BATCH]
        vectors[rows] = encoder.encode([texts[i] for i in rows])
    cosines = np.sum(vectors * reference, axis=1)
    worst = int(np.argmin(cosines))
    if cosines[worst] < MIN_COSINE:
        raise BuildError(
            f"the ONNX encoder in {folder} disagrees with sentence-transformers (cosine {cosines[worst]:.5f} < "
            f"{MIN_COSINE} on passage {texts[worst][:60]!r}); nothing was published. Delete {folder} and "
            "run 'careerbot index build' again; if it persists, the model cannot be exported as is")
    return float(cosines.min())
