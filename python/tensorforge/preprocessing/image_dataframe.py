"""``ImageDataGenerator.flow_from_dataframe`` (Keras 2.2.4+, tf_keras): batches of images named in
a pandas DataFrame column, with labels from other columns.

``x_col`` holds file names (joined to ``directory`` when given); ``class_mode`` says what the
labels are: 'categorical' (one-hot of string labels, or of lists of them: multi-label),
'binary' / 'sparse' (the class index of a string label), 'raw' (the ``y_col`` column(s) as they
are), 'multi_output' (one array per column of the list ``y_col``), 'input' (the images), None
(no labels). Classes are the sorted distinct labels unless ``classes`` is given (rows whose
labels are not among them are dropped). With ``validate_filenames`` rows naming no image file
(missing, or not png / jpg / jpeg / bmp / ppm / tif / tiff) are dropped with a warning. A subset
takes the frame's first (validation) or remaining rows by the generator's validation_split, as
tf_keras does; ``weight_col`` gives each batch a third element, the sample weights.
"""
import os
import warnings

import numpy as np

from ..utils.image_utils import _IMAGE_EXTS
from .image_iterators import Iterator, _FromFiles

_CLASS_MODES = ("binary", "categorical", "input", "multi_output", "raw", "sparse", None)
_NO_CLASSES = ("input", "multi_output", "raw", None)
_OP = "ImageDataGenerator.flow_from_dataframe"


def _check(df, x_col, y_col, weight_col, classes, class_mode):
    if class_mode not in _CLASS_MODES:
        raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: "
                         f"{set(_CLASS_MODES)}")
    if class_mode == "multi_output" and not isinstance(y_col, list):
        raise TypeError(f'If class_mode="{class_mode}", y_col must be a list. Received '
                        f"{type(y_col).__name__}.")
    if not all(isinstance(v, str) for v in df[x_col]):
        raise TypeError(f"All values in column x_col={x_col} must be strings.")
    if class_mode in ("binary", "sparse") and not all(isinstance(v, str) for v in df[y_col]):
        raise TypeError(f'If class_mode="{class_mode}", y_col="{y_col}" column values must be '
                        "strings.")
    if class_mode == "binary":
        n = len(set(classes)) if classes else df[y_col].nunique()
        if n != 2:
            raise ValueError('If class_mode="binary" there must be 2 classes. ' +
                             (f"{n} class/es were given." if classes else f"Found {n} classes."))
    if class_mode == "categorical" and not all(isinstance(v, (str, list, tuple))
                                               for v in df[y_col]):
        raise TypeError(f'If class_mode="{class_mode}", y_col="{y_col}" column values must be '
                        "type string, list or tuple.")
    if classes and class_mode in _NO_CLASSES:
        warnings.warn(f'`classes` will be ignored given the class_mode="{class_mode}"')
    if weight_col and not np.issubdtype(df[weight_col].dtype, np.number):
        raise TypeError(f"Column weight_col={weight_col} must be numeric.")


def _keep_classes(df, y_col, classes):
    """(the rows whose labels are among ``classes``, those labels only; the classes list)"""
    if not classes:
        found = set()
        for v in df[y_col]:
            found.update(v if isinstance(v, (list, tuple)) else [v])
        return df, sorted(found)
    classes = list(dict.fromkeys(classes))
    wanted = set(classes)

    def keep(v):
        if isinstance(v, (list, tuple)):
            return [c for c in v if c in wanted] or None
        if isinstance(v, str):
            return v if v in wanted else None
        raise TypeError(f"Expect string, list or tuple but found {type(v)} in {y_col} column ")
    df = df.copy()
    df[y_col] = df[y_col].apply(keep)
    return df.dropna(subset=[y_col]), classes


class DataFrameIterator(_FromFiles, Iterator):
    """See the module docstring."""

    def __init__(self, dataframe, directory=None, image_data_generator=None, x_col="filename",
                 y_col="class", weight_col=None, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png",
                 subset=None, interpolation="nearest", keep_aspect_ratio=False, dtype="float32",
                 validate_filenames=True):
        if color_mode not in ("grayscale", "rgb", "rgba"):
            raise ValueError(f"{_OP}: color_mode must be 'grayscale', 'rgb' or 'rgba', got "
                             f"{color_mode!r}")
        df = dataframe.copy()
        self.directory, self.class_mode = directory or "", class_mode
        self._set_file_attrs(image_data_generator, target_size, color_mode, data_format,
                             interpolation, keep_aspect_ratio, save_to_dir, save_prefix,
                             save_format, dtype)
        _check(df, x_col, y_col, weight_col, classes, class_mode)
        if validate_filenames:
            ok = np.array([self._valid(f) for f in df[x_col]], dtype=bool)
            if (~ok).sum():
                warnings.warn(f'Found {(~ok).sum()} invalid image filename(s) in x_col="{x_col}". '
                              "These filename(s) will be ignored.")
            df = df[ok]
        if class_mode not in _NO_CLASSES:
            df, classes = _keep_classes(df, y_col, classes)
            self.class_indices = dict(zip(classes, range(len(classes))))
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f'Invalid subset name: {subset};expected "training" or '
                                 '"validation"')
            v = image_data_generator._validation_split
            lo, hi = (0, v) if subset == "validation" else (v, 1)
            df = df.iloc[int(lo * len(df)):int(hi * len(df))]
        if class_mode not in _NO_CLASSES:
            self.classes = [[self.class_indices[c] for c in v] if isinstance(v, (list, tuple))
                            else self.class_indices[v] for v in df[y_col]]
        self.filenames = df[x_col].tolist()
        self._sample_weight = df[weight_col].values if weight_col else None
        if class_mode == "multi_output":
            self._targets = [np.array(df[col].tolist()) for col in y_col]
        elif class_mode == "raw":
            self._targets = df[y_col].values
        self.samples = len(self.filenames)
        kind = "validated" if validate_filenames else "non-validated"
        tail = "." if class_mode in _NO_CLASSES else \
            f" belonging to {len(self.class_indices)} classes."
        print(f"Found {self.samples} {kind} image filenames{tail}")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _valid(self, fname):
        path = os.path.join(self.directory, fname)
        return os.path.isfile(path) and path.lower().endswith(tuple("." + e for e in _IMAGE_EXTS))

    @property
    def filepaths(self):
        return self._filepaths

    @property
    def labels(self):
        return self._targets if self.class_mode in ("multi_output", "raw") else self.classes

    @property
    def sample_weight(self):
        return self._sample_weight

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = self._load_batch(self._filepaths, index_array)
        mode = self.class_mode
        if mode is None:
            return batch_x
        if mode == "input":
            batch_y = batch_x.copy()
        elif mode in ("binary", "sparse"):
            batch_y = np.array([self.classes[j] for j in index_array], dtype=self.dtype)
        elif mode == "categorical":
            batch_y = np.zeros((len(index_array), len(self.class_indices)), dtype=self.dtype)
            for i, j in enumerate(index_array):
                batch_y[i, self.classes[j]] = 1.0
        elif mode == "multi_output":
            batch_y = [t[index_array] for t in self._targets]
        else:  # raw
            batch_y = self._targets[index_array]
        if self._sample_weight is None:
            return batch_x, batch_y
        return batch_x, batch_y, self._sample_weight[index_array]
