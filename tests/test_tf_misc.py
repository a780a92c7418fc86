"""tf.TensorArray, tf.nest and the tf.random additions (shuffle, poisson, stateless_*,
Generator): results and dtypes against TensorFlow 2's (tools/gen_tf_misc_refs.py ->
tests/data/tf_misc_refs.json), determinism and distributions from first principles."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.autograd import Tensor

with open(os.path.join(os.path.dirname(__file__), "data", "tf_misc_refs.json")) as _f:
    REF = json.load(_f)


def _json(v):
    return json.loads(json.dumps(v))


def test_tensor_array_matches_tensorflow():
    ta = tf.TensorArray(tf.float32, size=4)
    for i in range(4):
        ta = ta.write(i, tf.constant([1.0, -2.0]) * float(i))
    ta2 = tf.TensorArray(tf.int32, size=3).unstack(tf.constant([[1, 2], [3, 4], [5, 6]]))
    want = REF["tensor_array"]
    got = {"stack": ta.stack().numpy().tolist(), "size": int(ta.size()),
           "read2": ta.read(2).numpy().tolist(), "gather": ta.gather([3, 0]).numpy().tolist(),
           "unstack_read1": ta2.read(1).numpy().tolist(), "stack_dtype": ta.stack().dtype.name,
           "int_dtype": ta2.stack().dtype.name}
    assert got == want


def test_tensor_array_gradient_matches_tensorflow():
    x = Tensor(np.array([0.5, -1.0, 2.0], np.float32), requires_grad=True)
    ta = tf.TensorArray(tf.float32, size=3)
    for i in range(3):
        ta = ta.write(i, x * x[i])
    tf.reduce_sum(ta.stack() * tf.constant([[1.0], [2.0], [3.0]])).backward()
    np.testing.assert_allclose(x.grad, REF["tensor_array_grad"], rtol=1e-6)


def test_tensor_array_dynamic_size_and_errors():
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    for i in range(3):
        ta = ta.write(i, [float(i)])
    assert ta.stack().numpy().tolist() == [[0.0], [1.0], [2.0]]
    with pytest.raises(IndexError, match="dynamic_size=False"):
        tf.TensorArray(tf.float32, size=1).write(1, 1.0)
    with pytest.raises(ValueError, match=r"elements \[1\] were never written"):
        tf.TensorArray(tf.float32, size=2).write(0, 1.0).stack()


def test_nest_matches_tensorflow():
    s = {"b": [1, (2, 3)], "a": 4, "c": {"z": 5, "y": 6}}
    want = REF["nest"]
    assert tf.nest.flatten(s) == want["flatten"]
    assert _json(tf.nest.map_structure(lambda v: v * 10, s)) == want["map"]
    assert _json(tf.nest.pack_sequence_as(s, list(range(100, 106)))) == want["pack"]
    assert [tf.nest.is_nested(s), tf.nest.is_nested(3)] == want["is_nested"]
    with pytest.raises(ValueError, match="leaves"):
        tf.nest.map_structure(lambda a, b: a, [1, 2], [1])


def test_random_additions_dtypes_and_shapes_match_tensorflow():
    want = REF["random"]
    got = {"shuffle": tf.random.shuffle([1, 2, 3]).dtype.name,
           "shuffle_f": tf.random.shuffle([1.0, 2.0]).dtype.name,
           "poisson_shape": list(tf.random.poisson([4, 2], [1.0, 5.0]).shape),
           "poisson_dtype": tf.random.poisson([3], 2.0).dtype.name,
           "stateless_uniform": tf.random.stateless_uniform([2, 3], seed=[1, 2]).dtype.name,
           "stateless_int": tf.random.stateless_uniform([4], seed=[1, 2], minval=0, maxval=5,
                                                        dtype=tf.int32).dtype.name,
           "gen_normal": tf.random.Generator.from_seed(1).normal([2, 2]).dtype.name,
           "make_seeds": list(tf.random.Generator.from_seed(1).make_seeds(3).shape)}
    assert got == want


def test_random_determinism_and_distributions():
    a = tf.random.stateless_normal([1000], seed=[3, 4]).numpy()
    assert np.array_equal(a, tf.random.stateless_normal([1000], seed=[3, 4]).numpy())
    assert not np.array_equal(a, tf.random.stateless_normal([1000], seed=[3, 5]).numpy())
    assert abs(a.mean()) < 0.15 and abs(a.std() - 1) < 0.1
    t = tf.random.stateless_truncated_normal([2000], seed=[1, 1]).numpy()
    assert np.abs(t).max() <= 2.0
    g1, g2 = tf.random.Generator.from_seed(9), tf.random.Generator.from_seed(9)
    assert np.array_equal(g1.uniform([5]).numpy(), g2.uniform([5]).numpy())
    p = tf.random.poisson([5000], 3.0, seed=1).numpy()
    assert abs(p.mean() - 3.0) < 0.15
    x = np.arange(10)
    s = tf.random.shuffle(x, seed=2).numpy()
    assert sorted(s.tolist()) == x.tolist() and not np.array_equal(s, x)
    with pytest.raises(ValueError, match="pair of integers"):
        tf.random.stateless_uniform([2], seed=[1])


def test_keras_layers_and_models_are_tf_modules():
    # Keras 2's Layer derives from tf.Module: isinstance / issubclass hold, and a layer has
    # tf.Module's submodules and name_scope
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2, name="a"),
                                 tf.keras.layers.Dense(1, name="b")])
    assert isinstance(model, tf.Module) and isinstance(model.layers[0], tf.Module)
    assert issubclass(tf.keras.layers.Dense, tf.Module)
    assert not isinstance(3, tf.Module) and not issubclass(int, tf.Module)

    class Own(tf.Module):
        pass
    assert isinstance(Own(), tf.Module) and not isinstance(model, Own)
    assert sorted(l.name for l in model.submodules) == ["a", "b"]
    with model.layers[0].name_scope:
        pass


def test_autograph_names_run_the_function_eagerly():
    calls = []

    @tf.autograph.experimental.do_not_convert
    def f(x):
        calls.append(x)
        return x * 2

    assert f(3) == 6 and calls == [3]
    assert tf.autograph.experimental.do_not_convert()(f) is f
    assert tf.autograph.to_graph(f) is f
    assert "calls.append" in tf.autograph.to_code(f)
    tf.autograph.set_verbosity(3)
    tf.autograph.experimental.set_loop_options(maximum_iterations=3)
    with pytest.raises(ValueError, match="to_graph"):
        tf.autograph.to_graph(3)


def test_complex_values_stay_complex():
    # TensorFlow: Python complex -> complex128, a complex array keeps its dtype (no silent cast)
    assert tf.constant([1 + 2j]).dtype == np.complex128
    assert tf.constant(np.array([1j], np.complex64)).dtype == np.complex64
    assert tf.convert_to_tensor([2j]).dtype == np.complex128
    np.testing.assert_array_equal(tf.constant([1 + 2j]).numpy(), [1 + 2j])


def test_audio_wav_as_tensorflow():
    import json
    import os
    with open(os.path.join(os.path.dirname(__file__), "data", "tf_audio_refs.json")) as f:
        ref = json.load(f)
    wav = tf.audio.encode_wav(np.array(ref["input"], np.float32), 8000)
    assert wav.numpy().hex() == ref["wav_hex"]  # byte for byte
    audio, rate = tf.audio.decode_wav(wav)
    assert int(rate.numpy()) == 8000 and audio.dtype == np.float32
    np.testing.assert_array_equal(audio.numpy(), ref["decoded"])
    np.testing.assert_array_equal(
        tf.audio.decode_wav(wav, desired_channels=3, desired_samples=7)[0].numpy(), ref["c3s7"])
    np.testing.assert_array_equal(
        tf.audio.decode_wav(bytes.fromhex(ref["wav_hex"]), desired_channels=1,
                            desired_samples=2)[0].numpy(), ref["c1s2"])
    with pytest.raises(ValueError, match="decode_wav"):
        tf.audio.decode_wav(b"RIFFxx")
    with pytest.raises(ValueError, match="2-D"):
        tf.audio.encode_wav(np.zeros(3, np.float32), 8000)


def test_pandas_columns_go_into_tf_ops():
    # the TF time-series tutorial: tf.signal.rfft(df['T (degC)']); TensorFlow reads __array__
    pd = pytest.importorskip("pandas")
    s = pd.Series(np.arange(8.0))
    np.testing.assert_allclose(np.abs(tf.signal.rfft(s).numpy()), np.abs(np.fft.rfft(s.values)),
                               rtol=1e-5, atol=1e-5)
    assert float(tf.reduce_mean(s).numpy()) == 3.5


def test_structural_ops_move_strings():
    # tf.stack / tile / transpose / gather on tf.string tensors, as TensorFlow (NumPy's moves)
    a, b = tf.constant(["a", "b"]), tf.constant(["c", "d"])
    m = np.array([[b"a", b"b"], [b"c", b"d"]], dtype=object)
    np.testing.assert_array_equal(tf.stack([a, b]).numpy(), m)
    np.testing.assert_array_equal(tf.stack([a, b], axis=1).numpy(), m.T)
    np.testing.assert_array_equal(tf.stack(["x", "y"]).numpy(), [b"x", b"y"])
    np.testing.assert_array_equal(tf.tile(a, [2]).numpy(), [b"a", b"b", b"a", b"b"])
    np.testing.assert_array_equal(tf.transpose(tf.constant(m)).numpy(), m.T)
    np.testing.assert_array_equal(tf.gather(tf.constant(m), [1, 0], axis=1).numpy(), m[:, ::-1])
    np.testing.assert_array_equal(tf.gather(a, [1]).numpy(), [b"b"])
    with pytest.raises(ValueError, match="tile"):
        tf.tile(a, [2, 2])
