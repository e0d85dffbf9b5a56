"""YAML with line numbers, so every complaint about a record can name its file and line."""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict[str, Any]):
    """A mapping that remembers the line it started on and the line of each of its keys."""

    line: int
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings are :class:`LineDict` instances."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            msg = f"line {key_node.start_mark.line + 1}: keys must be text, not {key!r}"
            raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
        if key in mapping:
            msg = f"key {key!r} appears twice in the same record"
            raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YamlSyntaxError(ValueError):
    """A YAML file that does not parse, with the file, line and column in its message."""


def load_yaml(text: str, name: str) -> Any:  # noqa: ANN401 - YAML documents are untyped by nature
    """Parse ``text`` safely; :class:`YamlSyntaxError` names ``name``, the line and the problem."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = error.problem or error.context or "invalid YAML"
        raise YamlSyntaxError(f"{where}: malformed YAML: {problem}") from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(f"{name}: malformed YAML: {error}") from error
