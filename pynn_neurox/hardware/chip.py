"""Chip descriptions: the facts of one chip (formats, limits, figures), each with its source.

Descriptions are data files in pyNN.neurox.hardware_models; a chip names its kind, and
the kind reads the numbers it needs as a typed formats object (`ChipFormats`), so that no
stage holds a chip's number as a literal: a chip of a known kind is added by adding a
description, and a variant of a chip by overriding some of its facts.
"""

import copy
import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping as MappingType, Optional

from ..errors import SetupError

_PACKAGE = "pyNN.neurox.hardware_models"

# the sections of a description whose facts a kind's formats read; every one of their
# keys must be a field of the kind's formats (tests/hardware/test_contract.py)
FORMAT_SECTIONS = ("formats", "limits", "learning", "synapse_memory", "board")


@dataclass(frozen=True)
class ChipDescription:
    name: str
    title: str
    kind: str
    data: dict

    def section(self, name: str) -> dict:
        return self.data.get(name, {})

    def fact(self, section: str, key: str) -> Any:
        """The value of one fact (the "value" of an entry with its source, or the entry)."""
        try:
            entry = self.data[section][key]
        except KeyError:
            raise SetupError(f"the {self.name} chip description has no {section}.{key}") \
                from None
        return entry["value"] if isinstance(entry, dict) and "value" in entry else entry

    def source(self, section: str, key: str) -> str:
        entry = self.data[section][key]
        return entry.get("source") or self.data[section].get("source", "")

    def with_overrides(self, overrides: Optional[MappingType]) -> "ChipDescription":
        """A variant: `overrides` is {section: {key: value}}; a value replaces the fact's
        value and the variant's title says it is one."""
        if not overrides:
            return self
        data = copy.deepcopy(self.data)
        for section, facts in overrides.items():
            if section not in data or not isinstance(facts, dict):
                raise SetupError(f"chip overrides: the {self.name} chip description has no "
                                 f"section {section!r}; it has {sorted(data)}")
            for key, value in facts.items():
                if key not in data[section]:
                    raise SetupError(f"chip overrides: the {self.name} chip description has "
                                     f"no {section}.{key}")
                entry = data[section][key]
                if isinstance(entry, dict) and "value" in entry:
                    entry["value"] = value
                    entry["source"] = "override"
                else:
                    data[section][key] = value
        changed = ", ".join(f"{s}.{k} = {v}" for s, f in overrides.items() for k, v in f.items())
        return ChipDescription(self.name, f"{self.title} (variant: {changed})", self.kind, data)


def fact(section: str = "formats", key: Optional[str] = None):
    """A field of a formats class read from `section` of the description (under the
    field's own name unless `key` is given)."""
    return field(metadata={"section": section, "key": key})


@dataclass(frozen=True)
class ChipFormats:
    """The facts of a description that a kind's stages use, as typed attributes. A kind
    subclasses it and declares each fact where its width or limit is defined."""

    @classmethod
    def from_description(cls, chip: ChipDescription) -> "ChipFormats":
        return cls(**{f.name: chip.fact(f.metadata["section"], f.metadata["key"] or f.name)
                      for f in fields(cls)})

    @classmethod
    def keys_read(cls) -> set:
        """(section, key) of every fact the formats read."""
        return {(f.metadata["section"], f.metadata["key"] or f.name) for f in fields(cls)}


# descriptions added at run time (add_description), by name
_ADDED: dict = {}


def chip_names() -> list:
    bundled = {entry.name[:-5] for entry in resources.files(_PACKAGE).iterdir()
               if entry.name.endswith(".json")}
    return sorted(bundled | set(_ADDED))


def read_description(text: str) -> ChipDescription:
    data = json.loads(text)
    return ChipDescription(data["name"], data["title"], data["kind"], data)


def add_description(path) -> ChipDescription:
    """Make a chip description file outside the package known by its name (a chip of
    one's own; its kind must be registered before a target uses it)."""
    with open(path, encoding="utf-8") as file:
        chip = read_description(file.read())
    _ADDED[chip.name] = chip
    return chip


@lru_cache(maxsize=None)
def _bundled(name: str) -> ChipDescription:
    path = resources.files(_PACKAGE).joinpath(f"{name}.json")
    if not path.is_file():
        raise SetupError(f"no chip description '{name}'; the chips are: "
                         + ", ".join(chip_names()))
    return read_description(path.read_text(encoding="utf-8"))


def load_chip(name: str) -> ChipDescription:
    """The description of chip `name`: an added one, or hardware_models/<name>.json."""
    return _ADDED[name] if name in _ADDED else _bundled(name)
