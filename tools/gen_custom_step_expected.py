"""Expected figures for tests/test_custom_step.py from real Keras 2 (tf_keras): a model overriding
train_step / test_step as keras-io's "Customizing what happens in fit()" does, trained from fixed
weights on fixed data (shuffle=False, plain SGD), so the History and evaluate values are
deterministic. Run with /work/keras-venv/bin/python tools/gen_custom_step_expected.py; writes
tests/data/custom_step_expected.json."""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras


def data():
    rng = np.random.default_rng(7)
    x = rng.random((40, 5)).astype(np.float32)
    y = rng.random((40, 1)).astype(np.float32)
    sw = rng.random((40,)).astype(np.float32)
    w = (rng.standard_normal((5, 1)) * 0.3).astype(np.float32)
    b = np.array([0.1], np.float32)
    return x, y, sw, w, b


class Custom(keras.Model):
    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            (x, y), sample_weight = data, None
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, sample_weight=sample_weight,
                                      regularization_losses=self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def make(x_dim):
    inp = keras.Input(shape=(x_dim,))
    out = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l2(0.01))(inp)
    return Custom(inp, out)


def main():
    x, y, sw, w, b = data()
    res = {}
    for weighted in (False, True):
        m = make(5)
        m.set_weights([w, b])
        m.compile(optimizer=keras.optimizers.legacy.SGD(learning_rate=0.1), loss="mse",
                  metrics=["mae"], weighted_metrics=["mse"])
        h = m.fit(x, y, sample_weight=sw if weighted else None, batch_size=16, epochs=3,
                  shuffle=False, verbose=0)
        key = "weighted" if weighted else "plain"
        res[key] = {"history": {k: [float(v) for v in vs] for k, vs in h.history.items()},
                    "metrics_names": list(m.metrics_names),
                    "evaluate": [float(v) for v in m.evaluate(x, y, batch_size=16, verbose=0)],
                    "weights": [a.tolist() for a in m.get_weights()]}
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "custom_step_expected.json")
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1)[:2000])


if __name__ == "__main__":
    main()
