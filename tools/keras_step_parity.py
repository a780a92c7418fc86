"""Step-by-step parity of a corpus model on tensorforge and Keras 2 from the same weights.

    PYTHONPATH=python:/work/corpus23/pydeps python3 tools/keras_step_parity.py CASE \
        [--steps N] [--init keras|ours] [--seed 0] [--keras-legacy] [--keras-python PY]
    CASE: iic (Atienza ch. 13's IIC) | lenet (tf2k_ch04_lenet_mnist) | cifar_deep
          (tf2k_ch04_cifar10_cnn_deep without its Dropout)

The check behind an accuracy gap that tools/keras_parity.py finds on a program whose figure is
taken after a few optimizer steps: the program's model built on both sides, one side drawing
the initial weights and the other loading them with set_weights, trained with train_on_batch
on the same fixed batches, then evaluated as the program does. For IIC: the VGG 'F' backbone
(Conv2D he_normal + BatchNormalization + ReLU + MaxPooling2D) and its softmax head under the
program's MI loss, on Siamese batches made here as its data generator makes them (centre crops
and seeded random crop / rotate copies, scikit-image), evaluated by predict on centre-cropped
test digits, argmax and Hungarian matching. Printed: the loss per step on each side, the
largest relative weight difference per variable after the steps, and the evaluation accuracy.
Equal losses mean the forward pass, the loss, the gradients, BatchNormalization's updates and
the optimizer agree; losses that agree at step 1 and then drift apart by a growing factor per
step (float rounding amplified by the first adaptive steps) mean the run is chaotic, and a
gap between single program runs then needs seeds, not a library fix. Optimizers as the
programs write them (tf_keras's Keras 2.11+ classes, which tensorforge's RMSprop follows);
`--keras-legacy` gives cifar_deep optimizers.legacy.RMSprop (epsilon outside the square root)
on both sides.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
VGG_F = [64, "M", 128, "M", 256, "M", 512]


def _idx(name):
    with gzip.open(os.path.join(REPO, "python", "tensorforge", "datasets", "data", name)) as f:
        b = f.read()
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(b[3])]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * b[3]).reshape(dims)


def make_batches(steps, batch, seed):
    """The IIC data generator's Siamese batches (x centre crops, then their augmented copies)
    drawn from the first 8,000 bundled digits (the harness's training set), and the last
    2,000 centre-cropped as the evaluation set."""
    from skimage.transform import resize, rotate
    x = _idx("t10k-images-idx3-ubyte.gz").astype(np.float32)[..., None] / 255
    y = _idx("t10k-labels-idx1-ubyte.gz")
    rng = np.random.RandomState(seed)
    order = rng.permutation(60000) % 8000  # the harness's 60,000: the 8,000 repeated
    out = []
    for s in range(steps):
        imgs = x[order[s * batch:(s + 1) * batch]]
        x1 = imgs[:, 2:26, 2:26]
        x2 = np.zeros_like(x1)
        for i, im in enumerate(imgs):
            if rng.randint(0, 2):
                x2[i] = resize(rotate(im, rng.randint(-20, 20)), (24, 24, 1))
            else:
                d = [8, 10, 12][rng.randint(0, 3)]
                dx = dy = d // 2
                if not rng.randint(0, 2):
                    dx, dy = rng.randint(0, d + 1), rng.randint(0, d + 1)
                x2[i] = resize(im[dy:dy + 28 - d, dx:dx + 28 - d], (24, 24, 1))
        out.append(np.concatenate([x1, x2]).astype(np.float32))
    return np.stack(out), x[8000:, 2:26, 2:26].astype(np.float32), y[8000:]


def hungarian_accuracy(y, yp):
    from scipy.optimize import linear_sum_assignment
    C = np.zeros((10, 10))
    np.add.at(C, (yp, y), 1)
    r, c = linear_sum_assignment(-C)
    return 100.0 * C[r, c].sum() / C.sum()


def build_iic(K, L, batch):
    inputs = L.Input(shape=(24, 24, 1), name="x")
    x = inputs
    for v in VGG_F:
        if v == "M":
            x = L.MaxPooling2D()(x)
        else:
            x = L.Conv2D(v, kernel_size=3, padding="same", kernel_initializer="he_normal")(x)
            x = L.BatchNormalization()(x)
            x = L.Activation("relu")(x)
    x = L.Flatten()(x)
    out = L.Dense(10, activation="softmax", name="z_head0")(x)
    model = K.models.Model(inputs, out)

    B = K.backend

    def mi_loss(y_true, y_pred):  # the program's, verbatim but for self.args
        Z = B.expand_dims(y_pred[0:batch, :], axis=2)
        Zbar = B.expand_dims(y_pred[batch:y_pred.shape[0], :], axis=1)
        P = B.sum(B.batch_dot(Z, Zbar), axis=0)
        P = (P + B.transpose(P)) / 2.0
        P = P / B.sum(P)
        Pi = B.repeat_elements(B.expand_dims(B.sum(P, axis=1), axis=1), rep=10, axis=1)
        Pj = B.repeat_elements(B.expand_dims(B.sum(P, axis=0), axis=0), rep=10, axis=0)
        P = B.clip(P, B.epsilon(), np.finfo(float).max)
        Pi = B.clip(Pi, B.epsilon(), np.finfo(float).max)
        Pj = B.clip(Pj, B.epsilon(), np.finfo(float).max)
        return B.sum(P * (B.log(Pi) + B.log(Pj) - B.log(P)))

    model.compile(optimizer=K.optimizers.Adam(learning_rate=1e-3), loss=mi_loss)
    return model


def lenet_batches(steps, batch, seed):
    """tf2k_ch04_lenet_mnist's data: the harness's first 8,000 digits /255, seeded batches of
    128; the last 2,000 digits to evaluate."""
    x = _idx("t10k-images-idx3-ubyte.gz").astype(np.float32)[..., None] / 255
    y = np.eye(10, dtype=np.float32)[_idx("t10k-labels-idx1-ubyte.gz")]
    order = np.random.RandomState(seed).permutation(8000)[:steps * batch]
    return x[order].reshape(steps, batch, 28, 28, 1), y[order].reshape(steps, batch, 10), \
        x[8000:], _idx("t10k-labels-idx1-ubyte.gz")[8000:]


def build_lenet(K, L, batch):
    m = K.models.Sequential([
        L.Conv2D(20, (5, 5), activation="relu", input_shape=(28, 28, 1)),
        L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
        L.Conv2D(50, (5, 5), activation="relu"),
        L.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
        L.Flatten(), L.Dense(500, activation="relu"), L.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer=K.optimizers.Adam())
    return m


def cifar_batches(steps, batch, seed):
    """Synthetic 32x32x3 images standardized as tf2k_ch04_cifar10_cnn_deep does, the class
    in a per-class mean pattern plus noise; 2,000 more to evaluate."""
    rng = np.random.RandomState(seed)
    pat = rng.randn(10, 32, 32, 3).astype(np.float32)
    lab = rng.randint(0, 10, steps * batch + 2000)
    x = (0.5 * pat[lab] + rng.randn(len(lab), 32, 32, 3)).astype(np.float32)
    x = (x - x.mean()) / (x.std() + 1e-7)
    y = np.eye(10, dtype=np.float32)[lab]
    n = steps * batch
    return x[:n].reshape(steps, batch, 32, 32, 3), y[:n].reshape(steps, batch, 10), x[n:], lab[n:]


def build_cifar_deep(K, L, batch):
    """tf2k_ch04_cifar10_cnn_deep's model without its Dropout layers (their masks are each
    library's own draws), compiled with the program's optimizer='RMSprop'."""
    m = K.models.Sequential([L.InputLayer(input_shape=(32, 32, 3))])
    for i, f in enumerate((32, 32, 64, 64, 128, 128)):
        m.add(L.Conv2D(f, (3, 3), padding="same", activation="relu"))
        m.add(L.BatchNormalization())
        if i % 2:
            m.add(L.MaxPooling2D(pool_size=(2, 2)))
    m.add(L.Flatten())
    m.add(L.Dense(10, activation="softmax"))
    legacy = os.environ.get("KSP_KERAS_LEGACY") == "1" and hasattr(K.optimizers, "legacy")
    m.compile(loss="categorical_crossentropy",
              optimizer=K.optimizers.legacy.RMSprop() if legacy else "RMSprop")
    return m


CASES = {"iic": (build_iic, 512), "lenet": (build_lenet, 128), "cifar_deep": (build_cifar_deep, 64)}


def side(name, args):
    if name == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        import tf_keras as K
        K.utils.set_random_seed(args.seed)
    else:
        sys.path.insert(0, os.path.join(REPO, "python"))
        import tensorforge as K
        K.set_num_threads(1)
        K.utils.set_random_seed(args.seed)
    L = K.layers
    z = np.load(args.data)
    batches, xe, ye = z["batches"], z["x_eval"], z["y_eval"]
    targets = z["targets"] if "targets" in z.files else np.zeros(batches.shape[:2] + (10,), np.float32)
    build, bs = CASES[args.case]
    model = build(K, L, bs)
    if args.init == name:
        np.savez(args.weights, *model.get_weights())
    else:
        w = np.load(args.weights)
        model.set_weights([w[f"arr_{i}"] for i in range(len(w.files))])
    res = {"acc0": hungarian_accuracy(ye, model.predict(xe, verbose=0).argmax(1)), "loss": []}
    for xb, yb in zip(batches, targets):
        res["loss"].append(float(model.train_on_batch(xb, yb)))
    pred = model.predict(xe, verbose=0)
    if args.case == "iic":
        res["acc"] = hungarian_accuracy(ye, pred.argmax(1))
    else:
        res["acc0"] = float("nan")
        res["acc"] = 100.0 * float((pred.argmax(1) == ye).mean())
    res["clusters"] = int(len(np.unique(pred.argmax(1))))
    np.savez(args.out, pred=pred, *model.get_weights())
    res["names"] = [w.name for w in model.weights]
    print(json.dumps(res))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=["keras", "ours"], default="keras")
    ap.add_argument("--keras-legacy", action="store_true",
                    help="cifar_deep: both sides compile optimizers.legacy.RMSprop() "
                         "(Keras 2.0-2.10's update) in place of the string 'RMSprop'")
    ap.add_argument("--keras-python", default=os.path.join(REPO, "..", "keras-venv", "bin", "python"))
    ap.add_argument("--side", choices=["ours", "keras"], help=argparse.SUPPRESS)
    for a in ("--weights", "--data", "--out"):
        ap.add_argument(a, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.side:
        side(args.side, args)
        return 0
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data.npz")
        if args.case == "iic":
            batches, xe, ye = make_batches(args.steps, CASES["iic"][1], args.seed)
            np.savez(data, batches=batches, x_eval=xe, y_eval=ye)
        else:
            make = lenet_batches if args.case == "lenet" else cifar_batches
            batches, targets, xe, ye = make(args.steps, CASES[args.case][1], args.seed)
            np.savez(data, batches=batches, targets=targets, x_eval=xe, y_eval=ye)
        res, outs = {}, {}
        order = ("keras", "ours") if args.init == "keras" else ("ours", "keras")
        for name in order:
            py = args.keras_python if name == "keras" else sys.executable
            outs[name] = os.path.join(d, name + ".npz")
            env = dict(os.environ, OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3",
                       KSP_KERAS_LEGACY="1" if args.keras_legacy else "0")
            cmd = [py, os.path.abspath(__file__), args.case, "--side", name, "--seed",
                   str(args.seed), "--init", args.init, "--weights", os.path.join(d, "w.npz"),
                   "--data", data, "--out", outs[name]]
            p = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if p.returncode:
                sys.stderr.write(p.stderr[-4000:])
                return 1
            res[name] = json.loads(p.stdout.strip().splitlines()[-1])
        a, b = np.load(outs["ours"]), np.load(outs["keras"])
        print(f"{args.case}: {args.steps} train_on_batch steps of {batches.shape[1]} images, "
              f"initial weights drawn by {args.init}, seed {args.seed}")
        print(f"{'step':>5} {'tensorforge':>12} {'Keras 2':>12} {'rel. diff':>10}")
        for i, (u, v) in enumerate(zip(res["ours"]["loss"], res["keras"]["loss"])):
            print(f"{i + 1:5d} {u:12.6f} {v:12.6f} {abs(u - v) / max(abs(v), 1e-12):10.1e}")
        print("weights after the steps, max |ours - keras| / max |keras|:")
        for i, n in enumerate(res["keras"]["names"]):
            u, v = a[f"arr_{i}"], b[f"arr_{i}"]
            print(f"  {n:48s} {np.abs(u - v).max() / max(np.abs(v).max(), 1e-12):9.2e}")
        print(f"eval predictions max |diff|: {np.abs(a['pred'] - b['pred']).max():.3e}")
        for name in ("ours", "keras"):
            r = res[name]
            print(f"{name:6s} accuracy before {r['acc0']:6.2f}%  after {r['acc']:6.2f}%  "
                  f"({r['clusters']} clusters used)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
