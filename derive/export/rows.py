"""A graph as plain tuples of strings: what the export graph is cached as
(unpickling rdflib terms would re-lex literals from their values, and a
graph of tens of thousands of triples is faster to rebuild from strings) and
what the JSON-LD writer reads directly, without an rdflib graph."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

# ("u", iri) | ("b", blank node id) | ("l", lexical form, datatype IRI or "", language or "")
Term = tuple[str, ...]
Row = tuple[Term, Term, Term]


def encode(node: Node) -> Term:
    if isinstance(node, Literal):
        return ("l", str(node), str(node.datatype or ""), node.language or "")
    return ("b" if isinstance(node, BNode) else "u", str(node))


def rows(graph: Graph) -> list[Row]:
    return [(encode(s), encode(p), encode(o)) for s, p, o in graph]


def graph(table: list[Row], into: Graph) -> Graph:
    """``into`` with the statements of ``table`` added."""
    terms: dict[Term, Node] = {}

    def decode(term: Term) -> Node:
        node = terms.get(term)
        if node is None:
            if term[0] == "l":
                node = Literal(term[1], datatype=term[2] or None, lang=term[3] or None)
            else:
                node = BNode(term[1]) if term[0] == "b" else URIRef(term[1])
            terms[term] = node
        return node

    add = into.add
    for s, p, o in table:
        add((decode(s), decode(p), decode(o)))
    return into
