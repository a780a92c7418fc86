"""``tf.data.experimental.make_csv_dataset``: batches of (features, label) read from CSV files,
as the keras-io structured-data examples feed their dict-of-Inputs models.

Each element is a batch: an OrderedDict column name -> array of ``batch_size`` values (the
last batch may be shorter), and the label column's array when ``label_name`` is given. Column
types come from ``column_defaults`` (an int default: int32, a float: float32, a string:
tf.string, as TensorFlow) or are inferred from the first ``num_rows_for_inference`` rows (int32,
then float32, then string); an empty field takes its column's default (0 or "" for inferred
columns; an error for a column whose default is ``[]``, TensorFlow's "required"). Rows are
shuffled by Dataset.shuffle (``shuffle_buffer_size``) and repeated ``num_epochs`` times (None:
endlessly, as TensorFlow).
"""
import csv
import glob
from collections import OrderedDict

import numpy as np

from .tf_data import Dataset

__all__ = ["make_csv_dataset"]

_WHERE = "make_csv_dataset"


def _files(file_pattern):
    pats = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
    out = []
    for p in pats:
        p = p.decode() if isinstance(p, bytes) else str(p)
        found = sorted(glob.glob(p))
        if not found:
            raise ValueError(f"{_WHERE}: no file matches {p!r}")
        out += found
    return out


def _kind(v):
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{_WHERE}: column_defaults must be numbers or strings, got {v!r}")
    if isinstance(v, (int, np.integer)):
        return np.int32
    if isinstance(v, (float, np.floating)):
        return np.float32
    return object


def _infer(values):
    """int32, float32 or string for a column's sample values (empty fields ignored)."""
    vals = [v for v in values if v != ""]
    for kind, conv in ((np.int32, int), (np.float32, float)):
        try:
            [conv(v) for v in vals]
            return kind
        except ValueError:
            continue
    return object


def _convert(name, kind, raw, default, na_value):
    out = []
    for v in raw:
        if v == "" or v == na_value:
            if default is None:
                raise ValueError(f"{_WHERE}: column {name!r} is required (default []) but has an "
                                 "empty field")
            out.append(default)
        else:
            out.append(v)
    if kind is object:
        a = np.empty(len(out), dtype=object)
        a[:] = [str(v).encode("utf-8") if not isinstance(v, bytes) else v for v in out]
        return a
    try:
        return np.asarray([float(v) for v in out], dtype=np.float64).astype(kind)
    except ValueError as e:
        raise ValueError(f"{_WHERE}: column {name!r}: {e}") from None


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim=",", use_quote_delim=True,
                     na_value="", header=True, num_epochs=None, shuffle=True,
                     shuffle_buffer_size=10000, shuffle_seed=None, prefetch_buffer_size=None,
                     num_parallel_reads=None, sloppy=False, num_rows_for_inference=100,
                     compression_type=None, ignore_errors=False):
    """See the module docstring."""
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"{_WHERE}: batch_size must be >= 1, got {batch_size}")
    rows, names = [], None
    for path in _files(file_pattern):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f, delimiter=field_delim,
                                quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)
            lines = list(reader)
        if header and lines:
            names = names or lines[0]
            lines = lines[1:]
        rows += [r for r in lines if r]
    names = list(column_names) if column_names is not None else names
    if names is None:
        raise ValueError(f"{_WHERE}: give column_names when the files have no header")
    width = len(names)
    bad = [i for i, r in enumerate(rows) if len(r) != width]
    if bad:
        raise ValueError(f"{_WHERE}: row {bad[0] + 1} has {len(rows[bad[0]])} fields, expected "
                         f"{width} (the columns {names})")
    if column_defaults is not None and len(column_defaults) != width:
        raise ValueError(f"{_WHERE}: column_defaults has {len(column_defaults)} entries for "
                         f"{width} columns")
    if label_name is not None and label_name not in names:
        raise ValueError(f"{_WHERE}: label_name {label_name!r} is not a column of {names}")
    cols = list(zip(*rows)) if rows else [() for _ in names]
    data = OrderedDict()
    for i, name in enumerate(names):
        if select_columns is not None and name not in select_columns and name != label_name:
            continue
        if column_defaults is None:  # inferred: an empty field reads as 0 or "", as TensorFlow
            kind = _infer(cols[i][:num_rows_for_inference])
            d = "" if kind is object else 0
        else:
            d = column_defaults[i]
            if isinstance(d, (list, tuple, np.ndarray)):
                d = d[0] if len(d) else None  # [] marks a required column
            kind = _kind(d) if d is not None else _infer(cols[i][:num_rows_for_inference])
        data[name] = _convert(name, kind, cols[i], d, na_value)
    if label_name is not None:
        label = data.pop(label_name)
        ds = Dataset.from_tensor_slices((dict(data), label))
    else:
        ds = Dataset.from_tensor_slices(dict(data))
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    if num_epochs != 1:
        ds = ds.repeat(num_epochs)
    ds = ds.batch(batch_size)
    order = list(data)
    if label_name is not None:
        return ds.map(lambda f, y: (OrderedDict((k, f[k]) for k in order), y))
    return ds.map(lambda f: OrderedDict((k, f[k]) for k in order))
