"""Where a source states a claim's figure: the sentences of its stored texts
whose clause names the claim's metric and states a figure of the same
dimension (``derive.audit.passages`` reads them), and the claims quoted from
it on the same or a close metric (``skos:closeMatch``). Used by
``derive.audit.attribution``."""

from __future__ import annotations

from dataclasses import dataclass

from derive.audit.context import AuditContext
from derive.audit.passages import Figure, Words, naming
from derive.kb.model import Claim, SourceText
from derive.kb.numbers import fmt

NEAR = 0.1  # another source's figure within 10% is named as the likely origin


@dataclass(frozen=True)
class Passage:
    """A sentence of a source that states a figure for the claim's metric."""

    source: str
    text: str
    part: str | None
    figure: str  # the figure as printed
    value: float  # in the claim's unit
    agrees: bool
    near: bool
    names_subject: bool = True
    claim: str | None = None  # the claim quoted from the source, when it comes from one


def text_sources(context: AuditContext) -> list[str]:
    return sorted({text.source for text in context.model.texts.values()})


def passages(context: AuditContext, claim: Claim, texts: list[SourceText]
             ) -> list[Passage]:
    cues = tuple(_metric_cues(context, claim))
    subject = _subject_cues(context, claim)
    found = []
    for text in texts:
        # a figure counts where its clause names the metric
        for sentence, clause in naming(text.text, cues):
            for figure in clause.figures:
                passage = _compare(context, claim, text, sentence.text, sentence.words,
                                   figure, subject)
                if passage is not None:
                    found.append(passage)
    return sorted(found, key=lambda p: not p.agrees)


def _compare(context: AuditContext, claim: Claim, text: SourceText, sentence: str,
             words: Words, figure: Figure, subject: list[str]) -> Passage | None:
    if context.same_dimension(figure.unit, claim.unit) is not True:
        return None
    to_base, claim_base = context.factor(figure.unit), context.factor(claim.unit)
    interval = context.base_interval(claim)
    if to_base is None or not claim_base or interval is None or claim.value is None:
        return None
    low, high = figure.low * to_base, figure.high * to_base
    value = figure.value * to_base / claim_base
    shown = f"“{figure.text}”"
    if fmt(value) not in figure.text:
        shown += f" ({context.show(value, claim.unit)})"
    return Passage(
        source=text.source, text=sentence, part=text.part, figure=shown, value=value,
        agrees=_overlap((low, high), interval),
        near=_near(value, claim.value),
        names_subject=any(words.names(cue) for cue in subject),  # no cue: not known
    )


def quoted(context: AuditContext, claim: Claim, sources: list[str] | set[str],
           strict: bool, *, close_only: bool = False) -> list[Passage]:
    """Claims quoted from ``sources`` on the claim's metric (or a close one).
    ``strict``: only those on the same subject and date (the cited source's
    own claims, which can contradict); otherwise any, to name a likely origin.
    ``close_only``: only those that agree or lie within ``NEAR`` (no passage is
    made of the thousands of others a table brings)."""
    family = context.metric_family(claim.metric or "")
    sources = set(sources)
    a, claim_factor = context.base_interval(claim), context.factor(claim.unit)
    if a is None or not claim_factor or claim.value is None:
        return []
    about, date = set(claim.about), _date(claim)
    found = []
    for other in context.claims_on(family):
        if (other is claim or other.stated_in not in sources or other.metric not in family
                or other.value is None
                or context.same_dimension(other.unit, claim.unit) is not True):
            continue
        same = not about.isdisjoint(other.about) and _date(other) == date
        if strict and not same:
            continue
        b, factor = context.base_interval(other), context.factor(other.unit)
        if b is None or factor is None:
            continue
        value = other.value * factor / claim_factor
        agrees, near = _overlap(a, b), _near(value, claim.value)
        if close_only and not (agrees or near):
            continue
        found.append(Passage(
            source=other.stated_in or "", text=other.quote or other.label, part=other.locator,
            figure=context.show(other.value, other.unit), value=value,
            agrees=agrees, near=near, names_subject=same, claim=other.iri,
        ))
    return sorted(found, key=lambda p: (not p.agrees, p.claim or ""))


def _metric_cues(context: AuditContext, claim: Claim) -> list[str]:
    cues = []
    for metric in sorted(context.metric_family(claim.metric or "")):
        info = context.metrics.get(metric)
        cues += list(info.cues) if info else []
    return cues


def _subject_cues(context: AuditContext, claim: Claim) -> list[str]:
    cues: list[str] = []
    for entity in claim.about:
        info = context.entities.get(entity)
        cues += list(info.cues) if info else []
    return cues


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Intervals that share more than an end point (12 months and 13 do not:
    11.5-12.5 and 12.5-13.5), or equal points."""
    low, high = max(a[0], b[0]), min(a[1], b[1])
    return low < high or (a[0] == a[1] == b[0] == b[1])


def _near(value: float, target: float) -> bool:
    scale = max(abs(value), abs(target))
    return scale > 0 and abs(value - target) / scale <= NEAR


def _date(claim: Claim) -> str | None:
    return claim.as_of.lexical if claim.as_of else None


def verbatim(context: AuditContext, evidence: Claim) -> str | None:
    """Where the evidence's quote was checked: the stored part that holds it."""
    if not evidence.quote:
        return None
    wanted = " ".join(evidence.quote.split())
    for text in context.model.texts_of(evidence.stated_in or ""):
        if wanted in " ".join(text.text.split()):
            return text.part
    return None
