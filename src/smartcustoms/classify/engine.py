"""The HS suggester: TF-IDF (words + character n-grams) over the nomenclature and labelled
descriptions, scored at three levels at once and combined (docs/classify.md).

For a description the score of every HS 2022 subheading ``c`` is

    a * log P(chapter of c)          a linear chapter classifier (SGD, log loss)
  + b * cos(q, centroid of c)        all texts of c: its nomenclature lines and labelled examples
  + h * cos(q, centroid of heading)  the same one level up (backs off to the heading's words)
  + v * vote(c)                      share of the k nearest labelled texts that carry c

and the suggestion probabilities are a softmax of the scores at temperature ``t``; heading and
chapter probabilities are their sums. The weights and the temperature are tuned on a
validation split, and an isotonic map fitted there turns probabilities into calibrated
confidences. Follows the scikit-learn estimator contract: ``__init__`` stores parameters,
``fit`` returns ``self``, learned state ends in ``_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize

from smartcustoms.classify.data import NOMENCLATURE_SOURCES, Example
from smartcustoms.classify.text import FILLER, compose

__all__ = ["Components", "HsClassifier", "Scored", "reading"]

CHAPTER_FLOOR = -8.0
PRIVATE_SOURCE = "platform"
_TOKEN = r"(?u)\b[a-z][a-z0-9%]+\b"


def reading(text: str) -> str:
    """What the vectorisers see: the composed text without filler words."""
    return " ".join(w for w in text.split() if w not in FILLER)


@dataclass(slots=True)
class Components:
    """The separate score parts for a batch (tuning reuses them for every weight setting)."""

    log_chapter: np.ndarray
    """(n, codes): log P(chapter) of each subheading's chapter."""
    centroid: np.ndarray
    heading: np.ndarray
    vote: np.ndarray
    neighbours: list[list[tuple[int, float]]]
    """Per query: (example index, similarity), most similar first."""
    vague: np.ndarray
    query: sp.csr_matrix
    similarities: sp.csr_matrix
    """(n, examples): cosine similarity of each query with every learned text."""


@dataclass(slots=True)
class Scored:
    probabilities: np.ndarray
    """(n, codes) softmax over all subheadings."""
    components: Components


class HsClassifier(BaseEstimator):  # type: ignore[misc]
    def __init__(
        self,
        *,
        word_features: int = 80_000,
        char_features: int = 120_000,
        char_weight: float = 0.7,
        neighbours: int = 25,
        labelled_weight: float = 3.0,
        chapter_alpha: float = 2e-6,
        chapter_weight: float = 1.0,
        centroid_weight: float = 8.0,
        heading_weight: float = 4.0,
        vote_weight: float = 4.0,
        temperature: float = 1.0,
        seed: int = 0,
    ) -> None:
        self.word_features = word_features
        self.char_features = char_features
        self.char_weight = char_weight
        self.neighbours = neighbours
        self.labelled_weight = labelled_weight
        self.chapter_alpha = chapter_alpha
        self.chapter_weight = chapter_weight
        self.centroid_weight = centroid_weight
        self.heading_weight = heading_weight
        self.vote_weight = vote_weight
        self.temperature = temperature
        self.seed = seed

    # --- fitting ---------------------------------------------------------------------------

    def fit(self, examples: Sequence[Example], vague: Sequence[str] = ()) -> HsClassifier:
        if not examples:
            raise ValueError("no examples to learn from")
        texts = [reading(compose(e.text)) for e in examples]
        self.word_ = TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=_TOKEN,
            max_features=self.word_features,
            dtype=np.float32,
        )
        self.char_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=2,
            max_features=self.char_features,
            dtype=np.float32,
        )
        self.word_.fit(texts)
        self.char_.fit(texts)
        self.word_names_ = np.asarray(self.word_.get_feature_names_out(), dtype=object)
        self.n_word_ = len(self.word_names_)
        x = self._vectorise_texts(texts)

        self.example_text_ = np.asarray([e.text for e in examples], dtype=object)
        self.example_source_ = np.asarray([e.source for e in examples], dtype=object)
        example_code = np.asarray([e.hs6 for e in examples])
        self.codes_ = np.unique(example_code)
        code_index = {c: i for i, c in enumerate(self.codes_)}
        self.example_code_ = np.asarray([code_index[c] for c in example_code], dtype=np.int32)
        labelled = ~np.isin(self.example_source_, NOMENCLATURE_SOURCES)
        weight = np.where(labelled, self.labelled_weight, 1.0).astype(np.float32)

        n, k = len(examples), len(self.codes_)
        member = sp.csr_matrix((weight, (self.example_code_, np.arange(n))), shape=(k, n))
        self.centroids_ = normalize(member @ x).astype(np.float32).tocsr()
        self.headings_, self.code_heading_ = np.unique(
            [c[:4] for c in self.codes_], return_inverse=True
        )
        heads = sp.csr_matrix(
            (np.ones(k, np.float32), (self.code_heading_, np.arange(k))),
            shape=(len(self.headings_), k),
        )
        self.heading_centroids_ = normalize(heads @ (member @ x)).astype(np.float32).tocsr()
        # Feature-major copies: a query's product with them never converts a matrix per call.
        self.centroids_t_ = self.centroids_.T.tocsr()
        self.heading_centroids_t_ = self.heading_centroids_.T.tocsr()
        self.labelled_ = labelled

        chapters = np.asarray([c[:2] for c in example_code])
        self.chapters_, self.code_chapter_ = np.unique(
            [c[:2] for c in self.codes_], return_inverse=True
        )
        if len(self.chapters_) > 1:
            model = SGDClassifier(
                loss="log_loss",
                alpha=self.chapter_alpha,
                max_iter=6,
                tol=None,
                random_state=self.seed,
            )
            model.fit(x, chapters, sample_weight=weight)
            order = np.searchsorted(model.classes_, self.chapters_)
            # Feature-major and contiguous: sparse query @ weights without a copy per call.
            self.chapter_coef_ = np.ascontiguousarray(model.coef_[order].T, dtype=np.float32)
            self.chapter_bias_ = np.asarray(model.intercept_[order], dtype=np.float32)
        else:
            self.chapter_coef_ = np.zeros((x.shape[1], 1), np.float32)
            self.chapter_bias_ = np.zeros(1, np.float32)

        # Neighbour search runs over the labelled texts and the nomenclature lines alike.
        self.examples_t_ = x.T.tocsr()
        self._fit_vague(vague, x[labelled] if labelled.any() else x[:0])
        return self

    def _fit_vague(self, vague: Sequence[str], specific: sp.csr_matrix) -> None:
        self.vague_coef_: np.ndarray | None = None
        self.vague_bias_ = 0.0
        if not vague or specific.shape[0] == 0:
            return
        xv = self._vectorise_texts([reading(compose(t)) for t in vague])
        x = sp.vstack([xv, specific]).tocsr()
        y = np.r_[np.ones(xv.shape[0]), np.zeros(specific.shape[0])]
        model = SGDClassifier(
            loss="log_loss",
            alpha=1e-5,
            max_iter=20,
            tol=None,
            class_weight="balanced",
            random_state=self.seed,
        ).fit(x, y)
        self.vague_coef_ = np.asarray(model.coef_[0], dtype=np.float32)
        self.vague_bias_ = float(model.intercept_[0])

    # --- scoring ---------------------------------------------------------------------------

    def _vectorise_texts(self, texts: Sequence[str]) -> sp.csr_matrix:
        words = normalize(self.word_.transform(texts))
        chars = normalize(self.char_.transform(texts)) * self.char_weight
        return normalize(sp.hstack([words, chars], format="csr")).astype(np.float32)

    def vectorise(self, composed: Sequence[str]) -> sp.csr_matrix:
        return self._vectorise_texts([reading(t) for t in composed])

    def components(self, composed: Sequence[str]) -> Components:
        q = self.vectorise(composed)
        logits = q @ self.chapter_coef_ + self.chapter_bias_
        logits = np.asarray(logits, dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        # A linear classifier is overconfident far from its training texts: a floor keeps
        # one unlikely chapter from vetoing a subheading the texts match well.
        log_chapter = np.maximum(log_p, CHAPTER_FLOOR)[:, self.code_chapter_]
        centroid = (q @ self.centroids_t_).toarray().astype(np.float64)
        heading = (q @ self.heading_centroids_t_).toarray().astype(np.float64)
        heading = heading[:, self.code_heading_]
        sims = (q @ self.examples_t_).tocsr()
        vote = np.zeros_like(centroid)
        neighbours: list[list[tuple[int, float]]] = []
        for i in range(q.shape[0]):
            lo, hi = sims.indptr[i], sims.indptr[i + 1]
            idx, val = sims.indices[lo:hi], sims.data[lo:hi]
            if len(val) > self.neighbours:
                top = np.argpartition(-val, self.neighbours)[: self.neighbours]
                idx, val = idx[top], val[top]
            order = np.argsort(-val)
            idx, val = idx[order], val[order]
            neighbours.append([(int(j), float(s)) for j, s in zip(idx, val, strict=True)])
            total = float(val.sum())
            if total > 0:
                np.add.at(vote[i], self.example_code_[idx], val / total)
        if self.vague_coef_ is not None:
            z = q @ self.vague_coef_ + self.vague_bias_
            vague = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64).ravel()))
        else:
            vague = np.zeros(q.shape[0])
        return Components(log_chapter, centroid, heading, vote, neighbours, vague, q, sims)

    def combine(self, c: Components, weights: dict[str, float] | None = None) -> np.ndarray:
        w = self.weights() | (weights or {})
        score = (
            w["chapter_weight"] * c.log_chapter
            + w["centroid_weight"] * c.centroid
            + w["heading_weight"] * c.heading
            + w["vote_weight"] * c.vote
        ) / w["temperature"]
        score -= score.max(axis=1, keepdims=True)
        p = np.exp(score)
        result: np.ndarray = p / p.sum(axis=1, keepdims=True)
        return result

    def weights(self) -> dict[str, float]:
        return {
            "chapter_weight": self.chapter_weight,
            "centroid_weight": self.centroid_weight,
            "heading_weight": self.heading_weight,
            "vote_weight": self.vote_weight,
            "temperature": self.temperature,
        }

    def score(self, composed: Sequence[str]) -> Scored:
        c = self.components(composed)
        return Scored(self.combine(c), c)

    # --- explanations ----------------------------------------------------------------------

    def matched_words(self, query_row: sp.csr_matrix, code_index: int, n: int = 6) -> list[str]:
        """The words (and word pairs) of the query that weigh most in the match with the
        subheading's texts."""
        centroid = self.centroids_.getrow(code_index)
        product = query_row.multiply(centroid).tocsr()
        idx, val = product.indices, product.data
        keep = idx < self.n_word_
        idx, val = idx[keep], val[keep]
        order = np.argsort(-val)[:n]
        return [str(self.word_names_[i]) for i in idx[order]]

    def examples_of(
        self,
        similarities: np.ndarray,
        code_index: int,
        neighbours: list[tuple[int, float]],
        n: int = 3,
    ) -> list[tuple[int, float]]:
        """Nearest texts carrying the subheading (labelled descriptions before legal text);
        ``similarities`` is the query's dense row of :attr:`Components.similarities`."""
        found = [(j, s) for j, s in neighbours if self.example_code_[j] == code_index]
        if len(found) < n:
            members = np.flatnonzero(self.example_code_ == code_index)
            values = similarities[members]
            seen = {j for j, _ in found}
            for o in np.argsort(-values)[: n * 2]:
                if values[o] > 0 and int(members[o]) not in seen:
                    found.append((int(members[o]), float(values[o])))
        # An economy's own declarations shape the scores but are never shown as examples.
        found = [js for js in found if self.example_source_[js[0]] != PRIVATE_SOURCE]
        found.sort(key=lambda js: (not self.labelled_[js[0]], -js[1]))
        return found[:n]

    def metadata(self) -> dict[str, Any]:
        return {
            "codes": len(self.codes_),
            "examples": int(self.examples_t_.shape[1]),
            "features": int(self.examples_t_.shape[0]),
            "parameters": {
                k: getattr(self, k)
                for k in (
                    "word_features",
                    "char_features",
                    "char_weight",
                    "neighbours",
                    "labelled_weight",
                    "chapter_alpha",
                    "seed",
                )
            }
            | self.weights(),
        }
