"""TensorFlow's and Keras 2's (tf_keras') figures the tests in tests/test_corpus16.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle), from any folder (it writes in a temporary one):

    /work/keras-venv/bin/python tools/keras_corpus16_refs.py

It writes nothing into the repository; the printed values were copied into the tests.
"""
import os
import tempfile

import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
os.chdir(tempfile.mkdtemp())


class Net(keras.Model):  # the TF checkpoint guide's model
    def __init__(self):
        super().__init__()
        self.l1 = keras.layers.Dense(5)

    def call(self, x):
        return self.l1(x)


# 1. tf.train.Checkpoint: object-graph keys, restore through stand-in Checkpoints, delayed
#    restoration, list / dict tracking, iterator state, restore into an uncalled model
net = Net()
net(tf.ones((1, 1)))
net.l1.kernel.assign([[1.0, 2.0, 3.0, 4.0, 5.0]])
net.l1.bias.assign([0.5, 0.25, 0.0, -0.25, -0.5])
it = iter(tf.data.Dataset.range(10).batch(2))
next(it), next(it)
ckpt = tf.train.Checkpoint(step=tf.Variable(3), net=net, iterator=it)
path = ckpt.save("./ck/c")
print("keys:", sorted(k for k, _ in tf.train.list_variables(path)))
bias = tf.Variable(tf.zeros([5]))
layer = tf.train.Checkpoint(bias=bias)
root = tf.train.Checkpoint(net=tf.train.Checkpoint(l1=layer))
status = root.restore(path)
print("bias through stand-ins:", bias.numpy())
status.assert_existing_objects_matched()
kernel = tf.Variable(tf.zeros([1, 5]))
layer.kernel = kernel
print("kernel attached later:", kernel.numpy())
it2 = iter(tf.data.Dataset.range(10).batch(2))
tf.train.Checkpoint(iterator=it2).restore(path).expect_partial()
print("iterator resumes at:", next(it2).numpy())
fresh = Net()
tf.train.Checkpoint(net=fresh).restore(path).expect_partial()
print("uncalled model, first call:", fresh(tf.constant([[2.0]])).numpy())
save = tf.train.Checkpoint()
save.listed = [tf.Variable(1.0)]
save.listed.append(tf.Variable(2.0))
save.mapped = {"one": save.listed[0]}
save.mapped["two"] = save.listed[1]
p2 = save.save("./lists")
restore = tf.train.Checkpoint()
v2 = tf.Variable(0.0)
restore.mapped = {"two": v2}
restore.restore(p2)
print("dict alias restored:", v2.numpy())
restore.listed = []
print("repr:", restore.listed)
v1 = tf.Variable(0.0)
restore.listed.append(v1)
print("appended, restored:", v1.numpy())

# 2. save_weights of a model with no weights yet
Net().save_weights("./empty")
print("empty save_weights keys:", tf.train.list_variables("./empty"))

# 3. tf.Module through tf.saved_model; a subclassed model without get_config through save


class MyModule(tf.Module):
    def __init__(self, value):
        self.weight = tf.Variable(value)

    @tf.function
    def multiply(self, x):
        return x * self.weight


mod = MyModule(3)
mod.multiply(tf.constant([1, 2, 3]))  # traced before saving (TensorFlow saves traced functions)
tf.saved_model.save(mod, "./saved")
reloaded = tf.saved_model.load("./saved")  # (kept: its functions read its variables)
print("reloaded.multiply:", reloaded.multiply(tf.constant([1, 2, 3])).numpy())
m = Net()
m(tf.constant([[1.0]]))
m.l1.kernel.assign([[1.0, -1.0, 2.0, 0.0, 3.0]])
m.save("./sub")
print("reloaded subclassed:", keras.models.load_model("./sub")(tf.constant([[2.0]])).numpy())

# 4. TensorFlow's conversions and errors
print("matmul ints:", repr(tf.matmul([[1]], [[2, 3]]).numpy()))
for bad in (lambda: tf.matmul(tf.ones((1, 4)), tf.ones((3, 3))),
            lambda: tf.matmul(tf.constant([[1]]), tf.constant([[2.0]]))):
    try:
        bad()
    except tf.errors.InvalidArgumentError as e:
        print("matmul error: InvalidArgumentError", str(e).splitlines()[0][:120])
print("add/square/reduce_sum dtypes:", tf.add([1, 2], [3, 4]).dtype.name, tf.square(5).dtype.name,
      tf.reduce_sum([1, 2, 3]).dtype.name, tf.multiply(np.ones(2), 42).dtype.name)
try:
    tf.add(tf.constant([1]), 2.5)
except tf.errors.InvalidArgumentError as e:
    print("add int tensor + 2.5:", str(e).split(" name:")[0])
print("from_tensor_slices ints:", next(iter(tf.data.Dataset.from_tensor_slices([1, 2]))).dtype.name)
print("list of tensors:", next(iter(tf.data.Dataset.from_tensor_slices(
    [tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])]))).numpy())
print("scalar numpy():", type(tf.constant(3).numpy()).__name__,
      {np.int32(3): "hashable"}[tf.constant(3).numpy()])
print("device:", tf.constant(1.0).device)
v = tf.Variable([1.0, 2.0])
print("convert_to_tensor(variable):", type(tf.convert_to_tensor(v)).__name__,
      str(tf.convert_to_tensor(v)))
try:
    v.assign([1.0, 2.0, 3.0])
except ValueError as e:
    print("assign:", e)
d = keras.layers.Dense(2, kernel_initializer=lambda shape, dtype=None: tf.ones(shape, dtype=dtype))
d.build((None, 3))
print("initializer called with dtype=:", d.kernel.numpy().tolist())
tf.profiler.experimental.start("./prof")
try:
    tf.profiler.experimental.start("./prof")
except tf.errors.AlreadyExistsError as e:
    print("profiler twice:", type(e).__name__, e)
tf.profiler.experimental.stop()
try:
    tf.profiler.experimental.stop()
except tf.errors.UnavailableError as e:
    print("profiler stop:", type(e).__name__, e)
