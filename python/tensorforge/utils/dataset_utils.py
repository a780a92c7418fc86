"""Keras 2's dataset builders (keras/utils/timeseries_dataset.py, text_dataset.py): they return
a ``tf.data.Dataset`` (tensorforge/tf_data.py) of batches, as Keras 2 does.

``timeseries_dataset_from_array``: windows of ``sequence_length`` steps ``sampling_rate`` apart,
one every ``sequence_stride`` steps, from ``data[start_index:end_index]``; the target of the
window starting at position p is ``targets[start_index + p]``. With ``shuffle=True`` the start
positions are shuffled by ``np.random.RandomState(seed)``, as Keras 2 does (Keras 2 then also
shuffles windows in a buffer with TensorFlow's generator, which is not reproduced).

``text_dataset_from_directory``: ``directory/<class>/*.txt`` as (text, label) batches, texts as
bytes (``tf.string``); classes in alphanumeric order; ``validation_split`` with ``subset``
"training" / "validation" and a ``seed`` to shuffle the files before the split, as Keras 2.
"""
import os

import numpy as np

from ..tf_data import Dataset


def _index(name, v, what):
    if v is None:
        return None
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{name}: {what} must be an integer, got {v!r}")
    return int(v)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    name = "timeseries_dataset_from_array"
    data = np.asarray(getattr(data, "values", data))
    if data.ndim == 0:
        raise ValueError(f"{name}: data must have a time axis, got a scalar")
    n = len(data)
    start_index = _index(name, start_index, "start_index")
    end_index = _index(name, end_index, "end_index")
    if start_index:
        if start_index < 0 or start_index >= n:
            raise ValueError(f"{name}: start_index must be in [0, {n}) for data of length {n}, "
                             f"got {start_index}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"{name}: end_index must be higher than start_index, got "
                             f"start_index={start_index}, end_index={end_index}")
        if end_index >= n or end_index <= 0:
            raise ValueError(f"{name}: end_index must be in (0, {n}) for data of length {n}, "
                             f"got {end_index}")
    for what, v in (("sequence_length", sequence_length), ("sampling_rate", sampling_rate),
                    ("sequence_stride", sequence_stride)):
        if _index(name, v, what) <= 0:
            raise ValueError(f"{name}: {what} must be higher than 0, got {v}")
        if what != "sequence_length" and v >= n:
            raise ValueError(f"{name}: {what} must be lower than the length of the data "
                             f"({n}), got {v}")
    if batch_size is not None and _index(name, batch_size, "batch_size") <= 0:
        raise ValueError(f"{name}: batch_size must be positive or None, got {batch_size}")
    start_index = start_index or 0
    end_index = n if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(getattr(targets, "values", targets))
        num_seqs = min(num_seqs, len(targets))
    starts = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
    steps = np.arange(sequence_length, dtype=np.int64) * sampling_rate
    window = data[start_index:end_index]
    tgt = None if targets is None else targets[start_index:end_index]

    def element(idx):
        x = window[idx[..., None] + steps] if np.ndim(idx) else window[idx + steps]
        return x if tgt is None else (x, tgt[idx])

    if batch_size is None:
        return Dataset(lambda: (element(s) for s in starts), len(starts))
    bs = int(batch_size)
    nb = -(-len(starts) // bs)
    return Dataset(lambda: (element(starts[i * bs:(i + 1) * bs]) for i in range(nb)), nb)


def _labels_arg(name, labels, label_mode, class_names):
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError(f"{name}: labels must be 'inferred', None or a list, got {labels!r}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f"{name}: label_mode must be 'int', 'categorical', 'binary' or None, "
                         f"got {label_mode!r}")
    if class_names is not None and labels != "inferred":
        raise ValueError(f"{name}: class_names is only used with labels='inferred'")


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False):
    name = "text_dataset_from_directory"
    _labels_arg(name, labels, label_mode, class_names)
    if not os.path.isdir(directory):
        raise ValueError(f"{name}: directory {directory!r} does not exist")
    if validation_split is not None:
        if not 0 < validation_split < 1:
            raise ValueError(f"{name}: validation_split must be between 0 and 1, got "
                             f"{validation_split}")
        if subset not in ("training", "validation"):
            raise ValueError(f"{name}: subset must be 'training' or 'validation' with "
                             f"validation_split, got {subset!r}")
        if shuffle and seed is None:
            raise ValueError(f"{name}: give a seed with validation_split and shuffle=True, so "
                             "that the training and validation subsets do not overlap")
    elif subset is not None:
        raise ValueError(f"{name}: subset needs validation_split")
    if labels == "inferred":
        subdirs = sorted(d for d in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, d)))
        if class_names is not None:
            if sorted(class_names) != sorted(subdirs) and set(class_names) - set(subdirs):
                raise ValueError(f"{name}: class_names {class_names} do not match the "
                                 f"subdirectories {subdirs}")
            subdirs = list(class_names)
        roots = [(os.path.join(directory, d), i) for i, d in enumerate(subdirs)]
    else:
        subdirs, roots = [], [(directory, 0)]
    paths, labs = [], []
    for root, lab in roots:
        for dirpath, _, files in sorted(os.walk(root, followlinks=follow_links)):
            for f in sorted(files):
                if f.lower().endswith(".txt"):
                    paths.append(os.path.join(dirpath, f))
                    labs.append(lab)
    if isinstance(labels, (list, tuple)):
        if len(labels) != len(paths):
            raise ValueError(f"{name}: {len(labels)} labels for {len(paths)} files")
        labs = list(labels)
    print(f"Found {len(paths)} files belonging to {len(subdirs)} classes.")
    labs = np.asarray(labs, np.int32)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        order = np.random.RandomState(seed).permutation(len(paths))
        paths, labs = [paths[i] for i in order], labs[order]
    if validation_split is not None:
        k = int(validation_split * len(paths))
        if subset == "training":
            print(f"Using {len(paths) - k} files for training.")
            paths, labs = paths[:len(paths) - k], labs[:len(paths) - k]
        else:
            print(f"Using {k} files for validation.")
            paths, labs = paths[len(paths) - k:], labs[len(paths) - k:]
    texts = []
    for p in paths:
        with open(p, "rb") as f:
            t = f.read()
        texts.append(t[:max_length] if max_length is not None else t)
    texts = np.array(texts + [b""], dtype=object)[:-1]  # a 1-D object array, even if equal
    if label_mode == "categorical":
        y = np.eye(len(subdirs), dtype=np.float32)[labs]
    elif label_mode == "binary":
        if len(subdirs) != 2:
            raise ValueError(f"{name}: label_mode='binary' needs exactly 2 classes, got "
                             f"{len(subdirs)}")
        y = labs.astype(np.float32)[:, None]
    else:
        y = labs
    ds = Dataset.from_tensor_slices(texts if label_mode is None or labels is None
                                    else (texts, y))
    if shuffle:
        ds = ds.shuffle(buffer_size=batch_size * 8, seed=seed)
    ds = ds.batch(batch_size) if batch_size is not None else ds
    ds.class_names = subdirs
    return ds


# ---- Keras 2's directory indexing (keras/utils/dataset_utils.py), for image_dataset.py ----------

def check_validation_split_arg(name, validation_split, subset, shuffle, seed):
    """Keras 2's argument checks for validation_split / subset ('training', 'validation',
    'both')."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"{name}: validation_split must be between 0 and 1, got "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"{name}: if subset is set, validation_split must be set, and "
                         f"inversely (got validation_split={validation_split!r}, "
                         f"subset={subset!r})")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"{name}: subset must be 'training', 'validation' or 'both', got "
                         f"{subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{name}: give a seed with validation_split and shuffle=True, so "
                         "that the training and validation subsets do not overlap")


def index_directory(name, directory, labels, formats, class_names=None, shuffle=True,
                    seed=None, follow_links=False):
    """(file paths, int32 labels, class names) under ``directory``, as Keras 2: one class per
    subdirectory (alphanumeric order, hidden ones skipped) with labels='inferred', else the
    whole tree; files whose lower-cased name ends with one of ``formats``, walked in sorted
    order; then paths and labels shuffled by ``np.random.RandomState(seed)``. Prints "Found N
    files belonging to K classes."."""
    if not os.path.isdir(directory):
        raise ValueError(f"{name}: directory {directory!r} does not exist")
    if labels != "inferred":
        subdirs = [""]
        class_names = subdirs
    else:
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if not class_names:
            class_names = subdirs
        elif set(class_names) != set(subdirs):
            raise ValueError(f"{name}: class_names {list(class_names)} do not match the "
                             f"subdirectories of {directory!r}: {subdirs}")
    class_indices = {c: i for i, c in enumerate(class_names)}
    paths, labs = [], []
    for sub in subdirs:
        root_dir = os.path.join(directory, sub) if sub else directory
        for root, _, files in sorted(os.walk(root_dir, followlinks=follow_links),
                                     key=lambda w: w[0]):
            for f in sorted(files):
                if f.lower().endswith(formats):
                    paths.append(os.path.join(root, f))
                    labs.append(class_indices[sub] if sub else 0)
    if labels not in ("inferred", None):
        if len(labels) != len(paths):
            raise ValueError(f"{name}: {len(labels)} labels given for the {len(paths)} files "
                             f"in {directory!r}")
        class_names = sorted(set(labels))
        labs = list(labels)
    labs = np.asarray(labs, dtype=np.int32)
    # (Keras 2 prints the classes even without labels: its labels=None check comes too late)
    print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        np.random.RandomState(seed).shuffle(labs)
    return paths, labs, list(class_names)


def training_or_validation_split(samples, labels, validation_split, subset):
    """The training (the first part) or validation (the last ``validation_split``) subset,
    printing "Using N files for training/validation." as Keras 2."""
    if not validation_split:
        return samples, labels
    k = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - k} files for training.")
        return samples[:len(samples) - k], labels[:len(samples) - k]
    print(f"Using {k} files for validation.")
    return samples[len(samples) - k:], labels[len(samples) - k:]


# ---- split_dataset -----------------------------------------------------------------------------
def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Keras 2's ``keras.utils.split_dataset``: (left, right) Datasets of the samples of
    ``dataset`` -- a NumPy array (its rows), a list / tuple of arrays of one length (tuples of
    their rows), or a Dataset (its elements; a batched one, marked by ``_batch_size``, is
    unbatched, split, and each side batched again). ``left_size`` / ``right_size``: an int (a
    count) or a float in (0, 1) (a fraction, rounded); None: the complement of the other.
    shuffle=True shuffles the samples first as Keras 2 does (Python's random with ``seed``, a
    random one when None), so a seed gives Keras 2's split."""
    import random
    kind = type(dataset)
    if not isinstance(dataset, (Dataset, list, tuple, np.ndarray)):
        raise TypeError("split_dataset: The `dataset` argument must be either a "
                        "`tf.data.Dataset` object or a list/tuple of arrays. Received: "
                        f"dataset={dataset!r} of type {kind}")
    if left_size is None and right_size is None:
        raise ValueError("split_dataset: At least one of the `left_size` or `right_size` must "
                         "be specified. Received: left_size=None and right_size=None")
    samples, restore, batch = _samples(dataset)
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(samples)
    left, right = _split_sizes(left_size, right_size, len(samples))
    out = []
    for part in (samples[:left], samples[len(samples) - right:]):
        ds = Dataset.from_tensor_slices(restore(part))
        out.append(ds.batch(batch) if batch else ds)
    return tuple(out)


def _samples(dataset):
    """(list of samples, restore(list) -> the from_tensor_slices argument, batch size)."""
    if isinstance(dataset, np.ndarray):
        return list(dataset), np.array, None
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("split_dataset: `dataset` must be a non-empty list/tuple of arrays")
        arrays = [np.asarray(a) for a in dataset]
        if any(a.ndim == 0 for a in arrays) or len({len(a) for a in arrays}) != 1:
            raise ValueError("split_dataset: the arrays of `dataset` must have the same length, "
                             f"got shapes {[a.shape for a in arrays]}")
        return list(zip(*arrays)), lambda part: tuple(np.array(c) for c in zip(*part)), None
    batch = getattr(dataset, "_batch_size", None)
    samples = list((dataset.unbatch() if batch else dataset).as_numpy_iterator())
    if not samples:
        raise ValueError("split_dataset: the dataset is empty")
    first = samples[0]
    if isinstance(first, dict):
        return samples, lambda part: {k: np.array([s[k] for s in part]) for k in first}, batch
    if isinstance(first, tuple):
        return samples, lambda part: tuple(np.array(c) for c in zip(*part)), batch
    return samples, np.array, batch


def _split_sizes(left_size, right_size, total):
    """Keras 2's _rescale_dataset_split_sizes: the two sizes as counts, checked."""
    for name, v in (("left_size", left_size), ("right_size", right_size)):
        if v is not None and type(v) not in (int, float):
            raise TypeError(f"split_dataset: Invalid `{name}` Type. Expected: int or float or "
                            f"None, Received: type({name})={type(v)}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("split_dataset: Both `left_size` and `right_size` are zero. At least "
                         "one of the split sizes must be non-zero.")
    for name, v in (("left_size", left_size), ("right_size", right_size)):
        if (type(v) is int and (v <= 0 or v >= total)) or (type(v) is float and
                                                           (v <= 0 or v >= 1)):
            raise ValueError(f"split_dataset: `{name}` should be either a positive integer "
                             f"smaller than {total}, or a float within the range `[0, 1]`. "
                             f"Received: {name}={v}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("split_dataset: The sum of `left_size` and `right_size` is greater "
                         "than 1. It must be less than or equal to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"split_dataset: The sum of `left_size` and `right_size` should be "
                         f"smaller than the {total}. Received: left_size + right_size = "
                         f"{left + right} and total_length = {total}")
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(f"split_dataset: With `dataset` of length={total}, `left_size`="
                             f"{left} and `right_size`={right}. Resulting {side} side dataset "
                             "split will be empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)
