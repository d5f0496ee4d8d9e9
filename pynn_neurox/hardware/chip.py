"""Chip descriptions: the facts of one chip (formats, limits, figures), each with its source.

Descriptions are data files in pyNN.neurox.hardware_models; the pipeline reads them and
never hard-codes a chip's numbers, so a chip with a neuron-model kind the pipeline knows
is added by adding a description.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_PACKAGE = "pyNN.neurox.hardware_models"


@dataclass(frozen=True)
class ChipDescription:
    name: str
    title: str
    neuron_model: str
    data: dict

    def _fact(self, section, key):
        try:
            return self.data[section][key]
        except KeyError:
            raise KeyError(f"the {self.name} chip description has no {section}.{key}") from None

    def limit(self, key):
        return self._fact("limits", key)["value"]

    def format(self, key):
        return self._fact("formats", key)["value"]

    def source(self, section, key):
        return self._fact(section, key)["source"]

    def section(self, name):
        return self.data.get(name, {})


def chip_names():
    return sorted(entry.name[:-5] for entry in resources.files(_PACKAGE).iterdir()
                  if entry.name.endswith(".json"))


@lru_cache(maxsize=None)
def load_chip(name):
    """The description of chip `name` (a file hardware_models/<name>.json)."""
    path = resources.files(_PACKAGE).joinpath(f"{name}.json")
    if not path.is_file():
        raise ValueError(f"no chip description '{name}'; the chips are: "
                         + ", ".join(chip_names()))
    data = json.loads(path.read_text())
    return ChipDescription(data["name"], data["title"], data["neuron_model"], data)
