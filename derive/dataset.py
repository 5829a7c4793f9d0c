"""The graph users query: ontology, facts and (once computed) derived
estimates, assembled in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from derive.kb import KnowledgeBase

if TYPE_CHECKING:
    from rdflib import Graph


def query_graph(kb: KnowledgeBase) -> Graph:
    """Everything ``derive query`` sees: ontology, facts and derived estimates."""
    from derive import store

    return store.load(kb).graph
