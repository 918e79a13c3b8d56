"""Looking up a typed place name in a closed list: exact when sure, suggestions when not."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from types import MappingProxyType
from typing import Final

from flows.parsers.folding import MAX_ANSWER_CHARS, fold

MAX_SUGGESTIONS: Final = 5

# Words that carry no distinction between names and are often left out or added by people:
# "Rep. Dominicana", "Bosnia and Herzegovina", "la Habana", "provincia de Matanzas".
_FILLER: Final = frozenset(
    {"de", "del", "la", "las", "el", "los", "the", "of", "and", "y", "e", "da", "do"}
    | {"rep", "republica", "republic", "provincia", "province"}
)
_SYNONYMS: Final[Mapping[str, str]] = MappingProxyType({"saint": "st", "sta": "santa"})
_TOKEN: Final = re.compile(r"[a-z0-9]+")
_FUZZY_ENOUGH: Final = 0.75  # SequenceMatcher ratio; "venezuala" ~ 0.89, unrelated < 0.5
_PREFIX_SCORE: Final = 0.85  # "venez", "malvinas" (a whole word of "islas malvinas")
_PHRASE_SCORE: Final = 0.95  # a name inside a sentence: "trabajé en Venezuela"
_LONGEST_NAME_WORDS: Final = 4
_SHORTLIST: Final = 8


def name_key(text: str) -> str:
    """The comparable form of a place name: folded, punctuation and filler words removed."""
    words = (_SYNONYMS.get(word, word) for word in _TOKEN.findall(fold(text)))
    return " ".join(word for word in words if word not in _FILLER)


def _trigrams(key: str) -> frozenset[str]:
    padded = f" {key} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


@dataclass(frozen=True)
class Found:
    """The code when the name was recognized for sure, else the likely codes, best first."""

    code: str | None
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class NameIndex:
    """The names and aliases of a closed set of places, prepared for fast lookups."""

    exact: Mapping[str, tuple[str, ...]]  # name key -> codes; several when ambiguous
    keys: tuple[str, ...]
    longest_key: int
    key_trigram_counts: tuple[int, ...]
    trigram_keys: Mapping[str, tuple[int, ...]]  # trigram -> positions in `keys`

    @classmethod
    def build(
        cls, names: Iterable[tuple[str, str]], aliases: Mapping[str, tuple[str, ...]]
    ) -> "NameIndex":
        """Index (code, name) pairs; an alias replaces whatever its key meant before."""
        exact: dict[str, tuple[str, ...]] = {}
        for code, name in names:
            key = name_key(name)
            if key and code not in exact.get(key, ()):
                exact[key] = (*exact.get(key, ()), code)
        for alias, codes in aliases.items():
            exact[name_key(alias)] = codes
        keys = tuple(exact)
        trigram_lists: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            for trigram in _trigrams(key):
                trigram_lists.setdefault(trigram, []).append(position)
        return cls(
            exact=MappingProxyType(exact),
            keys=keys,
            longest_key=max(map(len, keys), default=0),
            key_trigram_counts=tuple(len(_trigrams(key)) for key in keys),
            trigram_keys=MappingProxyType({t: tuple(p) for t, p in trigram_lists.items()}),
        )

    def find(self, text: str) -> Found:
        """Look `text` up: its code if it names one place, else up to five likely codes."""
        if len(text) > MAX_ANSWER_CHARS:
            return Found(None, ())
        query = name_key(text)
        if not query:
            return Found(None, ())
        codes = self.exact.get(query)
        if codes is not None:
            return Found(codes[0], ()) if len(codes) == 1 else Found(None, codes[:MAX_SUGGESTIONS])
        scores: dict[str, float] = {}
        self._score_phrases(query, scores)
        # An answer longer than any name is a sentence: only the names inside it count.
        if len(query) <= self.longest_key:
            self._score_similar(query, scores)
        ranked = sorted(scores, key=lambda code: -scores[code])  # stable: index order on ties
        return Found(None, tuple(ranked[:MAX_SUGGESTIONS]))

    def _score_phrases(self, query: str, scores: dict[str, float]) -> None:
        """Names that appear word for word inside a longer answer."""
        words = query.split()
        for size in range(min(_LONGEST_NAME_WORDS, len(words)), 0, -1):
            for first in range(len(words) - size + 1):
                phrase = " ".join(words[first : first + size])
                if len(phrase) >= 4:
                    _offer(scores, self.exact.get(phrase, ()), _PHRASE_SCORE)

    def _score_similar(self, query: str, scores: dict[str, float]) -> None:
        """Names that begin like the answer, or are spelled almost like it."""
        query_trigrams = _trigrams(query)
        shared: dict[int, int] = {}
        for trigram in query_trigrams:
            for position in self.trigram_keys.get(trigram, ()):
                shared[position] = shared.get(position, 0) + 1
        dice = {
            position: 2 * count / (len(query_trigrams) + self.key_trigram_counts[position])
            for position, count in shared.items()
        }
        if len(query) >= 3:
            for position in shared:
                key = self.keys[position]
                if key.startswith(query) or f" {query}" in f" {key}":
                    _offer(scores, self.exact[key], _PREFIX_SCORE)
        # Only the likeliest few get the costlier edit-distance comparison.
        matcher = SequenceMatcher(None, b="")
        matcher.set_seq2(query)
        for position in sorted(dice, key=lambda p: -dice[p])[:_SHORTLIST]:
            key = self.keys[position]
            matcher.set_seq1(key)
            # The quick ratios are upper bounds of `ratio()` and far cheaper.
            if matcher.real_quick_ratio() < _FUZZY_ENOUGH or matcher.quick_ratio() < _FUZZY_ENOUGH:
                continue
            ratio = matcher.ratio()
            if ratio >= _FUZZY_ENOUGH:
                _offer(scores, self.exact[key], ratio)


def _offer(scores: dict[str, float], codes: Iterable[str], score: float) -> None:
    for code in codes:
        if score > scores.get(code, 0.0):
            scores[code] = score
