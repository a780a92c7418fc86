"""The model zoo: the Keras-2 programs the ``tensorforge train`` command and the benchmarks run
(MLP, LeNet, CNN, SimpleRNN / LSTM / GRU on MNIST-shaped data), their reference batch sizes and
the input layout each reads.
"""

MODELS = ("lenet", "mlp", "cnn", "rnn", "lstm", "gru")
# Per-model defaults: batch size of the reference Keras program.
BATCH_SIZE = {"lenet": 32, "mlp": 128, "cnn": 128, "rnn": 128, "lstm": 128, "gru": 128}


# Input layout each model reads: images (N, 28, 28, 1) NHWC, flat (N, 784), or rows-as-time-steps
# (N, 28, 28) = (B, T, F).

def input_layout(name):
    return {"lenet": "image", "cnn": "image", "mlp": "flat"}.get(name, "sequence")


def build_model(name, num_classes=10):
    """A compiled Keras-2-style Sequential model of the zoo (categorical cross-entropy, accuracy)."""
    from tensorforge.layers import (GRU, LSTM, Conv2D, Dense, Dropout, Flatten, MaxPooling2D,
                                    SimpleRNN)
    from tensorforge.models import Sequential
    from tensorforge.optimizers import Adam, RMSprop

    if name == "mlp":
        model = Sequential([
            Dense(256, activation="relu", input_shape=(784,)),
            Dropout(0.2),
            Dense(256, activation="relu"),
            Dropout(0.2),
            Dense(num_classes, activation="softmax"),
        ])
        opt = Adam()
    elif name == "lenet":
        model = Sequential([
            Conv2D(20, (5, 5), activation="relu", input_shape=(28, 28, 1)),
            MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same"),
            Conv2D(50, (5, 5), padding="same", activation="relu"),
            MaxPooling2D(pool_size=(2, 2), strides=(2, 2), padding="same"),
            Flatten(),
            Dense(500, activation="relu"),
            Dense(num_classes, activation="softmax"),
        ])
        opt = RMSprop()
    elif name == "cnn":
        model = Sequential([
            Conv2D(64, (3, 3), padding="same", activation="relu", input_shape=(28, 28, 1)),
            MaxPooling2D((2, 2)),
            Dropout(0.25),
            Conv2D(64, (3, 3), padding="same", activation="relu"),
            MaxPooling2D((2, 2)),
            Dropout(0.25),
            Conv2D(64, (3, 3), padding="same", activation="relu"),
            MaxPooling2D((2, 2)),
            Dropout(0.25),
            Flatten(),
            Dense(num_classes, activation="softmax"),
        ])
        opt = Adam()
    elif name in ("rnn", "lstm", "gru"):
        cell = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}[name]
        model = Sequential([
            cell(256, input_shape=(28, 28)),
            Dense(num_classes, activation="softmax"),
        ])
        opt = Adam()
    else:
        raise ValueError(f"unknown model {name!r} (choose from {', '.join(MODELS)})")
    model.compile(optimizer=opt, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def prepare(x, layout):
    """uint8 (N, 28, 28) -> float32 in [0, 1] in the model's input layout."""
    import numpy as np
    x = x.astype(np.float32) / 255.0
    if layout == "image":
        return x.reshape(len(x), 28, 28, 1)
    if layout == "flat":
        return x.reshape(len(x), 784)
    return x
