"""Simulation state: the network description being built and the target that runs it."""

from pyNN import common

from .description import NetworkDescription

name = "neurox"


class ID(int, common.IDMixin):
    """A cell's global identifier; cells of one population have consecutive IDs."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """Time, the network description and the target; the only global of the backend."""

    def __init__(self):
        super().__init__()
        self.mpi_rank = 0
        self.num_processes = 1
        self.network = NetworkDescription()
        self.target = None
        self.initialized = False
        self.auto_min_delay = False
        # callables given the state at end(), before the target is released
        self.end_hooks = []
        self.clear()

    @property
    def dt(self):
        return self.network.timestep

    @property
    def min_delay(self):
        """The smallest delay: the one set in setup(), or with min_delay="auto" the
        smallest delay of any connection made so far."""
        if self.auto_min_delay:
            delays = [p.delays.min() for p in self.network.projections if len(p)]
            if delays:
                return float(min(delays))
        return self.network.min_delay

    @property
    def max_delay(self):
        return self.network.max_delay

    def run_until(self, tstop, callbacks=()):
        """Run the target to `tstop`; the time is then the steps the target has done, also
        when the run ends early (Ctrl-C, an error), so it never drifts from them."""
        self.running = True
        try:
            self.target.run_until(tstop, callbacks, on_time=self._set_time)
        finally:
            self.t = self.target.now

    def _set_time(self, t):
        """Told by the target when a callback may run: the time is the steps done."""
        self.t = self.target.now

    def clear(self):
        """Forget the whole network (setup() and end() call this)."""
        self.recorders = set([])
        self.id_counter = 0
        self.segment_counter = -1
        self.network = NetworkDescription(timestep=self.network.timestep,
                                          min_delay=self.network.min_delay,
                                          max_delay=self.network.max_delay)
        if self.target is not None:
            self.target.close()
        self.target = None
        self.reset()

    def reset(self):
        """Back to t = 0 with every state variable at its initial value."""
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.segment_counter += 1
        if self.target is not None:
            self.target.reset()


state = State()
