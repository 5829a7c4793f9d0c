"""derive sheet: fact sheets for a small inline knowledge base and for the
shipped one; golden Markdown, escaping, links that resolve, template
overrides, and the pages rendered in headless Chromium when it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import Result
from conftest import PROJECT, KBBuilder

from derive.api.sheets import build
from derive.kb import KnowledgeBase
from derive.render.sheets.chart import render
from derive.render.sheets.projection import Point, Projection
from derive.render.sheets.words import headline

GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_SHEETS = ("estimate-frontier-training-compute-2027", "entity-huawei",
                 "source-sevilla-2022", "index")
CHROMIUM = Path("/usr/bin/chromium")

FACTS = """\
ent:acme a dv:Company ; rdfs:label "Acme"@en .

src:essay a bibo:Document ; dcterms:title "The essay" ; dcterms:creator "Ada Lovelace" ;
    dcterms:issued "2025"^^xsd:gYear .
src:report a bibo:Report ; dcterms:title "The report" ; dcterms:creator "B. Babbage" ;
    dcterms:issued "2024"^^xsd:gYear ;
    bibo:uri "https://example.org/report"^^xsd:anyURI ;
    dv:citationLabel "[1]" .

claim:acme-compute a dv:QuantitativeClaim ;
    rdfs:label "Acme's training compute"@en ;
    dv:about ent:acme ;
    dv:metric metric:training-compute ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 1.0E24 ; qudt:hasUnit dvu:FLOP ] ;
    dv:asOf "2025"^^xsd:gYear ;
    dv:statedAs dv:Premise ;
    prov:wasQuotedFrom src:essay ;
    cito:citesAsEvidence src:report ;
    dv:citationLabel "[1]" ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "QUOTE" ] ] .

claim:acme-doubling a dv:QuantitativeClaim ;
    rdfs:label "Acme's doubling time"@en ;
    dv:about ent:acme ;
    dv:metric metric:training-compute-doubling-time ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 6.0E0 ;
                  schema:minValue 4.0E0 ; schema:maxValue 8.0E0 ; qudt:hasUnit unit:MO ] ;
    dv:asOf "2025"^^xsd:gYear ;
    prov:wasQuotedFrom src:essay .

est:acme-2030 a dv:Estimate ;
    rdfs:label "Acme's training compute in 2030"@en ;
    dv:method dv:DoublingProjection ;
    dv:input [ dv:role "base" ; dv:from claim:acme-compute ] ,
             [ dv:role "doublingTime" ; dv:from claim:acme-doubling ] ;
    dv:targetDate "2030"^^xsd:gYear ;
    dv:unit dvu:FLOP .
"""

SCRIPT = "<script>alert(1)</script>"


def small_kb(make_kb: KBBuilder, quote: str = "Acme trained a model with 1e24 FLOP.") -> KBBuilder:
    make_kb.write("facts.ttl", FACTS.replace("QUOTE", quote.replace('"', '\\"')))
    return make_kb


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.external: list[tuple[str, str]] = []  # (tag, src) of anything loaded

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag in ("script", "img", "link", "iframe") or (tag == "image"):
            self.external.append((tag, values.get("src") or values.get("href") or ""))


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(folder: Path) -> list[str]:
    """Every internal href (file and #anchor) that does not resolve."""
    parsed = {p.name: parse(p) for p in folder.glob("*.html")}
    broken = []
    for name, page in parsed.items():
        for href in page.hrefs:
            if re.match(r"^[a-z]+:", href):
                continue
            target, _, anchor = href.partition("#")
            target = target or name
            if target not in parsed:
                broken.append(f"{name}: {href}")
            elif anchor and anchor not in parsed[target].ids:
                broken.append(f"{name}: {href} (no such anchor)")
    return broken


# -- a small inline knowledge base ---------------------------------------------------

def test_small_kb_html(make_kb: KBBuilder, invoke: Callable[..., Result], tmp_path: Path) -> None:
    kb = small_kb(make_kb)
    out = tmp_path / "site"
    ok(invoke("sheet", "--all", "--out", str(out), "--format", "html", kb=kb))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["entity-acme.html", "estimate-acme-2030.html", "index.html",
                     "source-essay.html", "source-report.html"]
    page = (out / "estimate-acme-2030.html").read_text()
    assert "<svg" in page and "log scale" in page  # 1e24 doubling every 6 months for 5 years
    assert "90% interval" in page
    assert "Acme trained a model with 1e24 FLOP." in page
    assert "Lovelace 2025" in page and "Babbage 2024" in page
    assert '<a href="https://example.org/report"' in page
    assert '<meta name="viewport"' in page and "@media print" in page
    assert broken_links(out) == []
    entity = (out / "entity-acme.html").read_text()
    assert "training compute" in entity and "Acme&#39;s doubling time" in entity
    source = (out / "source-report.html").read_text()
    assert "Cited as [1]" in source and "Acme&#39;s training compute" in source


def test_small_kb_md(make_kb: KBBuilder, tmp_path: Path) -> None:
    kb = small_kb(make_kb)
    out = tmp_path / "md"
    written = build(KnowledgeBase(kb.root), out, "md", ["acme-2030", "acme", "report"])
    assert {p.name for p in written} == {
        "estimate-acme-2030.md", "estimate-acme-2030--none.svg", "entity-acme.md",
        "source-report.md"}
    page = (out / "estimate-acme-2030.md").read_text()
    assert "](estimate-acme-2030--none.svg)" in page
    assert "[Acme](entity-acme.md)" in page
    # the essay's sheet was not written, so it is not linked
    assert "source-essay.md" not in page
    assert "## Notes\n\n1. Ada Lovelace" in page
    svg = (out / "estimate-acme-2030--none.svg").read_text()
    assert svg.startswith("<svg") and "Year" in svg


def test_escaping(make_kb: KBBuilder, tmp_path: Path) -> None:
    kb = small_kb(make_kb, quote=f"Acme said {SCRIPT} & more")
    html_out, md_out = tmp_path / "html", tmp_path / "md"
    build(KnowledgeBase(kb.root), html_out, "html", everything_=True)
    build(KnowledgeBase(kb.root), md_out, "md", everything_=True)
    for name in ("estimate-acme-2030.html", "entity-acme.html", "source-essay.html"):
        page = (html_out / name).read_text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert SCRIPT not in page
        assert "<script" not in page
    page = (md_out / "entity-acme.md").read_text()
    assert r"\<script\>alert(1)\</script\>" in page and SCRIPT not in page


def test_unknown_name(make_kb: KBBuilder, invoke: Callable[..., Result], tmp_path: Path) -> None:
    kb = small_kb(make_kb)
    result = invoke("sheet", "acme-2031", "--out", str(tmp_path / "x"), kb=kb)
    assert result.exit_code == 1
    assert "acme-2030" in result.output and "Traceback" not in result.output
    result = invoke("sheet", "--out", str(tmp_path / "x"), kb=kb)
    assert result.exit_code == 2


def test_templates_override(make_kb: KBBuilder, invoke: Callable[..., Result],
                            tmp_path: Path) -> None:
    kb = small_kb(make_kb)
    mine = tmp_path / "mine" / "md"
    mine.mkdir(parents=True)
    (mine / "entity.md").write_text("CUSTOM {{ page.title|md }}: {{ page.count }}\n")
    out = tmp_path / "out"
    ok(invoke("sheet", "acme", "acme-2030", "--out", str(out), "--format", "md",
              "--templates", str(tmp_path / "mine"), kb=kb))
    assert (out / "entity-acme.md").read_text() == "CUSTOM Acme: 2\n"
    assert (out / "estimate-acme-2030.md").read_text().startswith("# Acme")  # shipped one


def test_chart_scales() -> None:
    rising = Projection([Point(2025.5 + i, 10.0 ** (20 + i), 10.0 ** (19.8 + i),
                               10.0 ** (20.2 + i)) for i in range(4)], "2025", "2028", "FLOP")
    svg = render(rising, "Rising <fast>", "FLOP")
    assert "log scale" in svg and "Rising &lt;fast&gt;" in svg and "<polygon" in svg
    flat = Projection([Point(2025.5, 1.0), Point(2026.5, 2.0)], "2025", "2026", "h")
    assert "linear scale" in render(flat, "t", "h")


def test_headline_words() -> None:
    assert headline(3.4566e24, "FLOP", 3.1746e24, 3.8077e24) == (
        "about 3.5 × 10²⁴ FLOP, 90% interval 3.2–3.8 × 10²⁴ FLOP")
    assert headline(72.0, "%") == "72%"


# -- the shipped knowledge base ---------------------------------------------------------

@pytest.fixture(scope="module")
def shipped_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build(KnowledgeBase(PROJECT), out, "html", everything_=True)
    return out


def test_shipped_html(shipped_html: Path) -> None:
    names = {p.name for p in shipped_html.iterdir()}
    for expected in ("index.html", "entity-china.html", "entity-united-states.html",
                     "entity-huawei.html", "entity-nvidia.html", "entity-tsmc.html",
                     "entity-asml.html", "source-pilz-2025.html",
                     "estimate-china-ai-compute-2027.html"):
        assert expected in names
    assert broken_links(shipped_html) == []
    for path in shipped_html.glob("*.html"):
        assert parse(path).external == [], path.name  # self-contained: nothing loaded
    china = (shipped_html / "estimate-china-ai-compute-2027.html").read_text()
    assert "Cannot be computed under this scenario" in china  # status quo binds no rate
    assert "about 5.2 × 10²⁰ FLOP/s" in china  # lax cloud controls
    assert "<svg" in china
    frontier = (shipped_html / "estimate-frontier-training-compute-2027.html").read_text()
    assert "about 3.5 × 10²⁴ FLOP, 90% interval 3.2–3.8 × 10²⁴ FLOP" in frontier
    source = (shipped_html / "source-sevilla-2022.html").read_text()
    assert "Cited as [5]" in source


def test_shipped_html_scenario(tmp_path: Path) -> None:
    out = tmp_path / "lax"
    build(KnowledgeBase(PROJECT), out, "html", ["china-ai-compute-2027"],
          scenario="lax-cloud-controls")
    page = (out / "estimate-china-ai-compute-2027.html").read_text()
    assert "Lax controls on cloud computing" in page and "Cannot be computed" not in page


def test_audit_findings_on_sheets(tmp_path: Path) -> None:
    pytest.importorskip("derive.audit")
    out = tmp_path / "audited"
    build(KnowledgeBase(PROJECT), out, "html", ["frontier-training-compute-2027"])
    page = (out / "estimate-frontier-training-compute-2027.html").read_text()
    assert 'class="finding"' in page and "recompute" in page


def render_golden(out: Path) -> dict[str, str]:
    build(KnowledgeBase(PROJECT), out, "md", everything_=True, with_audit=False)
    return {name: (out / f"{name}.md").read_text(encoding="utf-8") for name in GOLDEN_SHEETS}


@pytest.mark.parametrize("name", GOLDEN_SHEETS)
def test_golden_markdown(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    rendered = _golden_cache(tmp_path_factory)
    expected = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    assert rendered[name] == expected, (
        f"{name}.md differs from tests/golden; if the change is intended, run "
        "python tests/regen_golden.py")


_RENDERED: dict[str, str] = {}


def _golden_cache(factory: pytest.TempPathFactory) -> dict[str, str]:
    if not _RENDERED:
        _RENDERED.update(render_golden(factory.mktemp("golden")))
    return _RENDERED


def test_markdown_links_resolve(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("mdlinks")
    build(KnowledgeBase(PROJECT), out, "md", everything_=True, with_audit=False)
    for path in out.glob("*.md"):
        for href in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
            if re.match(r"^[a-z]+:", href) or href.startswith("#"):
                continue
            assert (out / href.partition("#")[0]).exists(), f"{path.name}: {href}"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
@pytest.mark.parametrize("page", ["index.html", "estimate-frontier-training-compute-2027.html",
                                  "entity-china.html", "source-pilz-2025.html"])
def test_chromium_renders(shipped_html: Path, page: str, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
        "--dump-dom", (shipped_html / page).as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "</html>" in done.stdout and "<h1>" in done.stdout
    console = [line for line in done.stderr.splitlines()
               if "Uncaught" in line or ("CONSOLE" in line and "error" in line.lower())]
    assert console == []
    shutil.rmtree(profile, ignore_errors=True)
