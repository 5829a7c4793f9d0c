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

from derive.audit import attribution_report as report
from derive.audit import attribution_search as search
from derive.audit.attribution_search import Passage
from derive.audit.context import AuditContext
from derive.audit.findings import Finding
from derive.kb.model import Claim, SourceText


def check(context: AuditContext) -> list[Finding]:
    """Claims quoted from a table (a dataset source, e.g. imported by ``derive
    import``) are left out: the reference a row cites is the table maker's, not
    read here, and would only add one "unverified" note per imported cell."""
    findings = []
    for claim in sorted(context.model.claims.values(), key=lambda c: c.name):
        if _from_table(context, claim):
            continue
        for cited in claim.cites:
            if cited != claim.stated_in:
                findings.append(classify(context, claim, cited))
    return findings


def _from_table(context: AuditContext, claim: Claim) -> bool:
    source = context.model.sources.get(claim.stated_in or "")
    return source is not None and source.kind == "Dataset"


def classify(context: AuditContext, claim: Claim, cited: str) -> Finding:
    """The attribution finding for ``claim`` citing ``cited``."""
    texts = context.model.texts_of(cited)
    linked = [context.model.claims[e] for e in claim.evidence if e in context.model.claims]
    from_cited = [e for e in linked if e.stated_in == cited]
    if from_cited:
        return _from_evidence(context, claim, cited, from_cited[0])
    if not claim.quantitative or claim.value is None or not claim.metric:
        return _statement(context, claim, cited, texts, linked)
    own = (search.passages(context, claim, texts)
           + search.quoted(context, claim, [cited], strict=True))
    own.sort(key=lambda p: p.claim is not None)  # the source's words before claims quoted from it
    agreeing = [p for p in own if p.agrees]
    if agreeing:
        return report.matched(context, claim, cited, "supported", agreeing[0], None)
    disagreeing = [p for p in own if p.names_subject]
    if disagreeing:
        return report.matched(context, claim, cited, "contradicted", disagreeing[0], None)
    best = _elsewhere(context, claim, cited)
    nearest = min(own, key=lambda p: abs(p.value - (claim.value or 0.0))) if own else None
    if best is not None and texts:
        return report.elsewhere(context, claim, cited, texts, best, nearest)
    # without a text of the cited source, nothing says it lacks the figure
    return report.unverified(context, claim, cited, texts, nearest, also=best)


def _elsewhere(context: AuditContext, claim: Claim, cited: str) -> Passage | None:
    """The best passage of another source stating the figure (or one within
    10% of it): a source's own words before a claim quoted from it (a quoted
    "every year" reads as 1 year give or take half a year, the words as 12 months)."""
    leave_out = {cited, claim.stated_in}
    found = [p for source in search.text_sources(context) if source not in leave_out
             for p in search.passages(context, claim, context.model.texts_of(source))]
    found += search.quoted(context, claim, set(context.model.sources) - leave_out, strict=False,
                           close_only=True)
    best = sorted((p for p in found if p.agrees or p.near),
                  key=lambda p: (p.claim is not None, not p.agrees, p.source))
    return best[0] if best else None


def _statement(context: AuditContext, claim: Claim, cited: str, texts: list[SourceText],
               linked: list[Claim]) -> Finding:
    """A claim without a figure: only a passage cited as its evidence can back it."""
    other = [e for e in linked if e.stated_in not in (cited, claim.stated_in)]
    passage = None if not other else Passage(
        other[0].stated_in or "", other[0].quote or "", other[0].locator, "", 0.0, True, False,
        claim=other[0].iri)
    if passage is not None and texts:
        return report.elsewhere(context, claim, cited, texts, passage, None)
    return report.unverified(context, claim, cited, texts, None, statement=True, also=passage)


def _from_evidence(context: AuditContext, claim: Claim, cited: str,
                   evidence: Claim) -> Finding:
    """The claim cites a claim quoted from its source as its evidence."""
    held = search.verbatim(context, evidence)
    if claim.quantitative and claim.value is not None and evidence.value is not None:
        passages = search.quoted(context, claim, [cited], strict=False)
        passage = next((p for p in passages if p.claim == evidence.iri), None)
        if passage is not None:
            outcome = "supported" if passage.agrees else "contradicted"
            return report.matched(context, claim, cited, outcome, passage, held)
    passage = Passage(cited, evidence.quote or "", evidence.locator, "", 0.0, True, False,
                      claim=evidence.iri)
    return report.matched(context, claim, cited, "supported", passage, held)
