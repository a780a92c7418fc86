"""tf.lookup, tf.sets, the type specs, tf.random's seed functions, the tf.strings extras and
the smaller top-level names against TensorFlow 2.21's values recorded by
tools/gen_tf15_refs.py into tests/data/tf15_refs.json (the comparison is tf_io14_refs.py's);
bad arguments raise the class TensorFlow raises with a message naming the op / argument.
The stateless poisson / gamma / binomial draws are TensorFlow's numbers (recorded), and their
moments are checked on longer draws here."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf

from tf_io14_refs import check, decode

with open(os.path.join(os.path.dirname(__file__), "data", "tf15_refs.json")) as _f:
    REFS = json.load(_f)
CASES, ERRORS = REFS["cases"], REFS["errors"]


@pytest.fixture(scope="module")
def env():
    e = dict(tf=tf, np=np, keras=tf.keras)
    exec(REFS["setup"], e)  # noqa: S102 -- the recorded setup (files, tables, helpers)
    return e


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_tensorflow(case, env):
    got = eval(CASES[case]["expr"], env)  # noqa: S307 -- the recorded expressions
    check(got, decode(CASES[case]["out"]), case)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_arguments_raise_tensorflows_error(case, env):
    rec = ERRORS[case]
    with pytest.raises(Exception) as info:
        eval(rec["expr"], env)  # noqa: S307
    names = [c.__name__ for c in type(info.value).__mro__]
    assert rec["error"] in names, (case, type(info.value), info.value)
    assert rec["word"] in str(info.value), (case, rec["word"], str(info.value))


# ---- lookups carry no gradient; tables work inside Keras layers and tf.data -------------------
@pytest.mark.parametrize("keys", [None, [None], ["x"]])
def test_lookup_of_keys_that_are_not_the_tables_name_it(keys):
    t = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([1, 2], [3, 4]), -1)
    with pytest.raises(TypeError) as info:
        t.lookup(keys)
    assert "StaticHashTable.lookup" in str(info.value) and "int32" in str(info.value)


def test_lookup_has_no_gradient_path():
    t = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([1, 2], [0.5, 1.5]), 0.0)
    out = t.lookup(tf.constant([2, 3]))
    assert not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), np.array([1.5, 0.0], np.float32))


def test_vocabulary_table_in_a_trained_model():
    """A StaticVocabularyTable inside a Lambda layer before an Embedding: the model trains (the
    ids feed the embedding; no gradient reaches the table) and maps OOV words to buckets."""
    table = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
        ["good", "bad", "fine"], tf.constant([0, 1, 2], tf.int64)), num_oov_buckets=2)
    keras = tf.keras
    inp = keras.Input(shape=(2,), dtype=tf.string)
    ids = keras.layers.Lambda(lambda s: table.lookup(s))(inp)
    x = keras.layers.Embedding(5, 4)(ids)
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(x))
    model = keras.Model(inp, out)
    model.compile("adam", "binary_crossentropy")
    xs = np.array([["good", "fine"], ["bad", "awful"], ["good", "good"], ["bad", "meh"]],
                  dtype=object)
    ys = np.array([1.0, 0.0, 1.0, 0.0], np.float32)
    hist = model.fit(xs, ys, epochs=30, batch_size=4, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    ids = table.lookup(tf.constant(["awful", "meh", "good"])).numpy()
    assert ids[2] == 0 and 3 <= ids[0] <= 4 and 3 <= ids[1] <= 4


# ---- the stateless draws: moments of longer draws than the recorded ones ----------------------
def test_stateless_poisson_gamma_binomial_moments_and_determinism():
    shape, seed = [20000], [3, 4]
    p = tf.random.stateless_poisson(shape, seed, lam=3.5).numpy()
    assert p.dtype == np.int32
    assert abs(p.mean() - 3.5) < 0.08 and abs(p.var() - 3.5) < 0.2
    g = tf.random.stateless_gamma(shape, seed, alpha=2.0, beta=4.0).numpy()
    assert g.dtype == np.float32
    assert abs(g.mean() - 0.5) < 0.02 and abs(g.var() - 0.125) < 0.01
    b = tf.random.stateless_binomial([3000], seed, counts=10, probs=0.3,
                                     output_dtype=tf.int64).numpy()  # a slower sampler
    assert b.dtype == np.int64 and b.min() >= 0 and b.max() <= 10
    assert abs(b.mean() - 3.0) < 0.1 and abs(b.var() - 2.1) < 0.25
    # the same (shape, seed) gives the same draws; another seed others
    np.testing.assert_array_equal(tf.random.stateless_poisson(shape, seed, 3.5).numpy(), p)
    assert not np.array_equal(tf.random.stateless_poisson(shape, [3, 5], 3.5).numpy(), p)
    # per-element parameters broadcast to the shape
    lam = tf.random.stateless_poisson([4000, 2], seed, lam=[1.0, 50.0]).numpy().mean(axis=0)
    assert abs(lam[0] - 1.0) < 0.1 and abs(lam[1] - 50.0) < 0.6


@pytest.mark.parametrize("expr, word", [
    ("tf.random.stateless_gamma([3], [1, 2], alpha=-1.0)", "alpha"),
    ("tf.random.stateless_poisson([3], [1, 2], lam=[1.0, 2.0])", "lam"),
    ("tf.random.stateless_binomial([3], [1, 2], counts=5, probs=1.5)", "probs"),
    ("tf.random.stateless_poisson([3], [1, 2, 3], lam=1.0)", "seed"),
    ("tf.random.fold_in([1.5, 2.0], 3)", "seed"),
    ("tf.random.split([1, 2], alg='threefry')", "alg"),
    ("tf.random.Generator.from_seed(1).normal([2], dtype=tf.int32)", "dtype"),
    ("tf.random.Generator.from_state([1, 2, 3], 'threefry')", "Philox"),
    ("tf.random.stateless_binomial([2], [1, 2], [1.0, 2.0, 3.0], 0.5)", "trailing"),
])
def test_random_bad_arguments(expr, word):
    with pytest.raises((ValueError, TypeError)) as info:
        eval(expr, {"tf": tf})  # noqa: S307
    assert word in str(info.value)


# ---- tf.signal's N-D FFTs: TensorFlow 2.21 has FFTND kernels for GPUs only (on a CPU it raises
# NotFoundError), so NumPy's fftn family (whose norm conventions TensorFlow's wrappers follow)
# is the reference here, and the gradients are checked by central differences ----------------
_X = np.random.default_rng(15).normal(size=(3, 4, 5))


@pytest.mark.parametrize("fft_length, axes, norm", [
    (None, None, None), (None, [0, 2], "ortho"), ([2, 6], [2, 0], "forward"),
    ([5], [-2], "backward"), ([4, 3, 2], [1, 0, 2], None)])
def test_fftnd_family_matches_numpy(fft_length, axes, norm):
    x = _X.astype(np.float32)
    z = (_X + 0.5j * _X[::-1]).astype(np.complex64)
    kw = dict(s=fft_length, axes=axes, norm=norm)
    cases = [(tf.signal.fftnd(z, fft_length, axes, norm), np.fft.fftn(z, **kw)),
             (tf.signal.ifftnd(z, fft_length, axes, norm), np.fft.ifftn(z, **kw)),
             (tf.signal.rfftnd(x, fft_length, axes, norm), np.fft.rfftn(x, **kw))]
    spec = np.fft.rfftn(x, axes=axes)
    want = np.fft.irfftn(spec, **kw)
    cases.append((tf.signal.irfftnd(spec.astype(np.complex64), fft_length, axes, norm), want))
    for got, want in cases:
        got = got.numpy()
        assert got.shape == want.shape
        assert got.dtype == (np.float32 if want.dtype.kind == "f" else np.complex64)
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5 * np.abs(want).max())


def test_fftnd_gradients_by_central_differences():
    from tensorforge.autograd import Tensor
    w = np.cos(np.arange(3 * 4 * 4)).reshape(3, 4, 4)

    def loss_np(x):  # the same loss in NumPy: sum(real * w + imag * w[::-1]) of rfftn
        y = np.fft.rfftn(x, s=[3, 6], axes=[0, 2], norm="ortho")
        return (y.real * w + y.imag * w[::-1]).sum()
    x = Tensor(_X.copy(), requires_grad=True)
    y = tf.signal.rfftnd(x, [3, 6], [0, 2], "ortho")
    loss = (tf.math.real(y) * w + tf.math.imag(y) * w[::-1]).sum()
    np.testing.assert_allclose(float(loss.numpy()), loss_np(_X), rtol=1e-10)
    loss.backward()
    eps, num = 1e-6, np.zeros_like(_X)
    for i in np.ndindex(*_X.shape):
        d = np.zeros_like(_X)
        d[i] = eps
        num[i] = (loss_np(_X + d) - loss_np(_X - d)) / (2 * eps)
    np.testing.assert_allclose(x.grad, num, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("expr, word", [
    ("tf.signal.fftnd(np.zeros((2, 3), np.complex64), axes=[0, 0])", "axes"),
    ("tf.signal.fftnd(np.zeros((2, 3), np.complex64), axes=[2])", "axes"),
    ("tf.signal.rfftnd(np.zeros((2, 3), np.complex64))", "float32"),
    ("tf.signal.irfftnd(np.zeros((2, 3), np.float32))", "complex"),
    ("tf.signal.fftnd(np.zeros((2, 3), np.complex64), norm='half')", "norm"),
    ("tf.signal.fftnd(np.zeros((2, 3), np.complex64), fft_length=[2], axes=[0, 1])",
     "fft_length"),
    ("tf.signal.fftnd(np.zeros((0, 3), np.complex64))", "lengths"),
])
def test_fftnd_bad_arguments(expr, word):
    with pytest.raises((ValueError, TypeError)) as info:
        eval(expr, {"tf": tf, "np": np})  # noqa: S307
    assert word in str(info.value) and "tf.signal." in str(info.value)


# ---- tf.nn's RNN cell wrappers: the dropout masks are tensorforge's draws ----------------------
def test_dropout_wrapper_masks_scale_and_vary():
    cell = tf.keras.layers.SimpleRNNCell(64)
    w = tf.nn.RNNCellDropoutWrapper(cell, output_keep_prob=0.25, state_keep_prob=0.5, seed=7)
    x = tf.constant(np.ones((32, 8), np.float32))
    w.build((32, 8))
    h0 = [tf.constant(np.zeros((32, 64), np.float32))]
    base, _ = cell.call(x, h0)
    out, (state,) = w.call(x, h0)
    out, base = out.numpy(), base.numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.25) < 0.03  # the keep probability
    np.testing.assert_allclose(out[kept], base[kept] / 0.25, rtol=1e-6)  # kept: scaled up
    assert abs((state.numpy() != 0).mean() - 0.5) < 0.03
    again, _ = w.call(x, h0)
    assert not np.array_equal(again.numpy() != 0, kept)  # a fresh mask at every call
    v = tf.nn.RNNCellDropoutWrapper(cell, input_keep_prob=0.5, variational_recurrent=True,
                                    seed=3)
    a, _ = v.call(x, h0)
    b, _ = v.call(x, h0)
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # variational: one mask a sequence


def test_wrapped_cell_trains_in_an_rnn_layer():
    keras = tf.keras
    keras.utils.set_random_seed(15)
    cell = tf.nn.RNNCellResidualWrapper(tf.nn.RNNCellDropoutWrapper(
        keras.layers.GRUCell(4), input_keep_prob=0.9, seed=1))
    model = keras.Sequential([keras.Input((6, 4)), keras.layers.RNN(cell),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02), "mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 4)).astype(np.float32)
    y = x[:, -1].sum(axis=1, keepdims=True)  # the last step's sum: the residual path carries it
    before = [w.copy() for w in model.get_weights()]
    hist = model.fit(x, y, epochs=40, verbose=0)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]
    assert len(before) == 5  # the GRU cell's 3 weights reach the model through both wrappers
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_lookup_in_a_dataset_pipeline_feeding_fit():
    """A tf.data pipeline maps words to ids with a StaticVocabularyTable (TextFileInitializer)
    and batches them for model.fit, as the Keras 2 text examples do."""
    import os
    import tempfile
    keras = tf.keras
    keras.utils.set_random_seed(3)
    path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    with open(path, "w") as f:
        f.write("good\nbad\nfine\nawful\n")
    table = tf.lookup.StaticVocabularyTable(tf.lookup.TextFileInitializer(
        path, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE, tf.int64,
        tf.lookup.TextFileIndex.LINE_NUMBER), num_oov_buckets=1)
    words = np.array([["good", "fine"], ["bad", "awful"], ["fine", "good"], ["awful", "meh"]],
                     dtype=object)
    labels = np.array([1.0, 0.0, 1.0, 0.0], np.float32)
    ds = tf.data.Dataset.from_tensor_slices((words, labels)).map(
        lambda w, y: (table.lookup(w), y)).batch(2)
    first = next(iter(ds))[0].numpy()
    np.testing.assert_array_equal(first, [[0, 2], [1, 3]])
    model = keras.Sequential([keras.Input((2,), dtype="int64"), keras.layers.Embedding(5, 4),
                              keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
    hist = model.fit(ds, epochs=20, verbose=0)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]
    assert table.lookup(tf.constant(["meh"])).numpy()[0] == 4  # the one OOV bucket
