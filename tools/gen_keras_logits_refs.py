"""Generate tests/data/keras_logits_refs.json: what tf_keras 2 trains on when a softmax/sigmoid
output layer meets a cross-entropy of the other kind, the oracle for
tests/test_keras_logits_loss.py.

    /work/keras-venv/bin/python tools/gen_keras_logits_refs.py      # tensorflow-cpu + tf_keras

tf_keras's softmax and sigmoid tag their output tensor with its logits (`_keras_logits`), and
its categorical, sparse categorical and binary cross-entropies read the logits of any tagged
tensor: a Dense(sigmoid) output compiled with categorical_crossentropy trains on the softmax
cross-entropy of the logits, a Dense(softmax) output with binary_crossentropy on the sigmoid
cross-entropy of the logits (found by tools/keras_parity.py on the Keras 2 subclassing guide's
model, Dense(10, sigmoid) + categorical_crossentropy). Each case: a one-layer model from fixed
weights; evaluate() ([loss, accuracy]) before, the train_on_batch result of one SGD(0.5) step,
the weights after it, evaluate() after.
"""
import json
import os

import numpy as np

# case -> (activation, loss, targets, how the model is built: "dense" (Dense(activation=)),
# "activation_layer" (Dense + Activation), "subclassed" (a Model subclass calling a Dense with
# the activation), "lambda_backend" (Dense + Lambda(K.<activation>)))
CASES = {
    "sigmoid_categorical": ("sigmoid", "categorical_crossentropy", "onehot", "dense"),
    "sigmoid_sparse_categorical": ("sigmoid", "sparse_categorical_crossentropy", "sparse",
                                   "dense"),
    "softmax_binary": ("softmax", "binary_crossentropy", "multi_hot", "dense"),
    "activation_layer_sigmoid_categorical": ("sigmoid", "categorical_crossentropy", "onehot",
                                             "activation_layer"),
    "subclassed_sigmoid_categorical": ("sigmoid", "categorical_crossentropy", "onehot",
                                       "subclassed"),
    "lambda_backend_softmax_binary": ("softmax", "binary_crossentropy", "multi_hot",
                                      "lambda_backend"),
    "softmax_categorical": ("softmax", "categorical_crossentropy", "onehot", "dense"),  # control
    # from_logits=True on a softmax output: tf_keras still takes the tagged logits (one softmax)
    "softmax_categorical_from_logits": ("softmax", "CategoricalCrossentropy(from_logits=True)",
                                        "onehot", "dense"),
}


def loss_object(keras, loss):
    """A loss name, or the one loss instance the cases use."""
    if loss == "CategoricalCrossentropy(from_logits=True)":
        return keras.losses.CategoricalCrossentropy(from_logits=True)
    return loss


def data():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(16, 5)).astype(np.float32)
    labels = rng.integers(0, 4, 16)
    kernel = rng.normal(scale=0.7, size=(5, 4)).astype(np.float32)
    bias = rng.normal(scale=0.2, size=4).astype(np.float32)
    targets = {"onehot": np.eye(4, dtype=np.float32)[labels], "sparse": labels,
               "multi_hot": (rng.random((16, 4)) < 0.4).astype(np.float32)}
    return x, targets, kernel, bias


def build(keras, activation, loss, how):
    """The model of a case; its first layer is the Dense whose weights the case sets. (The
    tensorforge test builds the same models: keep the two in step.)"""
    L = keras.layers
    if how == "activation_layer":
        m = keras.Sequential([L.Dense(4, input_shape=(5,)), L.Activation(activation)])
    elif how == "subclassed":
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = L.Dense(4, activation=activation)

            def call(self, x):
                return self.dense(x)
        m = Net()
        m(np.zeros((1, 5), np.float32))
    elif how == "lambda_backend":
        act = getattr(keras.backend, activation)
        m = keras.Sequential([L.Dense(4, input_shape=(5,)), L.Lambda(lambda t: act(t))])
    else:
        m = keras.Sequential([L.Dense(4, activation=activation, input_shape=(5,))])
    opt = (keras.optimizers.legacy.SGD if hasattr(keras.optimizers, "legacy")
           else keras.optimizers.SGD)
    m.compile(optimizer=opt(learning_rate=0.5), loss=loss_object(keras, loss),
              metrics=["accuracy"])
    return m


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_keras as keras
    x, targets, kernel, bias = data()
    out = {"x": x.tolist(), "kernel": kernel.tolist(), "bias": bias.tolist(),
           "targets": {k: v.tolist() for k, v in targets.items()}, "cases": {}}
    for name, (act, loss, target, how) in CASES.items():
        m = build(keras, act, loss, how)
        m.layers[0].set_weights([kernel, bias])
        y = targets[target]
        before = m.evaluate(x, y, batch_size=16, verbose=0)
        step = m.train_on_batch(x, y)
        k, b = m.layers[0].get_weights()
        after = m.evaluate(x, y, batch_size=16, verbose=0)
        out["cases"][name] = {"activation": act, "loss": loss, "target": target,
                              "build": how, "before": before, "step": step,
                              "kernel_after": k.tolist(), "bias_after": b.tolist(),
                              "after": after}
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests",
                        "data", "keras_logits_refs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
