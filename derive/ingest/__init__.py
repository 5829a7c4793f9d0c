"""Reading outside formats into the knowledge base's terms.

``bibtex``: BibTeX entries as sources. Tables (``derive import``): a CSV file
and its W3C CSV on the Web (CSVW) metadata become Turtle claims with
row-level provenance; ``mapping`` reads the CSVW metadata, ``table`` the CSV
(RFC 7111 row numbers), ``build`` turns rows into claims, ``turtle`` writes
them in a stable order, ``changes`` compares an import with the file it
replaces and ``run`` ties them together. Modules here parse and map and never
print (progress goes to a callback).
"""
