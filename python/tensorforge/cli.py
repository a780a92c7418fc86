"""The ``tensorforge`` console command.

    tensorforge train {lenet,mlp,cnn,rnn,lstm,gru} [--dataset mnist|fashion-mnist] [--data PATH]
                      [--epochs N] [--batch-size N] [--backend cpu|cuda|numpy] [--threads N]
                      [--seed N] [--save FILE] [--plot FILE] [--distributed]
    tensorforge bench [gemm|conv|pool|rnn|train|all|distributed] [--backend ...] [--against numpy,torch] [--threads N]
    tensorforge info
    tensorforge export MODEL_FILE OUT.onnx [--opset N]

`train` builds a model from the zoo (tensorforge.zoo) (the Keras-2 programs of the library issue's acceptance
section), trains it with the Keras progress bar, then prints test loss and accuracy, the confusion
matrix and the training throughput in images/s. Expected failures (a bad path, corrupt data, a
missing GPU or matplotlib, an unknown model) print one line on stderr and exit non-zero; set
TENSORFORGE_DEBUG=1 to see the traceback of an unexpected error.
"""
import argparse
import os
import sys
import time

# The model zoo lives in tensorforge.zoo; its names stay importable from here.
from .zoo import BATCH_SIZE, MODELS, build_model, input_layout, prepare  # noqa: F401

DATASETS = ("mnist", "fashion-mnist")
EXIT_ERROR, EXIT_USAGE = 1, 2


class CLIError(Exception):
    """An expected failure: reported as one line on stderr, exit status 1."""


def load_dataset(name, path):
    from tensorforge.datasets import fashion_mnist, mnist
    loader = mnist if name == "mnist" else fashion_mnist
    return loader.load_data(path)


# ---- output helpers -----------------------------------------------------------------------------

def confusion_matrix(y_true, y_pred, num_classes=10):
    """(num_classes, num_classes) int64 counts; rows are true labels, columns predictions."""
    import numpy as np
    idx = y_true.astype(np.int64) * num_classes + y_pred.astype(np.int64)
    return np.bincount(idx, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def format_confusion(cm):
    n = cm.shape[0]
    w = max(4, len(str(int(cm.max()))) + 1)
    lines = ["confusion matrix (rows: true label, columns: predicted):",
             " " * 6 + "".join(f"{j:>{w}}" for j in range(n))]
    for i in range(n):
        lines.append(f"  {i:>2}  " + "".join(f"{int(v):>{w}}" for v in cm[i]))
    return "\n".join(lines)


def history_key(hist, *names):
    for k in names:
        if k in hist:
            return hist[k]
    return None


def write_plot(path, history, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    loss = history_key(history, "loss")
    acc = history_key(history, "accuracy", "acc")
    epochs = range(1, len(loss) + 1)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5))
    a1.plot(epochs, loss, "o-", label="train")
    val = history_key(history, "val_loss")
    if val:
        a1.plot(epochs, val, "o-", label="validation")
    a1.set_xlabel("epoch"); a1.set_ylabel("loss"); a1.legend()
    if acc is not None:
        a2.plot(epochs, acc, "o-", label="train")
    val = history_key(history, "val_accuracy", "val_acc")
    if val:
        a2.plot(epochs, val, "o-", label="validation")
    a2.set_xlabel("epoch"); a2.set_ylabel("accuracy"); a2.legend()
    from matplotlib.ticker import MaxNLocator
    for ax in (a1, a2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ---- commands -----------------------------------------------------------------------------------

def cmd_train(args):
    import numpy as np

    if args.epochs < 1:
        raise CLIError(f"--epochs must be >= 1, got {args.epochs}")
    if args.batch_size is not None and args.batch_size < 1:
        raise CLIError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.limit is not None and args.limit < 1:
        raise CLIError(f"--limit must be >= 1, got {args.limit}")
    if args.threads is not None and args.threads < 1:
        raise CLIError(f"--threads must be >= 1, got {args.threads}")
    if args.plot:  # fail before training, not after
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CLIError("--plot needs matplotlib, which is not installed: "
                           "pip install 'tensorforge[plot]' (or pip install matplotlib)") from None
    for opt, path in (("--save", args.save), ("--plot", args.plot)):
        if path:
            d = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(d):
                raise CLIError(f"{opt}: directory {d} does not exist")

    import tensorforge as tf
    dist = False
    try:
        tf.set_backend(args.backend)
        if args.distributed:  # under mpiexec: the global batch split over the ranks, rank 0 prints
            from tensorforge.distributed import cli as dist_cli
            dist = dist_cli.setup(args.threads)
        elif args.threads is not None:
            tf.set_num_threads(args.threads)
    except (RuntimeError, ValueError, ImportError) as e:
        raise CLIError(str(e)) from None
    (x_train, y_train), (x_test, y_test) = load_dataset(args.dataset, args.data)
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
        x_test, y_test = x_test[:args.limit], y_test[:args.limit]
    if len(x_train) == 0 or len(x_test) == 0:
        raise CLIError(f"{args.dataset}: empty training or test set")

    try:
        from tensorforge.utils import set_random_seed, to_categorical
    except ImportError as e:
        raise CLIError(f"the tensorforge library layer is unavailable ({e})") from None
    if args.seed is not None:
        set_random_seed(args.seed)

    layout = input_layout(args.model)
    xtr, xte = prepare(x_train, layout), prepare(x_test, layout)
    ytr = to_categorical(y_train, 10)
    yte = to_categorical(y_test, 10)
    batch = args.batch_size or BATCH_SIZE[args.model]

    model = build_model(args.model)
    info = tf.backend_info(print_it=False)
    print(f"tensorforge train {args.model}: {args.dataset} {len(xtr)} train / {len(xte)} test images, "
          f"{args.epochs} epoch(s), batch {batch}, backend {tf.get_backend()} "
          f"(isa {info.get('isa', '?')}), {tf.get_num_threads()} thread(s)", flush=True)

    t0 = time.perf_counter()
    hist = model.fit(xtr, ytr, batch_size=batch, epochs=args.epochs, verbose=args.verbose, shuffle=True,
                     distributed=dist)
    train_s = time.perf_counter() - t0
    images = len(xtr) * args.epochs  # with --distributed: the whole job's images

    res = model.evaluate(xte, yte, batch_size=max(batch, 256), verbose=0, distributed=dist)
    loss, acc = (res[0], res[1]) if isinstance(res, (list, tuple)) else (res, float("nan"))
    probs = np.asarray(model.predict(xte, batch_size=max(batch, 256), verbose=0))
    y_pred = probs.argmax(axis=-1)
    cm = confusion_matrix(y_test, y_pred)

    print(f"test loss: {float(loss):.4f} - test accuracy: {100.0 * float(acc):.2f}% "
          f"({int(np.trace(cm))}/{len(y_test)})")
    print(format_confusion(cm))
    procs = dist_cli.describe() if dist else f"{tf.get_num_threads()} thread(s)"
    print(f"training throughput: {images / train_s:,.0f} images/s "
          f"({images} images in {train_s:.1f} s, {procs}, backend {tf.get_backend()})")
    if args.save and (not dist or dist_cli.is_root()):
        model.save(args.save)
        print(f"saved model to {args.save}")
    if args.plot and (not dist or dist_cli.is_root()):
        write_plot(args.plot, getattr(hist, "history", {}), f"tensorforge {args.model} on {args.dataset}")
        print(f"saved training curves to {args.plot}")
    return 0


def cmd_info(args):
    import tensorforge as tf
    tf.backend_info(print_it=True)
    return 0


# ---- argument parsing ---------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage dump) and exit status 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def cmd_export(args):
    """Load a saved model (ours, or a Keras 2 .h5) and write it as ONNX (tensorforge.onnx)."""
    from tensorforge import models
    try:
        from tensorforge import onnx as tf_onnx
        model = models.load_model(args.model, compile=False)
        tf_onnx.export(model, args.out, opset=args.opset)
    except ImportError as e:
        raise CLIError(str(e)) from None
    print(f"wrote {args.out} (opset {args.opset}, {model.count_params():,} parameters)")
    return 0


def build_parser():
    p = _Parser(prog="tensorforge", description="tensorforge: train the model zoo, benchmark, inspect")
    sub = p.add_subparsers(dest="command", metavar="{train,bench,info,export}", parser_class=_Parser)
    t = sub.add_parser("train", help="train a zoo model on MNIST / Fashion-MNIST",
                       description="Train a Keras-2-style zoo model, then print test loss, accuracy, "
                                   "the confusion matrix and training images/s.")
    t.add_argument("model", choices=MODELS, help="which model: " + ", ".join(MODELS))
    t.add_argument("--dataset", choices=DATASETS, default="mnist",
                   help="mnist (default: the bundled digits unless files are found) or fashion-mnist")
    t.add_argument("--data", metavar="PATH", default=None,
                   help="directory with the four IDX .gz files or mnist.npz (or an .npz file)")
    t.add_argument("--epochs", type=int, default=2, help="default 2")
    t.add_argument("--batch-size", type=int, default=None,
                   help="default: 32 for lenet, 128 for the others")
    t.add_argument("--backend", choices=("cpu", "cuda", "numpy"), default="cpu")
    t.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--save", metavar="FILE", default=None, help="write the trained model to FILE")
    t.add_argument("--plot", metavar="FILE", default=None,
                   help="write a PNG of the loss/accuracy curves (needs matplotlib)")
    t.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help=argparse.SUPPRESS)
    t.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)  # tests: first N images
    t.add_argument("--distributed", action="store_true",
                   help="data-parallel over the ranks of `mpiexec -n N tensorforge train ...` "
                        "(needs tensorforge[mpi]); --batch-size is the global batch")
    sub.add_parser("bench", help="benchmarks: tensorforge bench [gemm|conv|pool|rnn|train|all|distributed] ...",
                   add_help=False)
    sub.add_parser("info", help="print the backend: ISA path, threads, CUDA, versions")
    e = sub.add_parser("export", help="write a saved model (.h5, or ours) as an ONNX file")
    e.add_argument("model", metavar="MODEL_FILE")
    e.add_argument("out", metavar="OUT.onnx")
    e.add_argument("--opset", type=int, default=17)
    return p


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "bench":
        # The bench framework parses its own options and re-executes itself as
        # `python -m tensorforge.bench ...` with OPENBLAS_CORETYPE unset.
        from tensorforge.bench.__main__ import main as bench_main
        return bench_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    rc = _run(args)
    if getattr(args, "distributed", False) and rc not in (0, None):
        from tensorforge.distributed import cli as dist_cli
        return dist_cli.fail(rc)  # one rank's error ends every rank (no hang in a collective)
    return rc


def _run(args):
    try:
        return {"train": cmd_train, "info": cmd_info, "export": cmd_export}[args.command](args)
    except CLIError as e:
        print(f"tensorforge {args.command}: error: {e}", file=sys.stderr)
    except (FileNotFoundError, ValueError, OSError) as e:
        print(f"tensorforge {args.command}: error: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"tensorforge {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug, not a user error: still one line unless debugging
        if os.environ.get("TENSORFORGE_DEBUG"):
            raise
        print(f"tensorforge {args.command}: internal error: {type(e).__name__}: {e} "
              f"(set TENSORFORGE_DEBUG=1 for the traceback)", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
