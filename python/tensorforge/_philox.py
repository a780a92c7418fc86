"""TensorFlow's stateless random numbers, bit for bit: the Philox4x32-10 counter generator
(Salmon et al. 2011, as tensorflow/core/lib/random/philox_random.h), the key and counter
TensorFlow derives from a ``seed`` pair (StatelessRandomGetKeyCounter), and its uniform
float32 / int32 draws. With these ``tf.image.stateless_random_*`` give TensorFlow's results
for the same seed (tf_image_extra.py); ``tf.random.stateless_uniform`` itself is tf_random's.

Each Philox call turns a 128-bit counter into four uint32 words; outputs take the words in
order, one per float32 / int32 value, the counter incremented after each call.
"""
import numpy as np

_M32 = 0xFFFFFFFF


def _philox(counter, key):
    """Ten rounds of Philox4x32 on ``counter`` (4 words) with ``key`` (2 words)."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for _ in range(10):
        p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & _M32, p1 & _M32, \
            ((p0 >> 32) ^ c3 ^ k1) & _M32, p0 & _M32
        k0, k1 = (k0 + 0x9E3779B9) & _M32, (k1 + 0xBB67AE85) & _M32
    return [c0, c1, c2, c3]


class Stream:
    """A Philox key (2 words) and 128-bit counter (4 words) given as they are (a
    tf.random.Generator's state), where the functions below otherwise take a seed pair."""

    def __init__(self, key, counter):
        self.key, self.counter = [int(k) & _M32 for k in key], [int(c) & _M32 for c in counter]


def key_counter(seed):
    """TensorFlow's scrambling of a seed pair into a Philox key and counter (a Stream's own
    key and counter as they are)."""
    if isinstance(seed, Stream):
        return list(seed.key), list(seed.counter)
    s0, s1 = (int(v) & 0xFFFFFFFFFFFFFFFF for v in seed)
    mix = _philox([s0 & _M32, s0 >> 32, s1 & _M32, s1 >> 32], [0x3EC8F720, 0x02461E29])
    return [mix[0], mix[1]], [0, 0, mix[2], mix[3]]


def bits(seed, n):
    """The first ``n`` uint32 words of the stream of ``seed``."""
    key, ctr = key_counter(seed)
    out = []
    while len(out) < n:
        out += _philox(ctr, key)
        for i in range(4):  # the 128-bit counter + 1
            ctr[i] = (ctr[i] + 1) & _M32
            if ctr[i]:
                break
    return np.array(out[:n], np.uint32)


def uniform_float32(seed, shape, minval=0.0, maxval=1.0):
    """float32 in [minval, maxval): 23 random mantissa bits of [1, 2), minus 1, scaled."""
    n = int(np.prod(shape, dtype=np.int64))
    f = ((bits(seed, n) & 0x7FFFFF) | (127 << 23)).view(np.float32) - np.float32(1)
    lo, hi = np.float32(minval), np.float32(maxval)
    return (f * (hi - lo) + lo).astype(np.float32).reshape(shape)


def uniform_int32(seed, shape, minval, maxval):
    """int32 in [minval, maxval): minval + word % (maxval - minval), TensorFlow's rule."""
    n = int(np.prod(shape, dtype=np.int64))
    span = (int(maxval) - int(minval)) & _M32
    if span == 0:
        raise ValueError(f"stateless uniform: need minval < maxval, got {minval}, {maxval}")
    w = bits(seed, n).astype(np.int64)
    return (int(minval) + w % span).astype(np.int32).reshape(shape)


class SimplePhilox:
    """TensorFlow's random::SimplePhilox over the stream of ``seed`` (what its C++ image ops
    such as StatelessSampleDistortedBoundingBox draw from): ``rand32`` takes the words in
    order, ``rand_float`` is [0, 1) from 23 mantissa bits, ``uniform(n)`` TensorFlow's
    unbiased integer in [0, n) (a mask for a power of two, else rejection then modulo)."""

    def __init__(self, seed):
        self._key, self._ctr = key_counter(seed)
        self._buf = []

    def rand32(self):
        if not self._buf:
            self._buf = _philox(self._ctr, self._key)
            for i in range(4):
                self._ctr[i] = (self._ctr[i] + 1) & _M32
                if self._ctr[i]:
                    break
        return self._buf.pop(0)

    def rand_float(self):
        w = np.array([(self.rand32() & 0x7FFFFF) | (127 << 23)], np.uint32)
        return np.float32(w.view(np.float32)[0] - np.float32(1))

    def uniform(self, n):
        if n == 0:
            return self.rand32()
        if not n & (n - 1):
            return self.rand32() & (n - 1)
        rem = _M32 % n + 1
        while True:
            r = self.rand32()
            if r >= rem:
                return r % n


def blocks(seed, offsets):
    """Philox blocks of the stream of ``seed`` at counter offsets ``offsets`` (a uint64 array
    of block numbers, as PhiloxRandom::Skip counts them): an (n, 4) uint32 array, the block at
    each offset, computed for all offsets at once."""
    key, ctr = key_counter(seed)
    off = np.asarray(offsets, np.uint64)
    m = np.uint64(_M32)
    w0 = np.uint64(ctr[0]) + (off & m)
    w1 = np.uint64(ctr[1]) + (off >> np.uint64(32)) + (w0 >> np.uint64(32))
    w2 = np.uint64(ctr[2]) + (w1 >> np.uint64(32))
    w3 = np.uint64(ctr[3]) + (w2 >> np.uint64(32))
    c = [w & m for w in (w0, w1, w2, w3)]
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    with np.errstate(over="ignore"):
        for _ in range(10):
            p0, p1 = np.uint64(0xD2511F53) * c[0], np.uint64(0xCD9E8D57) * c[2]
            c = [((p1 >> np.uint64(32)) ^ c[1] ^ k0) & m, p1 & m,
                 ((p0 >> np.uint64(32)) ^ c[3] ^ k1) & m, p0 & m]
            k0, k1 = (k0 + np.uint64(0x9E3779B9)) & m, (k1 + np.uint64(0xBB67AE85)) & m
    return np.stack(c, axis=1).astype(np.uint32)
