"""The gaps the eighth corpus's programs revealed (tools/keras_corpus.md, "Eighth corpus"), and
the small Keras 2 mismatches fixed beside them. Figures marked TensorFlow's were printed by
tools/keras_corpus8_refs.py under TensorFlow 2.21 / tf_keras."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L


# ---- Tensor.get_shape (pixelcnn.py: self.conv.kernel.get_shape() in a masked Conv2D) ----

def test_get_shape_is_a_tensorshape_of_concrete_and_symbolic_tensors():
    k = tf.Tensor(np.zeros((7, 7, 1, 128), np.float32))
    s = k.get_shape()
    assert s == (7, 7, 1, 128) and s.as_list() == [7, 7, 1, 128] and s.rank == 4
    m = np.zeros(shape=s)                       # pixelcnn.py's np.zeros(shape=kernel_shape)
    assert m.shape == (7, 7, 1, 128)
    x = tf.keras.Input((28, 28, 1))
    assert x.get_shape().as_list() == [None, 28, 28, 1]
    assert not x.get_shape().is_fully_defined()


def test_masked_conv_kernel_assign_keeps_the_mask_through_training():
    """pixelcnn.py's PixelConvLayer: the kernel multiplied by a NumPy mask and assigned back in
    call(); the masked taps stay zero after a fit."""
    class Masked(L.Layer):
        def __init__(self, **kw):
            super().__init__()
            self.conv = L.Conv2D(**kw)

        def build(self, input_shape):
            self.conv.build(input_shape)
            ks = self.conv.kernel.get_shape()
            self.mask = np.zeros(shape=ks)
            self.mask[: ks[0] // 2, ...] = 1.0
            self.mask[ks[0] // 2, : ks[1] // 2, ...] = 1.0

        def call(self, inputs):
            self.conv.kernel.assign(self.conv.kernel * self.mask)
            return self.conv(inputs)

    inp = tf.keras.Input((6, 6, 1))
    layer = Masked(filters=2, kernel_size=3, padding="same")
    model = tf.keras.Model(inp, layer(inp))
    model.compile("adam", "mse")
    rng = np.random.default_rng(0)
    model.fit(rng.random((8, 6, 6, 1)), rng.random((8, 6, 6, 2)), epochs=1, verbose=0)
    model.predict(rng.random((1, 6, 6, 1)), verbose=0)
    k = np.asarray(layer.conv.kernel.numpy())
    assert np.all(k[1, 1:] == 0) and np.all(k[2:] == 0)
    assert np.any(k[0] != 0) and np.any(k[1, 0] != 0)


# ---- tf.image.extract_patches (involution.py) ----

def _patches_reference(x, kr, kc, sr, sc, rr, rc, padding):
    """A loop over output pixels and window taps (float64), TensorFlow's definition."""
    n, h, w, c = x.shape
    er, ec = (kr - 1) * rr + 1, (kc - 1) * rc + 1
    if padding == "SAME":
        oh, ow = -(-h // sr), -(-w // sc)
        top = max((oh - 1) * sr + er - h, 0) // 2
        left = max((ow - 1) * sc + ec - w, 0) // 2
    else:
        oh, ow = -(-(h - er + 1) // sr), -(-(w - ec + 1) // sc)
        top = left = 0
    out = np.zeros((n, oh, ow, kr * kc * c))
    for i in range(oh):
        for j in range(ow):
            for a in range(kr):
                for b in range(kc):
                    y, z = i * sr - top + a * rr, j * sc - left + b * rc
                    if 0 <= y < h and 0 <= z < w:
                        out[:, i, j, (a * kc + b) * c:(a * kc + b + 1) * c] = x[:, y, z, :]
    return out


def test_extract_patches_matches_tensorflows_figures():
    x = np.arange(40, dtype=np.float32).reshape(1, 5, 4, 2)
    same = tf.image.extract_patches(tf.Tensor(x), [1, 2, 3, 1], [1, 2, 3, 1], [1, 1, 1, 1],
                                    "SAME")
    # TensorFlow's: shape (1, 3, 2, 12)
    assert same.shape == (1, 3, 2, 12)
    assert same.numpy().astype(int).ravel().tolist() == [
        0, 0, 0, 1, 2, 3, 0, 0, 8, 9, 10, 11, 4, 5, 6, 7, 0, 0, 12, 13, 14, 15, 0, 0, 0, 0, 16,
        17, 18, 19, 0, 0, 24, 25, 26, 27, 20, 21, 22, 23, 0, 0, 28, 29, 30, 31, 0, 0, 0, 0, 32,
        33, 34, 35, 0, 0, 0, 0, 0, 0, 36, 37, 38, 39, 0, 0, 0, 0, 0, 0, 0, 0]
    valid = tf.image.extract_patches(x, [1, 2, 2, 1], [1, 2, 1, 1], [1, 2, 2, 1], "VALID")
    assert valid.shape == (1, 2, 2, 8)                                   # TensorFlow's
    assert valid.numpy().astype(int).ravel().tolist() == [
        0, 1, 4, 5, 16, 17, 20, 21, 2, 3, 6, 7, 18, 19, 22, 23, 16, 17, 20, 21, 32, 33, 36, 37,
        18, 19, 22, 23, 34, 35, 38, 39]


@pytest.mark.parametrize("cfg", [(3, 3, 1, 1, 1, 1, "SAME"), (3, 3, 2, 2, 1, 1, "SAME"),
                                 (5, 5, 1, 1, 1, 1, "SAME"), (3, 2, 2, 3, 2, 1, "VALID"),
                                 (2, 2, 1, 2, 1, 2, "SAME")])
def test_extract_patches_forward_matches_the_loop_reference(cfg):
    kr, kc, sr, sc, rr, rc, pad = cfg
    x = np.random.default_rng(1).standard_normal((2, 7, 6, 3)).astype(np.float32)
    y = tf.image.extract_patches(tf.Tensor(x), [1, kr, kc, 1], [1, sr, sc, 1], [1, rr, rc, 1],
                                 pad)
    ref = _patches_reference(x.astype(np.float64), kr, kc, sr, sc, rr, rc, pad)
    assert y.shape == ref.shape
    np.testing.assert_array_equal(y.numpy(), ref.astype(np.float32))


def test_extract_patches_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    x0 = rng.standard_normal((1, 5, 4, 2))
    w = rng.standard_normal((1, 2, 2, 8))

    def f(a):
        return float(np.sum(_patches_reference(a, 2, 2, 3, 3, 1, 1, "SAME") * w))

    x = tf.Tensor(x0.astype(np.float32), requires_grad=True)
    y = tf.image.extract_patches(x, [1, 2, 2, 1], [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    (y * tf.Tensor(w.astype(np.float32))).sum().backward()
    num = np.zeros_like(x0)
    for idx in np.ndindex(*x0.shape):
        d = np.zeros_like(x0)
        d[idx] = 1e-6
        num[idx] = (f(x0 + d) - f(x0 - d)) / 2e-6
    np.testing.assert_allclose(x.grad, num, atol=1e-4)
    assert np.any(num == 0) and np.any(num != 0)   # the stride skips some pixels


def test_extract_patches_records_in_a_functional_graph_and_trains():
    inp = tf.keras.Input((8, 8, 3))
    p = tf.image.extract_patches(inp, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    assert tuple(p.shape) == (None, 8, 8, 27)
    out = L.Dense(1)(L.GlobalAveragePooling2D()(L.Conv2D(2, 1)(p)))
    model = tf.keras.Model(inp, out)
    model.compile("adam", "mse")
    rng = np.random.default_rng(3)
    h = model.fit(rng.random((16, 8, 8, 3)), rng.random((16, 1)), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()


def test_extract_patches_bad_arguments_name_the_op():
    x = tf.Tensor(np.zeros((1, 4, 4, 1), np.float32))
    with pytest.raises(ValueError, match="extract_patches: sizes"):
        tf.image.extract_patches(x, [3, 3], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="extract_patches: padding"):
        tf.image.extract_patches(x, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "FULL")
    with pytest.raises(ValueError, match="extract_patches: images must be 4-D"):
        tf.image.extract_patches(np.zeros((4, 4, 1)), [1, 3, 3, 1], [1, 1, 1, 1],
                                 [1, 1, 1, 1], "SAME")


# ---- fit(epochs=0): Keras 2 refuses it ----

def _tiny_model():
    m = tf.keras.Sequential([L.Dense(1, input_shape=(2,))])
    m.compile("sgd", "mse")
    return m


def test_fit_of_zero_epochs_is_refused_as_keras_2_does():
    m = _tiny_model()
    x, y = np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)
    # tf_keras 2.21: ValueError "Expected epochs to be positive. Received is 0."
    with pytest.raises(ValueError, match="fit: epochs must be positive"):
        m.fit(x, y, epochs=0, verbose=0)
    with pytest.raises(ValueError, match="fit_generator: epochs must be positive"):
        m.fit_generator(((x, y) for _ in range(3)), steps_per_epoch=1, epochs=0, verbose=0)
    # tf_keras 2.21: epochs <= initial_epoch trains nothing and returns an empty History
    h = m.fit(x, y, epochs=2, initial_epoch=2, verbose=0)
    assert h.history == {} and h.epoch == []


# ---- symbolic preprocessing layers refuse what Keras 2 refuses ----

def test_symbolic_textvectorization_refuses_a_last_axis_other_than_one():
    tv = L.TextVectorization(max_tokens=10, output_sequence_length=4)
    tv.adapt(["a b c", "b c d"])
    assert tuple(tv(tf.keras.Input((1,), dtype="string")).shape) == (None, 4)
    assert tuple(tv(tf.keras.Input((), dtype="string")).shape) == (None, 4)
    # tf_keras 2.21: "the input rank must be 1 or the last shape dimension must be 1.
    # Received: inputs.shape=(None, 2) with rank=2"
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        tv(tf.keras.Input((2,), dtype="string"))
    mh = L.TextVectorization(max_tokens=10, output_mode="multi_hot")
    mh.adapt(["a b c", "b c d"])
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        mh(tf.keras.Input((2,), dtype="string"))
    nosplit = L.TextVectorization(max_tokens=10, output_mode="multi_hot", split=None)
    nosplit.adapt(["a b c", "b c d"])
    assert tuple(nosplit(tf.keras.Input((2,), dtype="string")).shape) == (None, 3)  # tf_keras


@pytest.mark.parametrize("mode,shape,expected", [
    ("one_hot", (1,), (None, 5)), ("one_hot", (), (None, 5)), ("multi_hot", (), (5,)),
    ("multi_hot", (3,), (None, 5)), ("count", (3,), (None, 5)),
    ("multi_hot", (3, 4), None), ("count", (1, 1), None), ("one_hot", (3,), None)])
def test_symbolic_categoryencoding_shapes_and_rank_limit_as_keras_2(mode, shape, expected):
    """tf_keras 2.21's symbolic shapes; None: its "maximum supported output rank is 2"."""
    inp = tf.keras.Input(shape, dtype="int32")
    layer = L.CategoryEncoding(num_tokens=5, output_mode=mode)
    if expected is None:
        with pytest.raises(ValueError, match="maximum supported output rank is 2"):
            layer(inp)
    else:
        assert tuple(layer(inp).shape) == expected


def test_symbolic_stringlookup_multi_hot_refuses_rank_3():
    lk = L.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot")
    assert tuple(lk(tf.keras.Input((4,), dtype="string")).shape) == (None, 3)
    with pytest.raises(ValueError, match="StringLookup: .*maximum supported output rank"):
        lk(tf.keras.Input((3, 4), dtype="string"))


# ---- tf.ragged with the lookup layers (multi_label_classification.py) ----

TERMS = [["cs.LG", "stat.ML"], ["cs.CV"], ["cs.LG", "cs.CV", "cs.AI"]]


def test_ragged_constant_rows_and_conversions():
    r = tf.ragged.constant(TERMS)
    assert isinstance(r, tf.RaggedTensor)
    assert tuple(r.shape) == (3, None) and len(r) == 3
    assert r.to_list() == [[b"cs.LG", b"stat.ML"], [b"cs.CV"], [b"cs.LG", b"cs.CV", b"cs.AI"]]
    # row_splits and values are tensors, as TensorFlow's (int64 splits)
    assert isinstance(r.row_splits, tf.Tensor) and r.row_splits.dtype == tf.int64
    assert r.row_splits.numpy().tolist() == [0, 2, 3, 6]
    assert isinstance(r.values, tf.Tensor) and r.values.numpy().tolist()[2] == b"cs.CV"
    assert r[1].numpy().tolist() == [b"cs.CV"] and r[-1].numpy().tolist()[-1] == b"cs.AI"
    assert r[1:].to_list() == [[b"cs.CV"], [b"cs.LG", b"cs.CV", b"cs.AI"]]
    n = tf.ragged.constant([[1, 2], [], [3]])
    assert n.values.dtype == np.int32 and n.row_lengths().numpy().tolist() == [2, 0, 1]
    assert n.to_tensor().numpy().tolist() == [[1, 2], [0, 0], [3, 0]]
    # a pandas column of lists (an object array), as the example passes it
    col = np.empty(2, dtype=object)
    col[0], col[1] = ["a"], ["b", "c"]
    assert tf.ragged.constant(col).to_list() == [[b"a"], [b"b", b"c"]]
    with pytest.raises(ValueError, match="ragged.constant: expected a list of lists"):
        tf.ragged.constant(["a", "b"])
    with pytest.raises(ValueError, match="row_splits"):
        tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2])


def test_stringlookup_adapts_and_encodes_ragged_rows_as_keras_2():
    terms = tf.ragged.constant(TERMS)
    lk = L.StringLookup(output_mode="multi_hot")
    lk.adapt(terms)
    # tf_keras 2.21's figures (tools/keras_corpus8_refs.py)
    assert lk.get_vocabulary() == ["[UNK]", "cs.LG", "cs.CV", "stat.ML", "cs.AI"]
    assert lk(terms).numpy().tolist() == [[0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0, 1, 1, 0, 1]]
    assert lk([["cs.LG", "stat.ML"]]).numpy().tolist() == [[0, 1, 0, 1, 0]]
    ti = L.StringLookup(output_mode="tf_idf")
    ti.adapt(terms)
    np.testing.assert_allclose(ti(terms).numpy(), [
        [0.0, 0.693147, 0.0, 0.916291, 0.0], [0.0, 0.0, 0.693147, 0.0, 0.0],
        [0.0, 0.693147, 0.693147, 0.0, 0.916291]], atol=1e-6)
    ints = L.StringLookup(vocabulary=["cs.LG", "cs.CV"])(terms)
    assert isinstance(ints, tf.RaggedTensor)
    assert ints.to_list() == [[1, 0], [2], [1, 2, 0]]
    with pytest.raises(TypeError, match="does not take a RaggedTensor"):
        L.Dense(2)(terms)


# ---- the other TensorFlow names the corpus called ----

def test_top_k_values_indices_and_ties_as_tensorflow():
    v = tf.math.top_k(np.array([[1.0, 3.0, 2.0, 3.0], [0.5, -1.0, 0.5, 4.0]]), k=3)
    values, indices = v                                   # TensorFlow's figures
    assert values.numpy().tolist() == [[3.0, 3.0, 2.0], [4.0, 0.5, 0.5]]
    assert indices.numpy().tolist() == [[1, 3, 2], [3, 0, 2]]
    assert v.indices.dtype == np.int32
    with pytest.raises(ValueError, match="math.top_k: k must be"):
        tf.math.top_k(np.zeros(3), k=4)


def test_top_k_values_carry_the_gradient_to_the_selected_entries():
    x0 = np.array([[[1.0, 3.0, 2.0, 0.0], [0.5, -1.0, 4.0, 2.0]],
                   [[2.0, 2.5, -3.0, 1.0], [0.0, 1.0, 5.0, 6.0]]], np.float32)
    x = tf.Variable(x0)
    w = np.arange(1, 9, dtype=np.float32).reshape(2, 2, 2)
    with tf.GradientTape() as tape:
        v = tf.math.top_k(x, k=2).values
        loss = tf.reduce_sum(v * w)
    np.testing.assert_allclose(v.numpy(), np.sort(x0, -1)[..., ::-1][..., :2])
    want = np.zeros_like(x0)  # each selected entry gets its output's weight, the rest 0
    idx = np.argsort(-x0, -1, kind="stable")[..., :2]
    np.put_along_axis(want, idx, w, -1)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), want)


def test_tile_by_a_tensor_of_multiples_forward_gradient_and_graph():
    assert tf.tile(tf.constant([[1, 2]]), tf.constant([2, 2])).numpy().tolist() == \
        [[1, 2, 1, 2], [1, 2, 1, 2]]                      # TensorFlow's
    x = tf.Tensor(np.array([[1.0, 2.0]], np.float32), requires_grad=True)
    tf.tile(x, [3, 2]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[6.0, 6.0]])   # each entry used 3 x 2 times
    inp = tf.keras.Input((4,))
    y = tf.tile(inp[:, tf.newaxis, :], tf.constant([1, 3, 1], dtype="int32"))
    assert tuple(y.shape) == (None, 3, 4)
    with pytest.raises(TypeError, match="tile: multiples must be integers"):
        tf.tile(x, np.array([1.5, 1.0]))


def test_device_scope_and_newaxis():
    with tf.device("/CPU:0") as d:
        assert d.name == "/CPU:0"
    assert tf.newaxis is None
    with pytest.raises(TypeError, match="device: device_name"):
        tf.device(0)


def test_text_line_dataset_lines_as_tensorflow(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"first line\r\nsecond\n\nfourth")
    b.write_bytes(b"other\n")
    ds = tf.data.TextLineDataset([str(a), str(b)])
    # TensorFlow's: [b'first line', b'second', b'', b'fourth', b'other']
    assert [bytes(e) for e in ds.as_numpy_iterator()] == [b"first line", b"second", b"",
                                                          b"fourth", b"other"]
    batches = list(ds.batch(2))
    assert [t.numpy().tolist() for t in batches][0] == [b"first line", b"second"]
    tv = L.TextVectorization(max_tokens=10)
    tv.adapt(ds.batch(2))
    assert set(tv.get_vocabulary()[2:]) == {"first", "line", "second", "fourth", "other"}
    with pytest.raises(ValueError, match="TextLineDataset: compression_type"):
        tf.data.TextLineDataset(str(a), compression_type="GZIP")


def test_tf_matmul_of_rank_4_is_the_batched_product_with_its_gradient():
    """text_generation_with_miniature_gpt.py: tf.matmul(query, key, transpose_b=True) on
    (batch, heads, seq, dim) tensors (it was Keras' batch_dot, a 5-D result)."""
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5))
    ta = tf.Tensor(a.astype(np.float32), requires_grad=True)
    tb = tf.Tensor(b.astype(np.float32), requires_grad=True)
    y = tf.matmul(ta, tb, transpose_b=True)
    np.testing.assert_allclose(y.numpy(), a @ b.transpose(0, 1, 3, 2), rtol=1e-5, atol=1e-5)
    g = rng.standard_normal((2, 3, 4, 6))
    (y * tf.Tensor(g.astype(np.float32))).sum().backward()
    np.testing.assert_allclose(ta.grad, g @ b, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tb.grad, g.transpose(0, 1, 3, 2) @ a, rtol=1e-4, atol=1e-4)
    w = rng.standard_normal((5, 7)).astype(np.float32)    # broadcast over the batch axes
    np.testing.assert_allclose(tf.matmul(ta, w).numpy(), a @ w, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="matmul: a and b must have rank >= 2"):
        tf.matmul(ta, np.ones(5, np.float32))


def test_tf_range_takes_a_scalar_tensor_limit():
    n = tf.shape(tf.zeros((2, 5)))[-1]
    r = tf.range(start=0, limit=n, delta=1)
    assert r.numpy().tolist() == [0, 1, 2, 3, 4] and r.dtype == np.int32


def test_one_target_for_two_outputs_when_the_second_has_no_loss():
    """loss=[fn, None] and one target array: Keras 2 pairs targets with outputs in order.
    tf_keras 2.21 from the same weights (tools/keras_corpus8_refs.py): history
    {'loss': [8.94], 'out_loss': [8.94]}, evaluate [5.55411, 5.55411]."""
    inp = tf.keras.Input((3,))
    h = L.Dense(2, kernel_initializer="ones", name="h")(inp)
    out = L.Dense(1, kernel_initializer="ones", name="out")(h)
    m = tf.keras.Model(inp, [out, h])
    m.compile(tf.keras.optimizers.SGD(0.01), loss=["mse", None])
    x = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    y = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
    hist = m.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    assert hist.history["loss"][0] == pytest.approx(8.94, abs=1e-4)
    assert hist.history["out_loss"][0] == pytest.approx(8.94, abs=1e-4)
    np.testing.assert_allclose(m.evaluate(x, y, verbose=0), [5.55411, 5.55411], atol=1e-4)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)   # the custom-step path
    assert np.isfinite(m.fit(ds, epochs=1, verbose=0).history["loss"][0])
    m2 = tf.keras.Model(inp, [out, h])
    m2.compile("sgd", loss=["mse", "mse"])                     # a dropped output with a loss
    with pytest.raises(ValueError, match="2 outputs .* received 1 target arrays"):
        m2.fit(x, y, epochs=1, verbose=0)


def test_regex_replace_matches_code_points_as_re2_utf8():
    """neural_machine_translation_with_transformer.py strips "[%s]" % re.escape(punctuation +
    "¿"): the class must remove "¿", not its lead byte 0xC2 (which would break "¡" into an
    invalid byte). TensorFlow's results in the comments."""
    import re
    import string
    strip = (string.punctuation + "¿").replace("[", "").replace("]", "")
    x = tf.strings.regex_replace(tf.strings.lower(["[start] ¡Mañana casa pequeño! ¿Dónde? [end]"]),
                                 "[%s]" % re.escape(strip), "")
    assert x.numpy()[0].decode("utf-8") == "[start] ¡mañana casa pequeño dónde [end]"
    assert tf.strings.regex_replace(["ñ_a1"], r"\w", "x").numpy()[0].decode() == "ñxxx"
    assert tf.strings.regex_replace(["don't go"], "([%s])" % string.punctuation,
                                    r" \1").numpy()[0] == b"don 't go"
    assert tf.strings.regex_full_match(["¿qué?"], "¿.*").numpy().tolist() == [True]
    bad = np.array([b"\xff\xfeab"], dtype=object)                # not UTF-8: byte by byte
    assert tf.strings.regex_replace(bad, "a", "x").numpy()[0] == b"\xff\xfexb"


def test_sequential_built_from_data_relaxes_its_inferred_input_shape():
    """neural_machine_translation_with_transformer.py: a Sequential feed-forward block inside a
    custom layer is first run on a 1-step sequence (shape inference), then on 20 steps; Keras 2
    relaxes the inferred input shape instead of refusing (tf_keras 2.21: (3, 7, 2))."""
    s = tf.keras.Sequential([L.Dense(4, activation="relu"), L.Dense(2)])
    assert s(np.ones((3, 1, 5), np.float32)).shape == (3, 1, 2)
    w = [a.copy() for a in s.get_weights()]
    y = s(np.ones((3, 7, 5), np.float32))
    assert y.shape == (3, 7, 2)
    for a, b in zip(w, s.get_weights()):                  # the same layers, rebuilt graph
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(y.numpy()[:, 0], s(np.ones((3, 1, 5), np.float32)).numpy()[:, 0])
    with pytest.raises(ValueError, match="last dimension 5"):
        s(np.ones((3, 7, 6), np.float32))
    assert s(np.ones((2, 4, 5), np.float32)).shape == (2, 4, 2)   # still usable
    declared = tf.keras.Sequential([L.Dense(4, input_shape=(1, 5))])
    with pytest.raises(ValueError, match="incompatible"):          # a declared shape stands
        declared(np.ones((3, 7, 5), np.float32))


# ---- tf.einsum, tf.unstack, tf.math.cumsum (metric_learning.py, switch transformer) ----

def _fd_grad(f, x0, eps=1e-6):
    num = np.zeros_like(x0)
    for idx in np.ndindex(*x0.shape):
        d = np.zeros_like(x0)
        d[idx] = eps
        num[idx] = (f(x0 + d) - f(x0 - d)) / (2 * eps)
    return num


@pytest.mark.parametrize("eq,shapes", [
    ("ae,pe->ap", [(3, 4), (5, 4)]),                 # metric_learning.py's similarities
    ("ab,acd->cdb", [(6, 3), (6, 2, 4)]),             # the switch layer's dispatch
    ("abc,xba->xc", [(4, 2, 3), (5, 2, 4)]),          # and its combine
    ("ij,jk", [(2, 3), (3, 4)]),                      # implicit output: "ik"
    ("ab->a", [(3, 4)]),                              # a sum over an index only one operand has
    ("abc,c->", [(2, 3, 4), (4,)]),
    ("...ij,...jk->...ik", [(2, 3, 4, 5), (3, 5, 2)]),  # batched matmul, ellipses of ranks 2, 1
    ("b...,b...", [(2, 3, 4), (2, 3, 4)]),           # implicit output: the ellipsis axes
    ("...ij,jk", [(2, 3, 4), (4, 2)])])
def test_einsum_forward_and_gradients_match_numpy_and_finite_differences(eq, shapes):
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal(s) for s in shapes]
    ts = [tf.Tensor(x.astype(np.float32), requires_grad=True) for x in xs]
    y = tf.einsum(eq, *ts)
    ref = np.einsum(eq, *xs)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-5, atol=1e-5)
    w = rng.standard_normal(np.shape(ref))
    (y * tf.Tensor(np.asarray(w, np.float32))).sum().backward()
    for k, x in enumerate(xs):
        def f(a, k=k):
            args = list(xs)
            args[k] = a
            return float(np.sum(np.einsum(eq, *args) * w))
        np.testing.assert_allclose(ts[k].grad, _fd_grad(f, x), rtol=1e-4, atol=1e-4)


def test_einsum_errors_name_the_op_and_shapes():
    a, b = np.zeros((2, 3), np.float32), np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="einsum: index 'b' has sizes 3 and 4"):
        tf.einsum("ab,bc->ac", a, b)
    with pytest.raises(ValueError, match="einsum: an ellipsis axis has sizes 1 and 2"):
        tf.einsum("...a,...a->...", np.zeros((1, 3), np.float32), np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="einsum: operand 0's subscripts '....a' has a "
                       "malformed ellipsis"):
        tf.einsum("....a,a", a, a[0])
    with pytest.raises(ValueError, match=r"einsum: operand 1 has shape \(3,\), fewer axes"):
        tf.einsum("...a,...ab", a, a[0])
    with pytest.raises(ValueError, match="einsum: operand 0's subscripts 'aa'"):
        tf.einsum("aa->a", np.zeros((3, 3)))
    with pytest.raises(ValueError, match="einsum: equation 'ab->a' names 1 operands, got 2"):
        tf.einsum("ab->a", a, a)


def test_einsum_records_in_a_functional_graph():
    inp = tf.keras.Input((4,))
    e = tf.einsum("ae,be->ab", inp, inp)
    model = tf.keras.Model(inp, e)
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ x.T)


def test_unstack_and_cumsum():
    x = tf.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    parts = tf.unstack(x, axis=1)
    assert len(parts) == 3 and parts[2].numpy().tolist() == [2.0, 5.0]
    (parts[0] * 2 + parts[2]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2, 0, 1], [2, 0, 1]])
    with pytest.raises(ValueError, match="unstack: num=2"):
        tf.unstack(x, num=2, axis=1)
    c = tf.math.cumsum(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]), axis=0)
    assert c.numpy().tolist() == [[1, 0], [2, 1], [2, 2]]
    # exclusive / reverse (refused until tf_array.cumsum): TensorFlow's documented examples
    assert tf.math.cumsum(np.array([1.0, 2.0, 3.0]), exclusive=True).numpy().tolist() == [0, 1, 3]
    assert tf.math.cumsum(np.array([1.0, 2.0, 3.0]), reverse=True).numpy().tolist() == [6, 5, 3]


def test_string_tensors_slice_and_index_like_arrays():
    """multi_label_classification.py: ``for i, text in enumerate(text_batch[:5])`` on a batch of
    strings from a Dataset."""
    batch = next(iter(tf.data.Dataset.from_tensor_slices(["a b", "c", "d e f"]).batch(3)))
    head = batch[:2]
    assert isinstance(head, tf.Tensor) and head.numpy().tolist() == [b"a b", b"c"]
    assert batch[-1].numpy() == b"d e f"
    assert [t.numpy() for t in batch] == [b"a b", b"c", b"d e f"]


def test_sequential_opening_with_textvectorization_predicts_strings():
    """multi_label_classification.py: keras.Sequential([text_vectorizer, mlp]) with no Input,
    then predict on a batch of strings (the model's Input takes the strings' dtype)."""
    tv = L.TextVectorization(max_tokens=20, ngrams=2, output_mode="tf_idf")
    tv.adapt(["a b c", "b c d"])
    mlp = tf.keras.Sequential([L.Dense(4), L.Dense(2)])
    mlp(tv(np.array(["a b"])))
    inference = tf.keras.Sequential([tv, mlp])
    batch = next(iter(tf.data.Dataset.from_tensor_slices(["a b c", "d"]).batch(2)))
    out = inference.predict(batch, verbose=0)
    np.testing.assert_allclose(out, mlp.predict(tv(batch), verbose=0), rtol=1e-6)
