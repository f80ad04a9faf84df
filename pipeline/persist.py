"""Safe model files: skops (never pickle) with a reviewed trusted-type list, and a JSON + Markdown model card.

Also :func:`one_thread`, which the saved models are fitted and run under.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED

from .errors import ModelError

MODEL_FILE = "model.skops"
CARD_FILE = "model-card.json"
ENCODER_FILE = "encoder.safetensors"
ENCODER_CONFIG = "encoder.json"


def save_model(obj: Any, card: dict[str, Any], folder: str | Path) -> None:
    """Write ``obj`` with skops (compressed) and its card as JSON and Markdown into ``folder``."""
    import skops.io as sio

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(obj, folder / MODEL_FILE, compression=ZIP_DEFLATED, compresslevel=9)
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (folder / "MODEL_CARD.md").write_text(card_markdown(card), encoding="utf-8")


def load_model_file(folder: str | Path, trusted: list[str], what: str = "model") -> tuple[Any, dict[str, Any]]:
    """Read a model folder, refusing a file that holds any type outside skops' defaults and ``trusted``.

    Raises:
        ModelError: Unknown types in the file, or an unreadable model or card.
    """
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    folder = Path(folder)
    path = folder / MODEL_FILE
    try:
        try:
            obj = sio.load(path, trusted=trusted)  # audits every type before it builds any object
        except UntrustedTypesFoundException:
            untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(trusted))
            raise ModelError(f"{path}: refusing to load: untrusted types {', '.join(untrusted)}") from None
        card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    except ModelError:
        raise
    except Exception as e:
        raise ModelError(f"{path}: cannot load {what}: {type(e).__name__}: {e}") from e
    return obj, card


def one_thread() -> Any:
    """Run model fits and predictions on one thread of each native pool (OpenMP, BLAS).

    GNU OpenMP deadlocks in worker processes forked after the parent used its
    thread pool (``argmap run --jobs``), and oversubscribed pools crawl when
    other processes share the cores (a role model fit ran 4-9x slower on two
    busy cores); one thread is fast enough for our sizes.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def card_markdown(card: dict[str, Any]) -> str:
    """The model card as Markdown, generated from the JSON card so the two never disagree."""
    lines = [f"# Model card: {card.get('name', 'model')}", "", card.get("description", ""), ""]
    lines += ["| field | value |", "|---|---|"]
    for key in ("labels", "corpus", "corpus_hash", "essays", "sentences", "guideline_version", "trained_at_commit"):
        if key in card:
            lines.append(f"| {key} | {card[key]} |")
    lines += ["", "## Parameters", "", "```json", json.dumps(card.get("parameters", {}), indent=2, sort_keys=True),
              "```"]
    lines += ["", "## Library versions", ""] + [f"- {k} {v}" for k, v in sorted(card.get("versions", {}).items())]
    scores = card.get("scores", {})
    if scores:
        lines += ["", "## Scores", "", "```json", json.dumps(scores, indent=2, sort_keys=True), "```"]
    return "\n".join(lines) + "\n"
