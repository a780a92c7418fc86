"""cifar10_resnet's ResNet v1 from identical weights, layer by layer, against Keras 2 (tf_keras).

    python3 tools/keras_resnet_identical.py [--n 3] [--steps 5] [--epochs 1] [--seed 0]
                                            [--keras-python ../keras-venv/bin/python]
                                            [--keep DIR]

The check behind the training-accuracy gap of the corpus program cifar10_resnet (keras-team
Keras 2.x examples/cifar10_resnet.py; tools/keras_corpus.md). Its model, built by the program's
own resnet_layer / resnet_v1 (Conv2D 'same' with he_normal and l2(1e-4), BatchNormalization,
Activation, add, AveragePooling2D(8), Flatten, Dense softmax with he_normal; depth 6n+2), runs
on both sides from the same weights (drawn by tensorforge, loaded into tf_keras layer by layer;
the layers get explicit names so the two sides pair up) on the harness's synthetic CIFAR-10
(tools/parity_boot/datasets.py's generator, pixel mean subtracted as the program does). Compared, each
as max |ours - keras| / max |keras| over the array:
  1. the output of every layer for the first batch of 32, in training mode (batch statistics)
     and in inference mode (moving statistics);
  2. the loss: categorical cross-entropy of the batch, the sum of the l2 terms (model.losses)
     and their total;
  3. the gradient of that total with respect to every trainable weight (a GradientTape);
  4. every weight, BatchNormalization's moving mean and variance included, after --steps
     train_on_batch steps of Adam (lr 1e-3, tf_keras's optimizers.legacy.Adam, as the harness
     gives the program) on the first --steps batches, and the loss each step returned;
  5. --epochs epochs of fit(batch_size=32, shuffle=False) from the starting weights on the
     capped program's 1,000 samples, with the program's LearningRateScheduler: the history's
     loss and accuracy, then evaluate on its 300 test samples.
Parts 1-4 are also run by tf_keras in float64 (floatx 'float64', same weights), and each
float32 side's distance from it is printed: where ours and keras differ, this tells rounding
(both sides about as far from float64) from a semantic difference (ours far, keras close).
The gradients of this ReLU network are discontinuous: a BatchNormalization or add output
within ~1e-6 of zero gets its sign from rounding, and a ReLU after it then passes or stops the
gradient there, so both float32 sides differ from float64 (and from each other) by ~1e-3 to
3e-2 in the early layers' gradients; the sign flips are counted per side. Any difference beyond
that names a semantic difference; agreement of all of them means a gap between seeded runs of
the program is seed noise (its initial weights and shuffle order). The script also reports the
initial-weight statistics of each side's own draw (he_normal std and truncation) under the
same seed, since those are the one random part left.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
from resnet_v1 import resnet_v1  # noqa: E402  (the builder tests/test_keras_resnet_parity.py uses)


def cifar_like(n, seed, classes=10, shape=(32, 32, 3)):
    """tools/parity_boot/datasets.py's synthetic CIFAR-10 (_images): class prototypes plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, (n, 1))
    proto = np.random.default_rng(99).integers(0, 256, (classes,) + shape)
    x = (0.5 * proto[y[:, 0]] + 0.5 * rng.integers(0, 256, (n,) + shape)).astype(np.uint8)
    return x, y


def data():
    """The capped program's arrays: 1,000 training and 300 test samples, as it prepares them."""
    (xtr, ytr), (xte, yte) = cifar_like(50000, 5), cifar_like(10000, 6)
    xtr, ytr, xte, yte = xtr[:1000], ytr[:1000], xte[:300], yte[:300]
    xtr = xtr.astype("float32") / 255
    xte = xte.astype("float32") / 255
    mean = np.mean(xtr, axis=0)
    xtr -= mean
    xte -= mean
    eye = np.eye(10, dtype=np.float32)
    return xtr, eye[ytr[:, 0]], xte, eye[yte[:, 0]]


def lr_schedule(epoch):
    lr = 1e-3
    if epoch > 180:
        lr *= 0.5e-3
    elif epoch > 160:
        lr *= 1e-3
    elif epoch > 120:
        lr *= 1e-2
    elif epoch > 80:
        lr *= 1e-1
    return lr


def side(name, args, d):
    """One side's figures, written to d/<name>.npz (arrays) and returned (scalars)."""
    dtype = np.float64 if name == "keras64" else np.float32
    if name.startswith("keras"):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        import tf_keras as K
        if name == "keras64":  # the float64 reference of parts 1-4
            K.backend.set_floatx("float64")
        K.utils.set_random_seed(args.seed)
        opts = K.optimizers.legacy
        tape_cls, to_np = tf.GradientTape, lambda t: np.asarray(t)
    else:
        sys.path.insert(0, os.path.join(REPO, "python"))
        import tensorforge as K
        K.set_num_threads(1)
        K.utils.set_random_seed(args.seed)
        opts = K.optimizers
        tape_cls, to_np = K.GradientTape, lambda t: np.asarray(t.numpy() if hasattr(t, "numpy")
                                                               else t)
    xtr, ytr, xte, yte = (a.astype(dtype) for a in data())
    depth = 6 * args.n + 2
    m, pre_bn = resnet_v1(K, (depth - 2) // 6, xtr.shape[1:], pool=8, num_filters=16)
    layers = [l for l in m.layers if l.get_weights()]
    out, res = {}, {"pre_bn": pre_bn}
    for l in layers:  # the side's own draw under seed 0 (the random part)
        for i, w in enumerate(l.get_weights()):
            out[f"init/{l.name}/{i}"] = w
    if name == "ours":
        w0 = {f"{l.name}/{i}": w for l in layers for i, w in enumerate(l.get_weights())}
        np.savez(os.path.join(d, "w0.npz"), **w0)
    w0 = np.load(os.path.join(d, "w0.npz"))

    def reset():
        for l in layers:
            l.set_weights([w0[f"{l.name}/{i}"].astype(dtype)
                           for i in range(len(l.get_weights()))])

    def compile_():
        m.compile(loss="categorical_crossentropy", optimizer=opts.Adam(learning_rate=1e-3),
                  metrics=["accuracy"])

    reset()
    xb, yb = xtr[:32], ytr[:32]
    # 1. every layer's output, training and inference mode
    probe = K.models.Model(m.inputs, [l.output for l in m.layers[1:]])
    for mode, training in (("train", True), ("infer", False)):
        for l, a in zip(m.layers[1:], probe(xb, training=training)):
            out[f"act_{mode}/{l.name}"] = to_np(a)
        reset()  # (a training-mode call moves BatchNormalization's statistics)
    # 2-3. the loss and its gradients
    tw = [(l.name, i, w) for l in layers for i, w in enumerate(l.trainable_weights)]
    with tape_cls() as tape:
        p = m(xb, training=True)
        ce = K.losses.categorical_crossentropy(yb, p)
        ce = ce.mean() if name == "ours" else tf.reduce_mean(ce)
        reg = m.losses[0]
        for r in m.losses[1:]:
            reg = reg + r
        total = ce + reg
    grads = tape.gradient(total, [w for _, _, w in tw])
    for (ln, i, _), g in zip(tw, grads):
        out[f"grad/{ln}/{i}"] = to_np(g)
    res.update(ce=float(to_np(ce)), reg=float(to_np(reg)), total=float(to_np(total)),
               n_reg=len(m.losses))
    reset()
    # 4. weights after a few train_on_batch steps
    compile_()
    res["step_loss"] = []
    for s in range(args.steps):
        r = m.train_on_batch(xtr[32 * s:32 * (s + 1)], ytr[32 * s:32 * (s + 1)])
        res["step_loss"].append([float(v) for v in r])
    for l in layers:
        for i, w in enumerate(l.get_weights()):
            out[f"steps/{l.name}/{i}"] = w
    if name == "keras64":
        np.savez(os.path.join(d, f"{name}.npz"), **out)
        return res
    # 5. the capped program's epoch(s), no shuffle, from the same start
    reset()
    compile_()
    h = m.fit(xtr, ytr, batch_size=32, epochs=args.epochs, shuffle=False, verbose=0,
              callbacks=[K.callbacks.LearningRateScheduler(lr_schedule)])
    res["fit"] = {k: [float(v) for v in vs] for k, vs in h.history.items()}
    res["evaluate"] = [float(v) for v in m.evaluate(xte, yte, verbose=0)]
    np.savez(os.path.join(d, f"{name}.npz"), **out)
    return res


def rel(a, b):
    """max |a - b| / max |b| (0 when both are all zero)."""
    den = float(np.max(np.abs(b))) if b.size else 0.0
    num = float(np.max(np.abs(a - b))) if b.size else 0.0
    return num / den if den else num


def init_stats(z, prefix):
    """Per conv/dense kernel: std / he_normal's sqrt(2 / fan_in), and max |w| / that std
    (<= 2 / 0.8796 = 2.27 when truncated at two of the drawn normal's deviations)."""
    rows = []
    for k in sorted(k for k in z.files if k.startswith(prefix) and k.endswith("/0")):
        w = z[k]
        if w.ndim < 2:
            continue
        fan_in = int(np.prod(w.shape[:-1]))
        s = math.sqrt(2.0 / fan_in)
        rows.append((k[len(prefix):-2], w.shape, float(w.std()) / s, float(np.abs(w).max()) / s))
    return rows


def report(res, d, tol, seed=0):
    """Prints the comparison; returns the first array that differs beyond tol, or None.

    Note [bias before BatchNormalization]: a conv bias feeding a BatchNormalization cancels in
    the batch mean, so its exact gradient is zero (float64: ~1e-14 of the kernel's) and each
    float32 side gives its own rounding noise (up to 2.5e-4 of the kernel's gradient, tf_keras
    at depth 20). Adam divides that noise by its own root mean square, so such a bias moves by
    up to ~lr per step in a direction set by rounding, and the BatchNormalization's moving
    mean follows it; neither changes a training-mode output. So these arrays are checked on
    their own: their gradient must be zero to rounding (below 1e-3 of the layer's kernel
    gradient) on both sides, and after the steps they (and those moving means) are not
    compared."""
    a, b = np.load(os.path.join(d, "ours.npz")), np.load(os.path.join(d, "keras.npz"))
    pre_bn = res["ours"]["pre_bn"]
    cancelled = {f"{c}/1" for c in pre_bn} | {f"{n}/2" for n in pre_bn.values()}
    first, zero_worst = None, {"ours": 0.0, "keras": 0.0}
    print("1-4. max |ours - keras| / max |keras| per array (see the float64 part below for "
          "what rounding gives)")
    for group in ("act_train", "act_infer", "grad", "steps"):
        keys = [k for k in b.files if k.startswith(group + "/")]
        worst, skipped = (0.0, ""), 0
        for k in keys:
            if a[k].shape != b[k].shape:
                print(f"  {k}: shape {a[k].shape} vs {b[k].shape}")
                first = first or k
                continue
            if k.split("/", 1)[1] in cancelled:  # See Note [bias before BatchNormalization]
                skipped += 1
                if group == "grad":
                    scale = float(np.abs(b[k[:-2] + "/0"]).max())
                    for side_name, z in (("ours", a), ("keras", b)):
                        zero_worst[side_name] = max(zero_worst[side_name],
                                                    float(np.abs(z[k]).max()) / scale)
                continue
            r = rel(a[k], b[k])
            if r > tol and first is None:
                first = k
            worst = max(worst, (r, k))
        print(f"  {group:9s} {len(keys) - skipped:3d} arrays, worst {worst[0]:.1e} ({worst[1]})"
              + (f"; {skipped} BN-cancelled arrays apart" if skipped else ""))
    zero_ok = max(zero_worst.values()) < 1e-3
    print(f"  the {len(pre_bn)} conv biases before a BatchNormalization: largest gradient, "
          f"over the kernel's: ours {zero_worst['ours']:.1e}, keras {zero_worst['keras']:.1e} "
          f"(zero to rounding: {'yes' if zero_ok else 'NO'})")
    if not zero_ok and first is None:
        first = "grad of a conv bias before BatchNormalization"
    ro, rk = res["ours"], res["keras"]
    print("2. loss of the first batch       ours          keras         rel. diff")
    for k in ("ce", "reg", "total"):
        print(f"   {k:28s} {ro[k]:.7f}  {rk[k]:.7f}  {abs(ro[k] - rk[k]) / abs(rk[k]):.1e}")
    print(f"   l2 terms in model.losses: ours {ro['n_reg']}, keras {rk['n_reg']}")
    print("4. train_on_batch [loss, accuracy] per step, ours | keras")
    for s, (x, y) in enumerate(zip(ro["step_loss"], rk["step_loss"])):
        print(f"   step {s + 1}: {x[0]:.6f} {x[1]:.4f} | {y[0]:.6f} {y[1]:.4f}")
    print("5. fit from the same weights (no shuffle), ours | keras")
    for k in ro["fit"]:
        if k in rk["fit"]:
            print(f"   {k:10s} " + "  ".join(f"{x:.6f} | {y:.6f}"
                                             for x, y in zip(ro["fit"][k], rk["fit"][k])))
    print(f"   evaluate [loss, accuracy] {ro['evaluate']} | {rk['evaluate']}")
    print(f"Initial draws under seed {seed} (each side its own): kernel std / sqrt(2/fan_in), "
          "max|w| / sqrt(2/fan_in)")
    for (n1, sh, s1, m1), (_, _, s2, m2) in zip(init_stats(a, "init/"), init_stats(b, "init/")):
        print(f"   {n1:8s} {str(sh):16s} ours {s1:.3f} {m1:.2f}  keras {s2:.3f} {m2:.2f}")
    if os.path.exists(os.path.join(d, "keras64.npz")):
        f64_report(a, b, np.load(os.path.join(d, "keras64.npz")), cancelled, tol)
    print("first array beyond", tol, "(ours vs keras):", first or "none")
    return first


def f64_report(a, b, c, cancelled, tol):
    """Both float32 sides against tf_keras in float64 from the same weights (parts 1-4): the
    arrays where ours and keras differ beyond tol, with each side's distance from float64, and
    the elements of each BatchNormalization / add output whose sign differs from float64's (a
    ReLU after it then passes or stops the gradient there: the gradient of a ReLU network is
    discontinuous, so float32 rounding of a value within ~1e-6 of zero changes it locally)."""
    print("float64 reference (tf_keras, floatx float64, same weights): distance of each side")
    for group in ("act_train", "grad", "steps"):
        keys = [k for k in c.files if k.startswith(group + "/") and
                k.split("/", 1)[1] not in cancelled]
        wo = max((rel(a[k], c[k]), k) for k in keys)
        wk = max((rel(b[k], c[k]), k) for k in keys)
        apart = [k for k in keys if rel(a[k], b[k]) > tol]
        closer = sum(rel(a[k], c[k]) < rel(b[k], c[k]) for k in apart)
        print(f"  {group:9s} worst: ours {wo[0]:.1e} ({wo[1]}), keras {wk[0]:.1e} ({wk[1]}); "
              f"{len(apart)} arrays apart beyond {tol}, ours the closer to float64 in {closer}")
        for k in apart if group == "grad" else ():
            print(f"    {k:22s} ours-keras {rel(a[k], b[k]):.1e}  ours-f64 "
                  f"{rel(a[k], c[k]):.1e}  keras-f64 {rel(b[k], c[k]):.1e}")
    flips = {"ours": 0, "keras": 0}
    where = {"ours": [], "keras": []}
    for k in c.files:
        n = k.split("/", 1)[1] if "/" in k else ""
        if k.startswith("act_train/") and (n.startswith("bn") or n.startswith("add")):
            for side_name, z in (("ours", a), ("keras", b)):
                f = int(((z[k] > 0) != (c[k] > 0)).sum())
                flips[side_name] += f
                if f:
                    where[side_name].append(f"{n} ({f})")
    for side_name in flips:
        print(f"  sign flips against float64 in BatchNormalization / add outputs, {side_name}: "
              f"{flips[side_name]}: {', '.join(where[side_name]) or '-'}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=3, help="blocks per stack (depth 6n+2; 3 = ResNet20)")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0,
                    help="seed of the starting weights (tensorforge's draw, loaded into tf_keras)")
    ap.add_argument("--tol", type=float, default=1e-3,
                    help="relative difference above which an array counts as different")
    ap.add_argument("--keras-python",
                    default=os.path.join(REPO, "..", "keras-venv", "bin", "python"))
    ap.add_argument("--keep", help="write the sides' arrays to this folder (kept)")
    ap.add_argument("--side", choices=["ours", "keras", "keras64"], help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.side:  # the child process of one side
        print(json.dumps(side(args.side, args, args.dir)))
        return 0
    with tempfile.TemporaryDirectory() as d:
        d = args.keep or d
        os.makedirs(d, exist_ok=True)
        res = {}
        for name, py in (("ours", sys.executable), ("keras", args.keras_python),
                         ("keras64", args.keras_python)):
            env = dict(os.environ, OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
            cmd = [py, os.path.abspath(__file__), "--side", name, "--dir", d, "--n", str(args.n),
                   "--steps", str(args.steps), "--epochs", str(args.epochs),
                   "--seed", str(args.seed)]
            p = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if p.returncode:
                sys.stderr.write(p.stderr)
                raise SystemExit(f"{name} side failed")
            res[name] = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"ResNet v1 depth {6 * args.n + 2} (cifar10_resnet's model) from identical weights "
              f"(tensorforge's draw under seed {args.seed})")
        if args.keep:
            with open(os.path.join(d, "results.json"), "w") as f:
                json.dump(res, f)
        report(res, d, args.tol, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
