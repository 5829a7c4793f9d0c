"""derive query: sources, formats, pre-bound prefixes, and the refusal of
everything that is not a plain read of the knowledge base."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import Result
from conftest import PROJECT, KBBuilder

from derive.errors import QueryError
from derive.kb.namespaces import KB as KB_IRI
from derive.query import safety
from derive.query import sparql as queries

FACTS = """\
ent:china a dv:Country ; rdfs:label "China"@en .
ent:chinese-labs a dv:Aggregate ; rdfs:label "Chinese labs"@en ; schema:location ent:china .
ent:united-states a dv:Country ; rdfs:label "United States"@en .

src:essay a bibo:Document ; dcterms:title "The essay" .
src:report a bibo:Report ; dcterms:title "The report" .

claim:china-share a dv:QuantitativeClaim ;
    rdfs:label "China's share"@en ;
    dv:about ent:china ;
    dv:metric metric:share ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 1.5E1 ;
                  schema:minValue 1.0E1 ; schema:maxValue 2.0E1 ; qudt:hasUnit unit:PERCENT ] ;
    dv:asOf "2025"^^xsd:gYear ;
    dv:statedAs dv:Premise ;
    prov:wasQuotedFrom src:essay ;
    cito:citesAsEvidence src:report ;
    dv:citationLabel "[6]" .

claim:us-share a dv:QuantitativeClaim ;
    rdfs:label "US share"@en ;
    dv:about ent:united-states ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 7.5E1 ; qudt:hasUnit unit:PERCENT ] ;
    dv:asOf "2025"^^xsd:gYear ;
    dv:statedAs dv:DerivedFigure ;
    prov:wasQuotedFrom src:essay .

claim:labs-lag a dv:QualitativeClaim ;
    rdfs:label "Labs lag"@en ;
    dv:statement "Chinese labs lag behind."@en ;
    dv:about ent:chinese-labs ;
    dv:asOf "2025"^^xsd:gYear ;
    prov:wasQuotedFrom src:essay ;
    cito:citesAsEvidence src:report ;
    dv:citationLabel "[6]" .
"""

SHARES = "SELECT ?claim ?value WHERE { ?claim dv:quantity/qudt:value ?value } ORDER BY ?claim"


@pytest.fixture
def kb(make_kb: KBBuilder) -> KBBuilder:
    make_kb.write("claims.ttl", FACTS)
    return make_kb


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def refused(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


# --------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------


def test_table_is_aligned_with_prefixed_names(invoke, kb) -> None:
    lines = ok(invoke("query", SHARES, kb=kb)).splitlines()
    assert lines[0].split() == ["claim", "value"]
    assert lines[2].split() == ["claim:china-share", "15"]
    assert lines[3].split() == ["claim:us-share", "75"]
    assert lines[2].index("15") == lines[3].index("75")  # numbers right-aligned
    assert lines[-1] == "(2 rows)"


def test_csv_is_sparql_csv(invoke, kb) -> None:
    # A value reads as the store writes it (the double 1.5E1 as 15), as a
    # client of the same store over HTTP would read it.
    result = invoke("query", SHARES, "--format", "csv", kb=kb)
    out = ok(result) and result.stdout_bytes.decode()
    assert out.split("\r\n") == [
        "claim,value",
        "https://w3id.org/derive/kb/claim/china-share,15",
        "https://w3id.org/derive/kb/claim/us-share,75",
        "",
    ]


def test_tsv_is_sparql_tsv(invoke, kb) -> None:
    out = ok(invoke("query", SHARES, "--format", "tsv", kb=kb))
    double = "<http://www.w3.org/2001/XMLSchema#double>"
    assert out.splitlines() == [
        "?claim\t?value",
        f'<https://w3id.org/derive/kb/claim/china-share>\t"15"^^{double}',
        f'<https://w3id.org/derive/kb/claim/us-share>\t"75"^^{double}',
    ]


def test_json_is_sparql_json_and_leaves_out_unbound(invoke, kb) -> None:
    text = (
        "SELECT ?claim ?label ?min WHERE { ?claim a dv:QuantitativeClaim ; rdfs:label ?label "
        "OPTIONAL { ?claim dv:quantity/schema:minValue ?min } } ORDER BY ?claim"
    )
    document = json.loads(ok(invoke("query", text, "--format", "json", kb=kb)))
    assert document["head"] == {"vars": ["claim", "label", "min"]}
    first, second = document["results"]["bindings"]
    assert first["claim"] == {
        "type": "uri",
        "value": "https://w3id.org/derive/kb/claim/china-share",
    }
    assert first["label"] == {"type": "literal", "value": "China's share", "xml:lang": "en"}
    assert first["min"]["datatype"] == "http://www.w3.org/2001/XMLSchema#double"
    assert "min" not in second


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("json", '{"head": {}, "boolean": true}\n'), ("table", "true\n"), ("csv", "true\n")],
)
def test_ask(invoke, kb, fmt: str, expected: str) -> None:
    text = "ASK { claim:china-share dv:about ent:china }"
    assert ok(invoke("query", text, "--format", fmt, kb=kb)) == expected


def test_ask_false(invoke, kb) -> None:
    text = "ASK { claim:us-share dv:about ent:china }"
    assert json.loads(ok(invoke("query", text, "--format", "json", kb=kb)))["boolean"] is False


def test_construct_prints_turtle(invoke, kb) -> None:
    from rdflib import Graph, Literal, URIRef

    text = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a dv:QualitativeClaim ; rdfs:label ?l }"
    out = ok(invoke("query", text, kb=kb))
    assert "@prefix claim: <https://w3id.org/derive/kb/claim/>" in out
    graph = Graph().parse(data=out, format="turtle")
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    claim = URIRef("https://w3id.org/derive/kb/claim/labs-lag")
    assert set(graph) == {(claim, label, Literal("Labs lag", lang="en"))}


def test_describe_prints_turtle(invoke, kb) -> None:
    out = ok(invoke("query", "DESCRIBE claim:us-share", kb=kb))
    assert "claim:us-share" in out and "dv:DerivedFigure" in out


# --------------------------------------------------------------------------
# Where the query comes from
# --------------------------------------------------------------------------


def test_query_from_file(invoke, kb, tmp_path: Path) -> None:
    path = tmp_path / "shares.rq"
    path.write_text(SHARES, encoding="utf-8")
    assert "claim:china-share" in ok(invoke("query", "--file", str(path), kb=kb))


@pytest.mark.parametrize("args", [["-"], ["-f", "-"]], ids=["dash", "file-dash"])
def test_query_from_stdin(invoke, kb, args: list[str]) -> None:
    assert "claim:us-share" in ok(invoke("query", *args, kb=kb, input=SHARES))


def write_shipped(kb: KBBuilder) -> None:
    folder = kb.root / "queries"
    folder.mkdir()
    (folder / "shares.rq").write_text("# Every share\n" + SHARES + "\n", encoding="utf-8")
    (folder / "statements.rq").write_text(
        "# Qualitative claims\n# (second comment line)\nSELECT ?s WHERE { ?c dv:statement ?s }\n",
        encoding="utf-8",
    )


def test_named_query(invoke, kb) -> None:
    write_shipped(kb)
    assert "claim:china-share" in ok(invoke("query", "--name", "shares", kb=kb))


def test_list_shows_first_comment_line(invoke, kb) -> None:
    write_shipped(kb)
    assert ok(invoke("query", "--list", kb=kb)).splitlines() == [
        "shares      Every share",
        "statements  Qualitative claims",
    ]


def test_unknown_name_suggests(invoke, kb) -> None:
    write_shipped(kb)
    assert "Did you mean: shares" in refused(invoke("query", "--name", "share", kb=kb))


@pytest.mark.parametrize("name", ["../facts/x", "/etc/passwd", "a/b"])
def test_name_is_not_a_path(invoke, kb, name: str) -> None:
    result = invoke("query", "--name", name, kb=kb)
    assert result.exit_code == 2 and "--file" in result.output


@pytest.mark.parametrize(
    "args", [[], [SHARES, "--name", "shares"], ["--list", SHARES]], ids=["none", "two", "list"]
)
def test_exactly_one_source(invoke, kb, args: list[str]) -> None:
    assert invoke("query", *args, kb=kb).exit_code == 2


# --------------------------------------------------------------------------
# Prefixes and errors
# --------------------------------------------------------------------------


def test_prefixes_are_prebound(invoke, kb) -> None:
    text = "SELECT ?l WHERE { claim:labs-lag dv:about/schema:location ?c . ?c rdfs:label ?l }"
    assert "China" in ok(invoke("query", text, kb=kb))


def test_query_prefix_overrides_prebound(invoke, kb) -> None:
    text = "PREFIX claim: <http://example.org/> ASK { claim:us-share ?p ?o }"
    assert ok(invoke("query", text, kb=kb)) == "false\n"


def test_malformed_query_names_line_and_column(invoke, kb) -> None:
    out = refused(invoke("query", "SELECT ?s\nWHERE { ?s ?p }", kb=kb))
    assert "malformed query at line 2, column" in out


def test_unknown_prefix_is_malformed(invoke, kb) -> None:
    assert "nope" in refused(invoke("query", "SELECT * WHERE { ?s nope:x ?o }", kb=kb))


def test_graph_names_the_file_a_triple_is_read_from(invoke, kb) -> None:
    text = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { claim:china-share ?p ?o } }")
    result = invoke("query", text, "--format", "csv", kb=kb)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["g", KB_IRI + "graph/facts/claims.ttl"]


def test_derived_graphs_have_names_of_their_own(invoke, kb) -> None:
    text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), 'derived')) }"
    result = invoke("query", text, "--format", "csv", kb=kb)
    assert result.exit_code == 0, result.output
    names = set(result.output.splitlines()[1:])
    assert names and names <= {KB_IRI + "graph/derived/estimates",
                               KB_IRI + "graph/derived/findings",
                               KB_IRI + "graph/derived/catalogue"}
    assert KB_IRI + "graph/derived/catalogue" in names


# --------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------

REFUSALS = [
    pytest.param(
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SERVICE <http://example.org/sparql>",
        id="service",
    ),
    pytest.param(
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://example.org/q> { ?s ?x ?y } } }",
        "SERVICE <http://example.org/q>",
        id="nested-service-in-optional",
    ),
    pytest.param(
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE SILENT ?endpoint { ?s ?x ?y } } }",
        "SERVICE ?endpoint",
        id="service-in-exists-filter",
    ),
    pytest.param(
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } } } }",
        "SERVICE <http://example.org/q>",
        id="service-in-subquery",
    ),
    pytest.param(
        "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }",
        "FROM <http://example.org/data.ttl>",
        id="from-remote",
    ),
    pytest.param(
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "FROM <file:///etc/passwd>",
        id="from-file",
    ),
    pytest.param(
        "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "FROM NAMED <http://example.org/g>",
        id="from-named",
    ),
    pytest.param(
        'INSERT DATA { claim:x rdfs:label "x" }',
        "derive query is read-only: INSERT DATA is an update",
        id="insert-data",
    ),
    pytest.param(
        "DELETE WHERE { ?s ?p ?o }",
        "derive query is read-only: DELETE WHERE is an update",
        id="delete-where",
    ),
    pytest.param(
        "LOAD <http://example.org/data.ttl>",
        "derive query is read-only: LOAD is an update",
        id="load",
    ),
    pytest.param("CLEAR ALL", "derive query is read-only: CLEAR is an update", id="clear"),
    pytest.param(
        "DROP GRAPH <http://example.org/g>",
        "derive query is read-only: DROP is an update",
        id="drop",
    ),
    pytest.param(
        "CREATE GRAPH <http://example.org/g>",
        "derive query is read-only: CREATE is an update",
        id="create",
    ),
]


@pytest.mark.parametrize(("text", "message"), REFUSALS)
def test_refused(invoke, kb, text: str, message: str) -> None:
    assert message in refused(invoke("query", text, kb=kb))


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o FILTER(<http://example.org/fetch>(?o)) }",
        "SELECT (dv:fetch(?o) AS ?x) WHERE { ?s ?p ?o }",
    ],
    ids=["iri", "prefixed"],
)
def test_extension_functions_refused(invoke, kb, text: str) -> None:
    assert "extension function" in refused(invoke("query", text, kb=kb))


def test_xsd_casts_allowed(invoke, kb) -> None:
    text = 'SELECT (xsd:integer("42") AS ?n) WHERE {}'
    result = invoke("query", text, "--format", "csv", kb=kb)
    assert ok(result) and result.stdout_bytes == b"n\r\n42\r\n"


def test_service_attempts_no_network(invoke, kb, monkeypatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        pytest.fail("derive query tried to reach the network")

    import rdflib.plugins.sparql.evaluate as evaluate

    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    monkeypatch.setattr(evaluate, "urlopen", forbidden)  # rdflib imported it by name
    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in refused(invoke("query", text, kb=kb))


def test_sandbox_blocks_network_and_writes(tmp_path: Path) -> None:
    import rdflib.plugins.sparql as sparql

    with queries._sandbox():
        assert sparql.SPARQL_LOAD_GRAPHS is False
        with pytest.raises(PermissionError):
            socket.getaddrinfo("localhost", 80)
        with pytest.raises(PermissionError):
            urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
        with pytest.raises(PermissionError):
            (tmp_path / "written").write_text("x")
    assert sparql.SPARQL_LOAD_GRAPHS is True  # restored for other users of rdflib
    (tmp_path / "written").write_text("x")


def test_library_refuses_before_running() -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        safety.parse("ASK { SERVICE <http://example.org/q> { ?s ?p ?o } }")


def test_query_changes_no_file(invoke, kb) -> None:
    def snapshot() -> dict[Path, tuple[bytes, int]]:
        return {
            path: (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(kb.root.rglob("*"))
            if path.is_file()
        }

    write_shipped(kb)
    before = snapshot()
    for args in (
        [SHARES],
        ["CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"],
        ["DESCRIBE claim:china-share"],
        ["--name", "statements", "--format", "json"],
        ['INSERT DATA { claim:x rdfs:label "x" }'],
        ["DELETE WHERE { ?s ?p ?o }"],
        ["CLEAR ALL"],
    ):
        invoke("query", *args, kb=kb)
    assert snapshot() == before
    assert not (kb.root / "derived").exists()


# --------------------------------------------------------------------------
# Shipped queries
# --------------------------------------------------------------------------

SHIPPED = sorted((PROJECT / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_shipped_query_runs_on_shipped_facts(invoke, path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("# ")
    out = ok(invoke("query", "--name", path.stem, kb=PROJECT))
    assert out.splitlines()[-1].endswith("rows)") or out.splitlines()[-1] == "(1 row)"


def test_shipped_queries_are_listed(invoke) -> None:
    listed = [line.split()[0] for line in ok(invoke("query", "--list", kb=PROJECT)).splitlines()]
    assert listed == [path.stem for path in SHIPPED]
    assert len(listed) >= 5


def test_china_query_follows_location(invoke, kb) -> None:
    text = (PROJECT / "queries" / "claims-about-china.rq").read_text(encoding="utf-8")
    lines = ok(invoke("query", text, kb=kb)).splitlines()
    claims = [line.split()[0] for line in lines[2:-1]]
    assert claims == ["claim:china-share", "claim:labs-lag"]
    assert "The report" in lines[2] and "unit:PERCENT" in lines[2]


def test_help_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from derive.cli import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "assert CliRunner().invoke(cli, ['query', '--help']).exit_code == 0\n"
        "heavy = {'rdflib', 'numpy', 'networkx', 'pint', 'pyshacl', 'jinja2', 'derive.audit'}\n"
        "sys.exit(3 if heavy & set(sys.modules) else 0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT).returncode == 0


def test_a_warm_query_imports_no_rdflib(kb) -> None:
    """A query the store answers needs neither rdflib's terms nor its parser
    (a tenth of a second of every warm query). Both runs are processes of
    their own, from the knowledge base's folder, so that both import the
    same derive (pytest's own process may import the project's source tree,
    whose code stamp, and so its cache, differ from the installed copy's)."""
    code = (
        "import sys\n"
        "from derive.api import queries\n"
        "from pathlib import Path\n"
        "from derive.kb import KnowledgeBase\n"
        f"result = queries.run(KnowledgeBase(Path({str(kb.root)!r})), {SHARES!r}, "
        "queries.Limits(seconds=0))\n"
        "for fmt in ('table', 'csv', 'tsv', 'json', 'xml'):\n"
        "    queries.render(result, fmt)\n"
        "sys.exit(3 if 'rdflib' in sys.modules else 0)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], cwd=kb.root)  # fills the store
    assert first.returncode in (0, 3)
    assert subprocess.run([sys.executable, "-c", code], cwd=kb.root).returncode == 0


ALIKE = """SELECT ?claim ?label ?metric ?length ?plain WHERE {
    ?claim rdfs:label ?label ; dv:metric ?metric .
    BIND(STRLEN(STR(?claim)) AS ?length) BIND("plain" AS ?plain)
} ORDER BY ?claim"""


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_store_and_rdflib_render_a_row_alike(kb, fmt: str) -> None:
    """IRIs, language-tagged and plain strings and integers read the same
    whichever engine answered."""
    from derive.api import queries as api
    from derive.kb import KnowledgeBase, store

    root = KnowledgeBase(kb.root)
    from_store = api.run(root, ALIKE, api.Limits(seconds=0))
    from_rdflib = queries.execute(store.load(root).graph, safety.parse(ALIKE))
    assert isinstance(from_store, api.SelectResult)
    assert from_store.rows
    assert api.render(from_store, fmt) == api.render(from_rdflib, fmt)


def test_every_cited_result_exists_under_every_scenario(invoke) -> None:
    """A result cites the results of its input estimates; under a scenario that
    leaves an input alone (the data scenario and the largest model of 2025),
    it cites the input's result there, which exists, never a dangling IRI."""
    dangling = invoke("--kb", str(PROJECT), "query", "--format", "csv", """
        SELECT ?result ?input WHERE {
            ?result a dv:EstimateResult ; prov:wasDerivedFrom ?input .
            FILTER STRSTARTS(STR(?input), "https://w3id.org/derive/kb/result/")
            FILTER NOT EXISTS { ?input a dv:EstimateResult }
        }""")
    assert dangling.exit_code == 0, dangling.output
    assert dangling.output == "result,input\n"
    cited = invoke("--kb", str(PROJECT), "query", "--format", "csv", """
        SELECT ?input WHERE {
            <https://w3id.org/derive/kb/result/frontier-training-compute-2027/epoch-data>
                prov:wasDerivedFrom ?input } ORDER BY ?input""")
    assert "https://w3id.org/derive/kb/result/largest-training-compute-2025/status-quo" in \
        cited.output.splitlines()
