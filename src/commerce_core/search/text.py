"""Text analysis shared by every search index, so that all backends agree on what a word is.

Documents and queries go through the same :func:`analyze`: words are split on anything that is
not a letter or digit, lower-cased, stripped of accents and reduced to a light English stem
(plurals only: "boxes" -> "box", "batteries" -> "battery", "shoes" -> "shoe"). Each index
stores the analysed terms and matches terms, so "Bikes" finds "bike" on SQLite, PostgreSQL,
Elasticsearch and in memory alike.

Typo tolerance works on the index's vocabulary (:class:`Vocabulary`): a query word that is
not a term of the index is replaced by the terms within one edit (words of 4-7 letters) or
two edits (8 or more); a transposition counts as one edit.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script: "café", "手机", "4k"
_ES_ENDINGS = ("sses", "shes", "ches", "xes", "zes")  # "shoes", "cases": just the s


def fold(text: str) -> str:
    """Lower-cased, accents removed ("Crème" -> "creme")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """The singular of an English plural; other words unchanged. Deliberately light: a
    heavier stemmer (running -> run) merges words shoppers keep apart."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(_ES_ENDINGS):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order, not stemmed (what highlights look for)."""
    return _WORD.findall(fold(text))


def analyze(text: str) -> list[str]:
    """The terms of ``text`` as every index stores them: folded, stemmed, in order."""
    return [stem(w) for w in words(text)]


def max_edits(word: str) -> int:
    """How many edits a query word may be from a term: none below 4 letters."""
    if len(word) >= 8:
        return 2
    return 1 if len(word) >= 4 else 0


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), or ``limit + 1``
    as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _deletes(word: str, depth: int) -> set[str]:
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Vocabulary:
    """The terms of an index, with an index of their deletions (the symmetric-delete
    method): finding the terms near a word costs a few dict look-ups, not a scan."""

    def __init__(self, terms: Mapping[str, int]) -> None:
        self.frequency: dict[str, int] = {}  # term -> how many documents hold it
        self._near: dict[str, set[str]] = {}
        self._sorted: list[str] = []
        self.add(terms)

    def add(self, terms: Mapping[str, int]) -> None:
        """Count more documents' terms (a document indexed since the vocabulary was read)."""
        new = [term for term in terms if term not in self.frequency]
        for term, count in terms.items():
            self.frequency[term] = self.frequency.get(term, 0) + count
        for term in new:
            for variant in _deletes(term, max_edits(term)):
                self._near.setdefault(variant, set()).add(term)
        if new:
            self._sorted = sorted(self.frequency)

    def __contains__(self, term: object) -> bool:
        return term in self.frequency

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)

    def near(self, word: str) -> list[str]:
        """Terms within :func:`max_edits` of ``word`` (other than itself), most frequent
        first."""
        limit = max_edits(word)
        if not limit:
            return []
        candidates: set[str] = set()
        for variant in _deletes(word, limit):
            candidates |= self._near.get(variant, set())
        close = [t for t in candidates if t != word
                 and edit_distance(word, t, min(limit, max_edits(t) or 1)) <= limit]
        return sorted(close, key=lambda t: (-self.frequency[t], t))[:5]


@attrs.frozen
class Term:
    """One query word: any of ``alternatives`` may match (its stem, synonyms, corrections);
    ``prefix`` when it may also be the start of a longer term (the word being typed)."""

    alternatives: tuple[str, ...]
    prefix: bool = False
    # the word as analysed when the planning vocabulary did not know it (and it is long
    # enough to correct): an index with a live vocabulary of its own corrects it again
    # (:func:`correct`), so a word another process indexed a moment ago is forgiven too
    unknown: str | None = None


class Synonyms:
    """Words an operator declares equal, one group a line: ``tv, television``. A query word
    of a group matches any word of it. Groups are single words (after analysis)."""

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        self._of: dict[str, tuple[str, ...]] = {}
        for group in groups:
            terms = tuple(dict.fromkeys(t for w in group for t in analyze(w)))
            for term in terms:
                self._of[term] = tuple(dict.fromkeys(self._of.get(term, ()) + terms))

    @classmethod
    def parse(cls, text: str) -> Synonyms:
        """Groups from lines of comma-separated words (``#`` starts a comment)."""
        lines = (line.split("#", 1)[0] for line in text.splitlines())
        return cls([w.strip() for w in line.split(",") if w.strip()] for line in lines)

    def of(self, term: str) -> tuple[str, ...]:
        return self._of.get(term, (term,))


def plan(text: str, vocabulary: Vocabulary | None = None,
         synonyms: Synonyms | None = None) -> tuple[Term, ...]:
    """The terms a query matches: every word must match one of its alternatives, and the
    last may be a prefix. With a vocabulary, a word the index lacks is replaced by the terms
    near it (kept as it is when none is near, so it matches nothing, as typed)."""
    found = analyze(text)
    terms = []
    for i, term in enumerate(found):
        last = i == len(found) - 1
        alternatives: tuple[str, ...] = (synonyms or Synonyms()).of(term)
        unknown = None
        if vocabulary is not None and not _known(vocabulary, alternatives, last):
            alternatives = tuple(dict.fromkeys(alternatives + tuple(vocabulary.near(term))))
            unknown = term if max_edits(term) else None
        terms.append(Term(alternatives, prefix=last, unknown=unknown))
    return tuple(terms)


def correct(terms: Sequence[Term],
            similar: Callable[[Sequence[str]], Mapping[str, Iterable[str]]]
            ) -> tuple[Term, ...]:
    """``terms`` with each unknown word's alternatives extended by the index's terms within
    :func:`max_edits` of it; ``similar`` gives an index's candidates for the words (a
    trigram or prefix look-up that may return more than is close)."""
    unknown = [t.unknown for t in terms if t.unknown]
    if not unknown:
        return tuple(terms)
    found = similar(unknown)
    def extended(t: Term, word: str) -> Term:
        limit = max_edits(word)
        close = sorted(c for c in found.get(word, ())
                       if c != word and edit_distance(word, c, limit) <= limit)
        return attrs.evolve(t, alternatives=tuple(dict.fromkeys(t.alternatives + tuple(close))))
    return tuple(extended(t, t.unknown) if t.unknown else t for t in terms)


def _known(vocabulary: Vocabulary, alternatives: Sequence[str], prefix: bool) -> bool:
    if prefix:
        return any(vocabulary.has_prefix(a) for a in alternatives)
    return any(a in vocabulary for a in alternatives)


def highlight(text: str, terms: Sequence[Term], mark: tuple[str, str] = ("<em>", "</em>")
              ) -> str | None:
    """``text`` with every word that a term matches wrapped in ``mark``; None when no word
    matches (the field did not contribute to the hit)."""
    pieces: list[str] = []
    hit = False
    last = 0
    for match in _WORD.finditer(text):
        term = _term_of(match.group())
        if any(_matches(term, t) for t in terms):
            hit = True
            pieces += [text[last:match.start()], mark[0], match.group(), mark[1]]
            last = match.end()
    if not hit:
        return None
    return "".join(pieces) + text[last:]


@functools.lru_cache(maxsize=65536)
def _term_of(word: str) -> str:
    """A word as the index stores it (shop text repeats its words: highlight each once)."""
    return stem(fold(word))


def _matches(term: str, t: Term) -> bool:
    return any(term == a or (t.prefix and term.startswith(a)) for a in t.alternatives)
