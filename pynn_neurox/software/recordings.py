"""Brian2 monitors during a run; their data go into the per-population store after it."""

import numpy as np

from .multiplicity import COUNT


class Monitors:
    """The Brian2 monitors of every recorded population, for one Brian2 run.

    `spike_time(population index, cells, times in s)` turns Brian2's spike times into
    the reported ones (see the target's module docstring).
    """

    def __init__(self, b2, network, groups, slots, state_variable, spike_time):
        """`slots`: population index -> (the NeuronGroup it shares, its first cell there);
        populations that share a group share one SpikeMonitor (each monitor costs time
        in every step)."""
        self.spike_time = spike_time
        self.entries = {}
        self.objects = []
        shared = {}  # id of a NeuronGroup -> its SpikeMonitor
        for population in network.populations:
            if not population.recorded:
                continue
            group = groups[population.index]
            spike_monitor = None
            whole, offset = slots.get(population.index, (group, 0))
            if "spikes" in population.recorded:
                if id(whole) not in shared:
                    # on the whole group, so in its thresholder's slot: a monitor of a
                    # Subgroup sits in the thresholds slot and saw the spikes of cells
                    # that fire after the synapses (delta, Izhikevich) one step late;
                    # a counting source's spikes carry their count (multiplicity.py)
                    counts = [COUNT] if COUNT in whole.variables else []
                    shared[id(whole)] = b2.SpikeMonitor(whole, variables=counts)
                    shared[id(whole)].namespace = whole.namespace  # the count's ring
                    self.objects.append(shared[id(whole)])
                spike_monitor = shared[id(whole)]
            interval = (population.sampling_interval or network.timestep) * b2.ms
            states = {}
            for variable, indices in population.recorded.items():
                if variable != "spikes":
                    name = state_variable(group, population, variable)
                    states[variable] = (name, indices, b2.StateMonitor(
                        group, name, record=np.asarray(indices, dtype=int), dt=interval,
                        when="start"))
            self.entries[population.index] = (spike_monitor, offset, population.size, states)
            self.objects += [monitor for _, _, monitor in states.values()]

    def transfer(self, population_index, recordings):
        """Add what the monitors of one population hold to `recordings`."""
        if population_index not in self.entries:
            return
        spike_monitor, offset, size, states = self.entries[population_index]
        if spike_monitor is not None:
            cells = np.asarray(spike_monitor.i, dtype=int) - offset
            mine = (cells >= 0) & (cells < size)
            times = np.asarray(spike_monitor.t_)[mine]
            cells = cells[mine]
            if COUNT in spike_monitor.record_variables:  # each of a step's spikes, recorded
                counts = np.asarray(getattr(spike_monitor, COUNT), dtype=int)[mine]
                cells, times = np.repeat(cells, counts), np.repeat(times, counts)
            recordings.add_spikes(cells, self.spike_time(population_index, cells, times))
        for variable, (name, indices, monitor) in states.items():
            recordings.add_samples(variable, indices, np.asarray(getattr(monitor, name)).T,
                                   np.asarray(monitor.t_) * 1000.0)
