"""The fuzz sweep's mutations: one or two arguments of a valid case made another dtype, rank,
a zero size, huge, a view with odd strides, a misaligned buffer, an alias of another argument,
NaN/Inf, or not an array at all (tests/test_fuzz.py)."""
import numpy as np

from fuzz_native_cases import BAD_INTS, pick


def misaligned(a):
    if a.dtype.hasobject:
        return a
    raw = np.zeros(a.nbytes + 1, np.uint8)
    m = np.frombuffer(raw.data, dtype=a.dtype, count=a.size, offset=1).reshape(a.shape)
    m[...] = a
    return m


def odd_strides(a):
    if a.ndim == 0:
        return a
    ax = a.ndim - 1
    shape = list(a.shape)
    shape[ax] *= 3
    big = np.zeros(shape, a.dtype)
    idx = [slice(None)] * a.ndim
    idx[ax] = slice(1, None, 3)
    v = big[tuple(idx)]
    v[...] = a
    return v


ARRAY_MUTATIONS = ["f64", "i32", "bool", "c64", "obj", "rank+", "rank-", "zero", "negstride",
                   "oddstride", "misaligned", "fortran", "nan", "inf", "-inf", "none", "list",
                   "scalar", "str", "alias", "overlap", "readonly", "bigendian", "neg1"]


def mutate_array(rng, case, i, kind):
    a = case.args[i]
    if kind == "f64":  # (np.real: a complex argument's float64 form, without NumPy's warning)
        return np.real(a).astype(np.float64)
    if kind == "i32":
        return a.astype(np.int32)
    if kind == "bool":
        return a != 0
    if kind == "c64":
        return a.astype(np.complex64)
    if kind == "obj":
        return a.astype(object)
    if kind == "rank+":
        return a[None]
    if kind == "rank-":
        if a.ndim > 1:
            return a.reshape(-1)
        return a.reshape(-1)[:1].reshape(()) if a.size else np.zeros((), a.dtype)
    if kind == "zero":
        shape = list(a.shape) or [0]
        shape[int(rng.integers(len(shape)))] = 0
        return np.zeros(shape, a.dtype)
    if kind == "negstride":
        return np.flip(a, axis=int(rng.integers(a.ndim))) if a.ndim else a
    if kind == "oddstride":
        return odd_strides(a)
    if kind == "misaligned":
        return misaligned(a) if a.dtype != object else a
    if kind == "fortran":
        return np.asfortranarray(a)
    if kind in ("nan", "inf", "-inf"):
        b = a.copy()
        if b.size and b.dtype.kind == "f":
            b.reshape(-1)[int(rng.integers(b.size))] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}[kind]
        return b
    if kind == "none":
        return None
    if kind == "list":
        return a.tolist()
    if kind == "scalar":
        return 1.0
    if kind == "str":
        return "x"
    if kind == "readonly":
        b = a.copy()
        b.flags.writeable = False
        return b
    if kind == "neg1":  # an invalid class label / id / argmax entry (floats: a plain -1)
        b = a.copy()
        if b.size and b.dtype.kind in "if":
            b.reshape(-1)[int(rng.integers(b.size))] = -1
        return b
    if kind == "bigendian":
        return a.astype(a.dtype.newbyteorder(">"))
    if kind == "alias":  # the same array object as another argument of the same shape and dtype
        others = [j for j, b in enumerate(case.args) if j != i and isinstance(b, np.ndarray)
                  and b.shape == a.shape and b.dtype == a.dtype]
        if others:
            return case.args[int(rng.choice(others))]
        return a
    if kind == "overlap":  # offset views of one buffer for this and another same-shape argument
        others = [j for j, b in enumerate(case.args) if j != i and isinstance(b, np.ndarray)
                  and b.shape == a.shape and b.dtype == a.dtype]
        if not others or a.size < 2:
            return a
        j = int(rng.choice(others))
        buf = np.zeros(a.size * 2, a.dtype)
        off = int(rng.integers(1, a.size))
        v1, v2 = buf[:a.size].reshape(a.shape), buf[off:off + a.size].reshape(a.shape)
        v1[...] = a
        case.args[j] = v2
        v2[...] = case.args[j] if False else v2
        return v1
    raise AssertionError(kind)


def mutate(rng, case):
    n = 1 if rng.random() < 0.7 else 2
    for _ in range(n):
        i = int(rng.integers(len(case.args)))
        a = case.args[i]
        if isinstance(a, np.ndarray):
            kind = pick(rng, ARRAY_MUTATIONS)
            case.args[i] = mutate_array(rng, case, i, kind)
        elif isinstance(a, bool):
            kind = "bool->" + pick(rng, ["int", "none", "str"])
            case.args[i] = {"bool->int": 2, "bool->none": None, "bool->str": "yes"}[kind]
        elif isinstance(a, (int, np.integer)):
            v = BAD_INTS[int(rng.integers(len(BAD_INTS)))]
            kind = f"int->{v!r}"
            case.args[i] = v
        elif isinstance(a, float):
            v = [np.nan, np.inf, -1.0, 2.0, None, "0.1", 1e30][int(rng.integers(7))]
            kind = f"float->{v!r}"
            case.args[i] = v
        elif isinstance(a, str) or a is None:
            v = ["bogus", None, 3, ""][int(rng.integers(4))]
            kind = f"str->{v!r}"
            case.args[i] = v
        elif isinstance(a, (tuple, list)):
            v = [(0, 1), (-1, 2), (2 ** 31, 1), (1.5, 1), (1, 2, 3), "same2", None, 2 ** 62][int(rng.integers(8))]
            kind = f"seq->{v!r}"
            case.args[i] = v
        else:
            continue
        case.mutations.append(f"arg{i}:{kind}")
