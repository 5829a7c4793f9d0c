"""The persistent query store in the cache folder: reused while nothing
changes, updated file by file when a file is edited, deleted, renamed or
added, rebuilt when the ontology or derive's code changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KBBuilder
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from derive.kb import KnowledgeBase
from derive.kb.namespaces import KB

CLAIM = """\
claim:{name} a dv:QuantitativeClaim ;
    rdfs:label "{name}"@en ;
    dv:metric metric:ai-supercomputer-performance ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value} ; qudt:hasUnit unit:FLOPS ] ;
    dv:asOf "2025"^^xsd:gYear .
"""

VALUES = "SELECT ?c ?v WHERE { ?c dv:quantity/qudt:value ?v } ORDER BY ?c"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?c a dv:QuantitativeClaim } } ORDER BY ?g"


@pytest.fixture
def kb(make_kb: KBBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KBBuilder:
    monkeypatch.delenv("DERIVE_NO_CACHE", raising=False)
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))
    make_kb.write("a.ttl", CLAIM.format(name="alpha", value="1.0E18"))
    make_kb.write("b.ttl", CLAIM.format(name="beta", value="2.0E18"))
    return make_kb


# Oxigraph writes the double 1.0E18 as 1000000000000000000, as its server would.
E18 = "0" * 18


def rows(invoke, kb: KBBuilder, text: str) -> list[str]:
    result = invoke("query", text, "--format", "csv", kb=kb)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[1:]


def touch_later(path: Path) -> None:
    """Make sure the stamp changes even on a file system with coarse times."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def store_folder(tmp_path: Path) -> Path:
    (found,) = [p for p in (tmp_path / "cache").glob("*-query-store") if p.is_dir()]
    return found


def plant(tmp_path: Path) -> None:
    """Write a triple straight into the store (as no command would), to see
    whether the next command reuses the store or rebuilds it."""
    store = ox.Store(str(store_folder(tmp_path)))
    triple = (ox.NamedNode(KB + "claim/planted"),
              ox.NamedNode("https://w3id.org/derive/ns#quantity"), ox.Literal("x"))
    store.add(ox.Quad(*triple, ox.NamedNode(KB + "graph/facts/a.ttl")))
    store.add(ox.Quad(*triple))  # the default graph holds every file's triples too
    store.flush()
    del store


def test_an_unchanged_knowledge_base_reuses_the_store(invoke, kb, tmp_path) -> None:
    assert rows(invoke, kb, VALUES) == [f"{KB}claim/alpha,1{E18}", f"{KB}claim/beta,2{E18}"]
    plant(tmp_path)
    assert any("planted" in r for r in rows(invoke, kb, "SELECT ?c WHERE { ?c dv:quantity ?q }"))


def test_an_edited_file_is_reloaded_and_only_it(invoke, kb, tmp_path) -> None:
    rows(invoke, kb, VALUES)
    plant(tmp_path)  # into a.ttl's graph
    path = kb.write("b.ttl", CLAIM.format(name="beta", value="3.0E18"))
    touch_later(path)
    found = rows(invoke, kb, "SELECT ?c ?v WHERE { ?c dv:quantity ?q . "
                             "OPTIONAL { ?q qudt:value ?v } } ORDER BY ?c")
    assert f"{KB}claim/beta,3{E18}" in found
    assert f"{KB}claim/beta,2{E18}" not in found
    assert any("planted" in r for r in found)  # a.ttl was not reloaded


def test_a_deleted_file_leaves_the_store(invoke, kb) -> None:
    rows(invoke, kb, VALUES)
    (kb.root / "facts" / "b.ttl").unlink()
    assert rows(invoke, kb, VALUES) == [f"{KB}claim/alpha,1{E18}"]


def test_a_renamed_file_is_found_under_its_new_name(invoke, kb) -> None:
    rows(invoke, kb, GRAPHS)
    (kb.root / "facts" / "b.ttl").rename(kb.root / "facts" / "c.ttl")
    assert rows(invoke, kb, GRAPHS) == [f"{KB}graph/facts/a.ttl", f"{KB}graph/facts/c.ttl"]
    assert len(rows(invoke, kb, VALUES)) == 2


def test_an_added_file_joins_the_store(invoke, kb) -> None:
    rows(invoke, kb, VALUES)
    kb.write("sub/d.ttl", CLAIM.format(name="delta", value="4.0E18"))
    assert f"{KB}claim/delta,4{E18}" in rows(invoke, kb, VALUES)


def test_a_changed_ontology_is_seen(invoke, kb) -> None:
    text = "SELECT ?l WHERE { dv:QuantitativeClaim rdfs:label ?l }"
    before = rows(invoke, kb, text)
    path = kb.root / "ontology" / "derive.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '"quantitative claim"@en', '"figure claim"@en'), encoding="utf-8")
    touch_later(path)
    assert before != rows(invoke, kb, text) == ["figure claim"]


def test_changed_code_rebuilds_the_store(invoke, kb, tmp_path) -> None:
    """A store another version of derive filled (its manifest names other
    code) is emptied and filled again, even though no file changed."""
    rows(invoke, kb, VALUES)
    plant(tmp_path)
    manifest = store_folder(tmp_path) / "derive-manifest.json"
    recorded = json.loads(manifest.read_text())
    recorded["key"] = recorded["key"].replace(recorded["code"], "another version of derive")
    recorded["code"] = "another version of derive"
    manifest.write_text(json.dumps(recorded))
    found = rows(invoke, kb, "SELECT ?c WHERE { ?c dv:quantity ?q }")
    assert found and not any("planted" in r for r in found)


def test_a_bad_file_is_a_load_error_and_the_store_recovers(invoke, kb) -> None:
    rows(invoke, kb, VALUES)
    path = kb.write("b.ttl", "claim:beta dv:asOf .\n")
    touch_later(path)
    result = invoke("query", VALUES, kb=kb)
    assert result.exit_code == 2 and "facts/b.ttl" in result.output
    path = kb.write("b.ttl", CLAIM.format(name="beta", value="5.0E18"))
    touch_later(path)
    assert rows(invoke, kb, VALUES) == [f"{KB}claim/alpha,1{E18}", f"{KB}claim/beta,5{E18}"]


def test_a_triple_two_files_state_stays_when_one_goes(invoke, kb) -> None:
    shared = 'ent:place a dv:Country ; rdfs:label "A place"@en .\n'
    kb.write("a.ttl", CLAIM.format(name="alpha", value="1.0E18") + shared)
    kb.write("b.ttl", CLAIM.format(name="beta", value="2.0E18") + shared)
    ask = "ASK { ent:place a dv:Country }"
    assert invoke("query", ask, kb=kb).output.strip() == "true"
    (kb.root / "facts" / "b.ttl").unlink()
    assert invoke("query", ask, kb=kb).output.strip() == "true"
    (kb.root / "facts" / "a.ttl").unlink()
    assert invoke("query", ask, kb=kb).output.strip() == "false"


# ---- what the store derives from the facts, after an edit

# A share of a count stated beside the count (338 of 476 models is 71%, not
# 90%): its finding needs the metrics' and entities' triples, which no claim owns.
COUNT_SHARE = """\
metric:share-of-notable-models a dv:Metric ;
    rdfs:label "share of notable AI models"@en ;
    dv:allowedUnit unit:PERCENT ;
    dv:isShare true ;
    dv:partOf metric:notable-ai-models .
ent:x-labs a dv:Aggregate ; rdfs:label "Xland labs"@en .
ent:all-models a dv:Aggregate ; rdfs:label "all models"@en .
""" + "".join(
    f"""claim:{name} a dv:QuantitativeClaim ;
    rdfs:label "{name}"@en ;
    dv:about ent:{about} ;
    dv:metric metric:{metric} ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value} ; qudt:hasUnit unit:{unit} ] ;
    dv:asOf "2025"^^xsd:gYear .
""" for name, about, metric, value, unit in (
        ("x-models", "x-labs", "notable-ai-models", "3.38E2", "NUM"),
        ("all-models", "all-models", "notable-ai-models", "4.76E2", "NUM"),
        ("x-models-share", "x-labs", "share-of-notable-models", "9.0E1", "PERCENT")))

DERIVED = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
           f"FILTER STRSTARTS(STR(?g), \"{KB}graph/derived/\") }}")


def derived_graph(kb: KBBuilder) -> Graph:
    from derive.api import queries

    result = queries.run(KnowledgeBase(kb.root), DERIVED, queries.Limits(seconds=0, rows=0))
    assert isinstance(result, queries.GraphResult)
    return result.graph


def test_after_an_edit_the_derived_graphs_come_from_the_files_fragments(
        kb, tmp_path, monkeypatch) -> None:
    """The first query keeps each file's fragment; after an edit only the
    edited facts file is parsed, and the estimates and findings are those a fresh
    cache computes from every file."""
    from derive.kb import store

    kb.write("shares.ttl", COUNT_SHARE)
    derived_graph(kb)
    path = kb.write("a.ttl", CLAIM.format(name="alpha", value="1.5E18"))
    touch_later(path)
    parsed = tmp_path / "parsed.txt"  # a file: a forked child's parse is counted too
    parse_quads = store.parse_quads

    def counted(text: str, display: str, *args: object, **kwargs: object) -> object:
        with parsed.open("a") as out:
            out.write(display + "\n")
        return parse_quads(text, display, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(store, "parse_quads", counted)
        after_edit = derived_graph(kb)
    # (the small ontology is read every time)
    assert {f for f in parsed.read_text().split() if f.startswith("facts/")} == {"facts/a.ttl"}
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "fresh-cache"))
    fresh = derived_graph(kb)
    assert isomorphic(after_edit, fresh)
    finding = URIRef(f"{KB}finding/count-share-x-models-x-models-share")
    assert (finding, None, None) in after_edit


# ---- query texts accepted before (derive.query.known)

FRESH_PROCESS = """
import sys
from derive.query import known
known.safe(sys.argv[1])
print("parser imported" if "rdflib.plugins.sparql.parser" in sys.modules else "parser not imported")
"""


def safe_in_fresh_process(text: str, tmp_path: Path) -> str:
    """What ``known.safe`` does in a new process (as a new command would)."""
    env = dict(os.environ, DERIVE_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", FRESH_PROCESS, text], env=env,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def test_a_query_run_before_is_not_parsed_again(invoke, kb, tmp_path) -> None:
    assert rows(invoke, kb, VALUES)
    assert safe_in_fresh_process(VALUES, tmp_path) == "parser not imported"
    assert safe_in_fresh_process(VALUES + " LIMIT 1", tmp_path) == "parser imported"


@pytest.mark.parametrize("text", [
    pytest.param("SELECT * WHERE { SERVICE <http://127.0.0.1:9/q> { ?s ?p ?o } }", id="service"),
    pytest.param('INSERT DATA { claim:x rdfs:label "x" }', id="update"),
    pytest.param("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", id="from"),
])
def test_a_refused_query_is_refused_every_time(invoke, kb, tmp_path, text) -> None:
    for _ in range(2):
        result = invoke("query", text, kb=kb)
        assert result.exit_code == 1, result.output
    assert "QueryError" in safe_in_fresh_process(text, tmp_path)


def test_a_damaged_memo_is_ignored(invoke, kb, tmp_path) -> None:
    assert rows(invoke, kb, VALUES)
    (tmp_path / "cache" / "safe-queries.pickle").write_bytes(b"not a pickle")
    assert rows(invoke, kb, VALUES)
    assert safe_in_fresh_process(VALUES, tmp_path) == "parser not imported"
