"""TensorFlow's and Keras 2's (tf_keras') figures the tests in tests/test_corpus26.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus26_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
layers = keras.layers

# 1. tf.matmul(float32 tensor, float64 / int64 array): the array takes the tensor's dtype
#    (keras-io deep_neural_decision_forests.py)
a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
r = tf.matmul(a, np.eye(3)[[2, 0]], transpose_b=True)
print("matmul f32 x f64 array:", r.dtype.name, r.numpy().tolist())
r = tf.matmul(a, np.arange(6, dtype=np.int64).reshape(3, 2))
print("matmul f32 x i64 array:", r.dtype.name, r.numpy().tolist())
r = tf.matmul(a, [[1, 0], [0, 1], [1, 1]])
print("matmul f32 x int list:", r.dtype.name, r.numpy().tolist())
for b in (tf.constant(np.eye(3)),):
    try:
        tf.matmul(a, b)
    except Exception as e:  # noqa: BLE001
        print("matmul f32 x f64 tensor:", type(e).__name__)
try:
    tf.matmul(np.eye(2), a)
except Exception as e:  # noqa: BLE001
    print("matmul f64 array x f32 tensor:", type(e).__name__)


# 2. a list / dict attribute filled after assignment: its layers' weights are tracked
#    (keras-io memory_efficient_embeddings.py MDEmbedding, deep_neural_decision_forests.py)
class Blocks(layers.Layer):
    def __init__(self):
        super().__init__()
        self.encoders = []
        self.projectors = list()
        self.by_name = dict()
        for i in range(2):
            self.encoders.append(layers.Embedding(5, 3))
            self.projectors.append(layers.Dense(4))
        self.by_name["head"] = layers.Dense(2)
        self.extra = []
        self.extra.extend([layers.Dense(2)])
        self.extra += [layers.Dense(2)]

    def call(self, x):
        y = self.projectors[0](self.encoders[0](x)) + self.projectors[1](self.encoders[1](x))
        y = self.by_name["head"](y)
        return self.extra[1](self.extra[0](y))


inp = keras.Input(shape=(), dtype="int64")
m = keras.Model(inp, Blocks()(inp))
print("tracked list/dict params:", m.count_params(), len(m.trainable_weights))


# 3. a StringLookup(num_oov_indices=0) inside a custom layer called on a symbolic string input
#    (memory_efficient_embeddings.py QREmbedding): no error, Keras 2 never runs it on values
class QR(layers.Layer):
    def __init__(self):
        super().__init__()
        self.lookup = layers.StringLookup(vocabulary=["a", "b", "c"], mask_token=None,
                                          num_oov_indices=0)
        self.q = layers.Embedding(2, 4)

    def call(self, x):
        return self.q(tf.math.floordiv(self.lookup(x), 2))


inp = keras.Input(shape=(), dtype=tf.string)
out = QR()(inp)
print("QR symbolic output:", out.shape)
print("QR on 'c':", keras.Model(inp, out)(tf.constant(["c"])).shape)
try:
    layers.StringLookup(vocabulary=["a"], mask_token=None, num_oov_indices=0)(tf.constant(["z"]))
except Exception as e:  # noqa: BLE001
    print("eager OOV:", type(e).__name__)


# 4. tf.experimental.numpy (keras-io tensorflow_numpy_models.py)
import tensorflow.experimental.numpy as tnp  # noqa: E402

tnp.experimental_enable_numpy_behavior()
a = tnp.asarray(np.arange(6, dtype=np.float32).reshape(2, 3))
print("tnp matmul 2-D x 1-D:", tnp.matmul(a, np.ones(3, np.float32)).numpy())
print("tnp matmul 1-D x 2-D:", tnp.matmul(np.ones(2, np.float32), a).numpy())
print("tnp dot 1-D:", tnp.dot(np.arange(3.0), np.arange(3.0)).numpy())
print("tnp mean axis 0 keepdims:", tnp.mean(a, axis=0, keepdims=True).numpy())
print("tnp sum all:", tnp.sum(a).numpy(), "max:", tnp.max(a, axis=1).numpy())
print("tnp maximum / clip:", tnp.maximum(a - 2.5, 0.0).numpy().tolist(),
      tnp.clip(a, 1.0, 4.0).numpy().tolist())
print("tnp transpose / concatenate:", tnp.transpose(a).shape,
      tnp.concatenate([a, a]).shape, tnp.argmax(a).numpy())


# 5. a loss function returning shape (1,) (tnp_mse: the mean over axis 0): the compiled loss
#    reduces it to a scalar (sum over batch size)
def tnp_mse(y_true, y_pred):
    return tnp.mean(tnp.square(y_true - y_pred), axis=0)


m = keras.Sequential([layers.Dense(1, kernel_initializer="ones", input_shape=(2,))])
m.compile(optimizer=keras.optimizers.SGD(0.01), loss=tnp_mse)
x = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0], [0.0, 1.0]], np.float32)
y = np.array([1.0, 0.0, 3.0, 2.0], np.float32)
print("loss (1,) evaluate:", m.evaluate(x, y, verbose=0))
h = m.fit(x, y, batch_size=4, epochs=1, verbose=0)
print("loss (1,) fit:", h.history["loss"], m.get_weights()[0].ravel(), m.get_weights()[1])


# 6. the elementwise tf.strings ops on a RaggedTensor keep its rows
#    (movielens_recommendations_transformers.py: to_number(strings.split(batch, ",")).to_tensor())
r = tf.strings.to_number(tf.strings.split(tf.constant(["1,2.5,3", "4"]), ","), tf.float32)
print("to_number ragged:", type(r).__name__, r.dtype.name, r.to_tensor().numpy().tolist())
r = tf.strings.lower(tf.strings.split(tf.constant(["A B", "C"])))
print("lower ragged:", type(r).__name__, r.to_list())
print("length ragged:", tf.strings.length(tf.strings.split(tf.constant(["ab c", "def"]))).to_list())


# 7. f-string of a scalar string tensor (creating_tfrecords.py prints parsed features)
t = tf.constant(b"datasets/val2017/x.jpg")
print("f-string:", f"{t}", "|", f"{tf.constant(1914.53)}")
