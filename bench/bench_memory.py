"""Peak memory of one training step: tensorforge vs PyTorch, same model, shapes and batch.

    PYTHONPATH=python python3 bench/bench_memory.py [case ...] [--libs tensorforge,torch]

Each (case, library) runs in a fresh subprocess (ru_maxrss is a process-lifetime peak, and
native buffers escape tracemalloc): build the model and the batch, warm up with one step on
WARM samples (weights, optimizer slots, plans, kernels loaded), read the resident set (``base``),
run one ``train_on_batch`` (PyTorch: zero_grad / forward / loss / backward / step) on the whole
batch, then read ru_maxrss (``peak``). ``step`` = peak - base: what the step itself needed on
top of the model, its optimizer state and the data (activations, saved tensors, gradients,
temporaries). The batches are chosen so that activations dominate. One thread per side.
tools/keras_memory.py measures tf_keras (the oracle venv) on the same Keras models.

The cases (Keras models built with either library's ``keras``; ``tf`` for the few raw ops):
  mlp          784-1024-1024-10 relu MLP, batch 4096
  lenet        Conv 20 5x5 relu, pool, Conv 50 5x5 relu, pool, Dense 500, Dense 10; batch 1024
  resnet       Conv 32 3x3 + BN + relu, then 3 residual blocks (conv-BN-relu-conv-BN-add-relu),
               GAP, Dense 10, 32x32x3 images, batch 128
  lstm         Embedding 10000x128, LSTM 256 (return_sequences), LSTM 256, Dense 1; 200 steps,
               batch 128
  transformer  MultiHeadAttention (4 heads x 32) + residual + LayerNormalization + Dense
               256 relu / Dense 128 + residual + LayerNormalization, 128 tokens x 128, batch 64
  focalnet     the keras-io focal_modulation_network block: PatchEmbed (Conv 4x4/4, LN), one
               FocalModulationBlock (LN, Dense 2d+3, two depthwise gelu convs 3x3 / 5x5, GAP,
               1x1 conv modulator, Dense, Dropout 0.1; MLP 4x gelu), GAP, Dense 10 softmax;
               48x48x3 images, dim 256, batch 128
"""
import json
import os
import resource
import subprocess
import sys

import numpy as np

WARM = 8
CASES = {"mlp": 4096, "lenet": 1024, "resnet": 128, "lstm": 128, "transformer": 64,
         "focalnet": 128}


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the Keras models (tensorforge or tf_keras: ``keras`` and ``tf`` are the library's) ------
def data(case, batch):
    rng = np.random.default_rng(0)
    if case == "mlp":
        x = rng.random((batch, 784), dtype=np.float32)
    elif case == "lenet":
        x = rng.random((batch, 28, 28, 1), dtype=np.float32)
    elif case == "resnet":
        x = rng.random((batch, 32, 32, 3), dtype=np.float32)
    elif case == "lstm":
        x = rng.integers(0, 10000, (batch, 200)).astype(np.int32)
    elif case == "transformer":
        x = rng.standard_normal((batch, 128, 128), dtype=np.float32)
    else:
        x = rng.random((batch, 48, 48, 3), dtype=np.float32)
    y = rng.integers(0, 2 if case == "lstm" else 10, batch)
    return x, y.astype(np.float32 if case == "lstm" else np.int64)


def keras_model(case, tf, keras):
    L = keras.layers
    if case == "mlp":
        m = keras.Sequential([L.Dense(1024, activation="relu", input_shape=(784,)),
                              L.Dense(1024, activation="relu"), L.Dense(10)])
    elif case == "lenet":
        m = keras.Sequential([L.Conv2D(20, 5, activation="relu", input_shape=(28, 28, 1)),
                              L.MaxPooling2D(), L.Conv2D(50, 5, activation="relu"),
                              L.MaxPooling2D(), L.Flatten(), L.Dense(500, activation="relu"),
                              L.Dense(10)])
    elif case == "resnet":
        inp = keras.Input((32, 32, 3))
        x = L.Activation("relu")(L.BatchNormalization()(L.Conv2D(32, 3, padding="same")(inp)))
        for _ in range(3):
            h = L.Activation("relu")(L.BatchNormalization()(L.Conv2D(32, 3, padding="same")(x)))
            h = L.BatchNormalization()(L.Conv2D(32, 3, padding="same")(h))
            x = L.Activation("relu")(L.Add()([x, h]))
        m = keras.Model(inp, L.Dense(10)(L.GlobalAveragePooling2D()(x)))
    elif case == "lstm":
        m = keras.Sequential([L.Embedding(10000, 128, input_length=200),
                              L.LSTM(256, return_sequences=True), L.LSTM(256), L.Dense(1)])
    elif case == "transformer":
        inp = keras.Input((128, 128))
        a = L.MultiHeadAttention(num_heads=4, key_dim=32)(inp, inp)
        x = L.LayerNormalization()(L.Add()([inp, a]))
        f = L.Dense(128)(L.Dense(256, activation="relu")(x))
        x = L.LayerNormalization()(L.Add()([x, f]))
        m = keras.Model(inp, L.Dense(10)(L.GlobalAveragePooling1D()(x)))
    else:
        m = _focalnet(tf, keras)
    if case == "lstm":
        m.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy")
    elif case == "focalnet":
        m.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    else:
        m.compile(optimizer=keras.optimizers.Adam(),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return m


def _focalnet(tf, keras, dim=256):
    """The keras-io example's PatchEmbed + FocalModulationBlock (focal_level 2, window 3, mlp
    ratio 4, drop 0.1), its code condensed, then its head."""
    L = keras.layers
    gelu = keras.activations.gelu

    class Modulation(L.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.initial_proj = L.Dense(2 * dim + 3)
            self.focal = [keras.Sequential([L.ZeroPadding2D(k // 2), L.Conv2D(
                dim, k, activation=gelu, groups=dim, use_bias=False)]) for k in (3, 5)]
            self.gap = L.GlobalAveragePooling2D(keepdims=True)
            self.modulator_proj = L.Conv2D(dim, 1)
            self.proj = L.Dense(dim)
            self.proj_drop = L.Dropout(0.1)

        def call(self, x):
            query, context, gates = tf.split(self.initial_proj(x), [dim, dim, 3], axis=-1)
            context = self.focal[0](context)
            context_all = context * gates[..., 0:1]
            context = self.focal[1](context)
            context_all += context * gates[..., 1:2]
            context_all += gelu(self.gap(context)) * gates[..., 2:]
            x = query * self.modulator_proj(context_all)
            return self.proj_drop(self.proj(x))

    class Block(L.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.embed = L.Conv2D(dim, 4, strides=4)
            self.embed_norm = L.LayerNormalization(epsilon=1e-7)
            self.norm = L.LayerNormalization(epsilon=1e-5)
            self.modulation = Modulation()
            self.mlp = keras.Sequential([L.Dense(4 * dim, activation=gelu), L.Dense(dim),
                                         L.Dropout(0.1)])

        def call(self, x):
            x = self.embed_norm(tf.reshape(self.embed(x), (-1, 144, dim)))
            x = x + tf.reshape(self.modulation(tf.reshape(x, (-1, 12, 12, dim))), (-1, 144, dim))
            return x + self.mlp(self.norm(x))

    inp = keras.Input((48, 48, 3))
    x = L.GlobalAveragePooling1D()(Block()(inp))
    return keras.Model(inp, L.Dense(10, activation="softmax")(x))


def measure_keras(case, tf, keras, batch):
    x, y = data(case, batch)
    m = keras_model(case, tf, keras)
    m.train_on_batch(x[:WARM], y[:WARM])
    base = rss_mb()
    m.train_on_batch(x, y)
    return {"base": base, "peak": peak_mb()}


# ---- the PyTorch models (NCHW for images; same shapes, layers and optimizer) ---------------
def torch_model(case, torch):
    nn = torch.nn
    if case == "mlp":
        return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                             nn.Linear(1024, 10))
    if case == "lenet":
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 500),
                             nn.ReLU(), nn.Linear(500, 10))
    if case == "resnet":
        def cbn():
            return [nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32)]

        class Res(nn.Module):
            def __init__(self):
                super().__init__()
                self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32),
                                          nn.ReLU())
                self.blocks = nn.ModuleList([nn.Sequential(*cbn(), nn.ReLU(), *cbn())
                                             for _ in range(3)])
                self.head = nn.Linear(32, 10)

            def forward(self, x):
                x = self.stem(x)
                for b in self.blocks:
                    x = torch.relu(x + b(x))
                return self.head(x.mean((2, 3)))
        return Res()
    if case == "lstm":
        class Text(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(10000, 128)
                self.l1 = nn.LSTM(128, 256, batch_first=True)
                self.l2 = nn.LSTM(256, 256, batch_first=True)
                self.out = nn.Linear(256, 1)

            def forward(self, x):
                h, _ = self.l1(self.emb(x))
                h, _ = self.l2(h)
                return self.out(h[:, -1])
        return Text()
    if case == "transformer":
        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.att = nn.MultiheadAttention(128, 4, batch_first=True)
                self.n1, self.n2 = nn.LayerNorm(128), nn.LayerNorm(128)
                self.ff = nn.Sequential(nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 128))
                self.out = nn.Linear(128, 10)

            def forward(self, x):
                x = self.n1(x + self.att(x, x, x, need_weights=False)[0])
                x = self.n2(x + self.ff(x))
                return self.out(x.mean(1))
        return Block()
    return _torch_focalnet(torch)


def _torch_focalnet(torch, dim=256):
    nn, F = torch.nn, torch.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Conv2d(3, dim, 4, stride=4)
            self.embed_norm, self.norm = nn.LayerNorm(dim, eps=1e-7), nn.LayerNorm(dim)
            self.initial_proj = nn.Linear(dim, 2 * dim + 3)
            self.focal = nn.ModuleList([nn.Conv2d(dim, dim, k, padding=k // 2, groups=dim,
                                                  bias=False) for k in (3, 5)])
            self.modulator_proj = nn.Conv2d(dim, dim, 1)
            self.proj = nn.Linear(dim, dim)
            self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim),
                                     nn.Dropout(0.1))
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(dim, 10)

        def forward(self, x):  # x: NCHW
            x = self.embed_norm(self.embed(x).flatten(2).transpose(1, 2))  # (B, 144, dim)
            h = self.initial_proj(x).transpose(1, 2).reshape(-1, 2 * dim + 3, 12, 12)
            q, ctx, gates = torch.split(h, [dim, dim, 3], 1)
            ctx = F.gelu(self.focal[0](ctx))
            ctx_all = ctx * gates[:, 0:1]
            ctx = F.gelu(self.focal[1](ctx))
            ctx_all = ctx_all + ctx * gates[:, 1:2]
            ctx_all = ctx_all + F.gelu(ctx.mean((2, 3), keepdim=True)) * gates[:, 2:]
            m = (q * self.modulator_proj(ctx_all)).flatten(2).transpose(1, 2)
            x = x + self.drop(self.proj(m))
            x = x + self.mlp(self.norm(x))
            return self.head(x.mean(1))
    return Block()


def measure_torch(case, batch):
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, y = data(case, batch)
    if x.ndim == 4:
        x = x.transpose(0, 3, 1, 2).copy()
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    if case == "lstm":
        x = x.long()
    m = torch_model(case, torch)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    lossf = torch.nn.BCEWithLogitsLoss() if case == "lstm" else torch.nn.CrossEntropyLoss()

    def step(xb, yb):
        opt.zero_grad()
        out = m(xb)
        loss = lossf(out[:, 0], yb) if case == "lstm" else lossf(out, yb)
        loss.backward()
        opt.step()
        return float(loss)
    step(x[:WARM], y[:WARM])
    base = rss_mb()
    step(x, y)
    return {"base": base, "peak": peak_mb()}


def child(case, lib, batch):
    if lib == "torch":
        return measure_torch(case, batch)
    import tensorforge as tf
    tf.set_num_threads(1)
    tf.utils.set_random_seed(0)
    return measure_keras(case, tf, tf.keras, batch)


def run_case(case, lib, batch, python=sys.executable, script=__file__):
    env = dict(os.environ, OMP_NUM_THREADS="1", TF_NUM_INTEROP_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([python, script, "--child", case, lib, str(batch)], env=env,
                       capture_output=True, text=True)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode or not lines:
        return {"error": (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]}
    return json.loads(lines[-1])


def report(results):
    """A table: case, batch, then base / peak / step MB per library."""
    libs = list(dict.fromkeys(lib for _, _, lib, _ in results))
    head = f"{'case':<12} {'batch':>5} " + " ".join(f"{lib + ' base/peak/step MB':>34}"
                                                       for lib in libs)
    rows, by = [head], {}
    for case, batch, lib, r in results:
        by.setdefault((case, batch), {})[lib] = r
    for (case, batch), rs in by.items():
        cells = []
        for lib in libs:
            r = rs.get(lib, {"error": ["-"]})
            cells.append(f"{str(r['error'][0])[:34]:>34}" if "error" in r else
                         f"{r['base']:>10.0f} {r['peak']:>10.0f} {r['peak'] - r['base']:>10.0f}"
                         .rjust(34))
        rows.append(f"{case:<12} {batch:>5} " + " ".join(cells))
    return "\n".join(rows)


def main(argv):
    libs = ["tensorforge", "torch"]
    if "--libs" in argv:
        i = argv.index("--libs")
        libs = argv[i + 1].split(",")
        argv = argv[:i] + argv[i + 2:]
    cases = argv or list(CASES)
    results = []
    for case in cases:
        for lib in libs:
            results.append((case, CASES[case], lib, run_case(case, lib, CASES[case])))
            print(f"# {case} {lib}: {results[-1][3]}", flush=True)
    print(report(results))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        c, lib_, b = sys.argv[2], sys.argv[3], int(sys.argv[4])
        print(json.dumps(child(c, lib_, b)))
    else:
        main(sys.argv[1:])
