"""A validation run that has to look at the graph: load the files, run the
shapes (in full, or over the claims that changed since ``state``) and the
quote check, and keep the new state for next time."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from derive.kb import store
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import DV, PREFIXES
from derive.kb.store import LoadedGraph
from derive.validate import incremental, one_value
from derive.validate.cells import cell_problems
from derive.validate.quotes import quote_problems
from derive.validate.report import ValidationReport, distinct
from derive.validate.shacl import shacl_problems
from derive.validate.state import State, save
from derive.validate.values import value_problems

# Classes whose instances count as described sources in the summary line.
SOURCE_CLASSES = (
    *(PREFIXES["bibo"] + name for name in (
        "Document", "Article", "AcademicArticle", "Report", "Webpage", "Book", "BookSection",
        "Chapter", "Thesis", "Manual", "Standard", "Patent", "Slideshow", "Note", "Manuscript",
    )),
    PREFIXES["schema"] + "Dataset",
    PREFIXES["schema"] + "DigitalDocument",
)  # fmt: skip


def run(kb: KnowledgeBase, state: State | None, context: str,
        stamps: dict[str, str]) -> ValidationReport:
    """Validate ``kb``; with a ``state`` of an earlier run, only the claims that
    may have changed are run through the shapes again."""
    data = store.load(kb)
    shapes = store.load(kb, kb.shapes_files()).graph
    claims = incremental.claims_of(data.graph)
    if state is None:
        shacl = shacl_problems(data, shapes)
    else:
        affected = incremental.affected_claims(data, state, stamps, claims)
        reduced = incremental.reduced_graph(data.graph, claims - affected)
        partial = LoadedGraphView(reduced, data)
        shacl = [*incremental.kept_problems(state, affected, claims),
                 *shacl_problems(partial, shapes)]  # type: ignore[arg-type]
    report = ValidationReport(
        problems=distinct([*one_value.merged(shacl, data), *quote_problems(data),
                           *value_problems(data), *cell_problems(data)]),
        claims=_count_instances(data.graph, (DV + "Claim",)),
        sources=_count_instances(data.graph, SOURCE_CLASSES),
    )
    save(kb, State(context, stamps, incremental.iris_by_file(data), claims, shacl, report))
    return report


class LoadedGraphView:
    """A reduced graph that still knows which file describes each node."""

    def __init__(self, graph: Graph, full: LoadedGraph) -> None:
        self.graph = graph
        self.kb = full.kb
        self.subjects_by_file = full.subjects_by_file
        self._full = full

    def file_of(self, node: Node) -> str | None:
        return self._full.file_of(node)


def _count_instances(graph: Graph, classes: tuple[str, ...]) -> int:
    """Distinct instances of ``classes`` or their rdfs:subClassOf descendants."""
    members: set[Node] = set()
    for cls in classes:
        for sub in graph.transitive_subjects(RDFS.subClassOf, URIRef(cls)):
            members.update(graph.subjects(RDF.type, sub))
    return len(members)
