"""Finding the knowledge base a front end works on (``--kb DIR``, else the
current folder when it has facts/, else the one shipped with derive)."""

from derive.kb.locate import KnowledgeBase, locate

__all__ = ["KnowledgeBase", "locate"]
