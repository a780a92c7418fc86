"""Keras 2's (tf_keras') figures the tests in tests/test_corpus35.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2 venv (the oracle of
tools/keras_parity.py):

    /work/keras-venv/bin/python tools/keras_corpus35_refs.py

It writes nothing; the printed values were copied into the tests.
"""
import numpy as np
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

X = (np.arange(12, dtype="float32").reshape(4, 3) - 5.0) / 4.0
Y = np.array([[0.5], [-1.0], [2.0], [-0.25]], "float32")
K0 = np.array([[0.5, -0.4, 0.3, -0.2], [-0.1, 0.6, -0.7, 0.2], [0.3, -0.5, 0.1, 0.8]], "float32")
K1 = np.array([[1.0], [-0.5], [0.75], [-1.25]], "float32")


def prelu_model():
    m = keras.Sequential([keras.layers.Dense(4, input_dim=3, activation=keras.layers.PReLU()),
                          keras.layers.Dense(1)])
    m.set_weights([K0, np.zeros(4, "float32"), np.full(4, 0.25, "float32"), K1,
                   np.zeros(1, "float32")])
    return m


# 1. a PReLU layer as a Dense's activation (the bootstrap / hyperparameter notebooks'
#    Dense(100, activation=PReLU())): its alpha is one of the Dense's weights, counted,
#    named under the Dense and trained
m = prelu_model()
print("weights:", [(w.name, tuple(w.shape)) for w in m.weights])
print("count_params:", m.count_params(), "layer 0:", m.layers[0].count_params())
print("predict:", m.predict(X, verbose=0).ravel())
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
print("train_on_batch loss:", m.train_on_batch(X, Y))
print("alpha after one SGD step:", m.layers[0].activation.get_weights()[0])
print("kernel[0] after:", m.get_weights()[0][0])

inp = keras.Input((5, 5, 2))
out = keras.layers.Conv2D(3, 3, activation=keras.layers.PReLU(shared_axes=[1, 2]))(inp)
print("conv weights:", [(w.name, tuple(w.shape)) for w in keras.Model(inp, out).weights])

# 2. Dense with a float unit count (the hyperparameter notebook's neuronCount * neuronShrink)
for u in (200.0, 200.7):
    d = keras.layers.Dense(u)
    print("Dense(%r).units:" % u, d.units, type(d.units).__name__, d.get_config()["units"])

# 3. an object array of floats and bools (a DataFrame's .values after pandas 2's get_dummies)
xo = np.array([[1.5, True], [2.0, False], [0.3, True]], dtype=object)
mo = keras.Sequential([keras.layers.Dense(1, input_dim=2)])
mo.compile(loss="mse", optimizer="adam")
for name, call in (("fit", lambda: mo.fit(xo, np.ones(3), verbose=0)),
                   ("predict", lambda: mo.predict(xo, verbose=0))):
    try:
        call()
        print(name, "ran")
    except Exception as e:  # noqa: BLE001
        print(name, type(e).__name__, str(e)[:90])
