"""Figures in a source's own words: split a stored text into sentences and
read the figures each states, however the number is written ("nine
months", "9 months", "9-10 months", "every year" for 12 months, "75%",
"65% per year", "4-5x per year" as a growth rate, "two million", "200,000",
"$2\\times10^{22}$"). Each figure keeps the interval it can stand for: a
range as stated, otherwise half a unit of its last digit either side (a word
number such as "nine" counts as its digits)."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

from derive.kb.namespaces import PREFIXES

UNIT = PREFIXES["unit"]
DVU = PREFIXES["dvu"]
MONTHS = UNIT + "MO"
PERCENT = UNIT + "PERCENT"
PERCENT_PER_YEAR = UNIT + "PERCENT-PER-YR"
COUNT = UNIT + "NUM"
FLOPS = UNIT + "FLOPS"
FLOP = DVU + "FLOP"

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_MONTHS_PER = {"day": 12 / 365.25, "week": 12 / 52.1775, "month": 1.0, "year": 12.0}

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCI = r"\d+(?:\.\d+)?\s*(?:\\times|×|x)\s*10\^\{?[-+]?\d+\}?|\d+(?:\.\d+)?e[-+]?\d+"
_WORD = "|".join(sorted(_WORDS, key=len, reverse=True))
_NUM = rf"(?:{_SCI}|{_DIGITS}|(?:{_WORD}))(?:\s+(?:{'|'.join(_SCALES)}))?"
_RANGE = rf"(?P<a>{_NUM})(?:\s*(?:-|–|—|to)\s*(?P<b>{_NUM}))?"
_PER_YEAR = (r"\s*(?:per\s+year|per\s+annum|a\s+year|each\s+year|every\s+year|annually|yearly"
             r"|/\s*yr|/\s*year)")

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("every", re.compile(r"\b(?:every|each)\s+(?P<other>other\s+)?(?P<unit>year|month|week|day)\b",
                         re.I)),
    ("growth-factor", re.compile(rf"(?<![\w.]){_RANGE}\s*(?:x|×|-fold|fold|\s+times)"
                                 rf"(?={_PER_YEAR})", re.I)),
    ("growth-percent", re.compile(rf"(?<![\w.]){_RANGE}\s*(?:%|\s+percent|\s+per\s+cent)"
                                  rf"(?={_PER_YEAR})", re.I)),
    ("percent", re.compile(rf"(?<![\w.]){_RANGE}\s*(?:%|\s+percent\b|\s+per\s+cent\b)", re.I)),
    ("duration", re.compile(rf"(?<![\w.]){_RANGE}\s*-?\s*(?P<unit>year|month|week|day)s?\b",
                            re.I)),
    ("compute", re.compile(rf"(?<![\w.]){_RANGE}\$?\s*(?:16-bit\s+|32-bit\s+|8-bit\s+)?"
                           r"(?P<unit>FLOPs/s|FLOPS/s|FLOP/s|FLOPs?)(?!\w)")),
    # read but not compared: money, power, sizes in B/M, plain factors
    ("other", re.compile(rf"\\?\$\s*{_NUM}\s*(?:[BMK]\b|bn\b)?"
                         rf"|(?<![\w.]){_NUM}(?:\s*(?:-|–|to)\s*{_NUM})?\s*(?:[kMGT]?W|[BMK]|x|×|-fold|fold|\s+times)(?!\w)")),
    # "doubled annually": a period only where the clause speaks of doubling or halving
    ("annual", re.compile(r"(?<![%x×]\s)(?<![%x×])\b(?:annually|yearly)\b", re.I)),
    ("count", re.compile(rf"(?<![\w.$\\@-]){_RANGE}(?![\w%.,]|\s*(?:%|x\b|×|-fold|fold))", re.I)),
)


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence: its value and the interval it stands for, in ``unit``."""

    value: float
    low: float
    high: float
    unit: str  # a QUDT unit IRI: months, percent, percent a year, count, FLOP, FLOP/s
    text: str  # the words as the source prints them


@dataclass(frozen=True)
class Clause:
    """A part of a sentence that says one thing: "X doubled every nine months,
    while Y doubled every year" has two, and each figure belongs to its own.
    Its figures are read when first asked for, and kept: a search reads the
    figures only of the clauses that name a metric (``naming``)."""

    text: str

    @cached_property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(figures(self.text))


@dataclass(frozen=True)
class Sentence:
    text: str
    clauses: tuple[Clause, ...]

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for clause in self.clauses for f in clause.figures)

    @cached_property
    def words(self) -> Words:
        return Words(self.text)


class Words:
    """The words of a text, each also split at its hyphens, lower-cased and
    sorted, so that whether a word starts with a cue is one bisection."""

    def __init__(self, text: str) -> None:
        self._sorted = sorted(word_parts(text))

    def names(self, cue: str) -> bool:
        """Whether every word of ``cue`` starts a word here (case aside)."""
        return all(self._starts(c) for c in cue.lower().split())

    def _starts(self, prefix: str) -> bool:
        # the words that start with ``prefix`` sort together, from the first >= it
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)


def word_parts(text: str) -> set[str]:
    """The words of ``text``, lower-cased, stripped of punctuation, each also
    split at its hyphens ("AI-chip" is "ai-chip", "ai" and "chip")."""
    words = [w.strip(".,;:()“”\"'") for w in text.lower().split()]
    return {p for w in words for p in [w, *w.split("-")]}


_CLAUSE_BREAK = re.compile(r",\s+(?=(?:while|whereas|but|although)\b)|;\s+", re.I)


@lru_cache(maxsize=256)
def sentences(text: str) -> tuple[Sentence, ...]:
    """The sentences of ``text`` with the figures each states (read once per
    text: every attributed claim searches the same few texts)."""
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z$“\"(])", flat)
    return tuple(Sentence(part, tuple(Clause(c) for c in _CLAUSE_BREAK.split(part) if c))
                 for part in parts if part)


def naming(text: str, cues: tuple[str, ...]) -> tuple[tuple[Sentence, Clause], ...]:
    """The clauses of ``text`` that name one of ``cues`` (every word of the cue
    starts a word of the clause, case aside), each with its sentence, in the
    text's order."""
    return _index(text).naming(cues)


class _ClauseIndex:
    """A text's clauses, the clauses each of its words is in, and its words
    sorted, so that the clauses with a word that starts with a cue's word are
    one bisection and the run of words after it: a search costs what it finds, not a pass
    over the text's clauses (14 claims searched 100,000 synthetic sentences
    for their cues after an edit at scale)."""

    def __init__(self, text: str) -> None:
        self.clauses = [(sentence, clause) for sentence in sentences(text)
                        for clause in sentence.clauses]
        self._where: dict[str, list[int]] = {}
        for i, (_, clause) in enumerate(self.clauses):
            for word in word_parts(clause.text):
                self._where.setdefault(word, []).append(i)
        self._words = sorted(self._where)  # a text's distinct words, far fewer than its pairs

    def naming(self, cues: tuple[str, ...]) -> tuple[tuple[Sentence, Clause], ...]:
        found: set[int] = set()
        for cue in cues:
            found |= self._all(cue.lower().split())
        return tuple(self.clauses[i] for i in sorted(found))

    def _all(self, parts: list[str]) -> set[int]:
        """The clauses that have a word starting with each of ``parts``."""
        if not parts:  # an empty cue names every clause, as ``Words.names`` says
            return set(range(len(self.clauses)))
        common: set[int] | None = None
        for part in parts:
            here = self._starting(part)
            common = here if common is None else common & here
            if not common:
                return set()
        return common or set()

    def _starting(self, prefix: str) -> set[int]:
        words = self._words
        i = bisect.bisect_left(words, prefix)
        found: set[int] = set()
        while i < len(words) and words[i].startswith(prefix):
            found.update(self._where[words[i]])
            i += 1
        return found


@lru_cache(maxsize=256)
def _index(text: str) -> _ClauseIndex:
    return _ClauseIndex(text)


def figures(sentence: str) -> list[Figure]:
    """Every figure in ``sentence``, each span read once (the most specific reading wins)."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Figure]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            figure = None if kind == "other" else _read(kind, match)
            if figure is not None:
                found.append((span[0], figure))
    return [figure for _, figure in sorted(found, key=lambda item: item[0])]


def _read(kind: str, match: re.Match[str]) -> Figure | None:
    text = match.group(0).strip()
    if kind == "annual":
        if not re.search(r"\b(?:doubl|halv)", match.string, re.I):
            return None
        return Figure(12.0, 11.5, 12.5, MONTHS, text)
    if kind == "every":
        # "every year" is 12 months, read as a figure printed to the month
        months = _MONTHS_PER[match.group("unit").lower()] * (2 if match.group("other") else 1)
        half = 0.5 * min(1.0, months)
        return Figure(months, months - half, months + half, MONTHS, text)
    low, high, value = _interval(match.group("a"), match.group("b"))
    if low is None or high is None or value is None:
        return None
    if kind == "growth-factor":  # "4-5x per year": the yearly growth is (factor - 1)
        return Figure((value - 1) * 100, (low - 1) * 100, (high - 1) * 100, PERCENT_PER_YEAR,
                      text)
    if kind == "growth-percent":
        return Figure(value, low, high, PERCENT_PER_YEAR, text)
    if kind == "percent":
        return Figure(value, low, high, PERCENT, text)
    if kind == "duration":
        factor = _MONTHS_PER[match.group("unit").lower()]
        return Figure(value * factor, low * factor, high * factor, MONTHS, text)
    if kind == "compute":
        unit = FLOPS if "/s" in match.group("unit") else FLOP
        return Figure(value, low, high, unit, text)
    if _is_year(match.group("a"), match.group("b")):
        return None
    return Figure(value, low, high, COUNT, text)


def _is_year(a: str, b: str | None) -> bool:
    """2019, 2010s and "2019 to 2025" are dates, not counts."""
    return all(re.fullmatch(r"1[89]\d\d|20\d\d", x.strip()) for x in (a, b) if x is not None)


def _interval(a: str, b: str | None) -> tuple[float | None, float | None, float | None]:
    first = _number(a)
    if first is None:
        return None, None, None
    if b is None:
        low, high = rounding_interval(first[0], first[1])
        return low, high, first[0]
    second = _number(b)
    if second is None:
        return None, None, None
    low, high = sorted((first[0], second[0]))
    return low, high, (low + high) / 2


def _number(words: str) -> tuple[float, float] | None:
    """The value of a written number and the size of its last digit."""
    words = words.strip()
    scale = 1.0
    for name, factor in _SCALES.items():
        if words.lower().endswith(name):
            scale = factor
            words = words[: -len(name)].strip()
    sci = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:\\times|×|x)\s*10\^\{?([-+]?\d+)\}?", words)
    if sci:
        mantissa, exponent = sci.group(1), int(sci.group(2))
        power = 10.0**exponent * scale
        return float(mantissa) * power, _unit_digit(mantissa) * power
    if re.fullmatch(r"\d+(?:\.\d+)?e[-+]?\d+", words, re.I):
        mantissa, _, exponent = words.lower().partition("e")
        return float(words) * scale, _unit_digit(mantissa) * 10.0 ** int(exponent) * scale
    if words.lower() in _WORDS:
        return _WORDS[words.lower()] * scale, scale
    digits = words.replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    return value * scale, _unit_digit(digits) * scale


def _unit_digit(digits: str) -> float:
    """The size of the last printed digit: the last decimal, or 1 for a whole
    number (a source's "200,000" is not read as "about 200 thousand")."""
    if "." in digits:
        return float(Decimal(1).scaleb(-len(digits.split(".")[1])))
    return 1.0


def rounding_interval(value: float, digit: float) -> tuple[float, float]:
    if not math.isfinite(value):
        return value, value
    return value - digit / 2, value + digit / 2
