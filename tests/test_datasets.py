"""tensorforge.datasets: the MNIST / Fashion-MNIST loaders on good files (IDX .gz, plain IDX, Keras
npz, the bundled digits) and on corrupt ones written to tmp_path (each must be a ValueError naming
the file, never a crash or a short array)."""
import gzip
import hashlib
import os
import struct

import numpy as np
import pytest

from tensorforge.datasets import _idx, fashion_mnist, mnist



def idx_bytes(arr, magic_type=0x08, ndim=None):
    """IDX encoding of a uint8 array, written independently of the reader under test."""
    arr = np.asarray(arr, dtype=np.uint8)
    nd = arr.ndim if ndim is None else ndim
    head = bytes([0, 0, magic_type, nd]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.tobytes()


def write(path, data, gz=True):
    if gz:
        with gzip.open(str(path), "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def make_split(rng, n):
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)


def write_idx_dir(d, rng, n_train=7, n_test=5, gz=True):
    (xtr, ytr), (xte, yte) = make_split(rng, n_train), make_split(rng, n_test)
    sfx = ".gz" if gz else ""
    write(d / f"train-images-idx3-ubyte{sfx}", idx_bytes(xtr), gz)
    write(d / f"train-labels-idx1-ubyte{sfx}", idx_bytes(ytr), gz)
    write(d / f"t10k-images-idx3-ubyte{sfx}", idx_bytes(xte), gz)
    write(d / f"t10k-labels-idx1-ubyte{sfx}", idx_bytes(yte), gz)
    return (xtr, ytr), (xte, yte)


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No user data anywhere: $TENSORFORGE_DATA unset and an empty home directory."""
    monkeypatch.delenv("TENSORFORGE_DATA", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def assert_split_equal(got, want):
    (a, b), (c, d) = got
    (A, B), (C, D) = want
    for g, w in ((a, A), (b, B), (c, C), (d, D)):
        assert g.dtype == np.uint8 and g.shape == w.shape
        np.testing.assert_array_equal(g, w)


# ---- bundled data -------------------------------------------------------------------------------

def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def test_bundled_files_md5():
    assert md5(mnist.BUNDLED_IMAGES) == "9fb629c4189551a2d022fa330f9573f3"
    assert md5(mnist.BUNDLED_LABELS) == "ec29112dd5afa0611ce80d1b7f02629c"


def test_bundled_split_and_single_notice(no_env, capsys, monkeypatch):
    monkeypatch.setattr(mnist, "_announced", False)
    (xtr, ytr), (xte, yte) = mnist.load_data()
    assert xtr.shape == (8000, 28, 28) and xte.shape == (2000, 28, 28)
    assert ytr.shape == (8000,) and yte.shape == (2000,)
    assert xtr.dtype == ytr.dtype == xte.dtype == yte.dtype == np.uint8
    # known facts about the official t10k set: first labels 7 2 1 0 4, last label 6, every class
    # present in both parts, pixel range 0..255
    assert list(ytr[:5]) == [7, 2, 1, 0, 4] and yte[-1] == 6
    assert (np.bincount(ytr, minlength=10) > 600).all() and (np.bincount(yte, minlength=10) > 150).all()
    assert xtr.max() == 255 and xtr.min() == 0
    mnist.load_data()
    err = capsys.readouterr().err
    assert err.count("bundled") == 1 and "8,000 train / 2,000 test" in err


def test_bundled_files_are_the_official_mnist_test_set():
    """The shipped files are byte-identical to the official t10k files (their published MD5s)."""
    import hashlib
    data = os.path.join(os.path.dirname(mnist.__file__), "data")
    want = {"t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
            "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"}
    for name, md5 in want.items():
        with open(os.path.join(data, name), "rb") as f:
            assert hashlib.md5(f.read()).hexdigest() == md5, name


# ---- good files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
def test_idx_dir(tmp_path, rng, gz):
    want = write_idx_dir(tmp_path, rng, gz=gz)
    assert_split_equal(mnist.load_data(tmp_path), want)
    assert_split_equal(fashion_mnist.load_data(str(tmp_path)), want)


def test_npz_file_and_dir(tmp_path, rng):
    (xtr, ytr), (xte, yte) = make_split(rng, 6), make_split(rng, 4)
    np.savez(tmp_path / "mnist.npz", x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    assert_split_equal(mnist.load_data(tmp_path / "mnist.npz"), ((xtr, ytr), (xte, yte)))
    assert_split_equal(mnist.load_data(tmp_path), ((xtr, ytr), (xte, yte)))


def test_env_and_home_search_order(no_env, tmp_path, rng, monkeypatch):
    home_dir = no_env / ".tensorforge" / "datasets" / "mnist"
    home_dir.mkdir(parents=True)
    from_home = write_idx_dir(home_dir, rng, n_train=3, n_test=2)
    assert_split_equal(mnist.load_data(), from_home)
    env_root = tmp_path / "env"
    (env_root / "mnist").mkdir(parents=True)
    from_env = write_idx_dir(env_root / "mnist", rng, n_train=4, n_test=1)
    monkeypatch.setenv("TENSORFORGE_DATA", str(env_root))
    assert_split_equal(mnist.load_data(), from_env)      # $TENSORFORGE_DATA before ~
    given = tmp_path / "given"
    given.mkdir()
    from_given = write_idx_dir(given, rng, n_train=2, n_test=2)
    assert_split_equal(mnist.load_data(given), from_given)  # path before everything


def test_fashion_env_dir(no_env, tmp_path, rng, monkeypatch):
    (tmp_path / "fashion-mnist").mkdir()
    want = write_idx_dir(tmp_path / "fashion-mnist", rng)
    monkeypatch.setenv("TENSORFORGE_DATA", str(tmp_path))
    assert_split_equal(fashion_mnist.load_data(), want)


def test_fashion_missing_names_debian_package(no_env, monkeypatch, tmp_path):
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        fashion_mnist.load_data()


@pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_debian_files(no_env):
    (xtr, ytr), (xte, yte) = fashion_mnist.load_data()
    assert xtr.shape == (60000, 28, 28) and xte.shape == (10000, 28, 28)
    assert (np.bincount(yte, minlength=10) == 1000).all()


# ---- bad paths and corrupt files ----------------------------------------------------------------

def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mnist.load_data(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="neither"):
        mnist.load_data(tmp_path)                        # exists but empty: no silent fallback


def test_partial_dir_names_missing_file(tmp_path, rng):
    write_idx_dir(tmp_path, rng)
    os.remove(tmp_path / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        mnist.load_data(tmp_path)


def corrupt_cases(x, y):
    good = idx_bytes(x)
    return {
        "truncated data": ("t10k-images-idx3-ubyte", good[:-7], "truncated"),
        "trailing bytes": ("t10k-images-idx3-ubyte", good + b"\0\0", "unexpected bytes"),
        "bad magic": ("t10k-images-idx3-ubyte", b"\x12\x34" + good[2:], "magic"),
        "wrong dtype": ("t10k-images-idx3-ubyte", idx_bytes(x, magic_type=0x0D), "element type"),
        "wrong ndim": ("t10k-images-idx3-ubyte", idx_bytes(x.reshape(len(x), -1)), "3 dimension"),
        "wrong size": ("t10k-images-idx3-ubyte", idx_bytes(x[:, :27, :27]), "28x28"),
        "short header": ("t10k-images-idx3-ubyte", good[:9], "header"),
        "tiny": ("t10k-images-idx3-ubyte", b"\0\0", "too short"),
        "count mismatch": ("t10k-labels-idx1-ubyte", idx_bytes(y[:-1]), "labels"),
        "label range": ("t10k-labels-idx1-ubyte", idx_bytes(np.full(len(y), 12)), "out of range"),
        "huge header": ("t10k-images-idx3-ubyte",
                        bytes([0, 0, 8, 3]) + struct.pack(">III", 2**31, 28, 28) + b"\0" * 100,
                        "truncated"),
    }


@pytest.mark.parametrize("case", list(corrupt_cases(np.zeros((5, 28, 28)), np.zeros(5))))
def test_corrupt_idx(tmp_path, rng, case):
    (_, _), (xte, yte) = write_idx_dir(tmp_path, rng)
    name, data, msg = corrupt_cases(xte, yte)[case]
    write(tmp_path / (name + ".gz"), data)
    with pytest.raises(ValueError, match=msg) as e:
        mnist.load_data(tmp_path)
    assert "t10k-" in str(e.value)                       # names the file


def test_truncated_and_garbage_gzip(tmp_path, rng):
    write_idx_dir(tmp_path, rng, n_train=50)
    p = tmp_path / "train-images-idx3-ubyte.gz"
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="truncated gzip") as e:
        mnist.load_data(tmp_path)
    assert "train-images-idx3-ubyte.gz" in str(e.value)
    p.write_bytes(raw[:10] + bytes(255 - b for b in raw[10:]))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        mnist.load_data(tmp_path)
    p.write_bytes(b"this is not gzip at all")
    with pytest.raises(ValueError, match="not a gzip file"):
        mnist.load_data(tmp_path)


def test_corrupt_npz(tmp_path, rng):
    p = tmp_path / "mnist.npz"
    p.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(ValueError, match="mnist.npz"):
        mnist.load_data(p)
    (xtr, ytr), (xte, yte) = make_split(rng, 6), make_split(rng, 4)
    np.savez(p, x_train=xtr, y_train=ytr, x_test=xte)
    with pytest.raises(ValueError, match="missing y_test"):
        mnist.load_data(p)
    np.savez(p, x_train=xtr, y_train=ytr[:-1], x_test=xte, y_test=yte)
    with pytest.raises(ValueError, match="6 images but .* 5 labels"):
        mnist.load_data(p)
    np.savez(p, x_train=xtr.reshape(6, -1), y_train=ytr, x_test=xte, y_test=yte)
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        mnist.load_data(p)
    np.savez(p, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    full = p.read_bytes()
    p.write_bytes(full[: len(full) - 40])
    with pytest.raises(ValueError, match="mnist.npz"):
        mnist.load_data(p)
