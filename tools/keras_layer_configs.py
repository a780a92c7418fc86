"""The config keys (in order) real Keras 2 (tf_keras) gives each built-in layer, to compare with
tensorforge's get_config():  /work/keras-venv/bin/python tools/keras_layer_configs.py"""
import json

from tf_keras import layers as L

LAYERS = {
    "Dense": L.Dense(3), "Conv2D": L.Conv2D(4, 3), "MaxPooling2D": L.MaxPooling2D(),
    "AveragePooling2D": L.AveragePooling2D(), "GlobalAveragePooling2D": L.GlobalAveragePooling2D(),
    "Flatten": L.Flatten(), "Dropout": L.Dropout(0.5), "Activation": L.Activation("relu"),
    "Reshape": L.Reshape((2, 2)), "BatchNormalization": L.BatchNormalization(),
    "Embedding": L.Embedding(10, 3), "SimpleRNN": L.SimpleRNN(2), "LSTM": L.LSTM(2),
    "GRU": L.GRU(2), "LeakyReLU": L.LeakyReLU(), "Concatenate": L.Concatenate(),
    "Add": L.Add(), "Dot": L.Dot(1), "Bidirectional": L.Bidirectional(L.LSTM(2)),
}
out = {k: {kk: (vv if not isinstance(vv, dict) else {"class_name": vv.get("class_name")})
           for kk, vv in v.get_config().items()} for k, v in LAYERS.items()}
print(json.dumps(out))
