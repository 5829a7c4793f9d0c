"""Reading outside formats into the knowledge base's terms (``bibtex``:
BibTeX entries as sources). Modules here parse and map; validating and
writing the result are the api's job."""
