"""The gaps the twenty-eighth corpus's programs revealed (Raschka & Mirjalili's Python Machine
Learning 3rd ed. ch. 13-17 and aymericdamien's TensorFlow-Examples tensorflow_v2 notebooks,
tools/keras_corpus.md "Twenty-eighth corpus"). Figures marked TensorFlow's / Keras 2's were
printed by tools/keras_corpus28_refs.py under TensorFlow 2.21 + tf_keras 2.21; the others are
worked out in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras


# ---- tf.squeeze(t, axis=(2, 4)) (ch13_part1.py) ---------------------------------------------

def test_squeeze_takes_a_tuple_or_list_of_axes():
    t = tf.zeros((1, 2, 1, 4, 1))
    assert tf.squeeze(t, axis=(2, 4)).shape == (1, 2, 4)     # TensorFlow's figures
    assert tf.squeeze(t, axis=[-1, 0]).shape == (2, 1, 4)
    assert tf.squeeze(t, axis=[]).shape == (2, 4)            # [] is the default: every 1
    assert tf.squeeze(t, axis=2).shape == (1, 2, 4, 1)
    x = tf.constant(np.arange(8, dtype=np.float32).reshape(1, 2, 1, 4))
    np.testing.assert_array_equal(tf.squeeze(x, axis=(0, 2)).numpy(),
                                  np.arange(8, dtype=np.float32).reshape(2, 4))


def test_squeeze_refuses_an_axis_not_of_size_one_or_out_of_range():
    t = tf.zeros((1, 2, 1, 4, 1))
    with pytest.raises(ValueError, match=r"axis 1 .*\(1, 2, 1, 4, 1\).*size 2"):
        tf.squeeze(t, axis=[0, 1])
    with pytest.raises(ValueError, match=r"squeeze: axis 5 is out of range.*\(1, 2, 1, 4, 1\)"):
        tf.squeeze(t, axis=[5])
    with pytest.raises(ValueError, match=r"squeeze: axis -6 is out of range"):
        tf.squeeze(t, axis=(-6,))          # not wrapped round to the last axis


# ---- TensorFlow 1 graphs and sessions (ch14_part1.py) ---------------------------------------

def test_tensor_eval_runs_in_the_session_entered():
    g = tf.Graph()
    with g.as_default():
        a, b, c = tf.constant(1), tf.constant(2), tf.constant(3)
        z = 2 * (a - b) + c
    with tf.compat.v1.Session(graph=g) as sess:
        r, e = sess.run(z), z.eval()
        assert tf.compat.v1.get_default_session() is sess
    assert r == 1 and e == 1                    # TensorFlow's: np.int32(1) both
    assert isinstance(r, np.int32) and isinstance(e, np.int32)
    assert tf.compat.v1.get_default_session() is None
    with pytest.raises(ValueError, match="Cannot evaluate tensor using `eval..`: No default "
                                         "session is registered"):
        z.eval()
    s = tf.compat.v1.Session()
    assert z.eval(session=s) == 1               # an explicit session, not entered
    with s.as_default():
        assert z.eval() == 1
    assert tf.compat.v1.get_default_session() is None


def test_interactive_session_is_the_default_until_closed():
    s = tf.compat.v1.InteractiveSession()
    try:
        assert tf.compat.v1.get_default_session() is s
        assert tf.constant([1.5, 2.0]).eval().tolist() == [1.5, 2.0]
    finally:
        s.close()
    assert tf.compat.v1.get_default_session() is None


def test_placeholders_without_a_shape_take_python_scalars():
    g = tf.Graph()
    with g.as_default():
        a = tf.compat.v1.placeholder(shape=None, dtype=tf.int32, name="tf_a")
        b = tf.compat.v1.placeholder(shape=None, dtype=tf.int32, name="tf_b")
        c = tf.compat.v1.placeholder(shape=None, dtype=tf.int32, name="tf_c")
        z = 2 * (a - b) + c
    with tf.compat.v1.Session(graph=g) as sess:
        out = sess.run(z, feed_dict={a: 1, b: 2, c: 3})
        assert out == 1 and isinstance(out, np.int32)       # TensorFlow's: np.int32(1)
        assert sess.run(z, feed_dict={a: 5, b: -1, c: 0}) == 12
        with pytest.raises(ValueError, match=r"expected shape=\(\), found shape=\(2,\)"):
            sess.run(z, feed_dict={a: np.array([1, 2]), b: 2, c: 3})


# ---- Variable.assign(..., read_value=...), value() (ch14_part1.py) --------------------------

def test_variable_assign_read_value_and_value():
    w = tf.Variable([1, 2, 3], trainable=False)
    r = w.assign([3, 1, 4], read_value=True)
    assert r is w and w.numpy().tolist() == [3, 1, 4]       # TensorFlow's: [3 1 4]
    assert w.assign_add([2, -1, 2], read_value=False) is None
    assert w.assign_sub([1, 1, 1], read_value=False) is None
    v = w.value()
    assert w.assign([0, 0, 0], use_locking=True, name="x") is w
    assert v.numpy().tolist() == [4, -1, 5]                 # TensorFlow's: the value then
    assert w.value().numpy().tolist() == [0, 0, 0] and w.read_value().numpy().tolist() == [0, 0, 0]
    assert w.assign_add([1, 1, 1]) is w and w.numpy().tolist() == [1, 1, 1]


# ---- optimizer.apply_gradients(grads_and_vars=...) (ch17_part1.py, ch17_part2.py) ------------

def test_apply_gradients_by_keyword():
    x = tf.Variable([1.0, 2.0])
    opt = keras.optimizers.SGD(0.5)
    opt.apply_gradients(grads_and_vars=zip([tf.constant([1.0, -2.0])], [x]))
    np.testing.assert_allclose(x.numpy(), [0.5, 3.0])       # Keras 2's: [0.5 3. ]
    opt.apply_gradients(zip([tf.constant([1.0, 0.0])], [x]), name="step",
                        skip_gradients_aggregation=True)
    np.testing.assert_allclose(x.numpy(), [0.0, 3.0])
    with pytest.raises(TypeError):
        opt.apply_gradients(grads=zip([tf.constant([1.0, 0.0])], [x]))


# ---- Sequential.build on a model whose graph exists (ch17_part2.py) --------------------------

def test_sequential_build_keeps_a_graph_it_has():
    L = keras.layers
    m = keras.Sequential([L.Input(shape=(28, 28, 1)), L.Conv2D(4, 3), L.Flatten(), L.Dense(1)])
    m.build(input_shape=(None, 784))                 # Keras 2's: the shape is not looked at
    assert m.input_shape == (None, 28, 28, 1) and m.output_shape == (None, 1)
    assert len(m.weights) == 4
    assert m(np.zeros((2, 28, 28, 1), np.float32)).shape == (2, 1)
    m2 = keras.Sequential([L.Dense(3)])
    m2.build((None, 5))
    m2.build((None, 7))
    assert m2.input_shape == (None, 5) and m2.layers[0].kernel.shape == (5, 3)   # Keras 2's
    m2.pop()                                          # pop still rebuilds what is left
    m2.add(L.Dense(2))
    assert m2.output_shape == (None, 2)


# ---- load_weights into a model whose own __call__ built its layers (save_restore_model) -----

class _CallNet(keras.Model):
    """TensorFlow-Examples' NeuralNet: __call__ overridden, so Model.__call__ never runs (the
    model is not "built") while its layers are; fc2 is never used."""

    def __init__(self):
        super().__init__(name="NeuralNet")
        self.fc1 = keras.layers.Dense(8, activation=tf.nn.relu)
        self.fc2 = keras.layers.Dense(16, activation=tf.nn.relu)
        self.out = keras.layers.Dense(3, activation=tf.nn.softmax)

    def __call__(self, x, is_training=False):
        return self.out(self.fc1(x))


def test_load_weights_into_a_model_whose_call_built_its_layers(tmp_path):
    x = np.random.RandomState(0).rand(4, 5).astype(np.float32)
    a = _CallNet()
    ya = a(x).numpy()
    a.save_weights(str(tmp_path / "tfmodel.ckpt"))
    b = _CallNet()
    assert np.abs(b(x).numpy() - ya).max() > 1e-3        # fresh weights differ
    assert not b.built and len(b.weights) == 4
    b.load_weights(filepath=str(tmp_path / "tfmodel.ckpt"))
    np.testing.assert_array_equal(b(x).numpy(), ya)
    with pytest.raises(ValueError, match="holds 4 weight arrays, the model has 6"):
        half = _CallNet()
        half.fc1(x), half.out(np.zeros((4, 8), np.float32)), half.fc2(np.zeros((4, 8), np.float32))
        half.load_weights(str(tmp_path / "tfmodel.ckpt"))  # 6 weights, not the file's 4
