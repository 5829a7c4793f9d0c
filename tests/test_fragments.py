"""After a first run, each facts file is kept as a fragment and only changed
files are parsed: the model compiled from the fragments is the model
extracted from the whole graph, and a knowledge base that cannot be sliced
(a claim in two files, a claim that is also something else, a blank node two
owners share, subclasses declared in the facts) is read whole instead."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT, KBBuilder
from test_estimate import SOURCES, claim

from derive.kb import KnowledgeBase, cache, extract, fragments, store


def assert_same_model(kb: KnowledgeBase) -> None:
    whole = extract.extract(store.load_index(kb))
    sliced = fragments.load(kb)
    assert sliced is not None
    assert sliced.extracted
    from_fragments = sliced.model()
    for field in dataclasses.fields(whole):
        assert getattr(from_fragments, field.name) == getattr(whole, field.name), field.name


def test_the_shipped_knowledge_base_compiles_alike_from_fragments(tmp_path: Path) -> None:
    for folder in ("ontology", "facts", "data"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    kb = KnowledgeBase(tmp_path)
    assert_same_model(kb)  # every fragment parsed now
    assert_same_model(kb)  # every fragment read from the cache


def test_an_edited_file_is_parsed_again_and_the_others_are_not(make_kb: KBBuilder) -> None:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("a.ttl", claim("a", 1e23, "dvu:FLOP"))
    make_kb.write("b.ttl", claim("b", 2e23, "dvu:FLOP"))
    kb = KnowledgeBase(make_kb.root)
    first = fragments.load(kb)
    assert first is not None
    make_kb.write("b.ttl", claim("b", 4e23, "dvu:FLOP") + claim("c", 5e23, "dvu:FLOP"))
    second = fragments.load(kb)
    assert second is not None
    assert second.fragments["facts/a.ttl"].closures is None  # read from the cache, not parsed
    assert second.fragments["facts/b.ttl"].closures is not None  # parsed again
    assert sorted(second.claims) == [f"https://w3id.org/derive/kb/claim/{c}" for c in "abc"]
    assert_same_model(kb)


UNSLICEABLE = {
    "claim-described-by-two-files": {
        "a.ttl": claim("a", 1e23, "dvu:FLOP"),
        "b.ttl": 'claim:a rdfs:comment "said again elsewhere" .\n'},
    "claim-that-is-also-an-entity": {
        "a.ttl": claim("a", 1e23, "dvu:FLOP") + "claim:a a dv:Entity .\n"},
    "blank-node-two-claims-share": {
        "a.ttl": claim("a", 1e23, "dvu:FLOP") + claim("b", 2e23, "dvu:FLOP")
        + "claim:a rdfs:seeAlso _:shared . claim:b rdfs:seeAlso _:shared .\n"
          '_:shared rdfs:label "shared" .\n'},
    "blank-node-a-claim-and-a-source-share": {
        "a.ttl": claim("a", 1e23, "dvu:FLOP") + "claim:a rdfs:seeAlso _:shared .\n"
        "src:essay rdfs:seeAlso _:shared .\n"},
    "subclass-declared-in-the-facts": {
        "a.ttl": claim("a", 1e23, "dvu:FLOP")
        + "<urn:x-test:Guess> rdfs:subClassOf dv:QuantitativeClaim .\n"},
}


@pytest.mark.parametrize("files", UNSLICEABLE.values(), ids=UNSLICEABLE.keys())
def test_a_knowledge_base_that_cannot_be_sliced_is_read_whole(
        make_kb: KBBuilder, files: dict[str, str]) -> None:
    make_kb.write("sources.ttl", SOURCES)
    for name, text in files.items():
        make_kb.write(name, text)
    assert fragments.load(KnowledgeBase(make_kb.root)) is None


def test_blank_nodes_in_a_cycle_belong_to_their_claim(make_kb: KBBuilder) -> None:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("a.ttl", claim("a", 1e23, "dvu:FLOP")
                  + "claim:a rdfs:seeAlso _:one . _:one rdfs:seeAlso _:two . "
                    "_:two rdfs:seeAlso _:one .\n")
    assert_same_model(KnowledgeBase(make_kb.root))


def test_a_part_gone_from_the_cache_is_read_from_the_file_again(make_kb: KBBuilder) -> None:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("a.ttl", claim("a", 1e23, "dvu:FLOP"))
    kb = KnowledgeBase(make_kb.root)
    fresh = fragments.load(kb)
    assert fresh is not None
    expected = fresh.closure("https://w3id.org/derive/kb/claim/a")
    for part in cache.cache_dir().glob("*-fragment-*-closures.pickle"):  # type: ignore[union-attr]
        part.unlink()
    again = fragments.load(kb)
    assert again is not None
    triples = again.closure("https://w3id.org/derive/kb/claim/a")
    assert len(triples) == len(expected) > 5
    assert_same_model(kb)


def test_claims_validation_left_unextracted_are_extracted_when_compiling(
        make_kb: KBBuilder) -> None:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("a.ttl", claim("a", 1e23, "dvu:FLOP") + claim("b", 2e23, "dvu:FLOP"))
    kb = KnowledgeBase(make_kb.root)
    validating = fragments.load(kb, extracting=False)
    assert validating is not None
    assert validating.fragments["facts/a.ttl"].extracted is None
    assert_same_model(kb)
