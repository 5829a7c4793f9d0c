"""Exports: the knowledge base in formats other tools read, one module per
format (``jsonld``, ``nanopubs``, ``bibtex``, ``csljson``, ``claims_csv``),
plus what they share: which claims, estimates and sources a list of names
selects (``select``) and the bibliographic record of a source (``bibdata``).
A format function takes plain data (the model, or an rdflib graph) and
returns text; nothing here prints or writes files."""
