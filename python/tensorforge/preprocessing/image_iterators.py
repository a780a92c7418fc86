"""Keras 2's image iterators (``keras.preprocessing.image``): Iterator (batches of indices, a
Sequence), NumpyArrayIterator (``ImageDataGenerator.flow``), DirectoryIterator
(``flow_from_directory``) and what the iterators over files share (image_dataframe.py's
DataFrameIterator is the third)."""
import os
import threading
import warnings

import numpy as np

from ..utils.data_utils import Sequence
from ..utils.image_utils import _IMAGE_EXTS, _data_format, array_to_img, img_to_array, load_img


# ---- iterators -------------------------------------------------------------------------------

class Iterator(Sequence):
    """Batches of indices 0..n-1 (shuffled each epoch when ``shuffle``); a Keras Sequence (len,
    [i], on_epoch_end) and an endless Python iterator (next()), as Keras 2's."""

    def __init__(self, n, batch_size, shuffle, seed):
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"{type(self).__name__}: batch_size must be a positive integer, got "
                             f"{batch_size!r}")
        self.n, self.batch_size, self.seed, self.shuffle = n, int(batch_size), seed, shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise IndexError(f"{type(self).__name__}: asked for batch {idx}, but the Sequence has "
                             f"length {len(self)}")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current:current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError

    def _transform_batch(self, images, index_array):
        gen = self.image_data_generator
        images = images if isinstance(images, np.ndarray) else list(images)
        fast = getattr(gen, "_transform_batch", None)
        out = fast(images, self.dtype) if fast is not None and len(images) else None
        if out is None:
            out = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
            for i, x in enumerate(images):
                params = gen.get_random_transform(x.shape)
                x = gen.apply_transform(x.astype(self.dtype), params)
                out[i] = gen.standardize(x)
        if self.save_to_dir:
            for i, j in enumerate(index_array):
                img = array_to_img(out[i], self.data_format, scale=True)
                fname = f"{self.save_prefix}_{j}_{np.random.randint(1e4)}.{self.save_format}"
                img.save(os.path.join(self.save_to_dir, fname))
        return out


class NumpyArrayIterator(Iterator):
    """``ImageDataGenerator.flow``: batches ``x_batch`` or ``(x_batch, y_batch[, weights])`` of
    augmented, standardized images from a rank-4 array."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype="float32"):
        op = "ImageDataGenerator.flow"
        self.dtype = dtype
        x_misc = []
        if isinstance(x, (tuple, list)):
            x_misc = [np.asarray(xx) for xx in (x[1] if isinstance(x[1], list) else [x[1]])]
            x = x[0]
            for xx in x_misc:
                if len(xx) != len(x):
                    raise ValueError(f"{op}: all arrays in x must have the same length, got "
                                     f"{len(x)} and {len(xx)}")
        if y is not None and len(x) != len(y):
            raise ValueError(f"{op}: x (images) and y (labels) must have the same length, got "
                             f"x.shape = {np.shape(x)}, y.shape = {np.shape(y)}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"{op}: x and sample_weight must have the same length, got "
                             f"{len(x)} and {len(sample_weight)}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"{op}: subset must be 'training' or 'validation', got {subset!r}")
            split = int(len(x) * image_data_generator._validation_split)
            if (y is not None and not ignore_class_split and
                    not np.array_equal(np.unique(y[:split]), np.unique(y[split:]))):
                raise ValueError(f"{op}: the training and validation subsets have different "
                                 "classes after the split; shuffle the arrays first if they are "
                                 "sorted by label")
            sl = slice(None, split) if subset == "validation" else slice(split, None)
            x, x_misc = x[sl], [np.asarray(xx[sl]) for xx in x_misc]
            if y is not None:
                y = y[sl]
            if sample_weight is not None:
                sample_weight = sample_weight[sl]
        self.x = np.asarray(x, dtype=self.dtype)
        if self.x.ndim != 4:
            raise ValueError(f"{op}: x must be a rank-4 array of images, got shape {self.x.shape}")
        self.data_format = _data_format(data_format)
        ch = 3 if self.data_format == "channels_last" else 1
        if self.x.shape[ch] not in (1, 3, 4):
            warnings.warn(f"{op}: expected 1, 3 or 4 channels on axis {ch} ({self.data_format}), "
                          f"got an array of shape {self.x.shape}")
        self.x_misc = x_misc
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.image_shape = self.x.shape[1:]
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = self._transform_batch(self.x[index_array], index_array)
        misc = [xx[index_array] for xx in self.x_misc]
        out = batch_x if not misc else [batch_x] + misc
        if self.y is None:
            return out
        out = (out, self.y[index_array])
        if self.sample_weight is not None:
            out += (self.sample_weight[index_array],)
        return out


class _FromFiles:
    """What the iterators over image files share (flow_from_directory, flow_from_dataframe)."""

    def _set_file_attrs(self, generator, target_size, color_mode, data_format, interpolation,
                        keep_aspect_ratio, save_to_dir, save_prefix, save_format, dtype):
        self.image_data_generator, self.dtype = generator, dtype
        self.target_size, self.color_mode = tuple(target_size), color_mode
        self.data_format = _data_format(data_format)
        self.interpolation, self.keep_aspect_ratio = interpolation, keep_aspect_ratio
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        c = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (c,) if self.data_format == "channels_last"
                            else (c,) + self.target_size)

    def _load_batch(self, paths, index_array):
        """The images ``paths[j]`` for j in ``index_array``, loaded, augmented, standardized."""
        images = (img_to_array(load_img(paths[j], color_mode=self.color_mode,
                                        target_size=self.target_size,
                                        interpolation=self.interpolation,
                                        keep_aspect_ratio=self.keep_aspect_ratio),
                               data_format=self.data_format) for j in index_array)
        return self._transform_batch(images, index_array)


class DirectoryIterator(_FromFiles, Iterator):
    """``ImageDataGenerator.flow_from_directory``: one sub-folder per class (sorted names unless
    ``classes`` is given), images loaded with Pillow, resized to ``target_size``."""

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png",
                 follow_links=False, subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, dtype="float32"):
        op = "ImageDataGenerator.flow_from_directory"
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"{op}: {directory!r} is not a directory")
        if color_mode not in ("grayscale", "rgb", "rgba"):
            raise ValueError(f"{op}: color_mode must be 'grayscale', 'rgb' or 'rgba', got "
                             f"{color_mode!r}")
        if class_mode not in ("categorical", "binary", "sparse", "input", None):
            raise ValueError(f"{op}: class_mode must be 'categorical', 'binary', 'sparse', "
                             f"'input' or None, got {class_mode!r}")
        self.directory, self.class_mode = directory, class_mode
        self._set_file_attrs(image_data_generator, target_size, color_mode, data_format,
                             interpolation, keep_aspect_ratio, save_to_dir, save_prefix,
                             save_format, dtype)
        split = None
        if subset is not None:
            v = image_data_generator._validation_split
            if subset not in ("training", "validation"):
                raise ValueError(f"{op}: subset must be 'training' or 'validation', got {subset!r}")
            split = (0, v) if subset == "validation" else (v, 1)
        if not classes:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames, labels = [], []
        for cls in classes:
            root_dir = os.path.join(directory, cls)
            files = [os.path.relpath(os.path.join(root, f), directory)
                     for root, _, fs in sorted(os.walk(root_dir, followlinks=follow_links))
                     for f in sorted(fs) if f.lower().endswith(_IMAGE_EXTS)]
            if split:
                files = files[int(split[0] * len(files)):int(split[1] * len(files))]
            self.filenames += files
            labels += [self.class_indices[cls]] * len(files)
        self.classes = np.array(labels, dtype="int32")
        self.samples = len(self.filenames)
        self.num_classes = len(classes)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        return [os.path.join(self.directory, f) for f in self.filenames]

    @property
    def labels(self):
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = self._load_batch(self.filepaths, index_array)
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode is None:
            return batch_x
        y = self.classes[index_array]
        if self.class_mode == "sparse":
            return batch_x, y.astype(self.dtype)
        if self.class_mode == "binary":
            return batch_x, y.astype(self.dtype)
        onehot = np.zeros((len(index_array), self.num_classes), dtype=self.dtype)
        onehot[np.arange(len(index_array)), y] = 1.0
        return batch_x, onehot


