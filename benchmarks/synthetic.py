"""A synthetic knowledge base of N claims that validates, for measuring derive
at scale: ``python benchmarks/synthetic.py DIR N``.

The knowledge base is the project's own (ontology, the essay's facts) plus
``facts/synthetic/part-NNNN.ttl`` files of up to ``PER_FILE`` claims each.
Every part has its own source, described like a real one, whose text is
generated into ``facts/texts/synthetic/part-NNNN.txt``; every claim quotes
one sentence of that text verbatim, names a metric of ``ontology/metrics.ttl``
with an allowed unit, an entity declared in the part and an as-of year. Each
part also defines a few estimates (sums and ratios) over its claims, so that
compiling has plans to make. Nothing here is a real figure: the sources say
so in their titles.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PER_FILE = 5000
# One claim per entity and year (2015-2025), so that no two claims disagree.
CLAIMS_PER_ENTITY = 11
CLAIMS_PER_ESTIMATE = 500

PROLOGUE = """\
@prefix dv:      <https://w3id.org/derive/ns#> .
@prefix claim:   <https://w3id.org/derive/kb/claim/> .
@prefix ent:     <https://w3id.org/derive/kb/entity/> .
@prefix metric:  <https://w3id.org/derive/kb/metric/> .
@prefix src:     <https://w3id.org/derive/kb/source/> .
@prefix est:     <https://w3id.org/derive/kb/estimate/> .
@prefix unit:    <http://qudt.org/vocab/unit/> .
@prefix qudt:    <http://qudt.org/schema/qudt/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix bibo:    <http://purl.org/ontology/bibo/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

"""

SOURCE = """\
src:synthetic-{part:04d} a bibo:Report ;
    dcterms:title "Synthetic benchmark register, part {part} (generated, not a real source)" ;
    dcterms:issued "2025"^^xsd:gYear ;
    dv:localText "texts/synthetic/part-{part:04d}.txt" .

"""

ENTITY = 'ent:synthetic-cluster-{k} a dv:Company ; rdfs:label "Synthetic cluster {k}"@en .\n'

CLAIM = """\
claim:synthetic-{i} a dv:QuantitativeClaim ;
    rdfs:label "Synthetic cluster {k}, record {i}"@en ;
    dv:about ent:synthetic-cluster-{k} ;
    dv:metric metric:ai-supercomputer-performance ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value} ; qudt:hasUnit unit:FLOPS ] ;
    dv:asOf "{year}"^^xsd:gYear ;
    prov:wasQuotedFrom src:synthetic-{part:04d} ;
    dv:quote [ a oa:SpecificResource ;
        oa:hasSource src:synthetic-{part:04d} ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{sentence}" ] ] .

"""

SENTENCE = "In {year}, record {i} puts synthetic cluster {k} at {value} FLOP/s of AI performance."

ESTIMATE = """\
est:synthetic-{kind}-{i} a dv:Estimate ;
    rdfs:label "Synthetic {kind} {i}"@en ;
    dv:method dv:{method} ;
    dv:input [ dv:role "{first}" ; dv:from claim:synthetic-{i} ] ,
             [ dv:role "{second}" ; dv:from claim:synthetic-{j} ] ;
    dv:targetDate "{year}"^^xsd:gYear ;
    dv:unit unit:{unit} .

"""


def _value(i: int) -> str:
    return f"{(i * 7919) % 9000 / 1000 + 1:.3f}E{17 + i % 4}"


def _year(i: int) -> int:
    return 2015 + i % 11


def part_text(part: int, first: int, last: int) -> tuple[str, str]:
    """The Turtle and the source text of one part (claims ``first``..``last - 1``)."""
    turtle = [PROLOGUE, SOURCE.format(part=part)]
    text = [f"Synthetic benchmark register, part {part}. Generated; no figure here is real.\n"]
    for k in range(first // CLAIMS_PER_ENTITY, (last - 1) // CLAIMS_PER_ENTITY + 1):
        turtle.append(ENTITY.format(k=k))
    turtle.append("\n")
    for i in range(first, last):
        fields = {"i": i, "k": i // CLAIMS_PER_ENTITY, "value": _value(i), "year": _year(i),
                  "part": part}
        sentence = SENTENCE.format(**fields)
        text.append(sentence + "\n")
        turtle.append(CLAIM.format(sentence=sentence, **fields))
    for i in range(first, last - 1, CLAIMS_PER_ESTIMATE):
        year = max(_year(i), _year(i + 1))
        turtle.append(ESTIMATE.format(kind="sum", method="Sum", first="a", second="b", i=i,
                                      j=i + 1, year=year, unit="FLOPS"))
        turtle.append(ESTIMATE.format(kind="ratio", method="Ratio", first="numerator",
                                      second="denominator", i=i, j=i + 1, year=year,
                                      unit="UNITLESS"))
    return "".join(turtle), "".join(text)


def generate(root: Path, claims: int, per_file: int = PER_FILE) -> list[Path]:
    """Write a knowledge base at ``root`` (replacing what is there) with the project's
    ontology and facts plus ``claims`` synthetic claims; the synthetic files."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(PROJECT / "ontology", root / "ontology")
    shutil.copytree(PROJECT / "facts", root / "facts")
    shutil.copytree(PROJECT / "data", root / "data")  # the tables imported facts quote
    turtle_dir = root / "facts" / "synthetic"
    text_dir = root / "facts" / "texts" / "synthetic"
    turtle_dir.mkdir(parents=True)
    text_dir.mkdir(parents=True)
    written = []
    for part, first in enumerate(range(0, claims, per_file)):
        turtle, text = part_text(part, first, min(first + per_file, claims))
        path = turtle_dir / f"part-{part:04d}.ttl"
        path.write_text(turtle, encoding="utf-8")
        (text_dir / f"part-{part:04d}.txt").write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("claims", type=int)
    parser.add_argument("--per-file", type=int, default=PER_FILE)
    options = parser.parse_args()
    files = generate(options.folder, options.claims, options.per_file)
    print(f"{options.claims:,} claims in {len(files)} files under {options.folder}/facts/synthetic")


if __name__ == "__main__":
    main()
