"""Print tf_keras 2's figures for Hashing, lookup OOV buckets and Discretization, as the Python
literals committed in tests/test_hashing.py and tests/test_discretization.py.

    /work/keras-venv/bin/python tools/gen_hashing_refs.py

The inputs are defined here and copied into the tests as they are. It also writes
tests/data/keras_h5/preprocessing_hashing.h5: a tf_keras model of a string input through
StringLookup(num_oov_indices=3), Hashing(salt) and, on a second input, Discretization, whose
predictions it prints as H5_OUT.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers

# ---- raw hashes: every FarmHash / SipHash code path (lengths 0..4..8..16..32..64..>64) --------
HASH_LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129,
                200, 1000]


def hash_strings():
    return [bytes((i * 7 + j * 13) % 256 for j in range(n)) for i, n in enumerate(HASH_LENGTHS)]


WORDS = [["A"], ["B"], ["C"], ["D"], ["E"], [""], ["héllo wörld"], ["a much longer token, " * 4]]
INTS = [[-3], [0], [7], [123456789], [-9223372036854775807]]
HASHING_CASES = {
    "fast_words_3": (dict(num_bins=3), WORDS),
    "fast_words_1000": (dict(num_bins=1000), WORDS),
    "mask_words": (dict(num_bins=3, mask_value=""), WORDS),
    "salt_pair": (dict(num_bins=3, salt=[133, 137]), WORDS),
    "salt_int": (dict(num_bins=1000, salt=133), WORDS),
    "fast_ints": (dict(num_bins=5), INTS),
    "mask_ints": (dict(num_bins=5, mask_value=0), INTS),
    "salt_ints": (dict(num_bins=97, salt=(1, 2)), INTS),
    "one_hot": (dict(num_bins=4, output_mode="one_hot"), ["a", "b", "c"]),
    "multi_hot": (dict(num_bins=4, output_mode="multi_hot"), [["a", "b", "c"], ["a", "a", "d"]]),
    "count": (dict(num_bins=4, output_mode="count"), [["a", "b", "c"], ["a", "a", "d"]]),
    "count_rank1": (dict(num_bins=4, output_mode="count"), ["a", "b", "c"]),
}

VOCAB = ["the", "cat", "sat"]
QUERY = [["the", "dog", "ate", "my", "cat", "homework", "", "sat", "zebra", "émigré"]]
LOOKUP_CASES = {
    "str_oov3": (dict(vocabulary=VOCAB, num_oov_indices=3), QUERY),
    "str_oov7_mask": (dict(vocabulary=VOCAB, num_oov_indices=7, mask_token=""), QUERY),
    "str_oov2_multi_hot": (dict(vocabulary=VOCAB, num_oov_indices=2, output_mode="multi_hot"),
                           QUERY),
    "int_oov3": (dict(vocabulary=[10, 20, 30], num_oov_indices=3), [[20, 11, -4, 30, 5, 0]]),
}
ADAPT_WORDS = np.array([["b", "a", "c"], ["a", "d", "a"], ["c", "c", "e"]])

DISC_RNG_SEED = 0


def disc_sets():
    rng = np.random.RandomState(DISC_RNG_SEED)
    return {
        "normal1000": rng.normal(size=(1000, 1)).astype(np.float32),
        "uniform_2d": rng.uniform(-5, 5, size=(257, 3)).astype(np.float32),
        "small": np.array([[-1.5], [1.0], [3.4], [0.5], [0.0]], np.float32),
        "ints": rng.randint(0, 50, size=(300, 2)),
        "exp5000": rng.exponential(2.0, size=(5000,)).astype(np.float32),
    }


# (data set, num_bins, epsilon, adapt batch_size)
DISC_CASES = [("normal1000", 4, 0.01, None), ("uniform_2d", 5, 0.01, None),
              ("small", 4, 0.01, None), ("ints", 6, 0.05, None), ("exp5000", 10, 0.001, None),
              ("normal1000", 3, 0.1, None), ("normal1000", 4, 0.01, 100)]
DISC_QUERY = [-2.0, -0.7, -0.6881942749023438, 0.0, 0.5, 0.6251001954078674, 3.0]


def main():
    strs = hash_strings()
    print("FAST_2_63_1 =", tf.strings.to_hash_bucket_fast(strs, 2**63 - 1).numpy().tolist())
    print("STRONG_2_63_1 =", tf.strings.to_hash_bucket_strong(
        strs, 2**63 - 1, key=[133, -5]).numpy().tolist())
    print("HASHING = {")
    for name, (kw, x) in HASHING_CASES.items():
        y = L.Hashing(**kw)(tf.constant(x))
        print(f"    {name!r}: ({y.dtype.name!r}, {y.numpy().tolist()}),")
    print("}")
    print("LOOKUP = {")
    for name, (kw, x) in LOOKUP_CASES.items():
        layer = (L.IntegerLookup if name.startswith("int") else L.StringLookup)(**kw)
        print(f"    {name!r}: {layer(tf.constant(x)).numpy().tolist()},")
    s = L.StringLookup(num_oov_indices=4)
    s.adapt(ADAPT_WORDS)
    print(f"    'adapt_oov4': ({[str(v) for v in s.get_vocabulary()]}, "
          f"{s(tf.constant(QUERY)).numpy().tolist()}),")
    inv = L.StringLookup(vocabulary=VOCAB, num_oov_indices=3, invert=True)
    print(f"    'invert_oov3': {[v.decode() for v in inv(tf.constant([[0, 1, 2, 3, 4, 5]])).numpy()[0]]},")
    print("}")
    sets = disc_sets()
    print("DISC = [")
    for name, nb, eps, bs in DISC_CASES:
        d = L.Discretization(num_bins=nb, epsilon=eps)
        d.adapt(sets[name], batch_size=bs)
        bounds = [float(b) for b in d.bin_boundaries]
        print(f"    ({name!r}, {nb}, {eps}, {bs}, {bounds}),")
    print("]")
    d = L.Discretization(bin_boundaries=[-0.6881942749023438, 0.0, 0.6251001954078674])
    print("DISC_CALL =", {m: L.Discretization(
        bin_boundaries=d.bin_boundaries, output_mode=m)(tf.constant(DISC_QUERY)).numpy().tolist()
        for m in ("int", "one_hot", "multi_hot", "count")})


H5_WORDS = [["x"], ["q"], ["zz"], ["y"], ["hello"]]
H5_NUMS = [[-1.0], [1.0], [2.0], [0.0], [5.0]]


def write_h5():
    words = keras.Input(shape=(1,), dtype="string", name="words")
    nums = keras.Input(shape=(1,), name="nums")
    outs = [L.StringLookup(vocabulary=["x", "y"], num_oov_indices=3)(words),
            L.Hashing(7, salt=5)(words), L.Discretization(bin_boundaries=[0.0, 2.0])(nums)]
    model = keras.Model([words, nums], outs)
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "keras_h5",
                        "preprocessing_hashing.h5")
    model.save(path, save_format="h5")
    got = model.predict([tf.constant(H5_WORDS), np.array(H5_NUMS, np.float32)], verbose=0)
    print("H5_OUT =", [o.tolist() for o in got])


if __name__ == "__main__":
    main()
    write_h5()
