"""Session 31 (lane gaps31): tf_keras 2.21's behaviour for the figures tests/test_keras_gaps31.py
holds, and the check that tf_keras continues training from tensorforge's saved optimizer state.

    /work/keras-venv/bin/python tools/keras_gaps31_refs.py refs        # oracle figures
    /work/keras-venv/bin/python tools/keras_gaps31_refs.py map_specs   # Dataset.map specs
    /work/keras-venv/bin/python tools/keras_gaps31_refs.py vars tests/data/gaps31_optimizer_vars.npz
    PYTHONPATH=python python3 tools/keras_gaps31_refs.py write DIR      # tensorforge saves
    /work/keras-venv/bin/python tools/keras_gaps31_refs.py check DIR    # tf_keras loads, steps

``write`` trains a small model three steps under each optimizer, saves it as ``.keras`` and
``.h5``, takes one more step and keeps the weights after it. ``check`` loads each file in
tf_keras, takes that step there, and prints how far tf_keras' weights are from tensorforge's
(with the saved optimizer state, and with a fresh optimizer for scale), and any warning tf_keras
logged about the optimizer while loading.
"""
import logging
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from optimizer_state_cases import OPTIMIZERS, STEPS, STEPS_OF, data, model  # noqa: E402


def write(d):
    import tensorforge as k
    x, y = data()
    for name in OPTIMIZERS:
        m = model(k, name, STEPS)
        m.save(os.path.join(d, name + ".keras"))
        m.save(os.path.join(d, name + ".h5"))
        if name == "nadam":  # its state as saved: per trainable weight (m, v)
            st = m.optimizer.get_state(m.trainable_weights)
            np.savez(os.path.join(d, "nadam_state.npz"),
                     **{f"{j}{i}": np.asarray(s[k]) for i, s in enumerate(st)
                        for k, j in enumerate("mv")})
        m.train_on_batch(x, y)
        np.savez(os.path.join(d, name + ".npz"), *m.get_weights())
        print("wrote", name)


class _Log(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def check(d):
    import tf_keras as k
    log = _Log()
    logging.getLogger("tensorflow").addHandler(log)
    logging.getLogger("absl").addHandler(log)
    x, y = data()
    for name in OPTIMIZERS:
        want = np.load(os.path.join(d, name + ".npz"))
        want = [want[f"arr_{i}"] for i in range(len(want.files))]
        for ext in (".keras", ".h5"):
            del log.lines[:]
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                try:
                    m = k.models.load_model(os.path.join(d, name + ext))
                except ValueError as e:
                    print(f"{name + ext:40s} tf_keras refuses it: {str(e)[:90]}")
                    continue
            said = [ln for ln in log.lines + [str(e.message) for e in w]
                    if "ptimizer" in ln and "HDF5" not in ln]
            it = int(m.optimizer.iterations.numpy())
            m.train_on_batch(x, y)
            got = max(float(np.abs(a - b).max()) for a, b in zip(m.get_weights(), want))
            fresh = k.models.load_model(os.path.join(d, name + ext), compile=False)
            fresh.compile(type(m.optimizer).from_config(m.optimizer.get_config()), "mse")
            fresh.train_on_batch(x, y)
            scale = max(float(np.abs(a - b).max()) for a, b in zip(fresh.get_weights(), want))
            print(f"{name + ext:40s} {type(m.optimizer).__module__.split('.')[-2]:>9s}."
                  f"{type(m.optimizer).__name__:8s} iterations {it}  max|tf_keras - tensorforge| "
                  f"{got:.2e}  (fresh optimizer: {scale:.2e})  {said[:1]}")


def nadam_reload(d):
    """tf_keras' own Nadam across a save and load: its running product of the momentum schedule
    is not among the saved variables and restarts (optimizers/nadam.py, _u_product), so the
    step after a load differs from the step without one, in tf_keras' own files too."""
    import tf_keras as k
    x, y = data()
    want = np.load(os.path.join(d, "nadam.npz"))
    want = [want[f"arr_{i}"] for i in range(len(want.files))]
    m = model(k, "nadam", STEPS)
    st = np.load(os.path.join(d, "nadam_state.npz"))
    for ext in (".keras", ".h5"):
        o = k.models.load_model(os.path.join(d, "nadam" + ext)).optimizer
        if not getattr(o, "_built", False):
            print(f"Nadam{ext}: tf_keras' optimizer is not built (no state loaded)")
            continue
        gap = max(max(float(np.abs(a.numpy() - st[f"m{i}"]).max()),
                      float(np.abs(b.numpy() - st[f"v{i}"]).max()))
                  for i, (a, b) in enumerate(zip(o._momentums, o._velocities)))
        print(f"Nadam{ext}: tf_keras' loaded m and v vs tensorforge's state: max gap {gap:.2e}, "
              f"iterations {int(o.iterations.numpy())}")
    path = os.path.join(d, "tf_keras_nadam.keras")
    m.save(path)
    m.train_on_batch(x, y)
    ours_loaded = k.models.load_model(os.path.join(d, "nadam.keras"))
    ours_loaded.train_on_batch(x, y)
    r = k.models.load_model(path)
    r.train_on_batch(x, y)

    def gap(a, b):
        return max(float(np.abs(u - v).max()) for u, v in zip(a.get_weights(), b))
    print(f"Nadam, tf_keras alone: continuing vs tensorforge continuing {gap(m, want):.2e}; "
          f"its own archive reloaded and stepped vs continuing {gap(r, m.get_weights()):.2e}; "
          f"vs tensorforge's archive reloaded in tf_keras and stepped "
          f"{gap(r, ours_loaded.get_weights()):.2e}")


# tf_keras' optimizer variables after training the same model the same way, as its .keras
# archive and its .h5 file hold them: tests/data/gaps31_optimizer_vars.npz
LAYOUT_CASES = ("sgd", "sgd_momentum", "adam_amsgrad", "rmsprop_momentum_centered", "adagrad",
                "nadam", "adamw", "ftrl", "lion", "legacy_nadam",
                "legacy_rmsprop_momentum_centered")


def optimizer_vars(out):
    import io
    import tempfile
    import zipfile

    import h5py
    import tf_keras as k
    arrays = {}
    with tempfile.TemporaryDirectory() as d:
        for name in LAYOUT_CASES:
            m = model(k, name, STEPS_OF.get(name, STEPS))
            m.save(os.path.join(d, "m.keras"))
            with zipfile.ZipFile(os.path.join(d, "m.keras")) as z:
                with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h:
                    g = h.get("optimizer/vars")
                    for i in range(len(g) if g is not None else 0):
                        arrays[f"{name}|keras|{i}"] = np.asarray(g[str(i)])
            m.save(os.path.join(d, "m.h5"))
            with h5py.File(os.path.join(d, "m.h5"), "r") as h:
                names = [n.decode() if isinstance(n, bytes) else n
                         for n in h["optimizer_weights"].attrs["weight_names"]]
                arrays[f"{name}|h5names"] = np.array(names)
                for i, n in enumerate(names):
                    arrays[f"{name}|h5|{i}"] = np.asarray(h["optimizer_weights"][n])
            print(name, "keras:", sum(k_.startswith(name + "|keras|") for k_ in arrays),
                  "variables; h5:", names[:3], "...")
    np.savez_compressed(out, **arrays)


def map_specs():
    """The element_spec of each pipeline of tests/map_spec_cases.py under TensorFlow."""
    import tensorflow as tf
    from map_spec_cases import pipelines
    for name, ds in pipelines(tf).items():
        print(f"    {name!r}: {repr(ds.element_spec)!r},")


def refs():
    import tf_keras as k
    print("== layer arguments (item 3)")
    L = k.layers
    cases = {"Dense('3')": lambda: L.Dense("3"), "Dense('x')": lambda: L.Dense("x"),
             "Dense('3.0')": lambda: L.Dense("3.0"), "Conv2D('8', 3)": lambda: L.Conv2D("8", 3),
             "Conv2D(8.0, 3)": lambda: L.Conv2D(8.0, 3), "Conv1D(8.5, 3)": lambda: L.Conv1D(8.5, 3),
             "Conv2DTranspose(8.0, 3)": lambda: L.Conv2DTranspose(8.0, 3),
             "SeparableConv2D(8.0, 3)": lambda: L.SeparableConv2D(8.0, 3),
             "LSTM('4')": lambda: L.LSTM("4"), "GRU('4')": lambda: L.GRU("4"),
             "Embedding('10', 3)": lambda: L.Embedding("10", 3)}
    for name, f in cases.items():
        try:
            c = f().get_config()
            print(f"{name}: ok", {a: c[a] for a in ("units", "filters") if a in c})
        except Exception as e:  # noqa: BLE001 -- the oracle's answer, whatever it is
            print(f"{name}: {type(e).__name__}: {e}")


if __name__ == "__main__":
    {"refs": refs, "map_specs": map_specs, "vars": lambda: optimizer_vars(sys.argv[2]),
     "write": lambda: write(sys.argv[2]),
     "check": lambda: (check(sys.argv[2]), nadam_reload(sys.argv[2]))}[sys.argv[1]]()
