"""CTC: the loss (ops.ctc.ctc_loss, K.ctc_batch_cost) and the greedy decoder (K.ctc_decode).

References: a brute-force sum over every alignment (tiny cases), central finite differences,
PyTorch's ctc_loss and tf_keras's ctc_batch_cost / ctc_decode (figures printed once by
tools/keras_ctc_refs.py and committed here).
"""
import itertools
import os
import sys

import numpy as np
import pytest

from tensorforge import backend as K
from tensorforge.autograd import Tensor
from tensorforge.ops.ctc import ctc_loss

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from keras_ctc_refs import beam_inputs, inputs as keras_inputs, repeat_inputs  # noqa: E402
from keras_ctc_refs import torch_inputs  # noqa: E402
from tfhelpers import to_numpy  # noqa: E402

# tools/keras_ctc_refs.py under tf_keras 2.21 (TensorFlow 2.21)
LOSS = [8.44498, 7.151274, 7.47299]
GRAD_0_0 = [-2.326637, 0.999999, 0.999999, 1.0, -0.298277]
GRAD_0_3 = [0.752128, -3.94799, 1.0, 0.999999, -4.576141]
GRAD_2_6 = [1.0, -1.566185, 1.0, 1.0, -0.641137]
DECODED = [[1, 2, 0, 3, 2, -1, -1, -1], [0, 3, 0, -1, -1, -1, -1, -1],
           [2, 3, 0, 3, 2, 0, -1, -1]]
LOG_PROB = [[2.31629], [1.18614], [1.84488]]
BEAM_DECODED = [[[0, 2, 1, 2, 1, -1, -1], [2, 0, 1, -1, -1, -1, -1], [1, 0, -1, -1, -1, -1, -1]],
                [[0, 2, 1, 2, -1, -1, -1], [2, 0, 2, -1, -1, -1, -1], [1, 0, 1, -1, -1, -1, -1]],
                [[0, 2, 1, 2, 0, -1, -1], [2, 0, -1, -1, -1, -1, -1], [1, 2, 0, -1, -1, -1, -1]]]
BEAM_LOG_PROB = [[-2.20629, -2.51632, -3.09858], [-2.28967, -2.57384, -2.68517],
                 [-1.87373, -2.43939, -2.74139]]
REPEAT_DECODED = [[[0, 1, -1, -1, -1]], [[0, 1, -1, -1, -1]]]
REPEAT_LOG_PROB = [[-0.24707, -2.73078]]
# tools/keras_ctc_refs.py --torch under PyTorch 2.13
TORCH_LOSS = [15.95970262, 17.89479924, 14.14482399, 15.07753411, 6.46922572]
TORCH_GRAD_4_1 = [0.08577637, 0.01758333, -0.51015994, 0.15080388, 0.35606382, 0.21454045,
                  -0.31460792]


def log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def brute_force(lp, label, blank):
    """-log sum over every path of length T (all C**T of them) that collapses to label."""
    T, C = lp.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        out = [k for i, k in enumerate(path) if k != blank and (i == 0 or k != path[i - 1])]
        if out == list(label):
            total += np.exp(sum(lp[t, k] for t, k in enumerate(path)))
    return -np.log(total)


@pytest.mark.parametrize("label,T", [([0, 1], 5), ([1, 1], 5), ([0], 4), ([], 4), ([1, 0, 1], 6)])
def test_loss_equals_the_sum_over_all_alignments(label, T):
    rng = np.random.default_rng(len(label) * 10 + T)
    C = 3
    lp = log_softmax(rng.normal(size=(T, 1, C)))
    labels = np.array([label + [0] * (3 - len(label))])
    got = ctc_loss(lp, labels, [T], [len(label)], blank=C - 1).data
    assert got.shape == (1,)
    np.testing.assert_allclose(got[0], brute_force(lp[:, 0], label, C - 1), rtol=1e-10)


def test_samples_with_different_lengths_match_their_own_brute_force():
    rng = np.random.default_rng(3)
    lp = log_softmax(rng.normal(size=(6, 3, 3)))
    labels = np.array([[0, 1, 0], [1, 1, 0], [0, 0, 0]])
    il, ll = [6, 4, 5], [3, 2, 1]
    got = ctc_loss(lp, labels, il, ll, blank=2).data
    want = [brute_force(lp[:il[b], b], labels[b, :ll[b]].tolist(), 2) for b in range(3)]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    T, B, C = 7, 3, 4
    lp0 = rng.normal(size=(T, B, C))  # free variables: the loss is a function of any array
    labels = np.array([[0, 1, 1], [2, 0, 0], [1, 2, 0]])
    il, ll = [7, 6, 5], [3, 1, 2]
    w = np.array([1.0, 0.5, 2.0])  # a weighted sum, so each sample's gradient is scaled
    x = Tensor(lp0.copy(), requires_grad=True)
    K.sum(ctc_loss(x, labels, il, ll, blank=C - 1) * w).backward()
    eps = 1e-6
    f = lambda a: ctc_loss(a, labels, il, ll, C - 1).data @ w  # noqa: E731
    num = np.zeros_like(lp0)
    for idx in np.ndindex(*lp0.shape):
        hi, lo = lp0.copy(), lp0.copy()
        hi[idx] += eps
        lo[idx] -= eps
        num[idx] = (f(hi) - f(lo)) / (2 * eps)
    np.testing.assert_allclose(x.grad, num, atol=1e-6)
    assert np.all(x.grad[6:, 1] == 0) and np.all(x.grad[5:, 2] == 0)  # past each length


def test_loss_and_gradient_match_pytorch():
    logits, labels, il, ll = torch_inputs()
    x = Tensor(logits.copy(), requires_grad=True)
    lp = x - K.logsumexp(x, axis=-1, keepdims=True)
    loss = ctc_loss(lp, labels, il, ll, blank=6)
    K.sum(loss).backward()
    np.testing.assert_allclose(loss.data, TORCH_LOSS, rtol=1e-7)
    np.testing.assert_allclose(x.grad[4, 1], TORCH_GRAD_4_1, atol=1e-7)


def test_float32_stays_float32():
    lp = log_softmax(np.random.default_rng(0).normal(size=(5, 2, 4))).astype(np.float32)
    out = ctc_loss(Tensor(lp, requires_grad=True), [[0, 1], [2, 2]], [5, 5], [2, 2], blank=3)
    assert out.dtype == np.float32 and out.shape == (2,)


def test_ctc_batch_cost_matches_keras():
    y_pred, labels, il, ll = keras_inputs()
    p = Tensor(y_pred, requires_grad=True)
    loss = K.ctc_batch_cost(labels, p, il, ll)
    assert loss.shape == (3, 1) and loss.dtype == np.float32
    K.sum(loss).backward()
    np.testing.assert_allclose(loss.data[:, 0], LOSS, rtol=2e-6)
    np.testing.assert_allclose(p.grad[0, 0], GRAD_0_0, atol=2e-5)
    np.testing.assert_allclose(p.grad[0, 3], GRAD_0_3, atol=2e-5)
    np.testing.assert_allclose(p.grad[2, 6], GRAD_2_6, atol=2e-5)


def peaked():
    y_pred = keras_inputs()[0]
    z = np.log(y_pred) * 4.0
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def test_ctc_decode_greedy_matches_keras():
    decoded, log_prob = K.ctc_decode(peaked(), input_length=np.array([8, 5, 7]), greedy=True)
    assert len(decoded) == 1 and decoded[0].shape == (3, 8)
    assert decoded[0].data.tolist() == DECODED
    np.testing.assert_allclose(to_numpy(log_prob), LOG_PROB, atol=2e-5)


def test_ctc_decode_merges_repeats_and_drops_blanks():
    C = 4  # blank 3
    path = [0, 0, 3, 0, 1, 1, 3, 3, 2]
    p = np.full((1, len(path), C), 0.01, dtype=np.float32)
    p[0, np.arange(len(path)), path] = 0.97
    decoded, _ = K.ctc_decode(p, np.array([len(path)]))
    assert decoded[0].data[0].tolist() == [0, 0, 1, 2] + [-1] * 5


def test_bad_arguments_name_the_function():
    y_pred, labels, il, ll = keras_inputs()
    with pytest.raises(ValueError, match="ctc_batch_cost: y_pred must be 3-D"):
        K.ctc_batch_cost(labels, y_pred[0], il, ll)
    with pytest.raises(ValueError, match="ctc_batch_cost: input_length must have shape"):
        K.ctc_batch_cost(labels, y_pred, il[:2], ll)
    with pytest.raises(ValueError, match="input_length must lie in"):
        K.ctc_batch_cost(labels, y_pred, il + 1, ll)
    with pytest.raises(ValueError, match="differ from the blank class 4"):
        K.ctc_batch_cost(np.full((3, 4), 4.0), y_pred, il, ll)
    with pytest.raises(ValueError, match=r"not enough time steps .* sample 1 \(required 3, "
                                         r"available 2\)"):
        K.ctc_batch_cost([[0, 1], [2, 2], [1, 0]], y_pred, [[8], [2], [7]], [[2], [2], [2]])
    with pytest.raises(ValueError, match="ctc_decode: need beam_width >= 1 and 1 <= top_paths"):
        K.ctc_decode(y_pred, np.array([8, 8, 8]), greedy=False, beam_width=2, top_paths=3)
    with pytest.raises(ValueError, match="ctc_decode: input_length"):
        K.ctc_decode(y_pred, np.array([9, 8, 8]))


def test_ctc_decode_beam_search_matches_keras():
    decoded, log_prob = K.ctc_decode(beam_inputs(), input_length=np.array([7, 5, 6]),
                                     greedy=False, beam_width=5, top_paths=3)
    assert [d.data.tolist() for d in decoded] == BEAM_DECODED
    np.testing.assert_allclose(to_numpy(log_prob), BEAM_LOG_PROB, atol=2e-5)


def test_ctc_decode_beam_search_merges_repeats_as_keras():
    """tf.compat.v1's merge_repeated=True: 0 * 0 1 is returned as 0 1 (so both top paths
    read the same), as Keras 2's ctc_decode returns it."""
    decoded, log_prob = K.ctc_decode(repeat_inputs(), input_length=np.array([5]), greedy=False,
                                     beam_width=10, top_paths=2)
    assert [d.data.tolist() for d in decoded] == REPEAT_DECODED
    np.testing.assert_allclose(to_numpy(log_prob), REPEAT_LOG_PROB, atol=2e-5)


def test_beam_search_probability_equals_the_ctc_loss_for_a_wide_beam():
    """With a beam wide enough to keep every prefix, the best path's score is the total
    probability of its label sequence, i.e. minus the CTC loss of that sequence."""
    from tensorforge.ops.ctc import ctc_beam_search_decode
    rng = np.random.default_rng(8)
    logits = rng.normal(size=(5, 1, 3))
    paths, scores = ctc_beam_search_decode(logits, [5], blank=2, beam_width=200, top_paths=3,
                                           merge_repeated=False)
    lp = log_softmax(logits)
    for k in range(3):
        label = paths[k][0].tolist()
        want = -brute_force(lp[:, 0], label, 2)
        np.testing.assert_allclose(scores[0, k], want, rtol=1e-10)


def test_keras2_lambda_pattern_trains():
    """keras-team 2.x image_ocr.py's pattern: a Lambda (no output_shape) computing
    ctc_batch_cost from four Inputs, the model's loss the Lambda's output; the layer is built
    although its shape probe's zero lengths are not valid CTC lengths."""
    from tensorforge import layers, models
    T, C, n = 12, 6, 32
    inp = layers.Input((T, 8))
    y_pred = layers.Dense(C, activation="softmax")(inp)
    labels = layers.Input(name="the_labels", shape=[4], dtype="float32")
    input_length = layers.Input(name="input_length", shape=[1], dtype="int64")
    label_length = layers.Input(name="label_length", shape=[1], dtype="int64")

    def ctc_lambda_func(args):
        y_pred, labels, input_length, label_length = args
        return K.ctc_batch_cost(labels, y_pred[:, 2:, :], input_length, label_length)

    loss_out = layers.Lambda(ctc_lambda_func, name="ctc")(
        [y_pred, labels, input_length, label_length])
    assert tuple(loss_out.shape) == (None, 1)
    model = models.Model([inp, labels, input_length, label_length], loss_out)
    from tensorforge import optimizers
    model.compile(loss={"ctc": lambda y_true, y_pred: y_pred},
                  optimizer=optimizers.Adam(learning_rate=0.01))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, T, 8)).astype("float32")
    lab = rng.integers(0, C - 1, (n, 4)).astype("float32")
    il, ll = np.full((n, 1), T - 2), rng.integers(1, 5, (n, 1))
    before = model.evaluate([x, lab, il, ll], np.zeros(n), verbose=0)
    want = K.ctc_batch_cost(lab, models.Model(inp, y_pred).predict(x, verbose=0)[:, 2:], il, ll)
    np.testing.assert_allclose(before, to_numpy(want).mean(), rtol=1e-5)
    model.fit([x, lab, il, ll], np.zeros(n), batch_size=8, epochs=8, verbose=0)
    after = model.evaluate([x, lab, il, ll], np.zeros(n), verbose=0)
    assert after < before - 1.0, (before, after)
