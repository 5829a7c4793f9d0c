"""Read-only SPARQL: parsing and refusing what could change data or reach
outside the knowledge base, running in a sandbox, the shipped queries, and the
result formats."""
