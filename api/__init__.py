"""The HTTP API: SPARQL endpoint, named queries, entity and trace pages, network views."""
