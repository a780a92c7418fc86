"""Up-sampling, zero-padding and cropping layers, 1-D to 3-D (in Keras 2's convolutional.py; Keras
2.9+ keeps them in layers/reshaping/, with Reshape, Flatten, Permute and RepeatVector, which
live in core.py here). UpSampling runs ops.upsample2d, ZeroPadding ops.pad, Cropping a slice."""
from .. import ops as _ops
from ..engine.base_layer import Layer
from . import _args
from ..ops import basic as B
from ._conv_utils import _data_format, _pad_pairs, _single, _to_first, _to_last, _triple


class _Spatial(Layer):
    """What UpSampling2D/3D, ZeroPadding2D/3D and Cropping2D/3D share: an argument per spatial
    axis, for the _n axes that follow the batch axis (channels_last) or the channel axis
    (channels_first)."""
    _n = 2

    def _edges(self, pairs, what, data_format):
        """The checked (before, after) pairs of the argument ``what``; sets data_format."""
        nm = type(self).__name__
        pairs = _pad_pairs(pairs, f"{nm}: {what}", self._n)
        self.data_format = _data_format(nm, data_format)
        return pairs

    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self._n))

    def _spatial_shape(self, s, per_axis, fn):
        """Shape s with each known spatial length n replaced by fn(n, its per_axis entry)."""
        s = list(s)
        for ax, v in zip(self._axes(), per_axis):
            s[ax] = None if s[ax] is None else fn(s[ax], v)
        return tuple(s)


class UpSampling1D(Layer):
    """Repeats each step ``size`` times: (batch, steps, C) -> (batch, steps * size, C)."""
    _input_ndim = 3
    supports_masking = False

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = _single(size, "UpSampling1D: size")
        self._record(size=self.size)

    def compute_output_shape(self, s):
        return (s[0], None if s[1] is None else s[1] * self.size, s[2])

    def call(self, x, training=False, mask=None):
        if x.ndim != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C), got shape {x.shape}")
        y = _ops.upsample2d(B.reshape(x, (x.shape[0], 1) + x.shape[1:]), (1, self.size))
        return B.reshape(y, (y.shape[0],) + y.shape[2:])


class UpSampling2D(_Spatial):
    """Repeats rows and columns (interpolation 'nearest') or resizes bilinearly (TF2's
    tf.image.resize, as Keras 2): (N, H, W, C) -> (N, H * size[0], W * size[1], C)."""
    _input_ndim = 4

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = _args.int_pair("UpSampling2D", "size", size)
        self.data_format = _data_format("UpSampling2D", data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: interpolation must be 'nearest' or 'bilinear', got "
                             f"{interpolation!r}")
        self.interpolation = interpolation
        self._record(size=self.size, data_format=self.data_format, interpolation=interpolation)

    def compute_output_shape(self, s):
        return self._spatial_shape(s, self.size, lambda n, f: n * f)

    def call(self, x, training=False, mask=None):
        if x.ndim != 4:
            raise ValueError(f"{self.name}: expected 4-D input (batch, H, W, C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        y = _ops.upsample2d(_to_last(x, cf), self.size, self.interpolation)
        return _to_first(y, cf)


class ZeroPadding1D(Layer):
    """Zeros before and after the steps axis: padding int or (before, after)."""
    _input_ndim = 3

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = (_pad_pairs(padding, "ZeroPadding1D: padding", 1)[0]
                        if isinstance(padding, int) else
                        _pad_pairs((tuple(padding),), "ZeroPadding1D: padding", 1)[0])
        self._record(padding=self.padding)

    def compute_output_shape(self, s):
        return (s[0], None if s[1] is None else s[1] + sum(self.padding), s[2])

    def call(self, x, training=False, mask=None):
        if x.ndim != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C), got shape {x.shape}")
        return _ops.pad(x, ((0, 0), self.padding, (0, 0)))


class ZeroPadding2D(_Spatial):
    """Zero rows and columns around the image: padding int, (h, w) symmetric, or
    ((top, bottom), (left, right))."""
    _input_ndim = 4

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = self._edges(padding, "padding", data_format)
        self._record(padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, s):
        return self._spatial_shape(s, self.padding, lambda n, p: n + p[0] + p[1])

    def call(self, x, training=False, mask=None):
        if x.ndim != self._n + 2:
            raise ValueError(f"{self.name}: expected {self._n + 2}-D input, got shape {x.shape}")
        pads = [(0, 0)] * x.ndim
        for ax, p in zip(self._axes(), self.padding):
            pads[ax] = p
        return _ops.pad(x, pads)


class Cropping1D(Layer):
    """Drops steps from the start and end: cropping int or (start, end)."""
    _input_ndim = 3

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pad_pairs((cropping,) if isinstance(cropping, int) else (tuple(cropping),),
                                   "Cropping1D: cropping", 1)[0]
        self._record(cropping=self.cropping)

    def compute_output_shape(self, s):
        return (s[0], None if s[1] is None else s[1] - sum(self.cropping), s[2])

    def call(self, x, training=False, mask=None):
        a, b = self.cropping
        if x.ndim != 3 or x.shape[1] <= a + b:
            raise ValueError(f"{self.name}: expected 3-D input (batch, steps, C) with more than "
                             f"{a + b} steps to crop {self.cropping}, got shape {x.shape}")
        return B.getitem(x, (slice(None), slice(a, x.shape[1] - b)))


class Cropping2D(_Spatial):
    """Drops rows and columns: cropping int, (h, w) symmetric, or ((top, bottom), (left, right))."""
    _input_ndim = 4

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = self._edges(cropping, "cropping", data_format)
        self._record(cropping=self.cropping, data_format=self.data_format)

    def compute_output_shape(self, s):
        return self._spatial_shape(s, self.cropping, lambda n, c: n - c[0] - c[1])

    def call(self, x, training=False, mask=None):
        if x.ndim != self._n + 2 or any(x.shape[ax] <= a + b for ax, (a, b) in
                                        zip(self._axes(), self.cropping)):
            raise ValueError(f"{self.name}: expected {self._n + 2}-D input ({self.data_format}) "
                             f"larger than the cropping {self.cropping}, got shape {x.shape}")
        idx = [slice(None)] * x.ndim
        for ax, (a, b) in zip(self._axes(), self.cropping):
            idx[ax] = slice(a, x.shape[ax] - b)
        return B.getitem(x, tuple(idx))


class ZeroPadding3D(ZeroPadding2D):
    """Zeros around a volume: padding int, (d, h, w) symmetric, or three (before, after) pairs."""
    _input_ndim = 5
    _n = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


class Cropping3D(Cropping2D):
    _input_ndim = 5
    _n = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class UpSampling3D(_Spatial):
    """Repeats each voxel size[0] x size[1] x size[2] times (nearest): the depth axis through
    ops.upsample2d on (N, D, H * W, C), then rows and columns on (N * D', H, W, C)."""
    _input_ndim = 5
    _n = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = _triple(size, "UpSampling3D: size")
        self.data_format = _data_format("UpSampling3D", data_format)
        self._record(size=self.size, data_format=self.data_format)

    def compute_output_shape(self, s):
        return self._spatial_shape(s, self.size, lambda n, f: n * f)

    def call(self, x, training=False, mask=None):
        if x.ndim != 5:
            raise ValueError(f"{self.name}: expected 5-D input (batch, D, H, W, C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        x = _to_last(x, cf)
        N, D, H, W, C = x.shape
        sd, sh, sw = self.size
        y = _ops.upsample2d(B.reshape(x, (N, D, H * W, C)), (sd, 1))
        y = _ops.upsample2d(B.reshape(y, (N * D * sd, H, W, C)), (sh, sw))
        return _to_first(B.reshape(y, (N, D * sd, H * sh, W * sw, C)), cf)
