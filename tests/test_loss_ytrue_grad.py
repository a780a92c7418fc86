"""Losses differentiate y_true as TensorFlow does: under a GradientTape, the gradient of a Keras
2 loss with respect to a y_true Tensor / Variable (a teacher's outputs distilled into a student,
a generator's output scored by an MSE, keract's gradients) is the real one, None for the integer
labels of the sparse cross-entropies; y_true given as NumPy data stays data.

REFS and SECOND_ORDER are TensorFlow's figures, printed by tools/loss_ytrue_grad_refs.py under
TensorFlow 2.21 / tf_keras 2.21 over the cases of tests/loss_ytrue_grad_cases.py (the same
functions); the finite-difference checks are worked out in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

from loss_ytrue_grad_cases import INPUTS, cases

L = keras.losses
CASES = cases(tf, keras)


# name -> (loss, d loss / d y_true (None: TensorFlow's None), d loss / d y_pred)
REFS = {
    'MeanSquaredError': (1.051667,
        [[-0.166667, 0.4, -0.066667], [0.666667, -0.233333, 0.1]],
        [[0.166667, -0.4, 0.066667], [-0.666667, 0.233333, -0.1]]),
    'MeanAbsoluteError': (0.816667,
        [[-0.166667, 0.166667, -0.166667], [0.166667, -0.166667, 0.166667]],
        [[0.166667, -0.166667, 0.166667], [-0.166667, 0.166667, -0.166667]]),
    'MeanAbsolutePercentageError': (97.777771,
        [[-25.0, 3.333333, -46.666664], [1.851852, -375.0, 8.888889]],
        [[16.666666, -8.333333, 33.333332], [-5.555555, 83.333328, -11.111111]]),
    'MeanSquaredLogarithmicError': (0.172394,
        [[-0.037191, 0.056758, -0.027814], [0.057762, -0.127648, 0.017044]],
        [[0.029752, -0.094597, 0.024542], [-0.115525, 0.08062, -0.019369]]),
    'Huber': (0.439167,
        [[-0.083333, 0.166667, -0.033333], [0.166667, -0.116667, 0.05]],
        [[0.083333, -0.166667, 0.033333], [-0.166667, 0.116667, -0.05]]),
    'Huber_delta': (0.331667,
        [[-0.083333, 0.1, -0.033333], [0.1, -0.1, 0.05]],
        [[0.083333, -0.1, 0.033333], [-0.1, 0.1, -0.05]]),
    'LogCosh': (0.388381,
        [[-0.07702, 0.138942, -0.032896], [0.160671, -0.100728, 0.048552]],
        [[0.07702, -0.138942, 0.032896], [-0.160671, 0.100728, -0.048552]]),
    'Poisson': (1.011125,
        [[-0.067578, 0.037191, 0.059446], [-0.0, 0.01756, -0.030387]],
        [[0.055556, -0.25, 0.047619], [-0.333333, 0.12963, -0.041667]]),
    'CosineSimilarity': (-0.820563,
        [[-0.100043, 0.061043, -0.044087], [0.026686, -0.067007, -0.044437]],
        [[0.063035, -0.140467, 0.02546], [-0.121148, 0.097325, 0.027963]]),
    'KLDivergence': (0.088727,
        [[0.153426, 0.668236, 0.297267], [0.408839, 0.958145, 0.408839]],
        [[-0.25, -0.7, -0.333333], [-0.416667, -1.25, -0.416667]]),
    'Hinge': (0.775000,
        [[-0.05, -0.1, 0.033333], [-0.0, -0.033333, 0.116667]],
        [[0.166667, -0.166667, -0.083333], [-0.0, 0.166667, 0.083333]]),
    'Hinge_01': (0.733333,
        [[-0.1, -0.2, 0.066667], [-0.0, -0.066667, 0.233333]],
        [[0.166667, -0.166667, -0.166667], [-0.0, 0.166667, 0.166667]]),
    'SquaredHinge': (0.820417,
        [[-0.13, -0.08, 0.073333], [-0.0, -0.08, 0.151667]],
        [[0.433333, -0.133333, -0.183333], [-0.0, 0.4, 0.108333]]),
    'CategoricalHinge': (0.855000,
        [[-0.1, -0.25, -0.3], [-0.6, -0.05, -0.15]],
        [[-0.05, -0.35, 0.3], [0.0, -0.125, -0.125]]),
    'CategoricalCrossentropy': (1.009497,
        [[0.804719, 0.346574, 0.601986], [0.255413, 1.151293, 0.601986]],
        [[0.25, -0.2, 0.166667], [0.083333, -0.75, 0.083333]]),
    'CategoricalCrossentropy_logits': (1.788487,
        [[0.271079, 1.021079, 0.621079], [0.997407, 0.097407, 1.597407]],
        [[0.240746, -0.285126, 0.04438], [-0.181981, 0.286494, -0.104513]]),
    'CategoricalCrossentropy_smooth': (1.033946,
        [[0.724247, 0.311916, 0.541788], [0.229871, 1.036163, 0.541788]],
        [[0.191667, -0.163333, 0.144444], [0.097222, -0.791667, 0.069444]]),
    'CategoricalCrossentropy_logits_smooth': (1.763154,
        [[0.243971, 0.918971, 0.558971], [0.897667, 0.087667, 1.437667]],
        [[0.229079, -0.266793, 0.037713], [-0.173647, 0.282327, -0.10868]]),
    'CategoricalCrossentropy_softmax': (1.788487,
        [[0.271079, 1.021079, 0.621079], [0.997407, 0.097407, 1.597407]],
        [[0.240746, -0.285126, 0.04438], [-0.181981, 0.286494, -0.104513]]),
    'BinaryCrossentropy': (0.391503,
        [[0.231049, -0.141216, 0.067578], [-0.366204, 0.103173, 0.366204]],
        [[0.208333, -0.238095, 0.069444], [-0.185185, -0.32967, 0.185185]]),
    'BinaryCrossentropy_logits': (0.748337,
        [[-0.166667, 0.083333, -0.05], [-0.033333, -0.333333, 0.166667]],
        [[0.121843, -0.103743, 0.04574], [-0.075028, 0.013466, 0.044824]]),
    'BinaryCrossentropy_smooth': (0.498483,
        [[0.184839, -0.112973, 0.054062], [-0.292963, 0.082539, 0.292963]],
        [[0.104167, -0.15873, 0.041667], [-0.0, -0.285714, 0.0]]),
    'BinaryCrossentropy_sigmoid': (0.748337,
        [[-0.166667, 0.083333, -0.05], [-0.033333, -0.333333, 0.166667]],
        [[0.121843, -0.103743, 0.04574], [-0.075028, 0.013466, 0.044824]]),
    'BinaryFocalCrossentropy': (0.083218,
        [[0.018168, -0.026976, 0.033695], [-0.006472, 0.090549, 0.006472]],
        [[0.02321, -0.057096, 0.053486], [-0.005364, -0.224028, 0.005364]]),
    'BinaryFocalCrossentropy_balanced_logits': (0.135061,
        [[-0.236211, -0.011004, -0.038355], [-0.014026, -0.024551, 0.016886]],
        [[0.096029, -0.021923, 0.015622], [-0.009355, -0.000704, 0.006573]]),
    'CategoricalFocalCrossentropy': (0.124615,
        [[0.128755, 0.021661, 0.073743], [0.010217, 0.233137, 0.073743]],
        [[0.019341, -0.012871, 0.008557], [0.052496, -0.287941, -0.009012]]),
    'CategoricalFocalCrossentropy_logits': (0.337300,
        [[0.01187, 0.193326, 0.078545], [0.186123, 0.000763, 0.367296]],
        [[0.074473, -0.088778, 0.014305], [-0.060273, 0.092137, -0.031864]]),
    'SparseCategoricalCrossentropy': (0.601986,
        None,
        [[0.5, -0.5, 0.5], [-0.333333, 0.5, 0.5]]),
    'mse': (3.630000,
        [[-0.333333, 0.8, -0.133333], [2.666667, -0.933333, 0.4]],
        [[0.333333, -0.8, 0.133333], [-2.666667, 0.933333, -0.4]]),
    'kld': (0.269786,
        [[0.306853, 1.336472, 0.594535], [1.635357, 3.832582, 1.635357]],
        [[-0.5, -1.4, -0.666667], [-1.666667, -5.0, -1.666667]]),
    'categorical_crossentropy': (3.151046,
        [[1.609438, 0.693147, 1.203973], [1.021651, 4.60517, 2.407946]],
        [[0.5, -0.4, 0.333333], [0.333333, -3.0, 0.333333]]),
    'categorical_crossentropy_logits': (5.421788,
        [[0.542159, 2.042159, 1.242159], [3.98963, 0.38963, 6.38963]],
        [[0.481491, -0.570252, 0.08876], [-0.727922, 1.145974, -0.418052]]),
    'binary_crossentropy_logits': (1.976117,
        [[-0.333333, 0.166667, -0.1], [-0.133333, -1.333333, 0.666667]],
        [[0.243686, -0.207486, 0.091481], [-0.300111, 0.053865, 0.179294]]),
    'sparse_categorical_crossentropy_logits': (2.646404,
        None,
        [[0.289433, -0.609306, 0.319873], [-1.147975, 0.516779, 0.631196]]),
    'K.categorical_crossentropy': (3.151046,
        [[1.609438, 0.693147, 1.203973], [1.021651, 4.60517, 2.407946]],
        [[0.5, -0.4, 0.333333], [0.333333, -3.0, 0.333333]]),
    'K.categorical_crossentropy_logits': (5.421788,
        [[0.542159, 2.042159, 1.242159], [3.98963, 0.38963, 6.38963]],
        [[0.481491, -0.570252, 0.08876], [-0.727922, 1.145974, -0.418052]]),
    'K.binary_crossentropy': (2.349018,
        [[1.386294, -0.847298, 0.405465], [-2.197223, 0.619039, 2.197224]],
        [[1.25, -1.428571, 0.416667], [-1.111111, -1.978022, 1.111111]]),
    'K.binary_crossentropy_logits': (4.490022,
        [[-1.0, 0.5, -0.3], [-0.2, -2.0, 1.0]],
        [[0.731059, -0.622459, 0.274443], [-0.450166, 0.080797, 0.268941]]),
    'K.sparse_categorical_crossentropy': (1.714798,
        None,
        [[1.0, -1.0, 1.0], [-1.333333, 2.0, 2.0]]),
    'nn.softmax_cross_entropy_with_logits': (5.421788,
        [[0.542159, 2.042159, 1.242159], [3.98963, 0.38963, 6.38963]],
        [[0.481491, -0.570252, 0.08876], [-0.727922, 1.145974, -0.418052]]),
    'nn.sigmoid_cross_entropy_with_logits': (4.490022,
        [[-1.0, 0.5, -0.3], [-0.2, -2.0, 1.0]],
        [[0.731059, -0.622459, 0.274443], [-0.450166, 0.080797, 0.268941]]),
    'nn.weighted_cross_entropy_with_logits': (6.330088,
        [[-0.686738, 1.474077, 0.254355], [0.398139, -1.873072, 2.313262]],
        [[0.731059, -1.244919, 0.146775], [-0.900332, -0.014565, 0.268941]]),
    'nn.log_poisson_loss': (8.788984,
        [[-1.5, -0.8, -0.7], [-1.0, -0.9, -1.2]],
        [[3.481689, 0.225541, 1.513753], [-0.281718, 2.259603, 1.820117]]),
}


# d/dy_pred of sum(d loss / d y_true), TensorFlow's (nested tapes)
SECOND_ORDER = {
    'MeanSquaredError': [[-0.333333, -0.333333, -0.333333],
                         [-0.333333, -0.333333, -0.333333]],
    'BinaryCrossentropy': [[-1.041666, -0.793651, -0.694444],
                           [-1.85185, -0.732601, -1.85185]],
    'KLDivergence': [[-2.5, -1.0, -1.666667],
                     [-0.833333, -5.0, -1.666667]],
    'CategoricalCrossentropy_logits': [[0.372237, -0.305378, -0.06686],
                                       [-0.295942, 0.734481, -0.438539]],
    'BinaryCrossentropy_logits': [[-0.166667, -0.166667, -0.166667],
                                  [-0.166667, -0.166667, -0.166667]],
    'nn.softmax_cross_entropy_with_logits': [[0.744475, -0.610755, -0.13372],
                                             [-1.183767, 2.937922, -1.754155]],
}


def _run(name, y0=None, p0=None):
    inputs, fn = CASES[name]
    y0 = INPUTS[inputs][0] if y0 is None else y0
    p0 = INPUTS[inputs][1] if p0 is None else p0
    y, p = tf.Variable(np.float32(y0)), tf.Variable(np.float32(p0))
    with tf.GradientTape() as tape:
        loss = fn(y, p)
    gy, gp = tape.gradient(loss, [y, p])
    return (float(loss.numpy()), None if gy is None else np.asarray(gy.numpy()),
            np.asarray(gp.numpy()))


@pytest.mark.parametrize("name", list(CASES))
def test_loss_gradients_match_tensorflow(name):
    loss, gy, gp = _run(name)
    ref_loss, ref_gy, ref_gp = REFS[name]
    assert loss == pytest.approx(ref_loss, rel=1e-5, abs=1e-6)
    if ref_gy is None:
        assert gy is None
    else:
        assert gy is not None, f"{name}: no gradient for y_true"
        np.testing.assert_allclose(gy, ref_gy, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(gp, ref_gp, rtol=2e-5, atol=2e-6)  # (unchanged)


# Hinge_01: labels all 0 or 1 are read as -1 / +1, a step no perturbation of them keeps
_NOT_SMOOTH_IN_Y = {"Hinge_01"}


@pytest.mark.parametrize("name", [n for n in CASES if REFS[n][1] is not None
                                  and n not in _NOT_SMOOTH_IN_Y])
def test_y_true_gradient_matches_finite_differences(name):
    inputs, _ = CASES[name]
    y0, p0 = (np.asarray(a, np.float64) for a in INPUTS[inputs])
    _, gy, _ = _run(name)
    h = 1e-3
    fd = np.zeros_like(y0)
    for i in np.ndindex(y0.shape):
        up, down = y0.copy(), y0.copy()
        up[i] += h
        down[i] -= h
        fd[i] = (_run(name, up, p0)[0] - _run(name, down, p0)[0]) / (2 * h)
    np.testing.assert_allclose(gy, fd, rtol=5e-3, atol=5e-3 * np.abs(fd).max())


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_order_through_y_true(name):
    inputs, fn = CASES[name]
    y, p = (tf.Variable(np.float32(a)) for a in INPUTS[inputs])
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = fn(y, p)
        s = tf.reduce_sum(inner.gradient(loss, y))
    np.testing.assert_allclose(outer.gradient(s, p).numpy(), SECOND_ORDER[name], rtol=2e-5,
                               atol=2e-6)


@pytest.mark.parametrize("name", ["MeanSquaredError", "CategoricalCrossentropy_logits",
                                  "BinaryCrossentropy_logits", "KLDivergence", "mse"])
def test_numpy_y_true_stays_data(name):
    """y_true as a NumPy array (or a constant the tape does not watch): no y_true gradient, and
    the loss and the y_pred gradient are those of the Variable case."""
    inputs, fn = CASES[name]
    y0, p0 = INPUTS[inputs]
    p = tf.Variable(np.float32(p0))
    for y in (np.float32(y0), tf.constant(np.float32(y0))):
        with tf.GradientTape() as tape:
            loss = fn(y, p)
        gp, gy = tape.gradient(loss, [p, y]) if isinstance(y, tf.Tensor) else \
            (tape.gradient(loss, p), None)
        assert gy is None  # (an unwatched constant: TensorFlow's None too)
        assert float(loss.numpy()) == pytest.approx(REFS[name][0], rel=1e-5)
        np.testing.assert_allclose(gp.numpy(), REFS[name][2], rtol=2e-5, atol=2e-6)
    yc = tf.constant(np.float32(y0))
    with tf.GradientTape() as tape:
        tape.watch(yc)
        loss = fn(yc, p)
    np.testing.assert_allclose(tape.gradient(loss, yc).numpy(), REFS[name][1], rtol=2e-5,
                               atol=2e-6)


def test_distillation_trains_the_teacher_through_y_true():
    """A teacher's softened outputs as the y_true of a student's KL loss, both trained: the
    teacher's weights get a gradient (they got None while losses treated y_true as data)."""
    teacher = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
    student = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    with tf.GradientTape() as tape:
        loss = L.KLDivergence()(teacher(x), student(x))
    gt, gs = tape.gradient(loss, [teacher.trainable_weights, student.trainable_weights])
    assert all(g is not None for g in gt + gs)
    assert float(np.abs(gt[0].numpy()).sum()) > 0


def test_generator_output_as_mse_target():
    gen = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    x = np.ones((4, 3), np.float32)
    p = tf.Variable(np.zeros((4, 2), np.float32))
    with tf.GradientTape() as tape:
        out = gen(x)
        loss = L.mse(out, p)
        total = tf.reduce_sum(loss)
    gk, gb = tape.gradient(total, gen.trainable_weights)
    # d/dout sum_i mean_j (p - out)^2 = 2 (out - p) / 2 = out; the bias gradient sums it over rows
    np.testing.assert_allclose(gb.numpy(), out.numpy().sum(axis=0), rtol=1e-5, atol=1e-6)


def test_sparse_labels_have_no_gradient_and_keep_their_checks():
    y = tf.Variable(np.float32([1.0, 3.0]))
    p = tf.Variable(np.float32(INPUTS["sparse"][1]))
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        L.SparseCategoricalCrossentropy()(y, p)


def test_y_true_gradient_keeps_shape_checks():
    y = tf.Variable(np.ones((2, 4), np.float32))
    p = tf.Variable(np.float32(INPUTS["prob"][1]))
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(2, 4\).*\(2, 3\)"):
        L.CategoricalCrossentropy()(y, p)


@pytest.mark.parametrize("fn,kw,case", [
    ("categorical_crossentropy", {"from_logits": True}, "CategoricalCrossentropy_logits"),
    ("categorical_crossentropy", {}, "CategoricalCrossentropy"),
    ("binary_crossentropy", {"from_logits": True}, "BinaryCrossentropy_logits"),
    ("binary_crossentropy", {}, "BinaryCrossentropy"),
    ("mean_squared_error", {}, "MeanSquaredError"),
    ("huber", {}, "Huber"),
    ("cosine_similarity", {}, "CosineSimilarity"),
])
def test_batch_mean_forms_differentiate_y_true(fn, kw, case):
    """The training loop's fused batch means (losses.batch_mean) give y_true the gradient of
    the class's default reduction (the same mean)."""
    y0, p0 = INPUTS[CASES[case][0]]
    y, p = tf.Variable(np.float32(y0)), tf.Variable(np.float32(p0))
    with tf.GradientTape() as tape:
        loss = L.batch_mean(getattr(L, fn))(y, p, **kw)
    gy, gp = tape.gradient(loss, [y, p])
    assert float(loss.numpy()) == pytest.approx(REFS[case][0], rel=1e-5)
    np.testing.assert_allclose(gy.numpy(), REFS[case][1], rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(gp.numpy(), REFS[case][2], rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", [n for n in CASES if REFS[n][1] is not None])
def test_y_true_gradient_with_numpy_y_pred(name):
    """keract's ``loss_fn(model(x), y)``: the Tensor is y_true, y_pred a NumPy array; the loss
    keeps y_true's graph (it was an array, without a gradient)."""
    inputs, fn = CASES[name]
    y0, p0 = INPUTS[inputs]
    y = tf.Variable(np.float32(y0))
    with tf.GradientTape() as tape:
        loss = fn(y, np.float32(p0))
    assert float(loss.numpy()) == pytest.approx(REFS[name][0], rel=1e-5)
    np.testing.assert_allclose(tape.gradient(loss, y).numpy(), REFS[name][1], rtol=2e-5,
                               atol=2e-6)


def _dense_model(activation, loss):
    """Dense(3) on 4 inputs with set weights: logits z = x @ KERNEL + BIAS, worked out here."""
    model = keras.Sequential([keras.layers.Dense(3, activation=activation, input_shape=(4,))])
    model.compile(optimizer="sgd", loss=loss)
    model.layers[0].set_weights([_KERNEL, _BIAS])
    return model


_X = np.float32([[0.5, -1.0, 2.0, 0.0], [1.0, 0.25, -0.5, 1.5]])
_KERNEL = np.float32([[0.2, -0.1, 0.4], [0.3, 0.5, -0.2], [-0.6, 0.1, 0.2], [0.0, 0.7, -0.3]])
_BIAS = np.float32([0.1, -0.2, 0.05])
_Z = _X.astype(np.float64) @ _KERNEL + _BIAS


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "binary_crossentropy", "mse",
                                  "custom"])
def test_compiled_loss_differentiates_y_true(loss):
    """model.compiled_loss(y_true, y_pred) in a custom step: Keras 2's compiled loss keeps
    y_true's graph too (a teacher's outputs as targets)."""
    y0 = np.float32(INPUTS["prob"][0])
    if loss == "categorical_crossentropy":  # softmax output: -log_softmax(z) / N
        model = _dense_model("softmax", loss)
        log_sm = _Z - np.log(np.exp(_Z).sum(axis=-1, keepdims=True))
        expected = -log_sm / 2
    elif loss == "binary_crossentropy":  # sigmoid output, scored from its logits: -z / 6
        model = _dense_model("sigmoid", loss)
        expected = -_Z / 6
    else:  # linear output: d/dy mean((z - y)^2) = -2 (z - y) / 6
        model = _dense_model(None, "mse" if loss == "mse" else (
            lambda y, p: tf.reduce_mean(tf.square(p - y), axis=-1)))
        expected = -2 * (_Z - y0) / 6
    y = tf.Variable(y0)
    with tf.GradientTape() as tape:
        value = model.compiled_loss(y, model(_X, training=True))
    np.testing.assert_allclose(tape.gradient(value, y).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_compiled_loss_y_true_reshaped_and_cast_keeps_its_gradient():
    """(N,) float64 targets for an (N, 1) output: the check reshapes and casts them; the
    gradient still reaches the Variable, in its shape: d/dy mean((z - y)^2) = -2 (z - y) / 2."""
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    model.layers[0].set_weights([_KERNEL[:, :1], _BIAS[:1]])
    y0 = np.array([0.3, -0.2])
    y = tf.Variable(y0)
    with tf.GradientTape() as tape:
        value = model.compiled_loss(y, model(_X, training=True))
    g = tape.gradient(value, y)
    assert g.shape == (2,)
    np.testing.assert_allclose(g.numpy(), -2 * (_Z[:, 0] - y0) / 2, rtol=1e-5, atol=1e-6)
