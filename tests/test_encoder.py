"""The fine-tuned sentence encoder and its blend with the stacked model: learning, seeds, safe files, the blend."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from pipeline.classify import DEFAULT_MODEL, blend, load_model, load_trained, save_trained
from pipeline.encoder import SentenceEncoder
from pipeline.errors import ModelError
from pipeline.persist import ENCODER_FILE
from pipeline.train import featurize, train
from pipeline.types import ROLES

TEXTS = {
    "evidence": ["In 1921 exports fell by 12 percent.", "The 1948 census counted 4.2 million farms.",
                 "In March 1933 the treasury reported a deficit of 3 billion dollars.",
                 "The minister told parliament in 1956 that prices had doubled.",
                 "By 1910 the railway carried 60 percent of the grain.", "A 1962 survey found 30 percent unemployed."],
    "cause": ["The collapse of credit led the banks to call in their loans.", "Fear of inflation drove the reform.",
              "Rising rents pushed families out of the cities.", "Weak courts allowed corruption to spread.",
              "The drought caused the harvest to fail.", "Cheap imports forced the mills to close."],
    "conclusion": ["The government should therefore fund the program.", "It is clear that the treaty was a mistake.",
                   "Policymakers must act before the next crisis.", "In short, the reform deserves support.",
                   "The evidence suggests that the plan will fail.", "We ought to reject this interpretation."],
    "other": ["This essay has four parts.", "What follows is a short history.", "The next section turns to trade.",
              "Chapter two describes the sources.", "Let us begin with a definition.", "Why did this happen?"],
}
SENTENCES = [t for texts in TEXTS.values() for t in texts]
LABELS = [role for role, texts in TEXTS.items() for _ in texts]
SMALL = {"epochs": 6, "learning_rate": 2e-4, "batch_size": 8}


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(**SMALL).fit(SENTENCES, LABELS)


def test_encoder_learns_its_training_sentences(encoder) -> None:
    proba = encoder.predict_proba(SENTENCES)
    assert proba.shape == (24, 4) and np.allclose(proba.sum(axis=1), 1)
    predicted = encoder.classes_[proba.argmax(axis=1)]
    assert (predicted == np.array(LABELS)).mean() >= 0.9


def test_encoder_fit_is_seeded(encoder) -> None:
    again = SentenceEncoder(**SMALL).fit(SENTENCES, LABELS)
    assert np.array_equal(again.predict_proba(SENTENCES[:5]), encoder.predict_proba(SENTENCES[:5]))
    other = SentenceEncoder(**SMALL, random_state=1).fit(SENTENCES, LABELS)
    assert not np.array_equal(other.predict_proba(SENTENCES[:5]), encoder.predict_proba(SENTENCES[:5]))


def test_encoder_file_round_trip_is_exact_and_safe(encoder, tmp_path: Path) -> None:
    encoder.save(tmp_path)
    assert not (tmp_path / ENCODER_FILE).read_bytes().startswith(b"\x80")  # safetensors, not a pickle stream
    modes = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()}
    assert len(set(modes.values())) == 1, f"a shared model folder needs one file mode: {modes}"
    loaded = SentenceEncoder.load(tmp_path)
    assert list(loaded.classes_) == list(encoder.classes_) and loaded.get_params() == encoder.get_params()
    assert np.array_equal(loaded.predict_proba(SENTENCES), encoder.predict_proba(SENTENCES))
    (tmp_path / ENCODER_FILE).write_bytes(b"not a tensor file")
    with pytest.raises(ModelError, match=r"encoder\.safetensors: cannot load the sentence encoder"):
        SentenceEncoder.load(tmp_path)


def test_blend_is_a_normalised_weighted_geometric_mean() -> None:
    stacked = np.array([[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]])
    encoded = np.array([[0.1, 0.7, 0.1, 0.1], [0.97, 0.01, 0.01, 0.01]])
    assert np.allclose(blend(stacked, encoded, 0.0), stacked) and np.allclose(blend(stacked, encoded, 1.0), encoded)
    half = blend(stacked, encoded, 0.5)
    assert np.allclose(half.sum(axis=1), 1)
    assert half[0, 0] == pytest.approx(half[0, 1])  # equal weights: symmetric disagreement is a tie
    expected = np.sqrt(stacked[1] * encoded[1])
    assert np.allclose(half[1], expected / expected.sum())


def test_trained_model_with_encoder_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import train as training
    from pipeline.corpus import load_corpus

    monkeypatch.setitem(training.ENCODER_PARAMS, "epochs", 1)  # the round trip, not the learning, is tested here

    data = featurize(load_corpus(Path(__file__).resolve().parent.parent / "corpus" / "essays")[:2])
    model = train(data, {"char_max_features": 2000, "inner_folds": 2})
    assert model.encoder is not None and model.card["parameters"]["encoder"]["weight"] == 0.35
    save_trained(model, tmp_path / "m")
    loaded = load_trained(tmp_path / "m")
    assert loaded.encoder is not None
    blended = model.probabilities(data.sentences[0])
    assert np.array_equal(loaded.probabilities(data.sentences[0]), blended)
    loaded.encoder = None
    assert not np.allclose(loaded.probabilities(data.sentences[0]), blended)  # the encoder takes part


def test_shipped_model_blends_an_encoder_and_runs_without_it() -> None:
    model = load_model()
    assert (DEFAULT_MODEL / ENCODER_FILE).exists() and model.encoder is not None
    assert 0 < model.card["parameters"]["encoder"]["weight"] < 1
    stacked = load_model("stacked")
    assert stacked.encoder is None and stacked.name == model.name + "/stacked"


class _ThreadProbe:
    """Stands in for the encoder and records how many threads the native pools allow while it runs."""

    classes_ = np.array(sorted(ROLES))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        from threadpoolctl import threadpool_info

        self.threads = max(pool["num_threads"] for pool in threadpool_info())
        return np.full((len(texts), 4), 0.25)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing to compare")
def test_encoder_uses_every_core_in_a_single_process_and_one_under_one_thread() -> None:
    from pipeline.persist import one_thread
    from pipeline.process import Processor, Settings

    model = load_trained(DEFAULT_MODEL, encoder=False)
    model.encoder = probe = _ThreadProbe()
    sentences = Processor(Settings(model="rules")).process_text(" ".join(SENTENCES[:6])).sentences
    model.probabilities(sentences)
    assert probe.threads > 1  # 1.85x faster on two cores than one thread
    with one_thread():  # as a batch worker holds it
        model.probabilities(sentences)
    assert probe.threads == 1
