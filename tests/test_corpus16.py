"""The gaps the sixteenth corpus's programs revealed (tools/keras_corpus.md, "Sixteenth
corpus"). Figures marked TensorFlow's / Keras 2's were printed by tools/keras_corpus16_refs.py
under TensorFlow 2.21 / tf_keras 2.21; the others are worked out in the test."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

V = "/.ATTRIBUTES/VARIABLE_VALUE"


class Net(keras.Model):  # the TF checkpoint guide's model
    def __init__(self):
        super().__init__()
        self.l1 = keras.layers.Dense(5)

    def call(self, x):
        return self.l1(x)


KERNEL = [[1.0, 2.0, 3.0, 4.0, 5.0]]
BIAS = [0.5, 0.25, 0.0, -0.25, -0.5]


def _saved_net(tmp_path):
    net = Net()
    net(tf.ones((1, 1)))
    net.l1.kernel.assign(KERNEL)
    net.l1.bias.assign(BIAS)
    it = iter(tf.data.Dataset.range(10).batch(2))
    next(it), next(it)
    ckpt = tf.train.Checkpoint(step=tf.Variable(3), net=net, iterator=it)
    return ckpt.save(str(tmp_path / "ck" / "c"))


# ---- tf.train.Checkpoint's object graph (the TF checkpoint guide) ----

def test_checkpoint_keys_are_tensorflows_object_paths(tmp_path):
    path = _saved_net(tmp_path)
    keys = sorted(k for k, _ in tf.train.list_variables(path))
    # TensorFlow's (its list also holds _CHECKPOINTABLE_OBJECT_GRAPH, not stored here)
    assert keys == ["iterator/.ATTRIBUTES/ITERATOR_STATE", "net/l1/bias" + V, "net/l1/kernel" + V,
                    "save_counter" + V, "step" + V]
    reader = tf.train.load_checkpoint(path)
    assert reader.get_variable_to_shape_map()["net/l1/kernel" + V] == [1, 5]
    assert reader.get_variable_to_dtype_map()["net/l1/kernel" + V] == np.float32
    np.testing.assert_array_equal(reader.get_tensor("net/l1/kernel" + V), KERNEL)


def test_restore_through_stand_in_checkpoints_and_delayed_attributes(tmp_path):
    path = _saved_net(tmp_path)
    bias = tf.Variable(tf.zeros([5]))
    layer = tf.train.Checkpoint(bias=bias)
    root = tf.train.Checkpoint(net=tf.train.Checkpoint(l1=layer))
    status = root.restore(path)
    np.testing.assert_array_equal(bias.numpy(), BIAS)  # TensorFlow's: the saved bias
    status.assert_existing_objects_matched()
    kernel = tf.Variable(tf.zeros([1, 5]))
    layer.kernel = kernel  # attached after the restore: restored at once (TensorFlow's)
    np.testing.assert_array_equal(kernel.numpy(), KERNEL)
    with pytest.raises(AssertionError, match="unused values"):  # the step, the iterator
        status.assert_consumed()


def test_iterator_position_is_checkpointed(tmp_path):
    path = _saved_net(tmp_path)
    it = iter(tf.data.Dataset.range(10).batch(2))
    tf.train.Checkpoint(iterator=it).restore(path).expect_partial()
    np.testing.assert_array_equal(next(it).numpy(), [4, 5])  # TensorFlow's: [4 5]
    np.testing.assert_array_equal(it.get_next().numpy(), [6, 7])


def test_restore_into_an_uncalled_model_waits_for_its_build(tmp_path):
    path = _saved_net(tmp_path)
    fresh = Net()
    tf.train.Checkpoint(net=fresh).restore(path).expect_partial()
    assert not fresh.weights
    # the first call already computes with the restored weights: 2 * kernel + bias
    np.testing.assert_allclose(fresh(tf.constant([[2.0]])).numpy(),
                               [[2.5, 4.25, 6.0, 7.75, 9.5]])  # TensorFlow's
    np.testing.assert_array_equal(fresh.l1.kernel.numpy(), KERNEL)


def test_restored_adam_slots_reach_a_model_built_later(tmp_path):
    x, y = tf.constant([[1.0], [2.0]]), tf.constant([[1.0] * 5, [2.0] * 5])

    def step(net, opt):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.abs(net(x) - y))
        grads = tape.gradient(loss, net.trainable_variables)
        opt.apply_gradients(zip(grads, net.trainable_variables))

    keras.utils.set_random_seed(0)
    net, opt = Net(), keras.optimizers.Adam(0.1)
    for _ in range(3):
        step(net, opt)
    path = tf.train.Checkpoint(net=net, optimizer=opt).save(str(tmp_path / "a"))
    step(net, opt)
    want = [w.numpy() for w in net.weights]
    net2, opt2 = Net(), keras.optimizers.Adam(0.1)  # uncalled: restored at its build
    status = tf.train.Checkpoint(net=net2, optimizer=opt2).restore(path)
    with pytest.raises(AssertionError, match="net/l1/kernel"):  # TensorFlow: not yet matched
        status.assert_consumed()
    step(net2, opt2)  # the same 4th step: same weights, Adam's moments included
    status.assert_consumed()  # everything found its variable at the build
    for a, b in zip(net2.weights, want):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-6)
    assert opt2.iterations == 4


def test_list_and_dict_attributes_are_tracked(tmp_path):
    save = tf.train.Checkpoint()
    save.listed = [tf.Variable(1.0)]
    save.listed.append(tf.Variable(2.0))
    save.mapped = {"one": save.listed[0]}
    save.mapped["two"] = save.listed[1]
    path = save.save(str(tmp_path / "lists"))
    restore = tf.train.Checkpoint()
    v2 = tf.Variable(0.0)
    restore.mapped = {"two": v2}
    restore.restore(path)
    assert v2.numpy() == 2.0  # TensorFlow's: through the alias mapped/two -> listed/1
    restore.listed = []
    assert repr(restore.listed) == "ListWrapper([])"  # TensorFlow's
    v1 = tf.Variable(0.0)
    restore.listed.append(v1)
    assert v1.numpy() == 1.0  # TensorFlow's: restored when appended


def test_checkpoint_takes_a_tf_module(tmp_path):
    class Lin(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0, 2.0]])
            self.parts = [tf.Variable(3.0)]

    a = Lin()
    path = tf.train.Checkpoint(model=a).write(str(tmp_path / "m"))
    assert dict(tf.train.list_variables(path)) == {"model/parts/0" + V: [], "model/w" + V: [1, 2],
                                                   "save_counter" + V: []}
    b = Lin()
    b.w.assign([[0.0, 0.0]])
    tf.train.Checkpoint(model=b).restore(path).assert_consumed()
    np.testing.assert_array_equal(b.w.numpy(), [[1.0, 2.0]])


# ---- save_weights before the model has weights (the checkpoint guide's first cell) ----

def test_save_weights_of_an_unbuilt_model_holds_nothing(tmp_path):
    Net().save_weights(str(tmp_path / "empty"))  # Keras 2: a checkpoint with no variables
    assert tf.train.list_variables(str(tmp_path / "empty")) == []
    m = Net()
    m(tf.ones((1, 1)))
    before = m.get_weights()
    m.load_weights(str(tmp_path / "empty"))  # restores nothing
    for a, b in zip(m.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ---- tf.saved_model of a tf.Module, save of a subclassed model (guides basics / modules) ----

class MyModule(tf.Module):
    def __init__(self, value):
        self.weight = tf.Variable(value)
        self.scale = 2
        self.subs = [tf.Variable([1.0, 2.0], trainable=False)]

    @tf.function
    def multiply(self, x):
        return x * self.weight


def test_saved_model_of_a_module(tmp_path):
    mod = MyModule(3)
    tf.saved_model.save(mod, str(tmp_path / "saved"))
    assert tf.saved_model.contains_saved_model(str(tmp_path / "saved"))
    reloaded = tf.saved_model.load(str(tmp_path / "saved"))
    np.testing.assert_array_equal(reloaded.multiply(tf.constant([1, 2, 3])).numpy(),
                                  [3, 6, 9])  # TensorFlow's
    assert reloaded is not mod and reloaded.scale == 2
    assert len(reloaded.trainable_variables) == 1 and len(reloaded.variables) == 2
    mod.weight.assign(5)  # the loaded one holds its own copy
    assert int(reloaded.weight.numpy()) == 3


def test_saved_model_of_a_module_refuses_what_it_cannot_keep(tmp_path):
    mod = MyModule(1)
    mod.fn = lambda x: x
    with pytest.raises(NotImplementedError, match=r"MyModule\.fn \(function\)"):
        tf.saved_model.save(mod, str(tmp_path / "bad"))


def test_saved_module_class_must_be_defined_when_loading(tmp_path):
    Local = type("LocalOnly", (tf.Module,), {})
    tf.saved_model.save(Local(), str(tmp_path / "local"))
    with pytest.raises(ValueError, match="does not define"):
        tf.saved_model.load(str(tmp_path / "local"))


def test_subclassed_model_without_config_saves_and_loads(tmp_path):
    m = Net()
    m(tf.constant([[1.0]]))
    m.l1.kernel.assign([[1.0, -1.0, 2.0, 0.0, 3.0]])
    m.l1.bias.assign([0.0] * 5)
    m.save(str(tmp_path / "sub"))
    back = keras.models.load_model(str(tmp_path / "sub"))
    assert type(back) is Net and back is not m
    np.testing.assert_array_equal(back(tf.constant([[2.0]])).numpy(),
                                  [[2.0, -2.0, 4.0, 0.0, 6.0]])  # Keras 2's


class Scaled(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.d = keras.layers.Dense(units)

    def call(self, x):
        return self.d(x)


def test_subclassed_model_needing_arguments_asks_for_get_config(tmp_path):
    m = Scaled(2)
    m(tf.ones((1, 3)))
    m.save(str(tmp_path / "s"))
    with pytest.raises(ValueError, match=r"needs \['units'\].*override get_config"):
        keras.models.load_model(str(tmp_path / "s"))


# ---- TensorFlow's conversions and errors (customization basics, modules, variable guides) ----

def test_matmul_of_python_ints_and_its_errors():
    x = tf.matmul([[1]], [[2, 3]])
    assert x.dtype == np.int32 and x.numpy().tolist() == [[2, 3]]  # TensorFlow's: int32
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Matrix size-incompatible: "
                       r"In\[0\]: \[1,4\], In\[1\]: \[3,3\]"):
        tf.matmul(tf.ones((1, 4)), tf.ones((3, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a int32 tensor "
                       "but is a float tensor"):  # TensorFlow's words
        tf.matmul(tf.constant([[1]]), tf.constant([[2.0]]))


def test_built_layer_called_on_too_wide_input_raises_invalid_argument():
    class FlexibleDense(keras.layers.Layer):  # the modules guide's layer
        def build(self, input_shape):
            self.w = tf.Variable(tf.random.normal([input_shape[-1], 3]))

        def call(self, inputs):
            return tf.matmul(inputs, self.w)

    layer = FlexibleDense()
    layer(tf.ones((2, 3)))
    # Keras 2's report: "... • inputs=tf.Tensor(shape=(1, 4), dtype=float32)"
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"inputs=tf\.Tensor\(shape=\(1, 4\), dtype=float32\)"):
        layer(tf.ones((1, 4)))


def test_python_values_convert_as_tensorflow():
    assert tf.add([1, 2], [3, 4]).dtype == np.int32  # TensorFlow's: int32 throughout
    assert tf.square(5).dtype == np.int32
    assert tf.reduce_sum([1, 2, 3]).dtype == np.int32 and int(tf.reduce_sum([1, 2, 3])) == 6
    assert tf.multiply(np.ones(2), 42).dtype == np.float64  # the array's dtype wins
    assert tf.add(tf.constant([1]), 2).numpy().tolist() == [3]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"^cannot compute AddV2 as input "
                       r"#1\(zero-based\) was expected to be a int32 tensor but is a float "
                       r"tensor \[Op:AddV2\]$"):  # TensorFlow's (no silent truncation)
        tf.add(tf.constant([1]), 2.5)
    assert next(iter(tf.data.Dataset.from_tensor_slices([1, 2]))).dtype == np.int32
    stacked = tf.data.Dataset.from_tensor_slices([tf.constant([1.0, 2.0]),
                                                  tf.constant([3.0, 4.0])])
    np.testing.assert_array_equal(next(iter(stacked)).numpy(), [1.0, 2.0])  # TensorFlow's
    with pytest.raises(ValueError, match="equal shapes"):
        tf.data.Dataset.from_tensor_slices([tf.constant([1.0]), tf.constant([1.0, 2.0])])


def test_scalar_numpy_is_a_hashable_numpy_scalar():
    s = tf.constant(3).numpy()
    assert type(s) is np.int32 and {np.int32(3): "found"}[s] == "found"  # TensorFlow's
    assert [t.numpy() for t in tf.constant([1, 2])] == [1, 2]
    assert np.asarray(tf.constant(2.5)).shape == ()


def test_device_names_the_cpu():
    t = tf.constant(1.0)
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"  # TensorFlow's


def test_convert_to_tensor_reads_a_variable():
    v = tf.Variable([1.0, 2.0])
    t = tf.convert_to_tensor(v)
    assert str(t) == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"  # TensorFlow's
    assert str(tf.identity(v)).startswith("tf.Tensor(")
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.convert_to_tensor(v) ** 2)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [2.0, 4.0])  # d(x^2) = 2x


def test_assign_of_another_shape_says_so_as_tensorflow():
    with pytest.raises(ValueError, match=r"^Cannot assign value to variable ' Variable:0': Shape "
                       r"mismatch\.The variable shape \(2,\), and the assigned value shape \(3,\) "
                       r"are incompatible\.$"):
        tf.Variable([1.0, 2.0]).assign([1.0, 2.0, 3.0])


def test_initializer_gets_the_dtype_by_keyword():
    d = keras.layers.Dense(2, kernel_initializer=lambda shape, dtype=None: tf.ones(shape,
                                                                                  dtype=dtype))
    d.build((None, 3))
    assert d.kernel.numpy().tolist() == [[1.0, 1.0]] * 3  # Keras 2's
    with pytest.raises(ValueError, match="cannot save"):  # Keras 2: get_config fails on it too
        d.get_config()
    n = keras.layers.Dense(1, kernel_initializer=tf.random.normal)  # the basics guide's
    n.build((None, 2))
    assert n.kernel.shape == (2, 1) and n.kernel.dtype == np.float32


def test_profiler_start_stop_states(tmp_path):
    tf.profiler.experimental.start(str(tmp_path))
    with pytest.raises(tf.errors.AlreadyExistsError, match="^Another profiler is running.$"):
        tf.profiler.experimental.start(str(tmp_path))
    with pytest.warns(UserWarning, match="no profile was written"):
        tf.profiler.experimental.stop()
    with pytest.raises(tf.errors.UnavailableError, match="No profiler is running"):
        tf.profiler.experimental.stop()
    with tf.profiler.experimental.Trace("step", step_num=1):
        pass
