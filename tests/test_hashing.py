"""Hashing and the lookup layers' OOV buckets against tf_keras 2: TensorFlow's FarmHash
Fingerprint64 (to_hash_bucket_fast) and SipHash-2-4 (to_hash_bucket_strong), bit for bit.

The figures below were printed once by tools/gen_hashing_refs.py (tf_keras 2.21, TensorFlow
2.21); the inputs are that script's, copied.
"""
import numpy as np
import pytest

from tensorforge import _hash, keras
from tensorforge.keras import layers

HASH_LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129,
                200, 1000]
HASH_STRINGS = [bytes((i * 7 + j * 13) % 256 for j in range(n))
                for i, n in enumerate(HASH_LENGTHS)]
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

# ---- tf_keras figures (tools/gen_hashing_refs.py) ------------------------------------------
FAST_2_63_1 = [1936946117179621456, 6305636504242451570, 3438820317370856584, 2051527045279022880, 2718641642552064224, 5583250120489633980, 5955289620312925010, 8200736044398075255, 3548848939967992469, 1884186599389361246, 1174841426730128590, 662540015195622443, 1227055933981918722, 5894567098707603347, 2399777161183554495, 1880399730503963195, 859604330020065860, 1963445813880265989, 6184808472423466564, 3985743301835141998, 994311431095346970, 738272205008858089, 4026824271547580051]
STRONG_2_63_1 = [3039370540995186097, 5211519695143554691, 5383393464768069970, 6343681173237501505, 5567972219347145785, 3028890760388298689, 4768795857095805950, 1146055169544033648, 4696970916642621873, 6460158852172708559, 7188240230871937940, 6336596007161930280, 272588017223104373, 2928101521373562401, 8093010352385008248, 3346722092165766185, 3027879649946105854, 6106123734236444568, 4365529266993426495, 6539110205888873721, 181321309205499297, 7910395955783333653, 6510756018970609648]
HASHING = {
    'fast_words_3': ('int64', [[1], [0], [1], [1], [2], [2], [2], [2]]),
    'fast_words_1000': ('int64', [[564], [528], [7], [295], [12], [263], [627], [436]]),
    'mask_words': ('int64', [[1], [1], [2], [2], [1], [0], [2], [1]]),
    'salt_pair': ('int64', [[1], [2], [1], [0], [2], [2], [2], [1]]),
    'salt_int': ('int64', [[819], [238], [862], [793], [742], [907], [442], [799]]),
    'fast_ints': ('int64', [[4], [0], [3], [1], [4]]),
    'mask_ints': ('int64', [[4], [0], [1], [3], [2]]),
    'salt_ints': ('int64', [[46], [5], [72], [86], [49]]),
    'one_hot': ('float32', [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]),
    'multi_hot': ('float32', [[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]]),
    'count': ('float32', [[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 2.0]]),
    'count_rank1': ('float32', [1.0, 0.0, 1.0, 1.0]),
}
LOOKUP = {
    'str_oov3': [[3, 2, 0, 2, 4, 2, 2, 5, 2, 1]],
    'str_oov7_mask': [[8, 6, 1, 7, 9, 6, 0, 10, 6, 2]],
    'str_oov2_multi_hot': [[1.0, 1.0, 1.0, 1.0, 1.0]],
    'int_oov3': [[4, 2, 2, 5, 2, 0]],
    'adapt_oov4': (['[UNK]', '[UNK]', '[UNK]', '[UNK]', 'c', 'a', 'e', 'd', 'b'], [[2, 0, 3, 3, 0, 1, 3, 1, 2, 0]]),
    'invert_oov3': ['[UNK]', '[UNK]', '[UNK]', 'the', 'cat', 'sat'],
}


# ---- the hashes ----------------------------------------------------------------------------
def test_fingerprint64_every_length_class_matches_tensorflow():
    got = _hash.to_hash_bucket_fast(HASH_STRINGS, 2**63 - 1)
    assert got.tolist() == FAST_2_63_1


def test_siphash24_matches_tensorflow_with_a_negative_key_word():
    got = _hash.to_hash_bucket_strong(HASH_STRINGS, 2**63 - 1, (133, -5))
    assert got.tolist() == STRONG_2_63_1


def test_hashes_of_a_shuffled_batch_follow_their_strings():
    order = np.random.RandomState(1).permutation(len(HASH_STRINGS))
    got = _hash.to_hash_bucket_fast([HASH_STRINGS[i] for i in order], 2**63 - 1)
    assert got.tolist() == [FAST_2_63_1[i] for i in order]
    assert _hash.fingerprint64([]).shape == (0,)


# ---- Hashing -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(HASHING_CASES))
def test_hashing_layer_matches_tf_keras(name):
    kw, x = HASHING_CASES[name]
    dtype, want = HASHING[name]
    x = np.array(x) if name.endswith("ints") else np.array(x, dtype=object)
    y = layers.Hashing(**kw)(x).numpy()
    assert y.dtype == np.dtype(dtype)
    assert y.tolist() == want


def test_hashing_in_a_functional_model_and_config():
    inp = keras.Input(shape=(1,), dtype="string")
    out = layers.Hashing(num_bins=1000, salt=133, name="h")(inp)
    model = keras.Model(inp, out)
    y = model.predict(np.array(WORDS, dtype=object), verbose=0)
    assert y.tolist() == HASHING["salt_int"][1]
    cfg = model.get_layer("h").get_config()
    assert cfg["num_bins"] == 1000 and cfg["salt"] == [133, 133] and cfg["mask_value"] is None
    again = layers.Hashing.from_config(cfg)
    assert again(np.array(WORDS, dtype=object)).numpy().tolist() == y.tolist()


def test_hashing_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="Hashing: num_bins"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="Hashing: the salt argument"):
        layers.Hashing(num_bins=3, salt=7.0)
    with pytest.raises(ValueError, match="Hashing: output_mode"):
        layers.Hashing(num_bins=3, output_mode="tf_idf")
    with pytest.raises(TypeError, match="Hashing: mask_value 'a' does not match"):
        layers.Hashing(num_bins=3, mask_value="a")(np.array([[1], [2]]))
    with pytest.raises(TypeError, match="Hashing: inputs must be strings or integers.*float"):
        layers.Hashing(num_bins=3)(np.array([[1.5]], np.float32))


# ---- lookups with several OOV indices ------------------------------------------------------
@pytest.mark.parametrize("name", sorted(LOOKUP_CASES))
def test_lookup_oov_buckets_match_tf_keras(name):
    kw, x = LOOKUP_CASES[name]
    layer = (layers.IntegerLookup if name.startswith("int") else layers.StringLookup)(**kw)
    got = layer(np.array(x)).numpy()
    np.testing.assert_array_equal(got, np.array(LOOKUP[name]))


def test_adapted_string_lookup_with_four_oov_indices():
    want_vocab, want = LOOKUP["adapt_oov4"]
    s = layers.StringLookup(num_oov_indices=4)
    s.adapt(ADAPT_WORDS)
    assert s.get_vocabulary() == want_vocab
    assert s(np.array(QUERY)).numpy().tolist() == want


def test_inverted_lookup_maps_every_oov_index_to_the_oov_token():
    inv = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=3, invert=True)
    got = inv(np.array([[0, 1, 2, 3, 4, 5]])).numpy()[0]
    assert [v.decode() for v in got] == LOOKUP["invert_oov3"]


def test_string_input_and_hashing_survive_a_keras_h5_round_trip(tmp_path):
    pytest.importorskip("h5py")
    from tensorforge import models
    inp = keras.Input(shape=(1,), dtype="string")
    model = keras.Model(inp, layers.Embedding(1000, 2)(layers.Hashing(1000, salt=133)(inp)))
    path = str(tmp_path / "hashing.h5")
    model.save(path)
    again = models.load_model(path)
    x = np.array(WORDS, dtype=object)
    assert np.dtype(again.inputs[0].dtype) == np.dtype(object)
    assert again.layers[1].get_config()["salt"] == [133, 133]
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


# tf_keras's own file: tools/gen_hashing_refs.py wrote it and printed these predictions
H5_WORDS = [["x"], ["q"], ["zz"], ["y"], ["hello"]]
H5_NUMS = [[-1.0], [1.0], [2.0], [0.0], [5.0]]
H5_OUT = [[[3], [2], [1], [4], [1]], [[0], [2], [3], [2], [5]], [[0], [1], [2], [1], [2]]]


def test_a_tf_keras_h5_with_lookup_hashing_and_discretization_loads_and_agrees():
    pytest.importorskip("h5py")
    import os
    from tensorforge import models
    path = os.path.join(os.path.dirname(__file__), "data", "keras_h5", "preprocessing_hashing.h5")
    model = models.load_model(path)
    got = model.predict([np.array(H5_WORDS, dtype=object), np.array(H5_NUMS, np.float32)],
                        verbose=0)
    assert [o.tolist() for o in got] == H5_OUT
