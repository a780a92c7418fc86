"""TensorFlow's and Keras 2's (tf_keras') figures the tests in tests/test_corpus30.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus30_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
layers = keras.layers

# 1. a merge layer called on a list of one tensor (keras-io feature_preprocessing_layer.py
#    concatenates the outputs of a dict of one preprocessing layer)
x = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32)
for cls in (layers.Add, layers.Multiply, layers.Average, layers.Maximum, layers.Minimum,
            layers.Concatenate):
    print(cls.__name__, "eager:", cls()([x]).numpy().tolist(),
          "symbolic:", tuple(cls()([keras.Input((3,))]).shape))
print("concatenate([one]):", layers.concatenate([x]).numpy().tolist())
try:
    layers.Subtract()([keras.Input((3,))])
except ValueError as e:
    print("Subtract([one]):", type(e).__name__, str(e)[:60])
try:
    layers.Add()([])
except Exception as e:  # noqa: BLE001
    print("Add([]):", type(e).__name__)


# 2. a subclassed Model called on a dict of Inputs (feature_preprocessing_layer.py's
#    FeaturePreprocessor(tf.keras.models.Model)); then a functional model of its output
class Prep(keras.Model):
    def __init__(self):
        super().__init__()
        self.lookup = layers.StringLookup(vocabulary=["a", "b"])
        self.norm = layers.Normalization(mean=[2.0], variance=[4.0])

    def call(self, inputs):
        return layers.concatenate([self.norm(inputs["num"]),
                                   tf.cast(self.lookup(inputs["cat"]), tf.float32)])


inp = {"num": keras.Input((1,), name="num"),
       "cat": keras.Input((1,), dtype=tf.string, name="cat")}
out = Prep()(inp)
print("subclassed model on a dict of Inputs:", tuple(out.shape))
m = keras.Model(inp, out)
print("its functional model:", m({"num": np.array([[0.0], [4.0]], np.float32),
                                  "cat": np.array([["b"], ["z"]])}).numpy().tolist())

# 3. TensorFlow's dtype name "float" is float32 ("double" float64, "half" float16); Keras 2's
#    K.placeholder(dtype="float") (leriomaggio's Keras Backend notebook)
K = keras.backend
print("as_dtype:", tf.as_dtype("float").name, tf.as_dtype("double").name,
      tf.as_dtype("half").name)
print("K.variable float:", K.variable(np.ones((2, 2)), dtype="float").dtype.name)
print("K.constant double:", K.constant(1.0, dtype="double").dtype.name)
print("K.cast float:", K.cast(np.array([1, 2]), "float").dtype.name)
print("Input float:", keras.Input((2,), dtype="float").dtype.name)
print("tf.cast float:", tf.cast([1, 2], "float").dtype.name)
with tf.Graph().as_default():
    print("K.placeholder float:", K.placeholder(dtype="float", shape=(3, 2)).dtype.name)

# 4. plot_model takes tf_keras 2.21's arguments only (feature_engineering_with_lambda.py
#    passes input_layer_graph=)
try:
    keras.utils.plot_model(keras.Sequential([layers.Dense(2, input_shape=(3,))]),
                           input_layer_graph="g.png")
except TypeError as e:
    print("plot_model(input_layer_graph=):", type(e).__name__, e)

# 5. a rank-1 target for a rank-2 output of several units (keras-io EEG_Signal_Classifiation:
#    one standardized label per row against Dense(68), loss "mse", metric "mae"): Keras 2
#    expands it to (N, 1) and the elementwise loss broadcasts it over the units
keras.utils.set_random_seed(0)
m = keras.Sequential([layers.Dense(3, input_shape=(2,), kernel_initializer="ones",
                                   bias_initializer=keras.initializers.Constant([0.0, 1.0, -1.0]))])
m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
xe = np.array([[1.0, 2.0], [0.0, -1.0], [0.5, 0.5], [2.0, 0.0]], np.float32)
ye = np.array([1.0, -1.0, 0.0, 3.0], np.float32)
print("evaluate (N,) vs (N, 3) mse, mae:", m.evaluate(xe, ye, verbose=0))
h = m.fit(xe, ye, epochs=1, batch_size=4, verbose=0)
print("one SGD step loss:", h.history["loss"], "kernel after:", m.get_weights()[0].tolist())
try:
    mc = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=(2,))])
    mc.compile(optimizer="sgd", loss="categorical_crossentropy")
    mc.fit(xe, ye, epochs=1, verbose=0)
except ValueError as e:
    print("categorical_crossentropy (N,) vs (N, 3):", type(e).__name__)
