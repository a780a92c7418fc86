"""tf.io.gfile on local files: the behaviour TensorFlow 2.21 showed for the same calls (run by
hand under /work/keras-venv while writing tf_gfile.py; the expected values below are its),
and the atomic 'w' writes tensorforge chose (tf_gfile.py's docstring)."""
import os

import pytest

import tensorforge as tf

gfile = tf.io.gfile


def test_write_read_readline_iterate(tmp_path):
    p = str(tmp_path / "a.txt")
    with gfile.GFile(p, "w") as f:
        f.write("hi\nthere\n")
    with gfile.GFile(p) as f:
        assert f.read() == "hi\nthere\n" and f.tell() == 9
    with gfile.GFile(p) as f:
        assert [line for line in f] == ["hi\n", "there\n"]
    with gfile.GFile(p) as f:
        assert f.readline() == "hi\n" and f.read(3) == "the" and f.size() == 9
    with gfile.GFile(p, "rb") as f:
        assert f.read() == b"hi\nthere\n"
    with gfile.GFile(p, "a") as f:
        f.write(b"more")
    with gfile.GFile(p, "rb") as f:
        assert f.read() == b"hi\nthere\nmore" and f.readlines() == []
    with gfile.GFile(p, "r") as f:
        assert f.readlines() == ["hi\n", "there\n", "more"]
    f = gfile.GFile(p, "r")
    f.seek(3)
    assert f.read(2) == "th"
    f.seek(offset=1, whence=1)
    assert f.tell() == 6 and f.name == p and f.mode == "r"
    f.close()
    assert gfile.Open is gfile.GFile


def test_w_is_atomic_and_lazy(tmp_path):
    p = str(tmp_path / "b.bin")
    gfile.GFile(p, "w").close()
    assert not gfile.exists(p)  # TensorFlow's: a 'w' file never written is not created
    with open(p, "wb") as f:
        f.write(b"old")
    f = gfile.GFile(p, "wb")
    f.write(b"new contents")
    with open(p, "rb") as g:
        assert g.read() == b"old"  # readers see the old file until close
    assert f.size() == 12
    f.close()
    with open(p, "rb") as g:
        assert g.read() == b"new contents"
    with pytest.raises(RuntimeError):
        with gfile.GFile(p, "wb") as f:
            f.write(b"half")
            raise RuntimeError("the writer failed")
    with open(p, "rb") as g:
        assert g.read() == b"new contents"  # a failed write leaves the old file
    assert sorted(os.listdir(tmp_path)) == ["b.bin"]  # no temporary left behind


def test_errors_are_tensorflows(tmp_path):
    missing = str(tmp_path / "nope")
    g = gfile.GFile(missing)  # lazy, as TensorFlow's: the error comes at the first read
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        g.read()
    with pytest.raises(tf.errors.InvalidArgumentError, match="mode is not 'r' or 'w'"):
        gfile.GFile(missing, "x")
    with pytest.raises(tf.errors.NotFoundError, match="Could not find directory"):
        gfile.listdir(missing)
    with pytest.raises(tf.errors.NotFoundError):
        gfile.remove(missing)
    with pytest.raises(tf.errors.NotFoundError, match="not found"):
        gfile.rmtree(missing)
    with pytest.raises(tf.errors.NotFoundError):
        gfile.stat(missing)
    with pytest.raises(tf.errors.NotFoundError):
        gfile.mkdir(str(tmp_path / "x" / "y"))
    p = str(tmp_path / "a")
    with gfile.GFile(p, "w") as f:
        f.write("x")
    gfile.copy(p, p + "2")
    with pytest.raises(tf.errors.AlreadyExistsError, match="file already exists"):
        gfile.copy(p, p + "2")
    with pytest.raises(tf.errors.AlreadyExistsError):
        gfile.rename(p, p + "2")
    with pytest.raises(tf.errors.PermissionDeniedError, match="isn't open for reading"):
        with gfile.GFile(p, "w") as f:
            f.read()
    with pytest.raises(tf.errors.PermissionDeniedError, match="isn't open for writing"):
        with gfile.GFile(p, "r") as f:
            f.write("x")
    gfile.mkdir(str(tmp_path / "sub"))
    with pytest.raises(tf.errors.FailedPreconditionError, match="Is a directory"):
        gfile.remove(str(tmp_path / "sub"))
    with pytest.raises(TypeError, match="tf.io.gfile.exists"):
        gfile.exists(3)


def test_directory_functions(tmp_path):
    d = str(tmp_path)
    for name in ("a.txt", "b.txt2"):
        with gfile.GFile(os.path.join(d, name), "w") as f:
            f.write("12345")
    gfile.mkdir(os.path.join(d, "sub"))
    gfile.mkdir(os.path.join(d, "sub"))  # TensorFlow's local file system accepts it
    gfile.makedirs(os.path.join(d, "sub", "deep", "er"))
    assert gfile.listdir(d) == ["a.txt", "b.txt2", "sub"]
    assert gfile.glob(os.path.join(d, "*.txt*")) == [os.path.join(d, "a.txt"),
                                                     os.path.join(d, "b.txt2")]
    assert gfile.isdir(d) and not gfile.isdir(os.path.join(d, "a.txt"))
    st = gfile.stat(os.path.join(d, "a.txt"))
    assert (st.length, st.is_directory) == (5, False) and isinstance(st.mtime_nsec, int)
    walked = list(gfile.walk(d))
    assert walked[0] == (d, ["sub"], ["a.txt", "b.txt2"])
    assert [w[0] for w in walked] == [d, os.path.join(d, "sub"), os.path.join(d, "sub", "deep"),
                                      os.path.join(d, "sub", "deep", "er")]
    assert [w[0] for w in gfile.walk(d, topdown=False)][-1] == d
    assert list(gfile.walk(os.path.join(d, "nope"))) == []
    gfile.rename(os.path.join(d, "a.txt"), os.path.join(d, "b.txt2"), overwrite=True)
    assert gfile.listdir(d) == ["b.txt2", "sub"]
    gfile.rmtree(os.path.join(d, "sub"))
    assert not gfile.exists(os.path.join(d, "sub"))
    assert gfile.join("a", "b", "c") == "a/b/c" and gfile.join("/a/", "b") == "/a/b"
    assert tf.io.matching_files(os.path.join(d, "*.txt*")).numpy().tolist() == [
        os.path.join(d, "b.txt2").encode()]
    assert tf.io.matching_files(os.path.join(d, "zz*")).shape == (0,)


def test_gfile_works_with_python_readers_and_writers(tmp_path):
    """The file-object protocol TF programs rely on: np.save / np.load, json, pickle, csv."""
    import csv
    import json
    import pickle

    import numpy as np
    p = str(tmp_path)
    with gfile.GFile(os.path.join(p, "a.npz"), "wb") as f:
        np.savez(f, x=np.arange(3))
    with gfile.GFile(os.path.join(p, "a.npz"), "rb") as f:
        assert np.load(f)["x"].tolist() == [0, 1, 2]
    with gfile.GFile(os.path.join(p, "j.json"), "w") as f:
        json.dump({"a": [1, 2]}, f)
    with gfile.GFile(os.path.join(p, "j.json")) as f:
        assert json.load(f) == {"a": [1, 2]}
    with gfile.GFile(os.path.join(p, "p.pkl"), "wb") as f:
        pickle.dump({"x": 1}, f)
    with gfile.GFile(os.path.join(p, "p.pkl"), "rb") as f:
        assert pickle.load(f) == {"x": 1}
    with gfile.GFile(os.path.join(p, "c.csv"), "w") as f:
        csv.writer(f).writerow(["a", "b"])
    with gfile.GFile(os.path.join(p, "c.csv")) as f:
        assert list(csv.reader(f)) == [["a", "b"]]
