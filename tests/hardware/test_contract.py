"""The chip-kind contract, checked on every registered chip the way PyNN's scenarios run on
every simulator: a new chip gets these tests without writing any. The toy kind under
tests/hardware/toy_chip/ (docs/chips/adding_a_chip.md) is registered here too."""

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

import toy_chip  # noqa: F401  (registers the toy kind and its description)
from pyNN.neurox.errors import ChipLimitError, MappingError, ProgramLoadedError, SetupError
from pyNN.neurox.hardware import contract
from pyNN.neurox.hardware.chip import FORMAT_SECTIONS, chip_names, load_chip
from pyNN.neurox.hardware.contract import kind_for

CHIPS = chip_names()
CELL = dict(v_thresh=-50.0, v_reset=-65.0, v_rest=-65.0, tau_m=20.0, tau_refrac=2.0)
HARDWARE = Path(contract.__file__).parent


@pytest.fixture(params=CHIPS)
def chip(request):
    return request.param


def feed(sim, target, weight=8.0, delay=2.0, n=4, times=(3.0, 10.0, 30.0), **setup):
    sim.setup(timestep=1.0, target=target, **setup)
    source = sim.Population(n, sim.SpikeSourceArray(spike_times=list(times)), label="input")
    cells = sim.Population(n, sim.IF_curr_delta(**CELL), label="cells")
    projection = sim.Projection(source, cells, sim.OneToOneConnector(),
                                sim.StaticSynapse(weight=weight, delay=delay), label="feed")
    return source, cells, projection


def spike_count(population):
    return sum(len(t) for t in population.get_data("spikes").segments[-1].spiketrains)


def test_the_toy_kind_is_among_the_chips():
    assert {"loihi", "neurocorex", "toy"} <= set(CHIPS)
    assert {"loihi", "neurocorex", "toy"} <= set(contract.kind_names())


def test_reset_after_a_change_maps_again(sim, chip):
    _, cells, _ = feed(sim, chip, weight=7.0, times=(3.0, 10.0), n=1)
    cells.record("spikes")
    sim.run(40.0)
    assert spike_count(cells) == 0  # two 7 mV steps stay below a 15 mV threshold
    cells.set(v_thresh=-60.0)
    with pytest.raises(ProgramLoadedError, match="reset\\(\\).*'cells' \\(v_thresh\\)"):
        sim.run(10.0)
    sim.reset()
    sim.run(40.0)
    assert spike_count(cells) == 2  # every input now fires the cell


def test_the_same_seed_gives_the_same_spikes(sim, chip):
    def run(seed):
        sim.setup(timestep=1.0, target=chip, rng_seed=seed)
        source = sim.Population(8, sim.SpikeSourcePoisson(rate=80.0), label="noise")
        cells = sim.Population(8, sim.IF_curr_delta(**CELL), label="cells")
        sim.Projection(source, cells, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=9.0, delay=1.0))
        cells.record("spikes")
        source.record("spikes")
        sim.run(200.0)
        trains = [np.asarray(t) for p in (source, cells)
                  for t in p.get_data().segments[0].spiketrains]
        sim.end()
        return trains

    first, again, other = run(7), run(7), run(8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert sum(a.size for a in first) > 0
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_a_cell_type_without_a_form_is_refused_by_name(sim, chip):
    sim.setup(timestep=1.0, target=chip)
    sim.Population(2, sim.HH_cond_exp(), label="squid")
    with pytest.raises(MappingError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    assert load_chip(chip).title in message
    assert "'squid'" in message and "HH_cond_exp" in message


def test_a_limit_is_refused_naming_chip_object_and_value(sim, chip):
    limits = {key: 1 for key, entry in load_chip(chip).section("limits").items()
              if isinstance(entry, dict) and isinstance(entry.get("value"), int)}
    feed(sim, chip, n=2, chip={"limits": limits})
    with pytest.raises(ChipLimitError) as refusal:
        sim.get_mapping()
    message = str(refusal.value)
    assert load_chip(chip).title in message
    assert "'cells'" in message or "'input'" in message
    assert any(word.strip("(),;:'").isdigit() for word in message.split())


def test_v_is_sampled_at_one_interval(sim, chip):
    _, cells, _ = feed(sim, chip)
    other = sim.Population(2, sim.IF_curr_delta(**CELL), label="other")
    cells.record("v", sampling_interval=1.0)
    other.record("v", sampling_interval=2.0)
    with pytest.raises(ChipLimitError, match="one interval for all populations"):
        sim.run(10.0)


def _data(sim, target):
    _, cells, _ = feed(sim, target)
    cells.record(["spikes", "v"])
    sim.run(40.0)
    block = cells.get_data()
    sim.end()
    return block


def test_get_data_has_the_software_targets_shape_and_units(sim, chip):
    chip_block, software = _data(sim, chip), _data(sim, "brian2")
    assert len(chip_block.segments) == len(software.segments)
    a, b = chip_block.segments[0], software.segments[0]
    assert len(a.spiketrains) == len(b.spiketrains)
    assert [t.units for t in a.spiketrains] == [t.units for t in b.spiketrains]
    (va,), (vb,) = a.filter(name="v"), b.filter(name="v")
    assert va.shape == vb.shape and va.units == vb.units
    assert va.sampling_period == vb.sampling_period and va.t_start == vb.t_start


def test_the_report_has_its_rows(sim, chip):
    feed(sim, chip)
    sim.run(20.0)
    report = sim.get_mapping().report
    assert report.cores and all(u.limit > 0 and 0 <= u.share for c in report.cores
                                for u in c.usage)
    assert [p.label for p in report.populations] == ["cells"]
    assert [p.label for p in report.projections] == ["feed"]
    assert [i.label for i in report.inputs] == ["input"]
    assert report.projections[0].synapses == 4
    assert isinstance(report.counters, dict) and report.counters
    text = str(report)
    assert "cells" in text and "feed" in text and load_chip(chip).title in text


def test_weights_read_back_are_the_chips(sim, chip):
    weights = np.array([2.0, 4.5, 6.0, 8.0])
    sim.setup(timestep=1.0, target=chip)
    source = sim.Population(4, sim.SpikeSourceArray(spike_times=[3.0]), label="input")
    cells = sim.Population(4, sim.IF_curr_delta(**CELL), label="cells")
    connections = [(i, i, w, 1.0) for i, w in enumerate(weights)]
    projection = sim.Projection(source, cells, sim.FromListConnector(connections),
                                sim.StaticSynapse(), label="feed")
    mapping = sim.get_mapping()
    q = mapping.projections[0]
    before = np.asarray(projection.get("weight", format="array")).diagonal()
    np.testing.assert_array_equal(before, q.weight / q.chip_per_pynn)
    sim.run(10.0)
    after = np.asarray(projection.get("weight", format="array")).diagonal()
    np.testing.assert_array_equal(after, before)  # static weights do not change
    error = np.abs(after - weights) * q.chip_per_pynn  # in the chip's units
    assert error.max() <= mapping.report.projections[0].max_abs_error + 1e-9


def test_host_inputs_arrive_on_the_documented_tick(sim, chip):
    """A spike at t through delay d shows in v at t + d (NEST's delivery onto a delta
    synapse), on every chip as on the software target."""
    def first_change(target):
        _, cells, _ = feed(sim, target, delay=3.0, times=(4.0,))
        cells.record("v")
        sim.run(15.0)
        v = cells.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]
        sim.end()
        return int(np.flatnonzero(np.abs(v - v[0]) > 1.0)[0]), np.ptp(v[:7])

    (tick, before), (software, _) = first_change(chip), first_change("brian2")
    assert tick == software == 7 and before == 0.0


# --- the chip description and the kernels ---------------------------------------------

def _kind_files(name):
    module = inspect.getmodule(type(kind_for(load_chip(name))))
    path = Path(module.__file__)
    return sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]


def test_every_fact_the_description_gives_is_read(chip):
    """A key in a numeric section that no formats field reads is a fact nothing uses."""
    description = load_chip(chip)
    read = kind_for(description).formats_class.keys_read()
    given = {(section, key) for section in FORMAT_SECTIONS
             for key in description.section(section) if key not in ("note", "source")}
    assert given - read == set()


def test_every_formats_field_is_used(chip):
    """Each field of a kind's formats is read by a stage (the kind's or a shared one)."""
    formats_class = kind_for(load_chip(chip)).formats_class
    files = set(_kind_files(chip)) | set(HARDWARE.glob("*.py"))
    used = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                used.add(node.attr)
    unused = {f for f in formats_class.__dataclass_fields__} - used
    assert unused == set()


def _numbers(value):
    if isinstance(value, bool):
        return set()
    if isinstance(value, (int, float)):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_numbers(v) for k, v in value.items() if k != "source")) \
            if value else set()
    if isinstance(value, list):
        return set().union(*(_numbers(v) for v in value)) if value else set()
    return set()


# byte arithmetic (masks, signed-byte compares) is not a chip's number
_BYTE_VALUES = {127, 128, 255, 256, -127, -128}


def test_no_kernel_holds_a_chip_number_as_a_literal(chip):
    description = load_chip(chip)
    facts = set().union(*(_numbers(description.section(s)) for s in FORMAT_SECTIONS))
    distinctive = {v for v in facts if abs(v) > 16 and v not in _BYTE_VALUES}
    found = []
    for path in _kind_files(chip):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Constant) and not isinstance(node.value, bool)
                    and isinstance(node.value, (int, float)) and node.value in distinctive):
                found.append(f"{path.name}:{node.lineno}: {node.value}")
    assert found == []


# --- a variant of a chip, described only in JSON --------------------------------------

def test_a_loihi_variant_changes_quantizer_placer_and_emulator(sim):
    """A smaller core and a 16-bit current (15 bits + sign), as overrides of the
    description: no code changes, and every stage follows."""
    variant = {"limits": {"compartments_per_core": 256}, "formats": {"current_bits": 15}}

    def run(**setup):
        sim.setup(timestep=1.0, target="loihi", **setup)
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]), label="input")
        cells = sim.Population(1000, sim.IF_curr_exp(tau_syn_E=5.0, v_thresh=-50.0),
                               label="cells")
        sim.Projection(source, cells, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=5.0, delay=1.0))
        sim.run(10.0)
        mapping = sim.get_mapping()
        sim.end()
        return mapping

    chip, smaller = run(), run(chip=variant)
    assert "variant" in smaller.report.chip
    assert chip.program.vmin.min() == -(2 ** 23) + 1  # quantizer: v's floor is the current's
    assert smaller.program.vmin.min() == -(2 ** 15) + 1
    assert len(chip.placement.cores) == 1 and len(smaller.placement.cores) == 4  # placer
    assert chip.report.counters["current_wraps"] == 0  # emulator: the input wraps at 15 bits
    assert smaller.report.counters["current_wraps"] > 0


def test_a_variant_that_names_no_fact_is_refused(sim):
    with pytest.raises(SetupError, match="no limits.cores_per_die"):
        feed(sim, "loihi", chip={"limits": {"cores_per_die": 2}})
