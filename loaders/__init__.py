"""Turning sources into RDF: letters, curated records, Dutch dates and amounts."""
