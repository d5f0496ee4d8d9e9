"""Golden vectors for the NeuroCoreX emulator, worked out by hand from the VHDL tick
semantics (docs/chips/neurocorex_emulator.md): one test per rule, then hand traces of a
three-neuron network and properties. V is raw Q7.10 (1.0 = 1024)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyNN.neurox.errors import MappingError
from pyNN.neurox.hardware.chips.neurocorex.emulator import NeuroCoreXEmulator, gain_product
from pyNN.neurox.hardware.chips.neurocorex.board import (
    N_NEURONS, BoardImage, encode_events,
)

HIGH = 100_000  # a threshold nothing reaches in these tests


def board(threshold=HIGH, refractory=4, gain=4, leak=0):
    image = BoardImage.blank()
    image.set_threshold(np.arange(N_NEURONS), threshold)
    image.set_refractory(np.arange(N_NEURONS), refractory)
    image.ff_gain, image.leak = gain, leak
    return image


def run(image, events=(), ticks=10, record_v=True):
    emulator = NeuroCoreXEmulator(image)
    if events:
        ticks_, addresses = zip(*events)
        emulator.queue(encode_events(ticks_, addresses).records)
    return emulator, emulator.run(ticks, record_v=record_v)


def spike_ticks(result, neuron):
    return np.flatnonzero(result.spikes[:, neuron]).tolist()


def test_input_released_at_t_acts_at_t_plus_1_for_one_tick():
    image = board()
    image.connect_inputs(3, 0, 10)  # 10 * gain 4 = 40.0
    _, result = run(image, events=[(5, 3)], ticks=9)
    assert result.releases.tolist() == [[5, 3]]
    assert result.v[:, 0].tolist() == [0] * 6 + [40960] * 3  # no decay: V keeps it


def test_spike_test_uses_v_before_this_ticks_input():
    image = board(threshold=4096)
    image.connect_inputs(0, 0, 1)  # 4.0 per event
    _, result = run(image, events=[(0, 0)], ticks=4)
    assert result.v[:, 0].tolist() == [0, 4096, 0, 0]
    assert spike_ticks(result, 0) == [2]  # acts in tick 1, seen by the test in tick 2


@pytest.mark.parametrize("tref, isi", [(0, 2), (1, 2), (2, 3), (4, 5)])
def test_minimum_isi_is_max_tref_1_plus_1(tref, isi):
    image = board(threshold=0, refractory=tref)  # V = 0 >= 0: fires whenever allowed
    _, result = run(image, ticks=12)
    assert spike_ticks(result, 0) == list(range(0, 12, isi))


def test_v_integrates_during_refractoriness():
    image = board(threshold=1024, refractory=3)
    image.set_debug_probe(0, 600)  # +600 raw before every tick's spike test
    _, result = run(image, ticks=7)
    assert result.v[:, 0].tolist() == [600, 0, 600, 1200, 1800, 0, 600]
    assert spike_ticks(result, 0) == [1, 5]


def test_debug_bias_lands_on_slot_index_plus_3():
    image = board()
    image.debug_index, image.debug_bias = 5, 7  # slot 8 = host neuron 4
    _, result = run(image, ticks=2)
    assert np.flatnonzero(result.v[1]).tolist() == [4] and result.v[1, 4] == 14


def test_membrane_wraps_in_18_bits():
    image = board(threshold=131071)
    image.set_debug_probe(0, 100_000)
    _, result = run(image, ticks=3)
    assert result.v[:, 0].tolist() == [100_000, 200_000 - 262_144, 300_000 - 262_144]
    assert result.counters["membrane_wraps"] == 1


def test_weight_times_gain_wraps_keeping_its_sign():
    image = board()
    image.connect_inputs(0, [0, 1, 2, 3], [40, 32, -40, -32])  # *4: 160, 128, -160, -128
    _, result = run(image, events=[(0, 0)], ticks=2)
    assert result.v[1, :4].tolist() == [32 * 1024, 0, -32 * 1024, -128 * 1024]
    assert result.counters["weight_gain_wraps"] == 3
    raw, wrapped = gain_product([160, 128, -160, 127], 1)
    assert raw.tolist() == [32768, 0, -32768, 130048] and wrapped.tolist() == [1, 1, 1, 0]


def test_simultaneous_inputs_are_serialised():
    image = board()
    image.connect_inputs([0, 1, 2], [0, 1, 2], 1)
    _, result = run(image, events=[(3, 0), (3, 1), (3, 2)], ticks=8)
    assert result.releases.tolist() == [[3, 0], [4, 1], [5, 2]]
    assert [result.v[:, n].tolist().index(4096) for n in range(3)] == [4, 5, 6]


def test_fifo_release_rule_and_pause_when_empty():
    emulator = NeuroCoreXEmulator(board())
    emulator.queue([[2, 0], [0, 1], [3, 2]])
    first = emulator.run(10)
    assert first.releases.tolist() == [[2, 0], [3, 1], [7, 2]]
    emulator.queue([[2, 3]])  # the count restarts from the tick the FIFO refills
    assert emulator.run(5).releases.tolist() == [[12, 3]]
    emulator.queue([[0, 4], [0, 5]])
    result = emulator.run(3)
    assert result.releases.tolist() == [[15, 4], [16, 5]]
    assert result.counters["events_released"] == 2 and result.counters["events_queued"] == 0


def test_ff_zeroing_hits_the_next_slot():
    image = board()
    image.set_threshold(0, 0)
    image.set_refractory(0, 0)  # neuron 0 fires on even ticks
    image.connect_inputs(0, [0, 1, 2], 1)
    _, fired = run(image, events=[(1, 0)], ticks=4)  # acts in tick 2, when neuron 0 fires
    _, quiet = run(image, events=[(0, 0)], ticks=4)  # acts in tick 1: neuron 0 refractory
    assert fired.v[3, 1:3].tolist() == [0, 4096]
    assert quiet.v[3, 1:3].tolist() == [4096, 4096]


def test_global_leak_is_tau_mem_entry_8_only():
    image = board()
    image.tau_mem[:] = np.arange(96) * 1000
    image.tau_mem[8] = 5
    _, result = run(image, ticks=3)
    assert result.v[:, 0].tolist() == [-5, -10, -15]
    assert np.all(result.v[2] == -15)


def three_neuron_board():
    """Neurons 0, 2 and 89 (slots 4, 6, 93); 0 -> 89 with weight 3."""
    image = board(threshold=8192)
    image.connect_inputs([0, 1], [0, 2], 2)  # 2 * gain 4 = 8.0
    image.connect_recurrent(0, 89, 3)
    return image


def test_trace_lateral_current_and_the_shared_register():
    # tick 2: n0 fires. tick 3: n89 (row 95) loads 3.0; n2 fires. tick 4: n89 loads its
    # stored 3.0 again (someone fired in tick 3). tick 5: nobody fired in tick 4, somebody
    # in tick 3: every slot takes slot 93's current stored in tick 3 (3.0). From then on
    # the register holds 3.0 and nothing ever clears it: every neuron integrates it.
    _, result = run(three_neuron_board(), events=[(0, 0), (1, 1)], ticks=9)
    assert result.v[:8, 0].tolist() == [0, 8192, 0, 0, 0, 3072, 6144, 9216]
    assert result.v[:8, 2].tolist() == [0, 0, 8192, 0, 0, 3072, 6144, 9216]
    assert result.v[:8, 89].tolist() == [0, 0, 0, 3072, 6144, 9216, 0, 3072]
    assert [spike_ticks(result, n) for n in (0, 2, 89)] == [[2, 8], [3, 8], [6]]
    assert result.spikes[:8].sum() == 3
    assert result.spikes[8].sum() == N_NEURONS - 1  # all but n89 (refractory)


def test_trace_self_exclusion_drops_the_slot_below():
    # neuron 5 (slot 9) fires in tick 2: its spike is column 10, and the accumulator skips
    # row 10, which is neuron 4's row, not neuron 5's own (row 11)
    image = board(threshold=4096)
    image.connect_inputs(0, 5, 1)
    image.connect_recurrent(5, [3, 5, 6], [50, 2, 7])
    image.w_aa[10, 10] = 9  # 5 -> 4, which connect_recurrent refuses
    _, result = run(image, events=[(0, 0)], ticks=4)
    assert spike_ticks(result, 5) == [2]
    # neuron 5 itself: nobody else fired in tick 2, so it takes the register (slot 8's 0)
    assert result.v[3, 3:7].tolist() == [51200, 0, 0, 7168]


def stdp_board(pre, post, weight, pre_window=3, post_window=3, dw_pos=1, dw_neg=1):
    """Input 0 fires `pre`, input 1 fires `post`, input 2 both (two ticks later)."""
    image = board(threshold=50 * 1024, gain=1)
    image.connect_inputs([0, 1, 2, 2], [pre, post, pre, post], 50)
    image.connect_recurrent(pre, post, weight)
    image.enable_stdp_recurrent(pre, post)
    image.tpre_aa_max, image.tpost_aa_max = pre_window, post_window
    image.dw_pos, image.dw_neg = dw_pos, dw_neg
    return image


def learned(pre, post, weight, pre_tick, post_tick, **settings_):
    """Weight pre -> post after one pre spike at pre_tick + 2, one post at post_tick + 2."""
    if pre_tick == post_tick:
        events = [(pre_tick, 2)]
    else:
        events = sorted([(pre_tick, 0), (post_tick, 1)])
    emulator, result = run(stdp_board(pre, post, weight, **settings_), events=events,
                           ticks=max(pre_tick, post_tick) + 4, record_v=False)
    assert spike_ticks(result, pre) == [pre_tick + 2]
    assert spike_ticks(result, post) == [post_tick + 2]
    return int(emulator.learned_image().recurrent_weights()[pre, post]), result


@pytest.mark.parametrize("pre, post, window", [(2, 10, range(0, 4)),  # pre slot first
                                               (10, 2, range(1, 5))])  # post slot first
def test_potentiation_window_edges_depend_on_slot_order(pre, post, window):
    for delay in range(0, 6):
        weight, _ = learned(pre, post, 0, 10, 10 + delay, dw_neg=0)
        assert weight == (1 if delay in window else 0), delay


@pytest.mark.parametrize("pre, post, window", [(10, 2, range(0, 4)),  # post slot first
                                               (2, 10, range(1, 5))])  # pre slot first
def test_depression_window_edges_depend_on_slot_order(pre, post, window):
    for delay in range(0, 6):
        weight, _ = learned(pre, post, 5, 10 + delay, 10, dw_pos=0)
        assert weight == (4 if delay in window else 5), delay


def test_potentiation_wraps_127_plus_1_to_minus_128():
    weight, result = learned(2, 10, 127, 10, 11, dw_neg=0)
    assert weight == -128 and result.counters["stdp_clamp_wraps"] == 1


@pytest.mark.parametrize("start, end, wraps", [(-128, 127, 1), (0, -1, 0), (-1, -1, 0)])
def test_depression_floor_minus_1_after_an_8_bit_subtraction(start, end, wraps):
    weight, result = learned(10, 2, start, 11, 10, dw_pos=0)
    assert weight == end and result.counters["stdp_clamp_wraps"] == wraps


@pytest.mark.parametrize("window, expected", [(126, 0), (127, 2)])
def test_pre_counter_passing_127_keeps_the_window_open(window, expected):
    # a post spike advances the pre counters of its column without the expiry check:
    # with tpre_max = 127 a counter at 127 becomes 0x80, which no pass touches again
    image = stdp_board(2, 10, 0, pre_window=window)
    events = [(10, 0), (137, 1), (210, 1)]  # pre at 12; post at 139 (delay 127) and 212
    emulator, result = run(image, events=events, ticks=215, record_v=False)
    assert spike_ticks(result, 10) == [139, 212]
    assert emulator.learned_image().recurrent_weights()[2, 10] == expected


@pytest.mark.parametrize("learning, drift_ticks", [(True, 6), (False, 0)])
def test_quiet_board_with_learning_flags_possible_counter_drift(learning, drift_ticks):
    # 452 slow cycles without an output spike are reached in tick 4 (5 * 96 = 480)
    image = board()
    image.enable_stdp_recurrent(0, 1, learning)
    _, result = run(image, ticks=10, record_v=False)
    assert result.counters["stdp_drift_ticks"] == drift_ticks


def test_ff_learning_is_refused():
    image = board()
    image.stdp_enable_ff[6, 0] = True
    with pytest.raises(MappingError, match="stdp_enable_ff"):
        NeuroCoreXEmulator(image)


def random_board(seed, learning):
    rng = np.random.default_rng(seed)
    image = board(threshold=int(rng.integers(2048, 20000)), gain=int(rng.integers(1, 8)),
                  leak=int(rng.integers(0, 300)))
    image.w_ff[6:96] = rng.integers(-20, 60, (90, 96))
    image.w_aa[6:96, 5:95] = rng.integers(-30, 30, (90, 90))
    if learning:
        image.stdp_enable_aa[6:96, 5:95] = rng.random((90, 90)) < 0.5
        image.tpre_aa_max, image.tpost_aa_max = 5, 4
        image.dw_pos, image.dw_neg = 3, 2
    ticks = np.sort(rng.integers(0, 300, 200))
    return image, encode_events(ticks, rng.integers(0, 96, 200)).records


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.booleans(), st.integers(0, 120), st.integers(0, 120))
def test_runs_resume_exactly(seed, learning, a, b):
    image, records = random_board(seed, learning)
    whole = NeuroCoreXEmulator(image)
    whole.queue(records)
    one = whole.run(a + b, record_v=True)
    parts = NeuroCoreXEmulator(image)
    parts.queue(records)
    first, second = parts.run(a, record_v=True), parts.run(b, record_v=True)
    np.testing.assert_array_equal(one.spikes, np.concatenate([first.spikes, second.spikes]))
    np.testing.assert_array_equal(one.v, np.concatenate([first.v, second.v]))
    np.testing.assert_array_equal(one.releases,
                                  np.concatenate([first.releases, second.releases]))
    for name, value in one.counters.items():
        if name != "events_queued":
            assert value == first.counters[name] + second.counters[name], name
    assert one.counters["events_queued"] == second.counters["events_queued"]
    np.testing.assert_array_equal(whole.weights_aa(), parts.weights_aa())


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_same_inputs_same_output(seed):
    image, records = random_board(seed, learning=True)
    results = []
    for _ in range(2):
        emulator = NeuroCoreXEmulator(image)
        emulator.queue(records)
        results.append((emulator.run(150, record_v=True), emulator.weights_aa()))
    (a, wa), (b, wb) = results
    assert np.array_equal(a.spikes, b.spikes) and np.array_equal(a.v, b.v)
    assert np.array_equal(wa, wb) and a.counters == b.counters
