"""Does the cited source say it? Every claim attributed to a reference
(``cito:citesAsEvidence``) is checked against that source's own words and
comes out in one of four classes:

- *supported*: the cited source's stored text gives the figure for a
  matching metric (or a claim quoted from it, cited as evidence, does);
- *contradicted*: it gives a different figure for the same metric and subject;
- *elsewhere*: it does not give it, but another source in the graph does (a
  likely mis-citation, and that source is named);
- *unverified*: no text of it is held, or the part held does not give the
  figure and no other source does; the reason is said.

A figure is looked for sentence by sentence (``derive.audit.passages``): a
figure counts for a claim when its clause names the claim's metric (a
``skos:hiddenLabel`` of it or of a ``skos:closeMatch``; "X doubled every nine
months, while Y doubled every year" has two clauses) and is of the same
dimension; a different figure contradicts only when the sentence also names
the claim's subject. The passage quoted is the whole sentence."""

from __future__ import annotations

from dataclasses import dataclass

from derive.audit.context import AuditContext
from derive.audit.findings import Finding, Quote, Ref
from derive.audit.passages import Figure, sentences
from derive.kb import citations
from derive.kb.model import Claim, Source, SourceText
from derive.kb.namespaces import local_name, short
from derive.kb.numbers import fmt

SEVERITY = {"supported": "info", "contradicted": "error", "elsewhere": "warning",
            "unverified": "info"}
NEAR = 0.1  # another source's figure within 10% is named as the likely origin
_REASONS = {
    "Paywalled": "it is behind a paywall",
    "LicenceForbids": "its licence does not allow keeping a copy",
    "LicenceNotEstablished": "no licence allowing a copy was established",
    "NotFound": "no copy of its text was found",
    "NotRead": "it was not read",
}


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


def check(context: AuditContext) -> list[Finding]:
    findings = []
    for claim in sorted(context.model.claims.values(), key=lambda c: c.name):
        for cited in claim.cites:
            if cited != claim.stated_in:
                findings.append(classify(context, claim, cited))
    return findings


def classify(context: AuditContext, claim: Claim, cited: str) -> Finding:
    """The attribution finding for ``claim`` citing ``cited``."""
    texts = context.model.texts_of(cited)
    linked = [context.model.claims[e] for e in claim.evidence if e in context.model.claims]
    from_cited = [e for e in linked if e.stated_in == cited]
    if from_cited:
        return _from_evidence(context, claim, cited, from_cited[0])
    if not claim.quantitative or claim.value is None or not claim.metric:
        other = [e for e in linked if e.stated_in not in (cited, claim.stated_in)]
        passage = None if not other else Passage(
            other[0].stated_in or "", other[0].quote or "", other[0].locator, "", 0.0, True,
            False, claim=other[0].iri)
        if passage is not None and texts:
            return _elsewhere(context, claim, cited, texts, passage, None)
        return _unverified(context, claim, cited, texts, None, statement=True, also=passage)
    own = _passages(context, claim, texts) + _quoted(context, claim, [cited], strict=True)
    own.sort(key=lambda p: p.claim is not None)
    agreeing = [p for p in own if p.agrees]
    if agreeing:
        return _finding(context, claim, cited, "supported", agreeing[0], None)
    disagreeing = [p for p in own if p.names_subject]
    if disagreeing:
        return _finding(context, claim, cited, "contradicted", disagreeing[0], None)
    others = [source for source in _text_sources(context) if source not in (cited, claim.stated_in)]
    elsewhere = [p for source in others
                 for p in _passages(context, claim, context.model.texts_of(source))]
    elsewhere += _quoted(context, claim, set(context.model.sources) - {cited, claim.stated_in},
                         strict=False)
    # a source's own words before a claim quoted from it: a quoted "every year"
    # reads as 1 year give or take half a year, the words as 12 months
    best = sorted((p for p in elsewhere if p.agrees or p.near),
                  key=lambda p: (p.claim is not None, not p.agrees, p.source))
    nearest = min(own, key=lambda p: abs(p.value - (claim.value or 0.0))) if own else None
    if best and texts:
        return _elsewhere(context, claim, cited, texts, best[0], nearest)
    # without a text of the cited source, nothing says it lacks the figure
    return _unverified(context, claim, cited, texts, nearest, also=best[0] if best else None)


# -- finding the figure ------------------------------------------------------

def _text_sources(context: AuditContext) -> list[str]:
    return sorted({text.source for text in context.model.texts.values()})


def _passages(context: AuditContext, claim: Claim, texts: list[SourceText]) -> list[Passage]:
    cues = _metric_cues(context, claim)
    subject = _subject_cues(context, claim)
    found = []
    for text in texts:
        for sentence in sentences(text.text):
            for clause in sentence.clauses:  # a figure counts where its clause names the metric
                if not any(_names(clause.text, cue) for cue in cues):
                    continue
                for figure in clause.figures:
                    passage = _compare(context, claim, text, sentence.text, figure, subject)
                    if passage is not None:
                        found.append(passage)
    return sorted(found, key=lambda p: not p.agrees)


def _compare(context: AuditContext, claim: Claim, text: SourceText, sentence: str,
             figure: Figure, subject: list[str]) -> Passage | None:
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
        names_subject=not subject or any(_names(sentence, cue) for cue in subject),
    )


def _quoted(context: AuditContext, claim: Claim, sources: list[str] | set[str],
            strict: bool) -> list[Passage]:
    """Claims quoted from ``sources`` on the claim's metric (or a close one).
    ``strict``: only those on the same subject and date (the cited source's
    own claims, which can contradict); otherwise any, to name a likely origin."""
    family = context.metric_family(claim.metric or "")
    sources = set(sources)
    found = []
    for other in context.model.claims.values():
        if (other is claim or other.stated_in not in sources or other.metric not in family
                or other.value is None
                or context.same_dimension(other.unit, claim.unit) is not True):
            continue
        same = bool(set(other.about) & set(claim.about)) and _date(other) == _date(claim)
        if strict and not same:
            continue
        a, b = context.base_interval(claim), context.base_interval(other)
        factor, claim_factor = context.factor(other.unit), context.factor(claim.unit)
        if a is None or b is None or factor is None or not claim_factor or claim.value is None:
            continue
        value = other.value * factor / claim_factor
        found.append(Passage(
            source=other.stated_in or "", text=other.quote or other.label, part=other.locator,
            figure=context.show(other.value, other.unit), value=value,
            agrees=_overlap(a, b), near=_near(value, claim.value), names_subject=same,
            claim=other.iri,
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


def _names(sentence: str, cue: str) -> bool:
    """Whether every word of ``cue`` starts a word of ``sentence`` (case aside)."""
    words = [w.strip(".,;:()“”\"'") for w in sentence.lower().split()]
    parts = {p for w in words for p in [w, *w.split("-")]}
    return all(any(word.startswith(c) for word in parts) for c in cue.lower().split())


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


# -- findings ----------------------------------------------------------------

def _from_evidence(context: AuditContext, claim: Claim, cited: str, evidence: Claim) -> Finding:
    """The claim cites a claim quoted from its source as its evidence."""
    held = _verbatim(context, evidence)
    if claim.quantitative and claim.value is not None and evidence.value is not None:
        passages = _quoted(context, claim, [cited], strict=False)
        passage = next((p for p in passages if p.claim == evidence.iri), None)
        if passage is not None:
            outcome = "supported" if passage.agrees else "contradicted"
            return _finding(context, claim, cited, outcome, passage, held)
    passage = Passage(cited, evidence.quote or "", evidence.locator, "", 0.0, True, False,
                      claim=evidence.iri)
    return _finding(context, claim, cited, "supported", passage, held)


def _verbatim(context: AuditContext, evidence: Claim) -> str | None:
    """Where the evidence's quote was checked: the stored part that holds it."""
    if not evidence.quote:
        return None
    wanted = " ".join(evidence.quote.split())
    for text in context.model.texts_of(evidence.stated_in or ""):
        if wanted in " ".join(text.text.split()):
            return text.part
    return None


def _finding(context: AuditContext, claim: Claim, cited: str, outcome: str, passage: Passage,
             checked_in: str | None) -> Finding:
    name = _name(context, cited)
    lead = _lead(context, claim, cited)
    where = _where(context, cited, passage)
    if outcome == "supported":
        says = "says so" if not passage.figure else f"gives {passage.figure}"
        message = f"{lead}, and {name} {says}{where}"
        if passage.claim and checked_in:
            message += f", in a passage checked verbatim against the stored {checked_in}"
        message += "."
    else:
        assert claim.value is not None
        ratio = claim.value / passage.value if passage.value else float("inf")
        message = (f"{lead}, but {name} gives {passage.figure} for the same metric and subject"
                   f"{where}. The attributed figure is {fmt(ratio)} times what the source says.")
    numbers = {"attributed": claim.value} if claim.value is not None else {}
    if passage.figure and claim.value is not None:
        numbers["source"] = passage.value
    return _make(context, claim, cited, outcome, message, [passage], numbers)


def _elsewhere(context: AuditContext, claim: Claim, cited: str, texts: list[SourceText],
               passage: Passage, nearest: Passage | None) -> Finding:
    name, other = _name(context, cited), _name(context, passage.source)
    held = _held(texts)
    lacks = (f"{name}'s stored {held} does not give it" if texts
             else f"no text of {name} is held ({_no_text(context, cited)})")
    if nearest is not None:
        lacks += f" (it gives {nearest.figure} for another subject or period)"
    how = "states it" if not passage.figure else f"gives {passage.figure}" if passage.agrees else (
        f"gives {passage.figure}, within {round(NEAR * 100)}% of it,")
    message = (f"{_lead(context, claim, cited)}, but {lacks}, while {other} {how}"
               f"{_where(context, passage.source, passage)}. A likely mis-citation: the "
               f"figure reads like {other}'s.")
    numbers = {"attributed": claim.value} if claim.value is not None else {}
    if passage.figure and claim.value is not None:
        numbers["elsewhere"] = passage.value
    used = [nearest] if nearest is not None else []
    return _make(context, claim, cited, "elsewhere", message, [*used, passage], numbers,
                 other=passage.source)


def _unverified(context: AuditContext, claim: Claim, cited: str, texts: list[SourceText],
                nearest: Passage | None, statement: bool = False,
                also: Passage | None = None) -> Finding:
    name = _name(context, cited)
    if not texts:
        reason = f"no text of {name} is held: {_no_text(context, cited)}"
        if also is not None:
            other = _name(context, also.source)
            says = f"gives {also.figure}" if also.figure else "says so"
            reason += (f". {other} {says}{_where(context, also.source, also)}, which may be "
                       "where the figure comes from")
    elif statement:
        reason = (f"it states no figure, and no passage of {name} is cited for it; cite the "
                  f"claim quoted from {name} that it rests on (cito:citesAsEvidence) to check it")
    else:
        reason = (f"{name}'s stored {_held(texts)} does not give this figure, and no other "
                  "source in the knowledge base does; the rest of the source was not read")
        if nearest is not None:
            reason += (f". The nearest passage on the metric gives {nearest.figure}, for another "
                       "subject or period")
    message = f"{_lead(context, claim, cited)}, which cannot be checked: {reason}."
    numbers = {"attributed": claim.value} if claim.value is not None else {}
    shown = [p for p in (nearest, also if not texts else None) if p is not None]
    return _make(context, claim, cited, "unverified", message, shown, numbers,
                 other=also.source if also is not None and not texts else None)


def _make(context: AuditContext, claim: Claim, cited: str, outcome: str, message: str,
          passages: list[Passage], numbers: dict[str, float], other: str | None = None
          ) -> Finding:
    quotes = []
    if claim.quote and claim.stated_in:
        quotes.append(Quote("claim", _ref(context, claim.stated_in), claim.quote))
    for passage in passages:
        role = "cited" if passage.source == cited else "other"
        quotes.append(Quote(role, _ref(context, passage.source), passage.text, passage.part))
    sources = [s for s in (claim.stated_in, cited, other) if s]
    used = [claim.iri, *(p.claim for p in passages if p.claim)]
    return Finding(
        id=f"attribution-{claim.name}-{local_name(cited)}",
        severity=SEVERITY[outcome], kind="attribution", message=message,
        claims=tuple(Ref(iri, short(iri)) for iri in dict.fromkeys(used)),
        sources=tuple(_ref(context, s) for s in dict.fromkeys(sources)),
        numbers=numbers,
        disputes=(claim.iri,) if outcome in ("contradicted", "elsewhere") else (),
        outcome=outcome, cited=cited, quotes=tuple(quotes),
    )


def _lead(context: AuditContext, claim: Claim, cited: str) -> str:
    what = (_figure(context, claim) + f" for “{claim.label}”"
            if claim.value is not None else f"“{claim.label}”")
    label = f" {claim.citation_label}" if claim.citation_label else ""
    return f"{context.stated_by(claim)} attributes {what} to {_name(context, cited)}{label}"


def _figure(context: AuditContext, claim: Claim) -> str:
    """The claim's figure as stated: its range when it gives one ("9–10 mo")."""
    if claim.has_bounds:
        high = context.show(claim.high, claim.unit)
        number = fmt(claim.high)
        return f"{fmt(claim.low)}–{high}" if high.startswith(number) else high
    return context.show(claim.value, claim.unit)


def _where(context: AuditContext, source_iri: str, passage: Passage) -> str:
    if passage.claim and not passage.part:
        return f" (claim {short(passage.claim)})"
    part = f" in its {passage.part}" if passage.part else ""
    text = next((t for t in context.model.texts_of(source_iri) if t.part == passage.part), None)
    if text is not None and text.read_on:
        via = "a stored copy of " if text.read_via == "StoredCopy" else ""
        part += f" (read from {via}{text.read_from} on {text.read_on})" if text.read_from else ""
    return part


def _held(texts: list[SourceText]) -> str:
    parts = sorted({t.part for t in texts})
    return " and ".join(parts) if len(parts) > 1 else parts[0]


def _no_text(context: AuditContext, cited: str) -> str:
    source = context.model.sources.get(cited)
    if source is None or source.no_text_reason is None:
        return ("none is recorded as missing either; store its text (a dv:SourceText) or say "
                "why not (dv:noTextReason)")
    reason = _REASONS.get(source.no_text_reason, context.label(source.no_text_reason))
    return reason + (f" ({source.no_text_note})" if source.no_text_note else "")


def _name(context: AuditContext, iri: str) -> str:
    source: Source | None = context.model.sources.get(iri)
    return citations.short(source) if source else short(iri)


def _ref(context: AuditContext, iri: str) -> Ref:
    return Ref(iri, _name(context, iri))
