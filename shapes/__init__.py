"""SHACL shapes for pactgraph data and a validator whose report a person can read."""

from pactgraph.shapes.validate import Violation, shapes_graph, validate

__all__ = ["Violation", "shapes_graph", "validate"]
