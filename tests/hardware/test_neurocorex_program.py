"""NeuroCoreX program: board image helpers, input records and the UART bytes, checked
against layouts read off the VHDL (uart_rx_sorter_input.vhd, Core_engine.vhd)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pyNN.neurox.hardware.chips.neurocorex.board import (
    N_INPUTS, N_NEURONS, N_SLOTS, V_MAX, V_MIN, BoardImage, decode_spikes,
    decode_weight_readback, encode_events, encode_spikes, records_from_uart,
    records_to_uart, release_ticks,
)

ENABLE_START = 1 + 9217 + 1 + 9217 + 1 + 3 * 384 + 1 + 6 + 1  # first STDP-enable byte


def test_power_on_image_is_the_vhdl_defaults():
    image = BoardImage()
    assert np.all(image.w_ff == 1) and np.all(image.w_aa == 6)
    assert np.all(image.vth == 512) and np.all(image.tref == 4)
    assert image.ff_gain == 4 and image.leak == 0
    assert not image.stdp_enable_aa.any() and not image.stdp_enable_ff.any()
    assert image.dw_pos == image.dw_neg == image.tpre_aa_max == 0


def test_host_neurons_sit_at_slot_plus_four_with_rows_plus_two():
    image = BoardImage.blank()
    image.connect_inputs(inputs=7, neurons=0, weights=5)
    image.connect_recurrent(pre=0, post=89, weights=-3)
    image.set_threshold(89, 2048)
    image.set_refractory(0, 9)
    assert image.w_ff[6, 7] == 5 and np.count_nonzero(image.w_ff) == 1
    assert image.w_aa[95, 5] == -3 and np.count_nonzero(image.w_aa) == 1
    assert image.vth[93] == 2048 and image.tref[4] == 9
    assert image.input_weights()[7, 0] == 5
    assert image.recurrent_weights()[0, 89] == -3


def test_pre_to_pre_minus_one_is_refused():
    image = BoardImage.blank()
    with pytest.raises(ValueError, match="5 -> 4"):
        image.connect_recurrent(pre=[1, 5], post=[3, 4], weights=1)
    image.connect_recurrent(pre=5, post=4, weights=0)  # nothing to deliver: allowed


@pytest.mark.parametrize("call, message", [
    (lambda im: im.set_threshold(3, V_MAX + 1), r"vth: value 131072 at index 7"),
    (lambda im: im.connect_inputs(2, 1, 128), r"w_ff: value 128 at index \(7, 2\)"),
    (lambda im: im.connect_inputs(96, 1, 1), r"input address: value 96"),
    (lambda im: im.set_refractory(90, 1), r"neuron: value 90"),
    (lambda im: im.set_refractory(0, -1), r"tref: value -1 at index 4"),
    (lambda im: setattr(im, "ff_gain", 256), r"ff_gain \(tref\[0\]\): value 256"),
    (lambda im: setattr(im, "tpre_aa_max", 128), r"tpre_aa_max: value 128"),
    (lambda im: setattr(im, "leak", 0.5), r"tau_mem: value 0.5 at index 8 is not an integer"),
])
def test_range_errors_name_field_index_and_value(call, message):
    with pytest.raises(ValueError, match=message):
        call(BoardImage.blank())


def test_ff_gain_is_the_low_byte_of_tref0():
    image = BoardImage.blank()
    image.ff_gain = 200
    assert image.tref[0] == 200
    image.tref[0] = 300  # raw write: the board would use 44 and drop the rest
    assert image.ff_gain == 44
    with pytest.raises(ValueError, match="entry 0 is the FF synaptic gain"):
        image.validate()


def test_stdp_fields_pack_into_stdp_params():
    image = BoardImage.blank()
    image.tpre_ff_max, image.tpost_ff_max = 1, 2
    image.tpre_aa_max, image.tpost_aa_max = 3, 4
    image.dw_pos, image.dw_neg = 5, 6
    assert list(image.stdp_params[:3]) == [0x0201, 0x0403, 0x0605]


def test_uart_layout():
    image = BoardImage.blank()
    image.w_ff[0, 1], image.w_aa[95, 95] = -2, 7
    image.vth[0], image.tau_mem[8] = -1, 0x12345
    image.debug_bias, image.debug_index = 3, 1
    image.stdp_enable_aa[0, 0] = image.stdp_enable_aa[0, 15] = True
    image.stdp_enable_ff[0, 0] = True
    data = image.to_uart()
    assert data[0] == 0x00 and data[2] == 0xFE and data[9217] == 0  # FF, terminator
    assert data[9218] == 0x10 and data[9218 + 9216] == 7 and data[9218 + 9217] == 0
    params = 9218 + 9218
    assert data[params] == 0x20
    assert data[params + 1:params + 4] == bytes([0xFF, 0xFF, 0x03])  # -1, LSB first
    leak = params + 1 + 3 * (2 * 96 + 8)
    assert data[leak:leak + 3] == bytes([0x45, 0x23, 0x01])
    debug = params + 1 + 3 * 384
    assert data[debug:debug + 7] == bytes([0x40, 3, 0, 0, 1, 0, 0])
    assert data[debug + 7] == 0x60
    assert data[ENABLE_START] == 0x80 and data[ENABLE_START + 1] == 0x01  # MSB first
    assert data[ENABLE_START + 1152] == 0x80  # FF bits follow the 9216 AA bits
    assert len(data) == ENABLE_START + 2304 + 1


def test_from_uart_starts_from_power_on_and_refuses_other_commands():
    image = BoardImage.from_uart(bytes([0x25]) + bytes(3 * 384))  # low nibble ignored
    assert np.all(image.vth == 0) and np.all(image.w_aa == 6)
    with pytest.raises(ValueError, match="0x30"):
        BoardImage.from_uart(bytes([0x30, 0, 0, 0]))
    with pytest.raises(ValueError, match="needs 9216 bytes"):
        BoardImage.from_uart(bytes([0x00, 1, 2]))


def test_params_keep_only_two_bits_of_the_third_byte():
    image = BoardImage.from_uart(bytes([0x20, 1, 0, 0xFC]) + bytes(3 * 383))
    assert image.vth[0] == 1


images = st.builds(
    lambda ff, aa, words, gain, enable, bias, index: _image(ff, aa, words, gain, enable,
                                                            bias, index),
    hnp.arrays(np.int8, (N_SLOTS, N_SLOTS)), hnp.arrays(np.int8, (N_SLOTS, N_SLOTS)),
    hnp.arrays(np.int64, (4, N_SLOTS), elements=st.integers(V_MIN, V_MAX)),
    st.integers(0, 255), hnp.arrays(bool, (2, N_SLOTS, N_SLOTS)),
    st.integers(V_MIN, V_MAX), st.integers(0, 255))


def _image(ff, aa, words, gain, enable, bias, index):
    image = BoardImage(w_ff=ff, w_aa=aa, vth=words[0], tref=words[1], tau_mem=words[2],
                       stdp_params=words[3], stdp_enable_ff=enable[0],
                       stdp_enable_aa=enable[1], debug_bias=bias, debug_index=index)
    image.ff_gain = gain
    return image


@settings(max_examples=25, deadline=None)
@given(images)
def test_image_round_trips_through_uart(image):
    assert BoardImage.from_uart(image.to_uart()) == image


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(bool, st.tuples(st.integers(0, 20), st.just(N_NEURONS))))
def test_raster_round_trips_except_an_unfinished_last_byte(raster):
    data = encode_spikes(raster)
    complete = raster.shape[0] if raster.shape[0] % 4 == 0 else raster.shape[0] - 1
    assert len(data) == 1 + raster.size // 8
    np.testing.assert_array_equal(decode_spikes(data), raster[:complete])


def test_spike_bits_are_lsb_first_without_padding():
    raster = np.zeros((4, N_NEURONS), bool)
    raster[0, 0] = raster[0, 9] = raster[1, 0] = True  # tick 1 starts at bit 90
    data = encode_spikes(raster)
    assert data[:3] == bytes([0xFF, 0x01, 0x02]) and data[1 + 90 // 8] == 1 << (90 % 8)
    assert len(data) == 1 + 45


event_lists = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, N_INPUTS - 1)),
                       max_size=60).map(sorted)


@settings(max_examples=100, deadline=None)
@given(event_lists)
def test_events_release_once_per_tick_never_early(events):
    ticks = np.array([t for t, _ in events], np.int64)
    addresses = np.array([a for _, a in events], np.int64)
    encoded = encode_events(ticks, addresses, filler_address=95)
    released = encoded.release_ticks
    assert np.all(released >= ticks) and np.all(np.diff(released) >= 1)
    all_ticks = release_ticks(encoded.records)
    assert set(released) <= set(all_ticks) and np.all(np.diff(all_ticks) >= 1)
    records, ended = records_from_uart(records_to_uart(encoded.records))
    assert ended and np.array_equal(records, encoded.records)
    # an event released late is late only because the tick before it is taken
    late = np.flatnonzero(released > ticks)
    assert np.all(released[late] - 1 == released[late - 1])


def test_fifo_rule_and_serialisation():
    encoded = encode_events([3, 3, 3, 10, 11], [0, 1, 2, 3, 4])
    assert encoded.records.tolist() == [[3, 0], [0, 1], [0, 2], [4, 3], [0, 4]]
    assert encoded.release_ticks.tolist() == [3, 4, 5, 10, 11]
    assert encoded.delays.tolist() == [0, 1, 2, 0, 0]
    assert release_ticks([[2, 0], [0, 0], [3, 0]]).tolist() == [2, 3, 7]


def test_long_gaps_need_fillers():
    with pytest.raises(ValueError, match="filler_address"):
        encode_events([300], [1])
    encoded = encode_events([300], [1], filler_address=0)
    assert encoded.records.tolist() == [[255, 0], [44, 1]]
    assert release_ticks(encoded.records).tolist() == [255, 300]


def test_uart_input_stream_bytes():
    assert records_to_uart([[1, 5]]) == \
        bytes([0x30, 1, 5, 0, 0xFF, 0xFF, 0xFF])
    with pytest.raises(ValueError, match="input address: value 96"):
        records_to_uart([[0, 96]])


def test_weight_readback_is_address_order():
    data = bytes(range(256)) * 36
    w = decode_weight_readback(data)
    assert w[0, 1] == 1 and w[1, 0] == 96 and w.ravel()[200] == 200 - 256
