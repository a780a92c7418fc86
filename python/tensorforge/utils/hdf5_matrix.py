"""Keras 2.0-2.3's ``keras.utils.io_utils.HDF5Matrix`` (removed with TensorFlow 2.4's Keras): a
dataset of an HDF5 file used in place of a NumPy array (``fit(HDF5Matrix('data.h5', 'x'), ...)``),
rows ``[start, end)``, each read passed through ``normalizer``. Indexing reads from the file
(an int, a slice, a list of increasing rows as h5py takes); NumPy conversion reads the rows at
once. It needs h5py."""
import numpy as np


class HDF5Matrix:
    refs = {}  # one open file per path, shared by the matrices on it (as Keras 2)

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        try:
            import h5py
        except ImportError:
            raise ImportError("HDF5Matrix needs h5py: pip install h5py") from None
        if datapath not in self.refs or not self.refs[datapath]:
            self.refs[datapath] = h5py.File(datapath, "r")
        self.data = self.refs[datapath][dataset]
        n = len(self.data)
        self.start = int(start)
        self.end = n if end is None else int(end)
        if not 0 <= self.start <= self.end <= n:
            raise ValueError(f"HDF5Matrix: rows [{start}, {end}) are not within the dataset "
                             f"{dataset!r} of {n} rows")
        self.normalizer = normalizer

    def __len__(self):
        return self.end - self.start

    def _norm(self, a):
        return self.normalizer(a) if self.normalizer is not None else a

    def __getitem__(self, key):
        if isinstance(key, slice):
            lo, hi, step = key.indices(len(self))
            return self._norm(self.data[self.start + lo:self.start + hi:step])
        if isinstance(key, (int, np.integer)):
            if not -len(self) <= key < len(self):
                raise IndexError(f"HDF5Matrix: row {key} of {len(self)}")
            return self._norm(self.data[self.start + int(key) % len(self)])
        idx = np.asarray(key)
        if idx.dtype.kind not in "iu" or idx.ndim != 1:
            raise IndexError(f"HDF5Matrix: an index must be an int, a slice or a 1-D list of "
                             f"ints, got {key!r}")
        if len(idx) and (idx.min() < 0 or idx.max() >= len(self)):
            raise IndexError(f"HDF5Matrix: rows {key!r} are not within its {len(self)} rows")
        order = np.argsort(idx, kind="stable")  # h5py reads increasing rows only
        rows = self.data[list(self.start + idx[order])] if len(idx) else \
            self.data[self.start:self.start]
        out = np.empty_like(rows)
        out[order] = rows
        return self._norm(out)

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self[:])
        return a if dtype is None else a.astype(dtype)

    @property
    def shape(self):
        return (len(self),) + tuple(self.data.shape[1:])

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return int(np.prod(self.shape))
