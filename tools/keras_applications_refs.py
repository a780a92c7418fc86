"""Expected figures for tests/test_applications.py from real Keras 2 (tf_keras 2.21's
keras.applications), written to tests/data/applications_refs.json / .npz and
tests/data/applications_*.h5.

  - structure: for each configuration in CONFIGS (built after clear_session, so the automatic
    layer names are the first of their kind), every layer's name, class and output shape, the
    model's name, output shape and parameter counts (all, trainable);
  - preprocess_input of a fixed 4-D array in each mode ('caffe', 'tf', 'torch') and of one 3-D
    image, and decode_predictions of fixed predictions over a synthetic class index;
  - values: for each entry in VALUES, the model's weights drawn here (kernels N(0, 2 / fan_in),
    BatchNormalization's gamma, beta, moving mean and variance away from their 1 / 0 start, so
    the inference output depends on each), saved with save_weights as the small .h5 file named,
    and the inference output on a fixed batch. A model too big for a small file saves only the
    layers up to ``upto`` (a sub-model keeping Keras 2's layer names); the test loads it by name
    into the whole model and compares that layer's output.
Run with /work/keras-venv/bin/python tools/keras_applications_refs.py (tf_keras is never a test
dependency)."""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.src.applications import imagenet_utils  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "tests", "data")

# (key, module, function, kwargs): weights=None always
CONFIGS = [
    ("vgg16_notop_32", "vgg16", "VGG16", dict(include_top=False, input_shape=(32, 32, 3))),
    ("vgg16_top_32_c10", "vgg16", "VGG16",
     dict(include_top=True, input_shape=(32, 32, 3), classes=10)),
    ("vgg19_max_48", "vgg19", "VGG19",
     dict(include_top=False, input_shape=(48, 48, 3), pooling="max")),
    ("resnet50_avg_32", "resnet50", "ResNet50",
     dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("resnet50_top_32_c10", "resnet", "ResNet50",
     dict(include_top=True, input_shape=(32, 32, 3), classes=10,
          classifier_activation=None)),
    ("resnet101_max_75", "resnet", "ResNet101",
     dict(include_top=False, input_shape=(75, 75, 3), pooling="max")),
    ("resnet152_notop_none", "resnet", "ResNet152", dict(include_top=False)),
    ("mobilenet_a025_top_32_c10", "mobilenet", "MobileNet",
     dict(alpha=0.25, input_shape=(32, 32, 3), classes=10)),
    ("mobilenet_a05_avg_75", "mobilenet", "MobileNet",
     dict(alpha=0.5, include_top=False, input_shape=(75, 75, 3), pooling="avg")),
    ("mobilenet_a025_dm2_notop_33", "mobilenet", "MobileNet",
     dict(alpha=0.25, depth_multiplier=2, include_top=False, input_shape=(33, 33, 3))),
    ("mobilenet_default_224", "mobilenet", "MobileNet", dict()),
    ("mobilenetv2_a035_top_32_c10", "mobilenet_v2", "MobileNetV2",
     dict(alpha=0.35, input_shape=(32, 32, 3), classes=10)),
    ("mobilenetv2_a13_max_75", "mobilenet_v2", "MobileNetV2",
     dict(alpha=1.3, include_top=False, input_shape=(75, 75, 3), pooling="max")),
    ("mobilenetv2_a05_notop_96", "mobilenet_v2", "MobileNetV2",
     dict(alpha=0.5, include_top=False, input_shape=(96, 96, 3))),
    ("mobilenetv2_default_224", "mobilenet_v2", "MobileNetV2", dict()),
    ("resnet50v2_top_32_c10", "resnet_v2", "ResNet50V2",
     dict(input_shape=(32, 32, 3), classes=10)),
    ("resnet101v2_avg_64", "resnet_v2", "ResNet101V2",
     dict(include_top=False, input_shape=(64, 64, 3), pooling="avg")),
    ("resnet152v2_notop_none", "resnet_v2", "ResNet152V2", dict(include_top=False)),
    ("xception_notop_71", "xception", "Xception",
     dict(include_top=False, input_shape=(71, 71, 3))),
    ("xception_top_90_c10", "xception", "Xception", dict(input_shape=(90, 90, 3), classes=10)),
    ("xception_avg_none", "xception", "Xception", dict(include_top=False, pooling="avg")),
    ("inception_v3_notop_75", "inception_v3", "InceptionV3",
     dict(include_top=False, input_shape=(75, 75, 3))),
    ("inception_v3_top_75_c10", "inception_v3", "InceptionV3",
     dict(input_shape=(75, 75, 3), classes=10)),
    ("inception_v3_max_139", "inception_v3", "InceptionV3",
     dict(include_top=False, input_shape=(139, 139, 3), pooling="max")),
    ("efficientnetb0_top_32_c10", "efficientnet", "EfficientNetB0",
     dict(input_shape=(32, 32, 3), classes=10)),
    ("efficientnetb0_default_224", "efficientnet", "EfficientNetB0", dict()),
    ("efficientnetb3_avg_64", "efficientnet", "EfficientNetB3",
     dict(include_top=False, input_shape=(64, 64, 3), pooling="avg")),
    ("efficientnetb5_max_none", "efficientnet", "EfficientNetB5",
     dict(include_top=False, pooling="max")),
    ("mobilenetv3small_top_32_c10", "mobilenet_v3", "MobileNetV3Small",
     dict(input_shape=(32, 32, 3), classes=10)),
    ("mobilenetv3small_min_avg_64", "mobilenet_v3", "MobileNetV3Small",
     dict(minimalistic=True, include_top=False, input_shape=(64, 64, 3), pooling="avg")),
    ("mobilenetv3large_default", "mobilenet_v3", "MobileNetV3Large", dict()),
    ("mobilenetv3large_a075_noprep_max_96", "mobilenet_v3", "MobileNetV3Large",
     dict(alpha=0.75, include_top=False, input_shape=(96, 96, 3), pooling="max",
          include_preprocessing=False)),
    ("inception_resnet_v2_notop_75", "inception_resnet_v2", "InceptionResNetV2",
     dict(include_top=False, input_shape=(75, 75, 3))),
    ("inception_resnet_v2_top_99_c10", "inception_resnet_v2", "InceptionResNetV2",
     dict(input_shape=(99, 99, 3), classes=10)),
    ("inception_resnet_v2_avg_none", "inception_resnet_v2", "InceptionResNetV2",
     dict(include_top=False, pooling="avg")),
    ("nasnetmobile_default_224", "nasnet", "NASNetMobile", dict()),
    ("nasnetmobile_avg_32", "nasnet", "NASNetMobile",
     dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("nasnetlarge_max_96", "nasnet", "NASNetLarge",
     dict(include_top=False, input_shape=(96, 96, 3), pooling="max")),
    ("efficientnetv2b0_top_32_c10", "efficientnet_v2", "EfficientNetV2B0",
     dict(input_shape=(32, 32, 3), classes=10)),
    ("efficientnetv2b3_avg_64", "efficientnet_v2", "EfficientNetV2B3",
     dict(include_top=False, input_shape=(64, 64, 3), pooling="avg")),
    ("efficientnetv2s_notop_none", "efficientnet_v2", "EfficientNetV2S",
     dict(include_top=False)),
    ("efficientnetv2m_noprep_max_64", "efficientnet_v2", "EfficientNetV2M",
     dict(include_top=False, input_shape=(64, 64, 3), pooling="max",
          include_preprocessing=False)),
    ("resnetrs50_top_32_c10", "resnet_rs", "ResNetRS50",
     dict(input_shape=(32, 32, 3), classes=10)),
    ("resnetrs101_avg_64", "resnet_rs", "ResNetRS101",
     dict(include_top=False, input_shape=(64, 64, 3), pooling="avg")),
    ("resnetrs200_noprep_notop_none", "resnet_rs", "ResNetRS200",
     dict(include_top=False, include_preprocessing=False)),
    ("densenet121_top_32_c10", "densenet", "DenseNet121",
     dict(input_shape=(32, 32, 3), classes=10)),
    ("densenet169_avg_32", "densenet", "DenseNet169",
     dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("densenet201_max_64", "densenet", "DenseNet201",
     dict(include_top=False, input_shape=(64, 64, 3), pooling="max")),
]

# (key, module, function, kwargs, upto layer or None, batch)
VALUES = [
    ("mobilenet_a025_notop_32", "mobilenet", "MobileNet",
     dict(alpha=0.25, include_top=False, input_shape=(32, 32, 3), pooling="avg"), None, 2),
    ("mobilenetv2_a035_top_32_c10", "mobilenet_v2", "MobileNetV2",
     dict(alpha=0.35, input_shape=(32, 32, 3), classes=10), "block_6_project_BN", 2),
    ("resnet50_notop_32", "resnet50", "ResNet50",
     dict(include_top=False, input_shape=(32, 32, 3)), "conv2_block1_out", 1),
    ("densenet121_notop_32", "densenet", "DenseNet121",
     dict(include_top=False, input_shape=(32, 32, 3)), "conv2_block1_concat", 2),
    ("vgg16_notop_32", "vgg16", "VGG16",
     dict(include_top=False, input_shape=(32, 32, 3)), "block1_pool", 1),
    ("resnet50v2_notop_32", "resnet_v2", "ResNet50V2",
     dict(include_top=False, input_shape=(32, 32, 3)), "conv2_block1_out", 1),
    ("xception_notop_71", "xception", "Xception",
     dict(include_top=False, input_shape=(71, 71, 3)), "add", 1),
    ("inception_v3_notop_75", "inception_v3", "InceptionV3",
     dict(include_top=False, input_shape=(75, 75, 3)), "max_pooling2d", 1),
    ("efficientnetb0_notop_32", "efficientnet", "EfficientNetB0",
     dict(include_top=False, input_shape=(32, 32, 3)), "block2b_add", 2),
    ("mobilenetv3small_top_32_c10", "mobilenet_v3", "MobileNetV3Small",
     dict(input_shape=(32, 32, 3), classes=10), "expanded_conv_3/project/BatchNorm", 2),
    ("nasnetmobile_notop_32", "nasnet", "NASNetMobile",
     dict(include_top=False, input_shape=(32, 32, 3)), "reduction_concat_stem_2", 2),
    ("efficientnetv2b0_notop_32", "efficientnet_v2", "EfficientNetV2B0",
     dict(include_top=False, input_shape=(32, 32, 3)), "block2b_add", 2),
]


def build(module, fn, kwargs):
    keras.backend.clear_session()
    mod = getattr(keras.applications, module)  # mobilenet_v3 exports only the helpers
    return getattr(mod, fn, getattr(keras.applications, fn))(weights=None, **kwargs)


def shape_of(layer):
    s = layer.output_shape
    if isinstance(s, list) and len(s) == 1:
        s = s[0]
    return list(s)


def structure(model):
    return {"name": model.name,
            "layers": [[l.name, type(l).__name__, shape_of(l)] for l in model.layers],
            "output_shape": list(model.output_shape),
            "count_params": int(model.count_params()),
            "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights))}


def fixed_weights(model, rng):
    for l in model.layers:
        ws = l.get_weights()
        if not ws:
            continue
        if isinstance(l, keras.layers.BatchNormalization):  # gamma absent when scale=False
            n = ws[0].shape
            draw = {"gamma": lambda: 1 + 0.1 * rng.standard_normal(n),
                    "beta": lambda: 0.1 * rng.standard_normal(n),
                    "moving_mean": lambda: 0.1 * rng.standard_normal(n),
                    "moving_variance": lambda: 1 + 0.5 * rng.random(n)}
            new = [draw[w.name.split("/")[-1].split(":")[0]]() for w in l.weights]
        elif isinstance(l, keras.layers.Normalization):  # mean, variance, count
            n = ws[0].shape
            new = [0.1 * rng.standard_normal(n), 1 + 0.5 * rng.random(n), np.int64(1000)]
            l.set_weights([np.asarray(new[0], np.float32), np.asarray(new[1], np.float32),
                           new[2]])
            continue
        else:
            new = []
            for w in ws:
                if w.ndim > 1:
                    fan_in = np.prod(w.shape[:-1]) if not isinstance(
                        l, keras.layers.DepthwiseConv2D) else np.prod(w.shape[:2])
                    new.append(rng.standard_normal(w.shape) * np.sqrt(2.0 / fan_in))
                else:
                    new.append(0.05 * rng.standard_normal(w.shape))
        l.set_weights([np.asarray(v, np.float32) for v in new])


def preprocess_refs(arrays):
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 255, (2, 4, 5, 3)).astype(np.float32)
    arrays["pre_x"] = x
    for mode in ("caffe", "tf", "torch"):
        arrays[f"pre_{mode}"] = imagenet_utils.preprocess_input(x.copy(), mode=mode)
        arrays[f"pre_{mode}_3d"] = imagenet_utils.preprocess_input(x[0].copy(), mode=mode)
        arrays[f"pre_{mode}_cf"] = imagenet_utils.preprocess_input(
            np.moveaxis(x, -1, 1).copy(), mode=mode, data_format="channels_first")
        arrays[f"pre_{mode}_sym"] = keras.Model(
            inp := keras.Input((4, 5, 3)),
            imagenet_utils.preprocess_input(inp, mode=mode)).predict(x, verbose=0)
    arrays["pre_int"] = imagenet_utils.preprocess_input(
        (x[0] // 1).astype(np.int32), mode="caffe")


def decode_refs():
    imagenet_utils.CLASS_INDEX = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    preds = np.random.default_rng(4).random((2, 1000)).astype(np.float32)
    dec = imagenet_utils.decode_predictions(preds, top=3)
    return preds, [[[a, b, float(c)] for a, b, c in row] for row in dec]


def transfer_refs():
    """The transfer-learning tutorial's freezing: a MobileNetV2 base frozen, then unfrozen from
    layer 100 on; trainable variable counts and sizes at each step."""
    keras.backend.clear_session()
    base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False,
                                          weights=None)
    base.trainable = False
    inputs = keras.Input(shape=(96, 96, 3))
    x = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    frozen = len(model.trainable_variables)
    base.trainable = True
    for layer in base.layers[:100]:
        layer.trainable = False
    return {"frozen": frozen, "unfrozen": len(model.trainable_variables),
            "unfrozen_size": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
            "count_params": int(model.count_params()), "base_layers": len(base.layers)}


def main():
    tf.config.threading.set_intra_op_parallelism_threads(1)
    refs = {"structure": {}, "values": {}, "transfer": transfer_refs()}
    for key, module, fn, kwargs in CONFIGS:
        refs["structure"][key] = dict(structure(build(module, fn, kwargs)), module=module,
                                      fn=fn, kwargs=kwargs)
    arrays = {}
    preprocess_refs(arrays)
    preds, dec = decode_refs()
    arrays["decode_preds"] = preds
    refs["decode"] = dec
    rng = np.random.default_rng(13)
    for key, module, fn, kwargs, upto, batch in VALUES:
        m = build(module, fn, kwargs)
        fixed_weights(m, rng)
        sub = m if upto is None else keras.Model(m.input, m.get_layer(upto).output)
        path = os.path.join(DATA, f"applications_{key}.h5")
        sub.save_weights(path)
        x = rng.uniform(-1, 1, (batch,) + tuple(kwargs["input_shape"])).astype(np.float32)
        arrays[f"{key}_x"] = x
        arrays[f"{key}_y"] = sub.predict(x, verbose=0)
        refs["values"][key] = dict(module=module, fn=fn, kwargs=kwargs, upto=upto,
                                   file=os.path.basename(path), params=int(sub.count_params()),
                                   bytes=os.path.getsize(path))
        print(key, sub.count_params(), os.path.getsize(path))
    np.savez_compressed(os.path.join(DATA, "applications_refs.npz"), **arrays)
    with open(os.path.join(DATA, "applications_refs.json"), "w") as f:
        json.dump(refs, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
