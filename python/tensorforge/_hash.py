"""The two string hashes TensorFlow buckets with, as Keras 2's ``Hashing`` and the lookup layers'
OOV buckets use them, reproduced bit for bit:

- ``fingerprint64``: FarmHash's ``Fingerprint64`` (``farmhashna::Hash64``), behind
  ``tf.strings.to_hash_bucket_fast``;
- ``siphash24``: SipHash-2-4 with a 128-bit key given as two uint64 words (``k0``, ``k1``),
  behind ``tf.strings.to_hash_bucket_strong(key=[k0, k1])`` (highwayhash's SipHash).

Both take a sequence of ``bytes`` and return uint64 hashes. They run vectorised with NumPy: the
strings are grouped by length, every group is a (n, length) byte matrix, and each step of the
algorithm is one uint64 array operation over the group (uint64 arithmetic wraps modulo 2**64, as
the C++ does). ``to_hash_bucket_fast`` / ``to_hash_bucket_strong`` are ``hash % num_buckets``.
"""
import numpy as np

_U = np.uint64
_K0, _K1, _K2 = _U(0xc3a5c85c97cb3127), _U(0xb492b66fbe98f273), _U(0x9ae16a3b2f90404f)
_KMUL = _U(0x9ddfea08eb382d69)


def _rot(v, s):
    """Rotate right by s bits (FarmHash's Rotate)."""
    return (v >> _U(s)) | (v << _U(64 - s)) if s else v


def _rotl(v, s):
    return (v << _U(s)) | (v >> _U(64 - s))


def _shift_mix(v):
    return v ^ (v >> _U(47))


def _fetch64(m, off):
    """Little-endian uint64 at byte column ``off`` of every row of the byte matrix ``m``."""
    return np.ascontiguousarray(m[:, off:off + 8]).view("<u8")[:, 0].astype(_U)


def _fetch32(m, off):
    return np.ascontiguousarray(m[:, off:off + 4]).view("<u4")[:, 0].astype(_U)


def _hash_len16(u, v, mul=_KMUL):
    a = _shift_mix((u ^ v) * mul)
    b = _shift_mix((v ^ a) * mul)
    return b * mul


def _len0to16(m, n):
    if n >= 8:
        mul = _K2 + _U(n * 2)
        a = _fetch64(m, 0) + _K2
        b = _fetch64(m, n - 8)
        c = _rot(b, 37) * mul + a
        d = (_rot(a, 25) + b) * mul
        return _hash_len16(c, d, mul)
    if n >= 4:
        mul = _K2 + _U(n * 2)
        a = _fetch32(m, 0)
        return _hash_len16(_U(n) + (a << _U(3)), _fetch32(m, n - 4), mul)
    if n > 0:
        a, b, c = (m[:, i].astype(_U) for i in (0, n >> 1, n - 1))
        y = (a + (b << _U(8))) & _U(0xffffffff)
        z = (_U(n) + (c << _U(2))) & _U(0xffffffff)
        return _shift_mix(y * _K2 ^ z * _K0) * _K2
    return np.full(len(m), _K2, _U)


def _len17to32(m, n):
    mul = _K2 + _U(n * 2)
    a = _fetch64(m, 0) * _K1
    b = _fetch64(m, 8)
    c = _fetch64(m, n - 8) * mul
    d = _fetch64(m, n - 16) * _K2
    return _hash_len16(_rot(a + b, 43) + _rot(c, 30) + d, a + _rot(b + _K2, 18) + c, mul)


def _len33to64(m, n):
    mul = _K2 + _U(n * 2)
    a = _fetch64(m, 0) * _K2
    b = _fetch64(m, 8)
    c = _fetch64(m, n - 8) * mul
    d = _fetch64(m, n - 16) * _K2
    y = _rot(a + b, 43) + _rot(c, 30) + d
    z = _hash_len16(y, a + _rot(b + _K2, 18) + c, mul)
    e = _fetch64(m, 16) * mul
    f = _fetch64(m, 24)
    g = (y + _fetch64(m, n - 32)) * mul
    h = (z + _fetch64(m, n - 24)) * mul
    return _hash_len16(_rot(e + f, 43) + _rot(g, 30) + h, e + _rot(f + a, 18) + g, mul)


def _weak32(m, off, a, b):
    """FarmHash's WeakHashLen32WithSeeds on the 32 bytes at ``off``."""
    w, x, y, z = (_fetch64(m, off + 8 * i) for i in range(4))
    a = a + w
    b = _rot(b + a + z, 21)
    c = a
    a = a + x + y
    b = b + _rot(a, 44)
    return a + z, b + c


def _len_over64(m, n):
    seed = _U(81)
    x = seed
    y = seed * _K1 + _U(113)
    z = _shift_mix(y * _K2 + _U(113)) * _K2
    zero = np.zeros(len(m), _U)
    v0 = v1 = w0 = w1 = zero
    x = x * _K2 + _fetch64(m, 0)
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    for s in range(0, end, 64):
        x = _rot(x + y + v0 + _fetch64(m, s + 8), 37) * _K1
        y = _rot(y + v1 + _fetch64(m, s + 48), 42) * _K1
        x = x ^ w1
        y = y + v0 + _fetch64(m, s + 40)
        z = _rot(z + w0, 33) * _K1
        v0, v1 = _weak32(m, s, v1 * _K1, x + w0)
        w0, w1 = _weak32(m, s + 32, z + w1, y + _fetch64(m, s + 16))
        z, x = x, z
    mul = _K1 + ((z & _U(0xff)) << _U(1))
    s = last64
    w0 = w0 + _U((n - 1) & 63)
    v0 = v0 + w0
    w0 = w0 + v0
    x = _rot(x + y + v0 + _fetch64(m, s + 8), 37) * mul
    y = _rot(y + v1 + _fetch64(m, s + 48), 42) * mul
    x = x ^ (w1 * _U(9))
    y = y + v0 * _U(9) + _fetch64(m, s + 40)
    z = _rot(z + w0, 33) * mul
    v0, v1 = _weak32(m, s, v1 * mul, x + w0)
    w0, w1 = _weak32(m, s + 32, z + w1, y + _fetch64(m, s + 16))
    z, x = x, z
    return _hash_len16(_hash_len16(v0, w0, mul) + _shift_mix(y) * _K0 + z,
                       _hash_len16(v1, w1, mul) + x, mul)


def _farmhash_group(m, n):
    if n <= 16:
        return _len0to16(m, n)
    if n <= 32:
        return _len17to32(m, n)
    if n <= 64:
        return _len33to64(m, n)
    return _len_over64(m, n)


_SIP_C = (_U(0x736f6d6570736575), _U(0x646f72616e646f6d), _U(0x6c7967656e657261),
          _U(0x7465646279746573))


def _sip_rounds(v0, v1, v2, v3, rounds):
    for _ in range(rounds):
        v0 = v0 + v1; v1 = _rotl(v1, 13); v1 = v1 ^ v0; v0 = _rotl(v0, 32)  # noqa: E702
        v2 = v2 + v3; v3 = _rotl(v3, 16); v3 = v3 ^ v2  # noqa: E702
        v0 = v0 + v3; v3 = _rotl(v3, 21); v3 = v3 ^ v0  # noqa: E702
        v2 = v2 + v1; v1 = _rotl(v1, 17); v1 = v1 ^ v2; v2 = _rotl(v2, 32)  # noqa: E702
    return v0, v1, v2, v3


def _siphash_group(m, n, k0, k1):
    rows = len(m)
    v0, v1, v2, v3 = (np.full(rows, k ^ c, _U) for k, c in
                      zip((k0, k1, k0, k1), _SIP_C))
    full = n - n % 8
    for off in range(0, full, 8):
        w = _fetch64(m, off)
        v3 = v3 ^ w
        v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, 2)
        v0 = v0 ^ w
    tail = np.zeros((rows, 8), np.uint8)
    tail[:, :n - full] = m[:, full:n]
    tail[:, 7] = n & 0xff
    b = _fetch64(tail, 0)
    v3 = v3 ^ b
    v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, 2)
    v0 = v0 ^ b
    v2 = v2 ^ _U(0xff)
    v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3


def _by_length(strings, group_fn):
    """Apply ``group_fn(byte_matrix, length)`` to the strings grouped by length; uint64 out."""
    strings = [s if isinstance(s, bytes) else bytes(s) for s in strings]
    out = np.empty(len(strings), _U)
    lengths = np.fromiter((len(s) for s in strings), np.int64, len(strings))
    for n in np.unique(lengths):
        where = np.nonzero(lengths == n)[0]
        n = int(n)
        buf = b"".join(strings[i] for i in where)
        # one spare column keeps the 8-byte fetches of the shortest groups in bounds
        m = np.zeros((len(where), max(n, 8)), np.uint8)
        m[:, :n] = np.frombuffer(buf, np.uint8).reshape(len(where), n)
        with np.errstate(over="ignore"):
            out[where] = group_fn(m, n)
    return out


def fingerprint64(strings):
    """FarmHash Fingerprint64 of each ``bytes`` in ``strings``: a uint64 array."""
    return _by_length(strings, _farmhash_group)


def siphash24(strings, key):
    """SipHash-2-4 of each ``bytes`` in ``strings`` keyed by ``key = (k0, k1)``: uint64 array."""
    k0, k1 = (_U(int(k) & 0xffffffffffffffff) for k in key)
    return _by_length(strings, lambda m, n: _siphash_group(m, n, k0, k1))


def to_hash_bucket_fast(strings, num_buckets):
    """``tf.strings.to_hash_bucket_fast``: Fingerprint64(s) mod num_buckets, int64."""
    return (fingerprint64(strings) % _U(num_buckets)).astype(np.int64)


def to_hash_bucket_strong(strings, num_buckets, key):
    """``tf.strings.to_hash_bucket_strong``: SipHash-2-4(key, s) mod num_buckets, int64."""
    return (siphash24(strings, key) % _U(num_buckets)).astype(np.int64)


# ---- feature crosses (tf.sparse.cross_hashed, Keras 2's HashedCrossing) -----------------------
_KCAT = _U(0xc6a4a7935bd1e995)
CROSS_HASH_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default hash_key


def fingerprint_cat64(fp1, fp2):
    """TensorFlow's FingerprintCat64 of two uint64 arrays (elementwise)."""
    with np.errstate(over="ignore"):
        r = fp1 ^ _KCAT
        r ^= _shift_mix(fp2 * _KCAT) * _KCAT
        r *= _KCAT
        r = _shift_mix(r) * _KCAT
        return _shift_mix(r)


def cross_hashed(columns, num_buckets, hash_key=CROSS_HASH_KEY):
    """The hashed cross of equal-length feature columns, one value a row, as
    tf.sparse.cross_hashed (sparse_cross_op.cc's HashCrosser): a string is hashed by
    fingerprint64, an integer is its own uint64 hash; the hashes are chained with
    FingerprintCat64 from ``hash_key``; the result modulo ``num_buckets`` (> 0), else modulo
    2**63 - 1. Returns int64."""
    n = len(columns[0])
    h = np.full(n, _U(hash_key), dtype=np.uint64)
    for col in columns:
        if col.dtype.kind in "iu":
            fp = col.astype(np.int64).view(np.uint64)
        else:
            fp = np.asarray(fingerprint64(list(col)), dtype=np.uint64)
        h = fingerprint_cat64(h, fp)
    return (h % _U(num_buckets if num_buckets > 0 else 2 ** 63 - 1)).astype(np.int64)
