"""The words of an attribution finding: what the claim attributes to whom,
what the cited source (or another) says, where and when its text was read,
and why a claim cannot be checked; with both passages and both sources."""

from __future__ import annotations

from derive.audit.attribution_search import NEAR, Passage
from derive.audit.context import AuditContext
from derive.audit.findings import Finding, Quote, Ref
from derive.kb import citations
from derive.kb.model import Claim, Source, SourceText
from derive.kb.namespaces import local_name, short
from derive.kb.numbers import fmt

SEVERITY = {"supported": "info", "contradicted": "error", "elsewhere": "warning",
            "unverified": "info"}
_REASONS = {
    "Paywalled": "it is behind a paywall",
    "LicenceForbids": "its licence does not allow keeping a copy",
    "LicenceNotEstablished": "no licence allowing a copy was established",
    "NotFound": "no copy of its text was found",
    "NotRead": "it was not read",
}


def matched(context: AuditContext, claim: Claim, cited: str, outcome: str, passage: Passage,
            checked_in: str | None) -> Finding:
    """*supported* or *contradicted* by ``passage`` of the cited source itself;
    ``checked_in``: the stored part a quoted claim's words were found in."""
    name = source_name(context, cited)
    lead = _lead(context, claim, cited)
    where = where_read(context, cited, passage)
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


def elsewhere(context: AuditContext, claim: Claim, cited: str, texts: list[SourceText],
              passage: Passage, nearest: Passage | None) -> Finding:
    """*elsewhere*: the cited source's stored ``texts`` lack the figure, ``passage``
    of another source states it; ``nearest``: the cited source's closest figure."""
    name, other = source_name(context, cited), source_name(context, passage.source)
    lacks = f"{name}'s stored {_held(texts)} does not give it"
    if nearest is not None:
        lacks += f" (it gives {nearest.figure} for another subject or period)"
    how = "states it" if not passage.figure else f"gives {passage.figure}" if passage.agrees else (
        f"gives {passage.figure}, within {round(NEAR * 100)}% of it,")
    message = (f"{_lead(context, claim, cited)}, but {lacks}, while {other} {how}"
               f"{where_read(context, passage.source, passage)}. A likely mis-citation: the "
               f"figure reads like {other}'s.")
    numbers = {"attributed": claim.value} if claim.value is not None else {}
    if passage.figure and claim.value is not None:
        numbers["elsewhere"] = passage.value
    used = [nearest] if nearest is not None else []
    return _make(context, claim, cited, "elsewhere", message, [*used, passage], numbers,
                 other=passage.source)


def unverified(context: AuditContext, claim: Claim, cited: str, texts: list[SourceText],
               nearest: Passage | None, statement: bool = False,
               also: Passage | None = None) -> Finding:
    """*unverified*, with the reason; ``also``: another source's passage that may be
    the figure's origin (named only when no text of the cited source is held)."""
    name = source_name(context, cited)
    if not texts:
        reason = f"no text of {name} is held: {_no_text(context, cited)}"
        if also is not None:
            other = source_name(context, also.source)
            says = f"gives {also.figure}" if also.figure else "says so"
            reason += (f". {other} {says}{where_read(context, also.source, also)}, which may be "
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
    return f"{context.stated_by(claim)} attributes {what} to {source_name(context, cited)}{label}"


def _figure(context: AuditContext, claim: Claim) -> str:
    """The claim's figure as stated: its range when it gives one ("9–10 mo")."""
    if claim.has_bounds:
        high = context.show(claim.high, claim.unit)
        number = fmt(claim.high)
        return f"{fmt(claim.low)}–{high}" if high.startswith(number) else high
    return context.show(claim.value, claim.unit)


def where_read(context: AuditContext, source_iri: str, passage: Passage) -> str:
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


def source_name(context: AuditContext, iri: str) -> str:
    source: Source | None = context.model.sources.get(iri)
    return citations.short(source) if source else short(iri)


def _ref(context: AuditContext, iri: str) -> Ref:
    return Ref(iri, source_name(context, iri))
