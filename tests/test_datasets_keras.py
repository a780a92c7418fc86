"""Keras 2's downloadable data sets read from local files (nothing downloads): cifar10,
cifar100, imdb, reuters, boston_housing. tests/data/datasets holds small files in each format;
tests/data/dataset_refs.* what Keras 2's own loaders return for them (tools/gen_dataset_refs.py,
tf_keras 2.21)."""
import json
import os
import pickle
import tarfile

import numpy as np
import pytest

from tensorforge import backend as K
from tensorforge import datasets

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "data", "datasets")
REF = np.load(os.path.join(HERE, "data", "dataset_refs.npz"))
with open(os.path.join(HERE, "data", "dataset_refs.json")) as _f:
    CALLS = json.load(_f)


def _check(key, split):
    (xa, ya), (xb, yb) = split
    for k, v in (("x_train", xa), ("y_train", ya), ("x_test", xb), ("y_test", yb)):
        if f"{key}/{k}" in REF.files:
            want = REF[f"{key}/{k}"]
            assert v.dtype == want.dtype and v.shape == want.shape, (key, k, v.dtype, v.shape)
            np.testing.assert_array_equal(v, want, err_msg=f"{key} {k}")
        else:
            assert v.dtype == object, (key, k)
            np.testing.assert_array_equal([len(s) for s in v], REF[f"{key}/{k}/len"])
            np.testing.assert_array_equal([w for s in v for w in s], REF[f"{key}/{k}/words"])


@pytest.mark.parametrize("call", sorted(CALLS["imdb"]))
def test_imdb_matches_keras(call):
    _check(f"imdb/{call}", datasets.imdb.load_data(os.path.join(DATA, "imdb.npz"),
                                                   **CALLS["imdb"][call]))


@pytest.mark.parametrize("call", sorted(CALLS["reuters"]))
def test_reuters_matches_keras(call):
    _check(f"reuters/{call}", datasets.reuters.load_data(os.path.join(DATA, "reuters.npz"),
                                                         **CALLS["reuters"][call]))


@pytest.mark.parametrize("call", sorted(CALLS["boston"]))
def test_boston_housing_matches_keras(call):
    _check(f"boston/{call}", datasets.boston_housing.load_data(
        os.path.join(DATA, "boston_housing.npz"), **CALLS["boston"][call]))


def test_cifar_matches_keras():
    _check("cifar10/default", datasets.cifar10.load_data(os.path.join(DATA, "cifar-10-batches-py")))
    c100 = os.path.join(DATA, "cifar-100-python")
    _check("cifar100/fine", datasets.cifar100.load_data(path=c100))
    _check("cifar100/coarse", datasets.cifar100.load_data("coarse", path=c100))


def test_word_index_and_keras_cache_search(tmp_path, monkeypatch):
    """No path: the names Keras 2 caches the files by, under $KERAS_HOME/datasets."""
    cache = tmp_path / "kh" / "datasets"
    cache.mkdir(parents=True)
    for n in ("imdb.npz", "imdb_word_index.json"):
        (cache / n).write_bytes(open(os.path.join(DATA, n), "rb").read())
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert json.dumps(datasets.imdb.get_word_index(), sort_keys=True) == str(REF["imdb/word_index"])
    _check("imdb/default", datasets.imdb.load_data())


def test_cifar10_from_the_downloaded_tarball_and_channels_first(tmp_path):
    tgz = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(os.path.join(DATA, "cifar-10-batches-py"), arcname="cifar-10-batches-py")
    _check("cifar10/default", datasets.cifar10.load_data(str(tgz)))
    old = K.image_data_format()
    K.set_image_data_format("channels_first")
    try:
        (x, _), _ = datasets.cifar10.load_data(str(tgz))
    finally:
        K.set_image_data_format(old)
    np.testing.assert_array_equal(x, REF["cifar10/default/x_train"].transpose(0, 3, 1, 2))


def test_missing_files_name_the_places_and_the_origin(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    for fn, name in ((datasets.imdb.load_data, "imdb.npz"), (datasets.cifar10.load_data,
                                                               "cifar-10-python.tar.gz"),
                     (datasets.reuters.get_word_index, "reuters_word_index.json"),
                     (datasets.boston_housing.load_data, "boston_housing.npz")):
        with pytest.raises(FileNotFoundError) as e:
            fn()
        assert name in str(e.value) and "does not download" in str(e.value)
        assert str(tmp_path / "datasets") in str(e.value)


def test_corrupt_and_hostile_files_are_value_errors(tmp_path):
    bad = tmp_path / "imdb.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="imdb.npz"):
        datasets.imdb.load_data(str(bad))
    np.savez(tmp_path / "r.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="missing the array 'y'"):
        datasets.reuters.load_data(str(tmp_path / "r.npz"))

    class Hostile:
        def __reduce__(self):
            return (os.system, ("echo hostile",))
    hostile = np.empty(2, dtype=object)
    hostile[0], hostile[1] = Hostile(), [1]
    np.savez(tmp_path / "h.npz", x=hostile, y=np.zeros(2))
    with pytest.raises(ValueError, match="refusing to load"):
        datasets.reuters.load_data(str(tmp_path / "h.npz"))
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()
    for n in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (d / n).write_bytes(pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(ValueError, match="3072"):
        datasets.cifar10.load_data(str(d))
    with pytest.raises(ValueError, match="label_mode"):
        datasets.cifar100.load_data("medium")
    with pytest.raises(ValueError, match="maxlen"):
        datasets.imdb.load_data(os.path.join(DATA, "imdb.npz"), maxlen=1)
