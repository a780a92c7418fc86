"""Keras utils: to_categorical, set_random_seed, plot_model (text, or a PNG via matplotlib)."""
import numpy as np

from . import _random

__all__ = ["to_categorical", "set_random_seed", "plot_model", "normalize", "np_utils"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """Integer class vector -> one-hot matrix (Keras: a trailing axis of size 1 is dropped)."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("to_categorical: y must hold integer class indices")
    y = y.astype(np.int64)
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: class indices must be >= 0, got {y.min()}")
    n = int(num_classes) if num_classes is not None else (int(y.max()) + 1 if y.size else 0)
    if y.size and y.max() >= n:
        raise ValueError(f"to_categorical: class index {y.max()} out of range for num_classes={n}")
    out = np.zeros((y.size, n), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (n,))


def normalize(x, axis=-1, order=2):
    x = np.asarray(x, dtype=np.float32)
    n = np.atleast_1d(np.linalg.norm(x, order, axis))
    n[n == 0] = 1
    return x / np.expand_dims(n, axis)


def set_random_seed(seed):
    """Seed weight initialization, fit() shuffling and dropout (tensorforge's random state,
    NumPy's global RNG and Python's): the same seed gives bit-identical weights after training
    on the cpu backend."""
    seed = int(seed)
    _random.set_seed(seed)
    np.random.seed(seed % (2 ** 32))
    import random
    random.seed(seed)


def _layer_lines(model):
    from .models import _shape_str
    lines = []
    in_shape = model.input_shape
    for layer in model.layers:
        out = layer.output_shape
        lines.append((f"{layer.name}: {type(layer).__name__}",
                      _shape_str(layer.input_shape if layer.input_shape_ is not None else in_shape),
                      _shape_str(out) if not isinstance(out, list) else str(out)))
    return lines


def plot_model(model, to_file="model.png", show_shapes=False, show_layer_names=True, dpi=96,
               **kwargs):
    """Draw the layer stack. A '.txt' file (or no matplotlib) gets a text diagram; other
    extensions are drawn as a PNG with matplotlib when it is installed (no graphviz needed).
    Returns the text diagram."""
    if not model.built:
        raise ValueError("plot_model: the model has not been built yet")
    lines = _layer_lines(model)
    text_rows = []
    for name, ishape, oshape in lines:
        label = name if show_layer_names else name.split(": ")[1]
        text_rows.append(f"{label}  in: {ishape}  out: {oshape}" if show_shapes else label)
    text = "\n    |\n    v\n".join(text_rows) + "\n"
    if to_file is None:
        return text
    if str(to_file).endswith(".txt"):
        with open(to_file, "w") as f:
            f.write(text)
        return text
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot_model: drawing a PNG needs matplotlib (pip install matplotlib, or "
                          "tensorforge[plot]); pass to_file='model.txt' for a text diagram") from None
    n = len(text_rows)
    fig, ax = plt.subplots(figsize=(6, 0.9 * n + 0.5), dpi=dpi)
    ax.axis("off")
    for i, row in enumerate(text_rows):
        yy = 1 - (i + 0.5) / n
        ax.text(0.5, yy, row, ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round", fc="#e8eef7", ec="#335"))
        if i < n - 1:
            ax.annotate("", xy=(0.5, 1 - (i + 1.25) / n), xytext=(0.5, yy - 0.25 / n),
                        arrowprops=dict(arrowstyle="->"))
    fig.savefig(to_file, bbox_inches="tight")
    plt.close(fig)
    return text


class _NpUtils:
    """Keras 2.0's ``keras.utils.np_utils`` spelling: ``np_utils.to_categorical(...)``."""
    to_categorical = staticmethod(to_categorical)
    normalize = staticmethod(normalize)


np_utils = _NpUtils()
