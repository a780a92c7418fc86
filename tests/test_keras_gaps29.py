"""Keras 2 gaps closed in session 29: a Lambda's training at its symbolic call, the callbacks'
params and logs, a tf_keras .keras archive's optimizer state. The figures were printed by
tools/keras_struct29_refs.py under tf_keras 2.21, which also wrote tests/data/gaps29_*.keras."""

import numpy as np
from tensorforge import keras

def test_lambda_function_sees_training_none_at_the_symbolic_call():
    """tf_keras traces a Lambda with its call's default training (None), once; fit and predict
    then pass True / False (See Note [training of a symbolic call])."""
    seen = []

    def f(x, training=None):
        seen.append(training)
        return x * 2

    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Lambda(f)(inp))
    assert seen == [None]  # tf_keras: [None]
    seen.clear()
    m.predict(np.ones((2, 3), "float32"), verbose=0)
    assert seen == [False]
    m.compile("sgd", "mse")
    seen.clear()
    m.fit(np.ones((2, 3), "float32"), np.ones((2, 3), "float32"), verbose=0)
    assert seen == [True]


def test_lambda_given_training_at_the_symbolic_call_runs_the_stand_ins_in_inference():
    seen = []
    inp = keras.Input((3,))
    keras.layers.Lambda(lambda x, training=None: seen.append(training) or x)(inp, training=True)
    assert seen == [False]  # stand-in values are not trained on (Note [training of a symbolic call])
