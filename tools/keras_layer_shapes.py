"""Generate the Keras 2 figures that tests/test_layers_keras.py checks tensorforge against.

Run once with real Keras 2 (tf_keras), never from the tests:

    /work/keras-venv/bin/python tools/keras_layer_shapes.py      # any Python with tf_keras

For each case (a layer class name, its constructor arguments and an input shape) it records,
from tf_keras: the output shape, count_params(), the get_weights() shapes in order, and, for a
fixed random input and the layer's own (random) initial weights, the weights and the output.
Shapes/counts go to tests/data/keras_layer_shapes.json, arrays to tests/data/keras_layer_values.npz
(key "<case>/x", "<case>/w<i>", "<case>/y").
"""
import json
import os

import numpy as np

import tf_keras as keras

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data")

# (case name, class name, kwargs, input shape without the batch axis)
CASES = [
    ("conv1d_valid", "Conv1D", dict(filters=4, kernel_size=3), (9, 3)),
    ("conv1d_same_s2", "Conv1D", dict(filters=4, kernel_size=3, strides=2, padding="same"), (9, 3)),
    ("conv1d_causal_d2", "Conv1D", dict(filters=5, kernel_size=3, padding="causal", dilation_rate=2,
                                        activation="relu"), (10, 2)),
    ("conv1d_cf", "Conv1D", dict(filters=4, kernel_size=2, data_format="channels_first"), (3, 7)),
    ("conv2dt_valid", "Conv2DTranspose", dict(filters=4, kernel_size=3), (4, 5, 3)),
    ("conv2dt_same_s2", "Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same"),
     (4, 5, 2)),
    ("conv2dt_valid_s2_op1", "Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2,
                                                     output_padding=1), (3, 4, 3)),
    ("conv2dt_same_s2_k4", "Conv2DTranspose", dict(filters=2, kernel_size=4, strides=2,
                                                   padding="same", activation="tanh"), (3, 3, 2)),
    ("conv2dt_dil2", "Conv2DTranspose", dict(filters=2, kernel_size=3, dilation_rate=2), (4, 4, 2)),
    ("conv2dt_same_s2_op0", "Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2,
                                                    padding="same", output_padding=0), (3, 4, 2)),
    ("depthwise", "DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same",
                                          bias_initializer="random_normal"), (5, 6, 3)),
    ("depthwise_s2", "DepthwiseConv2D", dict(kernel_size=(2, 3), strides=2), (7, 6, 2)),
    ("separable", "SeparableConv2D", dict(filters=4, kernel_size=3, depth_multiplier=2,
                                          activation="relu", bias_initializer="random_normal"),
     (6, 5, 3)),
    ("upsampling1d", "UpSampling1D", dict(size=3), (4, 2)),
    ("upsampling2d", "UpSampling2D", dict(size=(2, 3)), (3, 4, 2)),
    ("upsampling2d_bilinear", "UpSampling2D", dict(size=(2, 3), interpolation="bilinear"), (3, 4, 2)),
    ("zeropadding1d", "ZeroPadding1D", dict(padding=(1, 2)), (4, 3)),
    ("zeropadding2d", "ZeroPadding2D", dict(padding=((1, 2), (0, 3))), (3, 4, 2)),
    ("cropping1d", "Cropping1D", dict(cropping=(1, 2)), (6, 3)),
    ("cropping2d", "Cropping2D", dict(cropping=((1, 0), (2, 1))), (5, 6, 2)),
    ("maxpool1d", "MaxPooling1D", dict(pool_size=2), (7, 3)),
    ("maxpool1d_same_s1", "MaxPooling1D", dict(pool_size=3, strides=1, padding="same"), (7, 3)),
    ("avgpool1d_same", "AveragePooling1D", dict(pool_size=3, strides=2, padding="same"), (8, 2)),
    ("globalmax1d", "GlobalMaxPooling1D", dict(), (6, 3)),
    ("globalmax2d", "GlobalMaxPooling2D", dict(), (4, 5, 3)),
    ("globalmax2d_keepdims", "GlobalMaxPooling2D", dict(keepdims=True), (4, 5, 3)),
    ("globalavg1d", "GlobalAveragePooling1D", dict(), (6, 3)),
    ("globalavg2d_keepdims_cf", "GlobalAveragePooling2D", dict(keepdims=True,
                                                               data_format="channels_first"),
     (3, 4, 5)),
    ("repeatvector", "RepeatVector", dict(n=3), (4,)),
    ("permute", "Permute", dict(dims=(2, 1)), (3, 5)),
    ("masking", "Masking", dict(mask_value=0.0), (4, 3)),
    ("layernorm", "LayerNormalization", dict(), (4, 6)),
    ("layernorm_axes", "LayerNormalization", dict(axis=[1, 2], gamma_initializer="random_normal",
                                                  beta_initializer="random_normal"), (3, 4, 2)),
    ("relu_max6", "ReLU", dict(max_value=6.0), (4, 5)),
    ("relu_all", "ReLU", dict(max_value=1.5, negative_slope=0.1, threshold=0.2), (4, 5)),
    ("prelu", "PReLU", dict(alpha_initializer="random_uniform"), (3, 4)),
    ("prelu_shared", "PReLU", dict(alpha_initializer="random_uniform", shared_axes=[1, 2]), (3, 4, 2)),
    ("elu", "ELU", dict(alpha=0.5), (4, 5)),
    ("thresholded_relu", "ThresholdedReLU", dict(theta=0.5), (4, 5)),
    ("softmax_axis1", "Softmax", dict(axis=1), (3, 4)),
    ("spatialdropout1d", "SpatialDropout1D", dict(rate=0.5), (4, 3)),
    ("spatialdropout2d", "SpatialDropout2D", dict(rate=0.5), (3, 4, 2)),
    ("gaussiannoise", "GaussianNoise", dict(stddev=0.1), (4,)),
    ("gaussiandropout", "GaussianDropout", dict(rate=0.2), (4,)),
    ("alphadropout", "AlphaDropout", dict(rate=0.2), (4,)),
    ("activityreg", "ActivityRegularization", dict(l1=0.01), (4,)),
    ("batchnorm_axis1", "BatchNormalization", dict(axis=1, moving_mean_initializer="random_normal",
                                                   moving_variance_initializer="ones",
                                                   gamma_initializer="random_normal"), (3, 4, 5)),
    ("timedistributed_dense", "TimeDistributed", dict(layer=("Dense", dict(units=3))), (5, 4)),
    ("timedistributed_conv", "TimeDistributed",
     dict(layer=("Conv2D", dict(filters=2, kernel_size=3))), (3, 6, 6, 1)),
    ("lstm_state", "LSTM", dict(units=3, return_state=True), (5, 2)),
    ("conv3d_same", "Conv3D", dict(filters=2, kernel_size=3, padding="same",
                                   activation="sigmoid"), (4, 5, 6, 2)),
    ("conv3d_valid_s2", "Conv3D", dict(filters=3, kernel_size=(2, 3, 2), strides=(2, 1, 2)),
     (5, 5, 6, 2)),
    ("conv3d_dil", "Conv3D", dict(filters=2, kernel_size=2, dilation_rate=(2, 1, 2),
                                  padding="same"), (5, 4, 5, 1)),
    ("maxpool3d", "MaxPooling3D", dict(), (4, 5, 4, 2)),
    ("maxpool3d_same", "MaxPooling3D", dict(pool_size=(3, 2, 3), strides=(2, 1, 2),
                                            padding="same"), (5, 4, 5, 2)),
    ("avgpool3d_same", "AveragePooling3D", dict(pool_size=3, strides=2, padding="same"),
     (5, 4, 5, 2)),
    ("globalmax3d", "GlobalMaxPooling3D", dict(), (3, 4, 2, 2)),
    ("globalavg3d", "GlobalAveragePooling3D", dict(keepdims=True), (3, 4, 2, 2)),
    ("upsampling3d", "UpSampling3D", dict(size=(2, 1, 3)), (2, 3, 2, 2)),
    ("zeropadding3d", "ZeroPadding3D", dict(padding=((1, 0), (0, 2), (1, 1))), (2, 3, 2, 2)),
    ("cropping3d", "Cropping3D", dict(cropping=((1, 0), (0, 1), (1, 1))), (3, 4, 5, 2)),
    ("depthwise1d", "DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=2, padding="same",
                                            bias_initializer="random_normal"), (7, 3)),
    ("separable1d", "SeparableConv1D", dict(filters=4, kernel_size=3, depth_multiplier=2,
                                            activation="relu", bias_initializer="random_normal"),
     (8, 3)),
    ("separable1d_causal_s2", "SeparableConv1D", dict(filters=2, kernel_size=2, padding="causal",
                                                      strides=2), (9, 2)),
    ("flatten_cf", "Flatten", dict(data_format="channels_first"), (2, 3, 4)),
    ("convlstm2d", "ConvLSTM2D", dict(filters=3, kernel_size=3, return_sequences=True,
                                      bias_initializer="random_normal"), (4, 6, 5, 2)),
    ("convlstm2d_same_state", "ConvLSTM2D", dict(filters=2, kernel_size=(3, 2), padding="same",
                                                 strides=(2, 1), return_state=True), (3, 5, 4, 2)),
]


def make(cls_name, kwargs, mod):
    kw = dict(kwargs)
    if "layer" in kw:
        inner_cls, inner_kw = kw["layer"]
        kw["layer"] = getattr(mod.layers, inner_cls)(**inner_kw)
    return getattr(mod.layers, cls_name)(**kw)


def main():
    rng = np.random.default_rng(12)
    keras.utils.set_random_seed(12)
    cases, arrays = [], {}
    for name, cls_name, kwargs, in_shape in CASES:
        layer = make(cls_name, kwargs, keras)
        x = rng.standard_normal((2,) + tuple(in_shape)).astype(np.float32)
        if cls_name == "Masking":
            x[0, 1] = 0.0
            x[1, 3] = 0.0
        if kwargs.get("data_format") == "channels_first" and cls_name.startswith(("Conv", "Max",
                                                                                  "Average")):
            # TensorFlow's CPU convolutions run NHWC only: build the layer for its shapes and
            # weights, compute its output with a channels_last twin on the transposed input.
            layer.build((None,) + tuple(in_shape))
            twin = make(cls_name, dict(kwargs, data_format="channels_last"), keras)
            perm = (0,) + tuple(range(2, x.ndim)) + (1,)
            twin(np.transpose(x, perm))
            twin.set_weights(layer.get_weights())
            y = np.transpose(twin(np.transpose(x, perm)).numpy(), np.argsort(perm))
        else:
            y = layer(x)  # inference mode: the noise layers are the identity
        ys = y if isinstance(y, (list, tuple)) else [y]
        out_shape = layer.compute_output_shape((None,) + tuple(in_shape))
        out_shapes = out_shape if isinstance(out_shape, list) else [out_shape]
        cases.append({
            "name": name, "class_name": cls_name,
            "kwargs": {k: (list(v) if isinstance(v, tuple) and k != "layer" else v)
                       for k, v in kwargs.items()},
            "input_shape": list(in_shape),
            "output_shapes": [list(tuple(s)) for s in out_shapes],
            "count_params": int(layer.count_params()),
            "weight_shapes": [list(w.shape) for w in layer.get_weights()],
        })
        arrays[f"{name}/x"] = x
        for i, w in enumerate(layer.get_weights()):
            arrays[f"{name}/w{i}"] = w
        for i, yy in enumerate(ys):
            arrays[f"{name}/y{i}"] = np.asarray(yy)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "keras_layer_shapes.json"), "w") as f:
        json.dump({"generator": "tools/keras_layer_shapes.py", "keras": keras.__version__,
                   "cases": cases}, f, indent=1)
    np.savez_compressed(os.path.join(OUT, "keras_layer_values.npz"), **arrays)
    print(f"{len(cases)} cases written to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
