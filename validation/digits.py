"""The NeuroCoreX paper's task: 8x8 digits through a feed-forward spiking network
trained with STDP (arXiv:2506.14138; its tutorial reports 65.99 % in software, the
paper 68 % on the FPGA).

64 pixel inputs onto 10 non-leaky integrate-and-fire outputs, one per digit, as in the
tutorial's board layout. A pixel of value p (0..16) sends p // 2 evenly spaced spikes in
a 32 ms window, each pixel at its own phase (so that pixels do not all fire together: a
reset to 0 discards what a tick's input brings beyond the threshold); images follow each
other every `PERIOD` ms, long enough for the board to play every input event of an image
one per tick before the next. Training: pair STDP
with a teacher, on the software target: during an image of digit c, output c is driven
to fire and the others are held silent, so c's weights grow for the pixels that precede
its spikes. Test: the weights frozen, the output with most spikes is the prediction.
"""

import numpy as np

WINDOW = 32  # ms of input per image, as the tutorial's 32 steps
PERIOD = 256  # ms between images: the board serialises up to 200 input events per image
TRAIN_PERIOD = 48  # software only, no serialisation to wait for
SEED = 0

CELL = dict(tau_m=1e6, v_rest=0.0, v_reset=0.0, v_thresh=3.0, tau_refrac=0.0, cm=1.0,
            i_offset=0.0)
W_MAX = 1.0  # mV


def load():
    """(train images, train labels, test images, test labels): scikit-learn's digits, the
    tutorial's split size (594 test images), stratified."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    return train_test_split(digits.data, digits.target, test_size=0.33, random_state=SEED,
                            stratify=digits.target)


def spike_times(images, period, start=1.0):
    """Per pixel, the spike times (ms) of every image shown one after another."""
    times = [[] for _ in range(images.shape[1])]
    for k, image in enumerate(images):
        for pixel, value in enumerate(image):
            n = int(value) // 2
            phase = (pixel * 0.618) % 1.0
            offsets = np.floor((np.arange(n) + phase) * WINDOW / max(n, 1))
            times[pixel].extend(start + k * period + offsets)
    return [np.array(t) for t in times]


def train(sim, images, labels):
    """STDP weights (64 x 10, mV), learned on the software target."""
    sim.setup(timestep=1.0, target="brian2", rng_seed=SEED)
    pixels = sim.Population(64, sim.SpikeSourceArray(
        spike_times=spike_times(images, TRAIN_PERIOD)), label="pixels")
    # leaky while learning, so that the held-silent outputs recover between images
    outputs = sim.Population(10, sim.IF_curr_delta(**dict(CELL, tau_m=20.0)), label="outputs")
    teacher_times = [[] for _ in range(10)]
    for k, label in enumerate(labels):
        teacher_times[label].extend(1.0 + k * TRAIN_PERIOD + np.arange(2, WINDOW + 2, 4))
    teacher = sim.Population(10, sim.SpikeSourceArray(spike_times=teacher_times),
                             label="teacher")
    sim.Projection(teacher, outputs, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=3 * CELL["v_thresh"], delay=1.0))
    silence = np.full((10, 10), -3 * CELL["v_thresh"])
    np.fill_diagonal(silence, 0.0)
    sim.Projection(teacher, outputs, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=silence, delay=1.0), receptor_type="inhibitory")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=16.0, tau_minus=16.0, A_plus=3e-4,
                                            A_minus=1.5e-4),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=W_MAX),
        weight=0.0, delay=1.0, dendritic_delay_fraction=1.0)
    learning = sim.Projection(pixels, outputs, sim.AllToAllConnector(), stdp)
    sim.run(len(images) * TRAIN_PERIOD)
    weights = learning.get("weight", format="array")
    sim.end()
    return weights


def predict(sim, weights, images, record=True):
    """Build the test network on the current target and run it; returns the outputs
    population. `predictions` turns its spikes into labels."""
    sim.setup(timestep=1.0, rng_seed=SEED)
    pixels = sim.Population(64, sim.SpikeSourceArray(spike_times=spike_times(images, PERIOD)),
                            label="pixels")
    outputs = sim.Population(10, sim.IF_curr_delta(**CELL), label="outputs")
    sim.Projection(pixels, outputs, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=weights, delay=1.0), label="learned")
    if record:
        outputs.record("spikes")
    sim.run(len(images) * PERIOD)
    return outputs


def predictions(outputs, count):
    """The output with most spikes in each image's period (ties: the lowest digit)."""
    votes = np.zeros((count, 10))
    for digit, train in enumerate(outputs.get_data("spikes").segments[0].spiketrains):
        image = ((np.asarray(train) - 1.0) // PERIOD).astype(int)
        np.add.at(votes[:, digit], image[(image >= 0) & (image < count)], 1)
    return votes.argmax(axis=1)
