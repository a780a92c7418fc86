"""Generate tests/data/optimizer_refs.npz: parameter trajectories of tf_keras's legacy (Keras 2)
optimizers and of its default (Keras 2.11+) classes ('new:' cases), the oracle for
tests/test_optimizers.py::test_matches_keras_legacy_trajectory.

    /work/keras-venv/bin/python tools/gen_optimizer_refs.py     # tensorflow-cpu + tf_keras

Each case starts from the same float32 parameters (a (3, 4) matrix and a (5,) vector) and takes
STEPS steps; the gradient of each step is g = 2*w*(p - target) + c_step, computed in float32 from
the current parameters (so a wrong step shows up in every later one). The npz holds, per case,
'<case>/p<i>' of shape (STEPS + 1, ...) (the start, then after each step), and 'cases' (JSON: the
optimizer class, its keyword arguments and an optional learning-rate schedule).
"""
import json
import os
import sys

import numpy as np

STEPS = 6
CASES = {
    "sgd": ("SGD", {"learning_rate": 0.1}, None),
    "sgd_momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}, None),
    "sgd_nesterov_decay": ("SGD", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True,
                                   "decay": 0.1}, None),
    "sgd_lr_alias_clipnorm": ("SGD", {"lr": 0.1, "clipnorm": 0.5}, None),
    "sgd_clipvalue": ("SGD", {"learning_rate": 0.1, "clipvalue": 0.3}, None),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01, "rho": 0.8}, None),
    "rmsprop_decay": ("RMSprop", {"learning_rate": 0.01, "decay": 0.5}, None),
    "rmsprop_momentum": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.8}, None),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "centered": True}, None),
    "rmsprop_centered_momentum": ("RMSprop", {"learning_rate": 0.01, "centered": True,
                                              "momentum": 0.5, "rho": 0.8}, None),
    "adam": ("Adam", {"learning_rate": 0.01}, None),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.9,
                              "amsgrad": True}, None),
    "adam_decay": ("Adam", {"learning_rate": 0.01, "decay": 0.3}, None),
    "adagrad": ("Adagrad", {"learning_rate": 0.05}, None),
    "adadelta": ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}, None),
    "adadelta_default": ("Adadelta", {}, None),
    "adamax": ("Adamax", {"learning_rate": 0.02}, None),
    "adamax_decay": ("Adamax", {"learning_rate": 0.02, "beta_1": 0.7, "decay": 0.2}, None),
    "nadam": ("Nadam", {"learning_rate": 0.01}, None),
    "nadam_betas": ("Nadam", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.95,
                              "schedule_decay": 0.1}, None),
    # tf.keras >= 2.11 (non-legacy) decoupled weight decay: 'new:' classes are
    # keras.optimizers.<name>, the update formulas of Adam / SGD are the legacy ones
    "adamw": ("new:AdamW", {"learning_rate": 0.02, "weight_decay": 0.1}, None),
    "adamw_amsgrad": ("new:AdamW", {"learning_rate": 0.02, "amsgrad": True}, None),
    "sgd_weight_decay": ("new:SGD", {"learning_rate": 0.1, "momentum": 0.5,
                                     "weight_decay": 0.05}, None),
    # tf_keras 2.21's default classes (what keras.optimizers.X and compile('x') build), against
    # tensorforge.optimizers.X; the unprefixed cases are against tensorforge.optimizers.legacy.X.
    # RMSprop (eps inside the root without momentum) and Nadam (mu_t = b1*(1-0.5*0.96^t)) differ
    # from the legacy classes (Note [RMSprop epsilon]); the others take the legacy steps.
    "rmsprop_new": ("new:RMSprop", {"learning_rate": 0.01, "rho": 0.8}, None),
    "rmsprop_new_centered": ("new:RMSprop", {"learning_rate": 0.01, "centered": True}, None),
    "rmsprop_new_momentum": ("new:RMSprop", {"learning_rate": 0.01, "momentum": 0.8}, None),
    "nadam_new": ("new:Nadam", {"learning_rate": 0.01}, None),
    "adam_new": ("new:Adam", {"learning_rate": 0.01}, None),
    "adam_new_amsgrad": ("new:Adam", {"learning_rate": 0.02, "amsgrad": True}, None),
    "adagrad_new": ("new:Adagrad", {"learning_rate": 0.05}, None),
    "adadelta_new": ("new:Adadelta", {"learning_rate": 1.0}, None),
    "adamax_new": ("new:Adamax", {"learning_rate": 0.02}, None),
    "sgd_new_nesterov": ("new:SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
                         None),
    "sgd_exponential": ("SGD", {}, ("ExponentialDecay", {"initial_learning_rate": 0.1,
                                                         "decay_steps": 2, "decay_rate": 0.5})),
    "adam_exponential_staircase": ("Adam", {}, ("ExponentialDecay", {
        "initial_learning_rate": 0.05, "decay_steps": 2, "decay_rate": 0.5, "staircase": True})),
    "sgd_piecewise": ("SGD", {"momentum": 0.5}, ("PiecewiseConstantDecay", {
        "boundaries": [1, 3], "values": [0.1, 0.05, 0.01]})),
    "rmsprop_inverse_time": ("RMSprop", {}, ("InverseTimeDecay", {
        "initial_learning_rate": 0.02, "decay_steps": 2, "decay_rate": 0.5})),
    "sgd_inverse_time_staircase_decay": ("SGD", {"decay": 0.1}, ("InverseTimeDecay", {
        "initial_learning_rate": 0.2, "decay_steps": 2, "decay_rate": 1.0, "staircase": True})),
}


# Schedules checked by value at steps 0..SCHED_STEPS-1 ('sched/<name>' in the npz).
SCHED_STEPS = 12
SCHEDULES = {
    "exponential": ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3,
                                         "decay_rate": 0.7}),
    "exponential_staircase": ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3,
                                                   "decay_rate": 0.7, "staircase": True}),
    "inverse_time": ("InverseTimeDecay", {"initial_learning_rate": 0.5, "decay_steps": 2,
                                          "decay_rate": 0.3}),
    "piecewise": ("PiecewiseConstantDecay", {"boundaries": [2, 5, 9], "values": [1.0, 0.5, 0.2, 0.1]}),
    "polynomial": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7,
                                       "end_learning_rate": 0.01, "power": 2.0}),
    "polynomial_cycle": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 4,
                                             "power": 1.0, "cycle": True}),
    "cosine": ("CosineDecay", {"initial_learning_rate": 0.2, "decay_steps": 8, "alpha": 0.1}),
}


def problem():
    r = np.random.default_rng(12)
    shapes = [(3, 4), (5,)]
    p0 = [r.standard_normal(s).astype(np.float32) for s in shapes]
    target = [r.standard_normal(s).astype(np.float32) for s in shapes]
    w = [r.uniform(0.2, 2.0, s).astype(np.float32) for s in shapes]
    c = [[(0.3 * r.standard_normal(s)).astype(np.float32) for s in shapes] for _ in range(STEPS)]
    return p0, target, w, c


def grads(ps, step, target, w, c):
    """The same float32 formula the test uses."""
    return [(np.float32(2) * wi * (pi - ti) + ci).astype(np.float32)
            for pi, ti, wi, ci in zip(ps, target, w, c[step])]


def main(out):
    import warnings
    warnings.filterwarnings("ignore")
    import tensorflow as tf
    import tf_keras as keras
    p0, target, w, c = problem()
    arrays = {"p0_0": p0[0], "p0_1": p0[1]}
    for name, (cls, kw, sched) in CASES.items():
        kw = dict(kw)
        if sched is not None:
            kw["learning_rate"] = getattr(keras.optimizers.schedules, sched[0])(**sched[1])
        if cls.startswith("new:"):
            opt = getattr(keras.optimizers, cls[4:])(**kw)
        else:
            opt = getattr(keras.optimizers.legacy, cls)(**kw)
        vs = [tf.Variable(p.copy()) for p in p0]
        traj = [[p.copy()] for p in p0]
        for step in range(STEPS):
            gs = grads([v.numpy() for v in vs], step, target, w, c)
            opt.apply_gradients([(tf.constant(g), v) for g, v in zip(gs, vs)])
            for t, v in zip(traj, vs):
                t.append(v.numpy().copy())
        for i, t in enumerate(traj):
            arrays[f"{name}/p{i}"] = np.stack(t)
    for name, (cls, kw) in SCHEDULES.items():
        sched = getattr(keras.optimizers.schedules, cls)(**kw)
        arrays[f"sched/{name}"] = np.array([float(sched(s)) for s in range(SCHED_STEPS)])
    arrays["schedules"] = np.frombuffer(json.dumps(SCHEDULES).encode(), dtype=np.uint8)
    arrays["cases"] = np.frombuffer(json.dumps(CASES).encode(), dtype=np.uint8)
    np.savez_compressed(out, **arrays)
    print(f"wrote {out}: {len(CASES)} cases x {STEPS} steps")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests", "data",
                                                            "optimizer_refs.npz"))
