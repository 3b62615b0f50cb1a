"""Read YAML files with libyaml's C parser when present (several times faster than pure Python: it is
most of a cold single-site verdict's rule loading), rejecting duplicate mapping keys.

PyYAML keeps the last of two equal keys silently, so a rule written with `outcome: prohibited` and then
`outcome: note` would load as a note. Here that is a DuplicateKeyError naming the file, the line and
the key. Merge keys (`<<: *anchor`) may still be overridden by the mapping's own keys, as YAML allows.
"""

from __future__ import annotations

from pathlib import Path

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping holds the same key twice; `file` is filled in by read_yaml."""

    def __init__(self, key, line: int, file: str = ""):
        self.key, self.line, self.file = key, line, file
        where = f"{file} " if file else ""
        super().__init__(problem=f"{where}第 {line} 行：重复的键 {key!r} / line {line}: duplicate key {key!r}")

    def __str__(self) -> str:
        return self.problem


class UniqueKeyLoader(_BaseLoader):
    """The safe loader (C parser when available) with duplicate mapping keys as an error."""

    def construct_mapping(self, node, deep=False):
        """Check the mapping's own keys for duplicates, then build it as the safe loader does."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: the safe constructor reports it
                    continue
                if duplicate:
                    raise DuplicateKeyError(key, key_node.start_mark.line + 1)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path):
    """Parse one YAML file safely (no Python object tags); a duplicate key is a DuplicateKeyError."""
    path = Path(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506 - safe loader
    except DuplicateKeyError as exc:
        raise DuplicateKeyError(exc.key, exc.line, path.name) from None
