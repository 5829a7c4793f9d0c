"""Audit findings as text, JSON or Markdown. Renderers only lay out what the
audit found; they compute nothing."""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict
from typing import Any

from derive.audit.findings import OUTCOMES, SEVERITIES, Finding, Quote

FORMATS = ("text", "json", "md")


def render(findings: list[Finding], fmt: str = "text") -> str:
    if fmt == "json":
        return to_json(findings)
    if fmt == "md":
        return to_markdown(findings)
    return to_text(findings)


def summary(findings: list[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = [(sum(f.severity == s for f in findings), s) for s in SEVERITIES]
    words = {"error": "error", "warning": "warning", "info": "note"}
    parts = [f"{n} {words[s]}{'' if n == 1 else 's'}" for n, s in counts if n]
    total = len(findings)
    return f"{total} finding{'' if total == 1 else 's'}: " + ", ".join(parts)


def attribution_summary(findings: list[Finding]) -> str | None:
    """'attributions: 32 claims checked: 4 supported, 0 contradicted, ...', or None."""
    checked = [f for f in findings if f.kind == "attribution"]
    if not checked:
        return None
    counts = ", ".join(f"{sum(f.outcome == o for f in checked)} {o}" for o in OUTCOMES)
    total = len(checked)
    return f"attributions: {total} checked: {counts}"


def _quote_line(quote: Quote) -> str:
    where = quote.source.name + (f", {quote.part}" if quote.part else "")
    role = {"claim": "stated", "cited": "cited source", "other": "other source"}[quote.role]
    return f"{role} ({where}): “{quote.text}”"


def to_text(findings: list[Finding]) -> str:
    lines = [f"audit: {summary(findings)}"]
    attributions = attribution_summary(findings)
    if attributions:
        lines.append(attributions)
    for finding in findings:
        lines.append("")
        kind = finding.kind + (f": {finding.outcome}" if finding.outcome else "")
        lines.append(f"{finding.severity.upper():8}{finding.id}  [{kind}]")
        lines.extend(textwrap.wrap(finding.message, width=88, initial_indent="  ",
                                   subsequent_indent="  "))
        for quote in finding.quotes:
            lines.extend(textwrap.wrap(_quote_line(quote), width=88, initial_indent="  ",
                                       subsequent_indent="    "))
        if finding.claims:
            lines.append("  claims: " + ", ".join(ref.name for ref in finding.claims))
        if finding.sources:
            lines.append("  sources: " + "; ".join(ref.name for ref in finding.sources))
    return "\n".join(lines) + "\n"


def _as_dict(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["disputes"] = list(finding.disputes)
    return data


def to_json(findings: list[Finding]) -> str:
    return json.dumps({"findings": [_as_dict(f) for f in findings]}, indent=2,
                      ensure_ascii=False) + "\n"


def to_markdown(findings: list[Finding]) -> str:
    lines = ["# Audit", "", summary(findings).capitalize() + "."]
    attributions = attribution_summary(findings)
    if attributions:
        lines += ["", attributions.capitalize() + "."]
    if findings:
        lines += ["", "| severity | finding | kind |", "|---|---|---|"]
        lines += [f"| {f.severity} | [{f.id}](#{f.id}) | {f.kind}"
                  f"{': ' + f.outcome if f.outcome else ''} |" for f in findings]
    for finding in findings:
        kind = finding.kind + (f": {finding.outcome}" if finding.outcome else "")
        lines += ["", f"## {finding.id}", "", f"**{finding.severity}** ({kind})", "",
                  finding.message]
        for quote in finding.quotes:
            lines += ["", "> " + _quote_line(quote)]
        if finding.claims:
            lines += ["", "Claims: " + ", ".join(f"`{ref.name}`" for ref in finding.claims)]
        if finding.sources:
            lines += ["", "Sources: " + "; ".join(ref.name for ref in finding.sources)]
    return "\n".join(lines) + "\n"
