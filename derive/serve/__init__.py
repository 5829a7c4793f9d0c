"""``derive serve``: the knowledge base over HTTP. A SPARQL 1.1 Protocol
endpoint at ``/sparql`` (bounded like ``derive query``), the fact sheets at
``/`` and each estimate as JSON, answered from a snapshot that is replaced
whole when the files change. A front end: it calls ``derive.api`` only."""
