"""derive export: every format read back by the library its users read it with
(rdflib and PyLD for JSON-LD, the nanopub package for nanopublications,
bibtexparser for BibTeX, citeproc-py for CSL-JSON, csv for CSV), on the whole
shipped knowledge base; selections by name; and no network, ever."""

from __future__ import annotations

import csv
import io
import json
import socket
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import bibtexparser
import pyoxigraph
import pytest
from bibtexparser import middlewares
from click.testing import Result
from conftest import PROJECT, KBBuilder
from rdflib import RDF, XSD, ConjunctiveGraph, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from derive.api.graph_exports import full_graph
from derive.engine.compiled import load
from derive.export import bibdata
from derive.export.jsonld import CONTEXT_FILE
from derive.export.nanopubs import NP, PROV
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import PREFIXES, short

KB = KnowledgeBase(PROJECT)
SELECTIONS = PREFIXES["sel"]  # what estimates over data select: data, not nanopublications


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., str]:
    """``derive --kb PROJECT export ARGS`` once per argument list (module-wide)."""
    from click.testing import CliRunner

    from derive.cli import cli

    done: dict[tuple[str, ...], str] = {}
    cache = tmp_path_factory.mktemp("export-cache")

    def run(*args: str) -> str:
        if args not in done:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("DERIVE_CACHE_DIR", str(cache))
                result = CliRunner().invoke(cli, ["--kb", str(PROJECT), "export", *args],
                                            catch_exceptions=False)
            assert result.exit_code == 0, result.output
            done[args] = result.output
        return done[args]

    return run


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def source_graph() -> Graph:
    return full_graph(KB)


H100_DATASHEET = "ref-resources-nvidia-com-en-us-tensor-core-nvidia-tensor-core-gpu-datasheet"


def model():  # type: ignore[no-untyped-def]
    return load(KB).model


# --- JSON-LD ---------------------------------------------------------------


def test_jsonld_parsed_by_rdflib_is_isomorphic_to_the_knowledge_base(
        exported: Callable[..., str], source_graph: Graph) -> None:
    back = Graph().parse(data=exported("jsonld"), format="json-ld")
    assert len(back) == len(source_graph) > 1500
    assert _canonical(back) == _canonical(source_graph)


def _canonical(graph: Graph) -> set[str]:
    """The graph's triples with blank nodes relabelled by W3C RDF Dataset
    Canonicalization (RDFC-1.0, pyoxigraph): equal sets mean isomorphic graphs.
    rdflib.compare.isomorphic does not finish in minutes on the thousands of
    blank nodes (quantities, quotes, selectors) of the imported tables."""
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(graph.serialize(format="nt"),
                                                  format=pyoxigraph.RdfFormat.N_TRIPLES))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def _canonical_doubles(graph: Graph) -> Graph:
    """PyLD writes every xsd:double in the canonical form %1.15E (15 digits,
    even for a string value), so compare doubles at that precision."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.double:
            o = Literal(f"{float(o):1.15E}", datatype=XSD.double)
        out.add((s, p, o))
    return out


def test_jsonld_read_by_pyld_gives_the_same_graph(exported: Callable[..., str],
                                                   source_graph: Graph, no_network: None) -> None:
    from pyld import jsonld

    quads = jsonld.to_rdf(json.loads(exported("jsonld")), {"format": "application/n-quads"})
    back = Graph().parse(data=quads, format="nt")  # one default graph: N-Triples
    assert _canonical(_canonical_doubles(back)) == _canonical(_canonical_doubles(source_graph))


def test_jsonld_is_compacted_with_the_shipped_context(exported: Callable[..., str]) -> None:
    document = json.loads(exported("jsonld"))
    shipped = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == shipped
    nodes = {node["id"]: node for node in document["@graph"]}
    claim = nodes["claim:china-ai-supercomputer-performance"]
    assert claim["type"] == "QuantitativeClaim"
    assert claim["quantity"] == {"type": "QuantityValue", "hasUnit": "unit:FLOPS",
                                 "value": "1.9e+20"}
    assert claim["quote"]["source"] == "src:ruiloba-portilla-2025"
    assert claim["quote"]["selector"]["exact"].startswith("As of 2025, the United States")
    assert claim["citesAsEvidence"] == "src:pilz-2025"
    assert not any(ident.startswith("_:") for ident in nodes)  # blank nodes are embedded
    result = nodes["result:frontier-training-compute-2027/status-quo"]
    assert result["specializationOf"] == "est:frontier-training-compute-2027"


def test_jsonld_of_one_source_holds_it_and_its_claims(exported: Callable[..., str],
                                                      source_graph: Graph) -> None:
    back = Graph().parse(data=exported("jsonld", "pilz-2025"), format="json-ld")
    subjects = {short(str(s)) for s in back.subjects() if isinstance(s, URIRef)}
    expected = {short(c.iri) for c in model().claims.values()
                if "https://w3id.org/derive/kb/source/pilz-2025" in c.cites}
    assert expected and expected <= subjects
    assert {"src:pilz-2025", "src:citation-06"} <= subjects
    assert "claim:h100-dense-bf16" not in subjects
    labels = {str(o) for o in back.objects(None, URIRef("http://purl.org/dc/terms/title"))}
    assert "Trends in AI Supercomputers" in labels


# --- nanopublications -------------------------------------------------------


def _nanopubs(text: str) -> Iterator[tuple[URIRef, ConjunctiveGraph]]:
    """Each nanopublication of a TriG document as the graph the nanopub package reads."""
    data = Dataset()
    data.parse(data=text, format="trig")
    # one pass over the quads: asking the dataset for each graph in turn takes
    # 22 s for the shipped knowledge base's 1,406 nanopublications
    triples: dict[Node, list[tuple[Node, Node, Node]]] = defaultdict(list)
    for s, p, o, g in data.quads():
        triples[g].append((s, p, o))
    for head, held in triples.items():
        for uri in {s for s, p, o in held if p == RDF.type and o == NP.Nanopublication}:
            one = ConjunctiveGraph()
            links = {p: o for s, p, o in held if s == uri}
            names = [head, *(links.get(p) for p in (
                NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo))]
            for name in names:
                context = one.get_context(name)
                for triple in triples.get(name, ()):
                    context.add(triple)
            yield uri, one  # type: ignore[misc]


def _library() -> object:
    """The nanopub package, imported without leaving rdflib's literal
    normalisation off for the rest of the test session (its import does that)."""
    import rdflib

    normalize = rdflib.NORMALIZE_LITERALS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return pytest.importorskip("nanopub")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def test_every_nanopub_is_well_formed_for_the_nanopub_package(
        exported: Callable[..., str], no_network: None) -> None:
    lib = _library()
    found = dict(_nanopubs(exported("nanopub")))
    claims = model().claims
    # The package checks a nanopublication in about 20 ms: every one of the
    # essay's claims and every result, and one in ten of the imported table
    # rows (one code path writes them all; checking all 1,336 takes 30 s).
    imported = sorted(u for u in found if "/np/claim/epoch-" in u)
    checked = [u for u in found if u not in set(imported)] + imported[::10]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for uri in checked:
            assert lib.Nanopub(rdf=found[uri]).is_valid, uri  # type: ignore[attr-defined]
    claim_pubs = [u for u in found if "/np/claim/" in u]
    result_pubs = [u for u in found if "/np/result/" in u]
    assert len(claim_pubs) == len(claims)
    assert len(result_pubs) >= len(model().estimates)


def test_an_estimates_nanopub_derives_from_the_nanopubs_of_its_inputs(
        exported: Callable[..., str]) -> None:
    found = dict(_nanopubs(exported("nanopub", "china-hours-per-frontier-run-2027")))
    base = "https://w3id.org/derive/kb/np/"
    uri = URIRef(base + "result/china-hours-per-frontier-run-2027/status-quo")
    graph = found[uri]
    inputs = set(graph.objects(URIRef(str(uri) + "#assertion"), PROV.wasDerivedFrom))
    assert inputs == {URIRef(base + "claim/china-ai-supercomputer-performance"),
                      URIRef(base + "result/frontier-training-compute-2027/status-quo")}
    assert inputs <= set(found)  # the inputs' nanopubs are in the same export
    # the assertion is the result itself, with its exact value
    value = graph.value(URIRef(str(uri) + "#quantity"),
                        URIRef("http://qudt.org/schema/qudt/value"))
    assert value is not None and 4 < float(value) < 6


def test_a_claims_nanopub_asserts_the_claim_and_proves_it_with_its_quote(
        exported: Callable[..., str]) -> None:
    found = dict(_nanopubs(exported("nanopub", "h100-dense-bf16")))
    uri = URIRef("https://w3id.org/derive/kb/np/claim/h100-dense-bf16")
    assert set(found) == {uri}
    graph = found[uri]
    assertion = graph.get_context(URIRef(f"{uri}#assertion"))
    value = assertion.value(URIRef(f"{uri}#quantity"), URIRef("http://qudt.org/schema/qudt/value"))
    assert value is not None and float(value) == 9.894e14
    text = graph.serialize(format="nquads")
    assert '"989400000000000.0" <' in text  # the cell, verbatim, in the provenance
    # the dataset's licence (an IRI since the table is imported) and publisher
    assert "<https://creativecommons.org/licenses/by/4.0/>" in text and "Epoch AI" in text
    assert "pubinfo> ." in text and "pav/version" in text


def test_signed_nanopubs_have_valid_signatures_and_trusty_uris(
        make_kb: KBBuilder, invoke: Callable[..., Result], tmp_path: Path,
        no_network: None) -> None:
    lib = _library()
    from Crypto.PublicKey import RSA

    key = tmp_path / "id_rsa.pem"
    key.write_bytes(RSA.generate(2048).export_key())
    out = tmp_path / "signed.trig"
    result = invoke("--kb", str(PROJECT), "export", "nanopub", "frontier-training-compute-2027",
                    "--sign", str(key), "--orcid", "https://orcid.org/0000-0002-1825-0097",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    found = dict(_nanopubs(out.read_text(encoding="utf-8")))
    assert found and all(str(u).startswith("http://purl.org/np/RA") for u in found)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for uri, graph in found.items():
            pub = lib.Nanopub(rdf=graph)  # type: ignore[attr-defined]
            assert pub.is_valid and pub.has_valid_signature and pub.has_valid_trusty, uri
    derived = {o for g in found.values() for o in g.objects(None, PROV.wasDerivedFrom)}
    # Estimates cite their inputs' signed nanopublications (under the data
    # scenario too, where an input the scenario leaves alone is its default
    # result); estimates over data also cite their selection, which is data.
    published = {o for o in derived if not str(o).startswith(SELECTIONS)}
    assert published and published <= set(found)
    assert derived - published


def test_sign_refuses_a_file_that_is_not_a_key(invoke: Callable[..., Result],
                                               tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("not a key\n")
    result = invoke("--kb", str(PROJECT), "export", "nanopub", "h100-dense-bf16",
                    "--sign", str(key))
    assert result.exit_code == 2
    assert "not an RSA private key" in result.output


# --- BibTeX and CSL-JSON ----------------------------------------------------


def test_bibtexparser_reads_every_source_back_with_the_same_fields(
        exported: Callable[..., str]) -> None:
    library = bibtexparser.parse_string(
        exported("bibtex"), append_middleware=[middlewares.LatexDecodingMiddleware()])
    raw = {e.key: e for e in bibtexparser.parse_string(exported("bibtex")).entries}
    assert not library.failed_blocks
    sources = model().sources
    assert len(library.entries) == len([s for s in sources.values() if s.kind != "Distribution"])
    for entry in library.entries:
        ref = bibdata.reference(sources["https://w3id.org/derive/kb/source/" + entry.key])
        fields = {f.key: f.value for f in entry.fields}
        assert fields["title"] == ref.title
        if ref.authors:
            names = [n.strip() for n in fields["author"].split(" and ")]
            assert names == [f"{n.family}, {n.given}" if n.given else n.family
                             for n in ref.authors]
        if ref.issued:
            assert fields["date"] == ref.issued and fields["year"] == ref.issued[:4]
        if ref.url:  # URLs are written as they are, never LaTeX-escaped
            assert raw[entry.key].fields_dict["url"].value == ref.url
        if ref.accessed:
            assert fields["urldate"] == ref.accessed
        venue = fields.get("journal") or fields.get("booktitle") or fields.get("howpublished")
        assert venue == ref.venue
        if ref.publisher:
            assert ref.publisher in (fields.get("institution"), fields.get("publisher"))


@pytest.mark.parametrize("key, entry_type, field, value", [
    ("sevilla-2022", "inproceedings", "booktitle",
     "2022 International Joint Conference on Neural Networks (IJCNN)"),
    ("metz-2025", "article", "journal", "New York Times"),
    ("hunt-2021", "techreport", "institution", "CSET"),
    ("kaplan-2020", "misc", "url", "https://arxiv.org/abs/2001.08361"),
    ("epoch-ml-hardware", "misc", "author", "Epoch AI"),
    ("ruiloba-portilla-2025", "misc", "author", "Ruiloba Portilla, Fernando"),
])
def test_bibtex_entry_types_and_venues(exported: Callable[..., str], key: str, entry_type: str,
                                       field: str, value: str) -> None:
    library = bibtexparser.parse_string(
        exported("bibtex"), append_middleware=[middlewares.LatexDecodingMiddleware()])
    entry = library.entries_dict[key]
    assert entry.entry_type == entry_type
    assert entry.fields_dict[field].value == value


def test_citeproc_renders_every_source_without_warnings(exported: Callable[..., str]) -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    items = json.loads(exported("csl-json"))
    assert len(items) == len([s for s in model().sources.values() if s.kind != "Distribution"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    text = "\n".join(rendered)
    for item in items:
        assert item["title"] in text
    assert "Pilz, K.F. et al. (2025) “Trends in AI Supercomputers”" in text
    assert "(Accessed: November 11, 2025)" in text


def test_csl_items_carry_dates_and_types(exported: Callable[..., str]) -> None:
    items = {i["id"]: i for i in json.loads(exported("csl-json"))}
    assert items["pilz-2025"]["issued"] == {"date-parts": [[2025, 4, 23]]}
    assert items["pilz-2025"]["accessed"] == {"date-parts": [[2025, 11, 11]]}
    assert items["pilz-2025"]["type"] == "article"  # a preprint: no journal
    assert items["sevilla-2022"]["type"] == "paper-conference"
    assert items["epoch-ml-hardware"]["type"] == "dataset"
    assert items["ruiloba-portilla-2025"]["author"] == [
        {"family": "Ruiloba Portilla", "given": "Fernando"}]


def test_bibliography_of_an_estimate_holds_the_sources_of_its_inputs(
        exported: Callable[..., str]) -> None:
    items = json.loads(exported("csl-json", "huawei-dies-compute"))
    claims = model().claims
    inputs = [claims["https://w3id.org/derive/kb/claim/" + name]
              for name in ("huawei-h100-equivalents", "h100-dense-bf16")]
    expected = {s.rsplit("/", 1)[1] for c in inputs for s in (c.stated_in, *c.cites) if s}
    assert {i["id"] for i in items} == expected
    assert {"epoch-ml-hardware", H100_DATASHEET, "ruiloba-portilla-2025"} <= expected


# --- CSV --------------------------------------------------------------------


def test_csv_has_one_row_per_claim_with_its_values(exported: Callable[..., str]) -> None:
    rows = list(csv.DictReader(io.StringIO(exported("csv"), newline="")))
    claims = model().claims
    assert len(rows) == len(claims)
    assert list(rows[0]) == ["claim", "label", "value", "unit", "low", "high", "as_of",
                             "entity", "metric", "quote", "locator", "source",
                             "attributed_to", "statement"]
    by_name = {row["claim"]: row for row in rows}
    for claim in claims.values():
        row = by_name[short(claim.iri)]
        assert (float(row["value"]) if row["value"] else None) == claim.value
        assert row["quote"] == (claim.quote or "")
        assert row["locator"] == (claim.locator or "")
        assert row["as_of"] == claim.as_of.lexical  # type: ignore[union-attr]
    row = by_name["claim:china-ai-supercomputer-performance"]
    assert (row["value"], row["unit"], row["entity"], row["source"], row["attributed_to"]) == (
        "1.9e+20", "unit:FLOPS", "ent:china", "src:ruiloba-portilla-2025", "src:pilz-2025")


# --- names, errors, and what is never written --------------------------------


def test_unknown_name_is_an_error_with_suggestions(invoke: Callable[..., Result]) -> None:
    result = invoke("--kb", str(PROJECT), "export", "csv", "pilz-2052")
    assert result.exit_code == 1
    assert "no claim, estimate or source named 'pilz-2052'" in result.output
    assert "pilz-2025" in result.output


def test_sign_is_for_nanopubs_only(invoke: Callable[..., Result], tmp_path: Path) -> None:
    key = tmp_path / "k"
    key.write_text("x")
    result = invoke("--kb", str(PROJECT), "export", "csv", "--sign", str(key))
    assert result.exit_code == 2
    assert "--sign applies to nanopublications only" in result.output


def test_export_writes_only_its_output_file(make_kb: KBBuilder, invoke: Callable[..., Result],
                                            tmp_path: Path) -> None:
    make_kb.write("sources.ttl", """\
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        src:d a dcat:Dataset , prov:Entity ; dcterms:title "Some table" ;
            dcterms:publisher "Some Agency" ; dv:readOn "2026-01-02"^^xsd:date ;
            bibo:uri "https://example.org/table.csv"^^xsd:anyURI .
    """)
    before = {p: p.read_bytes() for p in make_kb.root.rglob("*") if p.is_file()}
    out = tmp_path / "out" / "refs.bib"
    result = invoke("export", "bibtex", "--out", str(out), kb=make_kb)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 1 source to {out}\n"
    after = {p: p.read_bytes() for p in make_kb.root.rglob("*") if p.is_file()}
    assert after == before
    entry = bibtexparser.parse_string(out.read_text()).entries[0]
    assert (entry.entry_type, entry.key) == ("misc", "d")
    assert entry.fields_dict["author"].value == "{Some Agency}"
    assert entry.fields_dict["urldate"].value == "2026-01-02"


IMPORTED = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
ent:world a dv:Aggregate ; rdfs:label "World"@en .
metric:chips a dv:Metric ; rdfs:label "chips"@en ; dv:allowedUnit unit:NUM .
src:table a dcat:Dataset , prov:Entity ;
    dcterms:title "Chip shipments by year"@en ;
    dcterms:publisher "Some Agency" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcat:landingPage <https://example.org/shipments> ;
    dcat:distribution src:table-csv .
src:table-csv a dcat:Distribution ;
    rdfs:label "shipments.csv"@en ;
    dcat:accessURL <https://example.org/shipments.csv> ;
    dv:readOn "2026-01-05"^^xsd:date .
claim:shipments-2024 a dv:QuantitativeClaim ;
    rdfs:label "Chips shipped in 2024"@en ;
    dv:about ent:world ;
    dv:metric metric:chips ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 1.5E6 ; qudt:hasUnit unit:NUM ;
                  schema:minValue 1.2E6 ; schema:maxValue 1.8E6 ] ;
    dv:asOf "2024"^^xsd:gYear ;
    prov:wasQuotedFrom src:table ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:table ;
        oa:hasSelector [ a oa:FragmentSelector ;
            dcterms:conformsTo <http://tools.ietf.org/rfc/rfc7111> ; rdf:value "row=5" ] ] .
"""


def test_a_claim_from_a_dataset_row_exports_in_every_format(
        make_kb: KBBuilder, invoke: Callable[..., Result], no_network: None) -> None:
    make_kb.write("imported/table.ttl", "@prefix rdf: <http://www.w3.org/1999/02/"
                  "22-rdf-syntax-ns#> .\n" + IMPORTED)
    kb = KnowledgeBase(make_kb.root)
    out = {fmt: invoke("export", fmt, kb=make_kb) for fmt in
           ("jsonld", "nanopub", "bibtex", "csl-json", "csv")}
    assert all(r.exit_code == 0 for r in out.values()), {f: r.output for f, r in out.items()}

    back = Graph().parse(data=out["jsonld"].output, format="json-ld")
    assert isomorphic(back, full_graph(kb))
    selector = json.loads(out["jsonld"].output)["@graph"][0]["quote"]["selector"]
    assert selector == {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc7111",
                        "rdf:value": "row=5"}

    lib = _library()
    (_uri, graph), = _nanopubs(out["nanopub"].output)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert lib.Nanopub(rdf=graph).is_valid  # type: ignore[attr-defined]
    assert '"row=5"' in graph.serialize(format="nquads")

    entry, = bibtexparser.parse_string(out["bibtex"].output).entries  # not the CSV file
    assert (entry.entry_type, entry.key, entry.fields_dict["author"].value) == (
        "misc", "table", "{Some Agency}")
    assert entry.fields_dict["url"].value == "https://example.org/shipments"
    assert entry.fields_dict["urldate"].value == "2026-01-05"  # read through its file
    item, = json.loads(out["csl-json"].output)
    assert (item["type"], item["author"], item["accessed"]) == (
        "dataset", [{"literal": "Some Agency"}], {"date-parts": [[2026, 1, 5]]})
    row, = csv.DictReader(io.StringIO(out["csv"].output, newline=""))
    assert (row["value"], row["low"], row["high"], row["source"], row["quote"]) == (
        "1500000.0", "1200000.0", "1800000.0", "src:table", "")


def test_output_does_not_depend_on_the_cache(exported: Callable[..., str],
                                             invoke: Callable[..., Result],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    for fmt in ("jsonld", "nanopub"):
        assert invoke("--kb", str(PROJECT), "export", fmt).output == exported(fmt)


@pytest.mark.parametrize("names, keys", [
    pytest.param(("pilz-2025",), {"pilz-2025"}, id="a-source-alone"),
    pytest.param(("us-share-ai-supercomputer-performance",),
                 {"pilz-2025", "ruiloba-portilla-2025"}, id="a-claim-and-its-sources"),
    pytest.param(("claim:h100-dense-bf16", "src:kaplan-2020"),
                 {"epoch-ml-hardware", H100_DATASHEET, "kaplan-2020"},
                 id="prefixed-names"),
])
def test_bibliography_of_names(exported: Callable[..., str], names: tuple[str, ...],
                               keys: set[str]) -> None:
    entries = bibtexparser.parse_string(exported("bibtex", *names)).entries
    assert {e.key for e in entries} == keys


@pytest.mark.parametrize("args, message", [
    pytest.param(("export", "csv", "--out", "{tmp}"), "is a directory",
                 id="out-is-a-folder"),
    pytest.param(("export", "nanopub", "--orcid", "https://orcid.org/0000-0002-1825-0097"),
                 "--orcid goes with --sign", id="orcid-without-sign"),
    pytest.param(("export", "turtle"), "Invalid value for 'FORMAT'", id="unknown-format"),
])
def test_usage_errors_exit_2(invoke: Callable[..., Result], tmp_path: Path,
                             args: tuple[str, ...], message: str) -> None:
    result = invoke("--kb", str(PROJECT), *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 2
    assert message in result.output
