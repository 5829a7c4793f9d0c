"""Write-back for front ends: every estimate under every scenario, written as
PROV-O to ``derived/estimates.ttl``. Apart from ``estimates`` because writing
RDF needs rdflib, which a warm estimate does without."""

from __future__ import annotations

from pathlib import Path

from derive.api.checked import load_checked
from derive.engine import provenance
from derive.engine.outcomes import Outcome, all_estimates
from derive.kb.cache import write_output
from derive.kb.locate import KnowledgeBase


def build(kb: KnowledgeBase) -> tuple[Path, list[Outcome]]:
    """Compute everything and write ``derived/estimates.ttl`` atomically; the
    path and the outcomes. Nothing under facts/ changes."""
    compiled = load_checked(kb)
    done = all_estimates(compiled)
    text = provenance.build(done, compiled.model)
    target = kb.derived_dir / "estimates.ttl"
    write_output(target, text.encode("utf-8"))
    return target, done
