"""preprocessing.sequence / text / image against tf_keras 2 outputs on the same inputs
(tests/data/preprocessing_refs.*, from tools/gen_preprocessing_refs.py), plus argument checks."""
import json
import os
import sys

import numpy as np
import pytest

from tensorforge.preprocessing import image as I
from tensorforge.preprocessing import sequence as S
from tensorforge.preprocessing import text as T
from tensorforge.utils import Sequence

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from gen_preprocessing_refs import (FLOW, NEW_TEXTS, PAD_CASES, SEQS, TEXTS,  # noqa: E402
                                    TOKENIZER_CASES, TRANSFORMS, image, images)

_DIR = os.path.join(os.path.dirname(__file__), "data")
D = np.load(os.path.join(_DIR, "preprocessing_refs.npz"))
with open(os.path.join(_DIR, "preprocessing_refs.json")) as _f:
    J = json.load(_f)


# ---- sequence ----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(PAD_CASES))
def test_pad_sequences_matches_keras(case):
    got = S.pad_sequences(SEQS, **PAD_CASES[case])
    ref = D[f"pad/{case}"]
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


def test_pad_sequences_arguments_and_errors():
    out = S.pad_sequences([np.ones((2, 3)), np.ones((1, 3))], maxlen=3)  # sample shape kept
    assert out.shape == (2, 3, 3) and out[1, :2].sum() == 0
    assert S.pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        S.pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match="truncating"):
        S.pad_sequences(SEQS, truncating="x")
    with pytest.raises(ValueError, match="maxlen"):
        S.pad_sequences(SEQS, maxlen=-2)
    with pytest.raises(ValueError, match="item 1"):
        S.pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="dtype=object"):
        S.pad_sequences([["a"]], value="x")


def test_timeseries_generator_is_a_sequence():
    data = np.arange(20).reshape(10, 2)
    gen = S.TimeseriesGenerator(data, np.arange(10), length=3, batch_size=2)
    assert isinstance(gen, Sequence) and len(gen) == 4
    x, y = gen[0]
    np.testing.assert_array_equal(x, [data[0:3], data[1:4]])
    np.testing.assert_array_equal(y, [3, 4])
    with pytest.raises(ValueError, match="same length"):
        S.TimeseriesGenerator(data, np.arange(9), length=3)
    with pytest.raises(ValueError, match="start_index"):
        S.TimeseriesGenerator(data, np.arange(10), length=10)


# ---- text --------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(TOKENIZER_CASES))
def test_tokenizer_matches_keras(case):
    tok = T.Tokenizer(**TOKENIZER_CASES[case])
    tok.fit_on_texts(TEXTS)
    ref = J["tokenizer"][case]
    assert tok.word_index == ref["word_index"]
    assert dict(tok.word_counts) == ref["word_counts"]
    assert tok.texts_to_sequences(NEW_TEXTS + TEXTS[:1]) == ref["sequences"]
    assert tok.sequences_to_texts(tok.texts_to_sequences(NEW_TEXTS)) == ref["texts"]
    for mode in ("binary", "count", "tfidf", "freq"):
        np.testing.assert_allclose(tok.texts_to_matrix(NEW_TEXTS, mode=mode),
                                   D[f"tok/{case}/{mode}"], rtol=1e-12, err_msg=mode)
    back = T.tokenizer_from_json(tok.to_json())
    assert back.word_index == tok.word_index
    assert back.texts_to_sequences(NEW_TEXTS) == tok.texts_to_sequences(NEW_TEXTS)


def test_text_helpers_and_tokenizer_errors():
    assert T.text_to_word_sequence(TEXTS[2]) == J["text_to_word_sequence"]
    idx = T.one_hot("a b c a", 5)
    assert len(idx) == 4 and idx[0] == idx[3] and all(1 <= i < 5 for i in idx)
    assert T.hashing_trick("x y", 10, hash_function="md5") == T.hashing_trick("x y", 10, "md5")
    tok = T.Tokenizer()
    with pytest.raises(ValueError, match="fit on some text"):
        tok.sequences_to_matrix([[1]])
    with pytest.raises(TypeError, match="list of strings"):
        tok.fit_on_texts(b"bytes")
    tok.fit_on_texts(TEXTS)
    with pytest.raises(ValueError, match="mode must be one of"):
        tok.texts_to_matrix(TEXTS, mode="onehot")
    with pytest.raises(ValueError, match="num_words"):
        T.Tokenizer(num_words=-1)
    m = T.Tokenizer(num_words=4).sequences_to_matrix([[1, 3, 3, 9]], mode="count")
    np.testing.assert_array_equal(m, [[0, 1, 0, 2]])  # indices >= num_words dropped


# ---- image -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(TRANSFORMS))
def test_apply_transform_matches_keras(case):
    pytest.importorskip("scipy", reason="geometric transforms need SciPy (the 'image' extra)")
    gen_kw, params = TRANSFORMS[case]
    if "brightness" in params:
        pytest.importorskip("PIL", reason="brightness shifts need Pillow (the 'image' extra)")
    x = image().transpose(2, 0, 1).copy() if gen_kw.get("data_format") == "channels_first" else image()
    got = I.ImageDataGenerator(**gen_kw).apply_transform(x, params)
    np.testing.assert_allclose(got, D[f"img/{case}"], rtol=1e-5, atol=1e-6)


def test_flips_and_integer_shift_exact_without_scipy_formula():
    x = image()
    g = I.ImageDataGenerator()
    np.testing.assert_array_equal(g.apply_transform(x, {"flip_horizontal": True}), x[:, ::-1])
    np.testing.assert_array_equal(g.apply_transform(x, {"flip_vertical": True}), x[::-1])
    pytest.importorskip("scipy", reason="shifts need SciPy (the 'image' extra)")
    s = I.ImageDataGenerator(fill_mode="constant", cval=0.0).apply_transform(x, {"tx": 2, "ty": 1})
    # Keras 2 quirk kept: for channels_last images tx moves columns and ty rows,
    # out(r, c) = in(r + ty, c + tx)
    np.testing.assert_allclose(s[:-1, :-2], x[1:, 2:], atol=1e-6)
    assert np.all(s[-1:] == 0) and np.all(s[:, -2:] == 0)


def test_flow_with_seed_matches_keras_batches():
    pytest.importorskip("scipy", reason="geometric transforms need SciPy (the 'image' extra)")
    xs, ys = images()
    it = I.ImageDataGenerator(**FLOW).flow(xs, ys, batch_size=4, shuffle=True, seed=7)
    assert isinstance(it, Sequence) and len(it) == 2
    for b in range(2):
        bx, by = it[b]
        np.testing.assert_array_equal(by, D[f"flow/y{b}"])
        np.testing.assert_allclose(bx, D[f"flow/x{b}"], rtol=1e-5, atol=1e-6)


def test_featurewise_fit_and_standardize_match_keras():
    xs, _ = images()
    g = I.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    g.fit(xs)
    np.testing.assert_allclose(g.mean, D["fit/mean"], rtol=1e-5)
    np.testing.assert_allclose(g.std, D["fit/std"], rtol=1e-5)
    np.testing.assert_allclose(g.standardize(xs[0].copy()), D["fit/standardized"], rtol=1e-5,
                               atol=1e-6)


def test_flow_iterates_like_keras_and_checks_arguments():
    xs, ys = images()
    it = I.ImageDataGenerator(rescale=2.0).flow(xs, ys, batch_size=4, shuffle=False)
    bx, by = next(it)
    np.testing.assert_allclose(bx, xs[:4] * 2)
    np.testing.assert_array_equal(by, ys[:4])
    bx, by = next(it)  # the last, short batch, then it wraps around
    assert bx.shape == (2, 7, 9, 3) and list(by) == [4, 5]
    assert next(it)[1].tolist() == [0, 1, 2, 3]
    w = np.linspace(0, 1, 6)
    assert len(I.ImageDataGenerator().flow(xs, ys, sample_weight=w, batch_size=6)[0]) == 3
    with pytest.raises(ValueError, match="same length"):
        I.ImageDataGenerator().flow(xs, ys[:5])
    with pytest.raises(ValueError, match="rank-4"):
        I.ImageDataGenerator().flow(xs[0], None)
    with pytest.raises(ValueError, match="fill_mode"):
        I.ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="zoom_range"):
        I.ImageDataGenerator(zoom_range="big")
    with pytest.raises(ValueError, match="validation_split"):
        I.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(IndexError, match="batch 5"):
        I.ImageDataGenerator().flow(xs, ys, batch_size=4)[5]
    va = I.ImageDataGenerator(validation_split=0.5).flow(xs, np.array([0, 1, 2, 0, 1, 2]),
                                                         subset="validation", shuffle=False)
    assert va.n == 3


def test_flow_from_directory(tmp_path):
    PIL = pytest.importorskip("PIL.Image", reason="image files need Pillow (the 'image' extra)")
    r = np.random.default_rng(0)
    for cls, n in (("cats", 2), ("dogs", 3)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            PIL.fromarray(r.integers(0, 255, (10, 12, 3), dtype=np.uint8)).save(tmp_path / cls / f"{i}.png")
    it = I.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        str(tmp_path), target_size=(8, 6), batch_size=5, shuffle=False)
    assert it.class_indices == {"cats": 0, "dogs": 1} and it.samples == 5
    bx, by = it[0]
    assert bx.shape == (5, 8, 6, 3) and bx.max() <= 1.0
    np.testing.assert_array_equal(by, [[1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])
    img = I.load_img(str(tmp_path / "cats" / "0.png"), color_mode="grayscale")
    assert I.img_to_array(img).shape == (10, 12, 1)


def test_sampling_table_and_skipgrams_match_keras():
    np.testing.assert_allclose(S.make_sampling_table(12, sampling_factor=0.05), D["sampling_table"],
                               rtol=1e-12)
    couples, labels = S.skipgrams([1, 2, 0, 3, 4, 2], 6, window_size=2, negative_samples=0.0,
                                  shuffle=False)
    np.testing.assert_array_equal(couples, D["skipgrams/couples"])
    np.testing.assert_array_equal(labels, D["skipgrams/labels"])
    couples, labels = S.skipgrams([1, 2, 3], 10, window_size=1, negative_samples=1.0, seed=3)
    assert sorted(labels) == [0] * 4 + [1] * 4 and all(1 <= c[1] < 10 for c in couples)


def test_missing_extras_name_the_package(monkeypatch):
    """Without SciPy / Pillow the calls that need them say which package to install."""
    for mod in ("scipy", "scipy.ndimage", "PIL", "PIL.Image", "PIL.ImageEnhance"):
        monkeypatch.setitem(sys.modules, mod, None)  # makes `import mod` raise ImportError
    g = I.ImageDataGenerator(rotation_range=10, horizontal_flip=True, fill_mode="constant")
    with pytest.raises(ImportError, match="SciPy.*pip install scipy"):  # (constant: ndimage's)
        g.apply_transform(image(), {"theta": 10.0})
    with pytest.raises(ImportError, match="Pillow"):
        I.array_to_img(image())
    np.testing.assert_array_equal(g.apply_transform(image(), {"flip_horizontal": True}),
                                  image()[:, ::-1])  # flips need neither


def _native_image_transform():
    from tensorforge import _dispatch
    from tensorforge.kernels._common import NATIVE_MODULE
    return getattr(_dispatch.lookup("image_transform", "cpu"), "__module__", None) == NATIVE_MODULE


@pytest.mark.skipif(not _native_image_transform(),
                    reason="no native module: ndimage runs every transform")
def test_affine_transform_on_the_kernel_matches_ndimage(monkeypatch):
    """Note [affine transforms on the kernel]: order 1 with 'nearest' / 'reflect' on float32
    images runs the native projective transform; ndimage (float64 coordinates) is the oracle."""
    rng = np.random.default_rng(7)
    for trial in range(60):
        h, w, c = int(rng.integers(2, 40)), int(rng.integers(2, 40)), int(rng.integers(1, 5))
        x = rng.uniform(-1, 1, (h, w, c)).astype(np.float32)
        kw = dict(theta=rng.uniform(-45, 45), tx=rng.uniform(-6, 6), ty=rng.uniform(-6, 6),
                  shear=rng.uniform(-20, 20), zx=rng.uniform(0.6, 1.4), zy=rng.uniform(0.6, 1.4),
                  fill_mode=("nearest", "reflect")[trial % 2])
        axes = dict(row_axis=0, col_axis=1, channel_axis=2)
        if trial % 3 == 0:  # channels first
            x, axes = np.ascontiguousarray(x.transpose(2, 0, 1)), dict(row_axis=1, col_axis=2,
                                                                       channel_axis=0)
        got = I.apply_affine_transform(x, **axes, **kw)
        with monkeypatch.context() as mp:
            mp.setattr(I, "_native_affine_ok", lambda *a: False)
            want = I.apply_affine_transform(x, **axes, **kw)
        assert got.dtype == want.dtype == np.float32 and got.shape == want.shape == x.shape
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-5)
    # the kernel path needs no SciPy; float64 images, order 0 and 'constant' still use ndimage
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.ndimage", None)
    assert I.apply_affine_transform(image(), theta=20, row_axis=0, col_axis=1,
                                    channel_axis=2).shape == image().shape
    for kw in (dict(order=0), dict(fill_mode="constant"), dict(fill_mode="wrap")):
        with pytest.raises(ImportError, match="SciPy"):
            I.apply_affine_transform(image(), theta=20, row_axis=0, col_axis=1, channel_axis=2,
                                     **kw)
    with pytest.raises(ImportError, match="SciPy"):
        I.apply_affine_transform(image().astype(np.float64), theta=20, row_axis=0, col_axis=1,
                                 channel_axis=2)


@pytest.mark.parametrize("cfg", [
    dict(rotation_range=30, width_shift_range=0.2, height_shift_range=0.1, shear_range=10,
         zoom_range=0.2, horizontal_flip=True, vertical_flip=True),
    dict(rotation_range=20, fill_mode="reflect", channel_shift_range=0.3, samplewise_center=True,
         samplewise_std_normalization=True, data_format="channels_first"),
    dict(width_shift_range=0.3, rescale=0.5, vertical_flip=True),
    dict(width_shift_range=0.3, brightness_range=(0.5, 1.5)),  # (Pillow: the image extra)
    dict(horizontal_flip=True, featurewise_center=True, featurewise_std_normalization=True),
])
def test_batched_affine_path_gives_the_per_image_batches(cfg, monkeypatch):
    """ImageDataGenerator._transform_batch (one kernel call per batch) against the iterators'
    per-image loop: the same draws, the same images, bit for bit."""
    if "brightness_range" in cfg:
        pytest.importorskip("PIL")
    rng = np.random.default_rng(11)
    cf = cfg.get("data_format") == "channels_first"
    x = rng.uniform(0, 1, (13, 3, 9, 7) if cf else (13, 9, 7, 3)).astype(np.float32)
    y = np.arange(13)

    def batches():
        g = I.ImageDataGenerator(**cfg)
        if cfg.get("featurewise_center"):
            g.fit(x)
        it = g.flow(x, y, batch_size=5, shuffle=True, seed=3)
        return [it[k][0] for k in range(len(it))] + [next(it)[0]]
    fast = batches()
    with monkeypatch.context() as mp:
        mp.setattr(I.ImageDataGenerator, "_transform_batch", lambda *a: None)
        slow = batches()
    assert len(fast) == len(slow) == 4
    assert I.ImageDataGenerator(**cfg)._transform_batch(x[:1], "float32") is not None
    for a, b in zip(fast, slow):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)


def test_subclass_or_preprocessing_function_keeps_the_per_image_loop():
    calls = []

    class Gen(I.ImageDataGenerator):
        def apply_transform(self, x, p):
            calls.append(1)
            return super().apply_transform(x, p)
    x = np.random.default_rng(0).uniform(0, 1, (4, 6, 6, 1)).astype(np.float32)
    next(Gen(rotation_range=10).flow(x, batch_size=4, seed=0))
    assert len(calls) == 4
    g = I.ImageDataGenerator(rotation_range=10, preprocessing_function=lambda a: a * 2)
    assert g._transform_batch(x, "float32") is None
    assert I.ImageDataGenerator(rotation_range=10)._transform_batch(x, "float64") is None
