"""Expected figures for tests/test_keras14_applications.py from real Keras 2 (tf_keras 2.21's
keras.applications.convnext and .regnet), written to tests/data/keras14_apps_refs.json / .npz and
the small tests/data/keras14_apps_*.h5 weight files. The same recipe as
tools/keras_applications_refs.py (whose structure / fixed_weights helpers it reuses):
  - structure: every layer's name, class and output shape, the model's name, output shape and
    parameter counts, for each configuration in CONFIGS (after clear_session);
  - values: weights drawn here for the layers up to ``upto``, saved with save_weights, and that
    sub-model's inference output on a fixed batch.
Run with /work/keras-venv/bin/python tools/keras14_apps_refs.py (tf_keras is never a test
dependency)."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import keras_applications_refs as base  # noqa: E402
from keras_applications_refs import keras, np  # noqa: E402

DATA = os.path.join(os.path.dirname(HERE), "tests", "data")

# (key, module, function, kwargs): weights=None always. ConvNeXtLarge / XLarge (198M / 350M
# parameters) are left out: too big to build in a test on a shared 2-core machine.
CONFIGS = [
    ("convnext_tiny_avg_32", "convnext", "ConvNeXtTiny",
     dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("convnext_tiny_top_32_c10", "convnext", "ConvNeXtTiny",
     dict(input_shape=(32, 32, 3), classes=10)),
    ("convnext_small_max_noprep_64", "convnext", "ConvNeXtSmall",
     dict(include_top=False, input_shape=(64, 64, 3), pooling="max",
          include_preprocessing=False)),
    ("convnext_base_notop_none", "convnext", "ConvNeXtBase", dict(include_top=False)),
    ("regnetx002_top_32_c10", "regnet", "RegNetX002", dict(input_shape=(32, 32, 3), classes=10)),
    ("regnetx002_default", "regnet", "RegNetX002", dict()),
    ("regnety002_avg_32", "regnet", "RegNetY002",
     dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
] + [(f"regnet{v.lower()}_notop_32", "regnet", f"RegNet{v}",
      dict(include_top=False, input_shape=(32, 32, 3)))
     for v in ("X004", "X006", "X008", "X016", "X032", "X040", "X064", "X080", "X120", "X160",
               "X320", "Y004", "Y006", "Y008", "Y016", "Y032", "Y040", "Y064", "Y080", "Y120",
               "Y160", "Y320")]

# (key, module, function, kwargs, upto layer, batch)
VALUES = [
    ("regnetx002_notop_32", "regnet", "RegNetX002",
     dict(include_top=False, input_shape=(32, 32, 3)), "regnetx002_Stage_1_XBlock_0_exit_relu", 2),
    ("regnety002_notop_32", "regnet", "RegNetY002",
     dict(include_top=False, input_shape=(32, 32, 3)), "regnety002_Stage_0_YBlock_0_exit_relu", 2),
    ("convnext_tiny_notop_32", "convnext", "ConvNeXtTiny",
     dict(include_top=False, input_shape=(32, 32, 3)), "tf.__operators__.add", 2),
]


def fixed_weights(model, rng):
    """keras_applications_refs.fixed_weights, into nested models too (ConvNeXt's stem and
    downsampling blocks are Sequential models), LayerScale's gamma away from its 1e-6 start."""
    plain = []
    for l in model.layers:
        if isinstance(l, keras.Model):
            fixed_weights(l, rng)
        elif type(l).__name__ == "LayerScale":
            l.set_weights([np.asarray(0.5 + 0.5 * rng.random(l.gamma.shape), np.float32)])
        else:
            plain.append(l)

    class _View:  # base.fixed_weights walks .layers only
        layers = plain
    base.fixed_weights(_View, rng)


def main():
    refs = {"structure": {}, "values": {}}
    for key, module, fn, kwargs in CONFIGS:
        m = base.build(module, fn, kwargs)
        refs["structure"][key] = dict(base.structure(m), module=module, fn=fn, kwargs=kwargs)
        print(key, m.count_params(), flush=True)
    arrays = {}
    rng = np.random.default_rng(14)
    for key, module, fn, kwargs, upto, batch in VALUES:
        m = base.build(module, fn, kwargs)
        fixed_weights(m, rng)
        sub = keras.Model(m.input, m.get_layer(upto).output)
        path = os.path.join(DATA, f"keras14_apps_{key}.h5")
        sub.save_weights(path)
        x = rng.uniform(0, 255, (batch,) + tuple(kwargs["input_shape"])).astype(np.float32)
        arrays[f"{key}_x"] = x
        arrays[f"{key}_y"] = sub.predict(x, verbose=0)
        refs["values"][key] = dict(module=module, fn=fn, kwargs=kwargs, upto=upto,
                                   file=os.path.basename(path), params=int(sub.count_params()),
                                   bytes=os.path.getsize(path))
        print(key, sub.count_params(), os.path.getsize(path))
    np.savez_compressed(os.path.join(DATA, "keras14_apps_refs.npz"), **arrays)
    with open(os.path.join(DATA, "keras14_apps_refs.json"), "w") as f:
        json.dump(refs, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
