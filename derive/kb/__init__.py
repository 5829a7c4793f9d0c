"""The data layer: where a knowledge base lives, how its Turtle is parsed into a
graph, the cache, and the plain-Python ``Model`` extracted from the graph.
Every other layer builds on this one; this one imports none of them."""

from derive.kb.locate import KnowledgeBase, locate

__all__ = ["KnowledgeBase", "locate"]
