"""ImageDataGenerator.flow_from_dataframe (preprocessing/image_dataframe.py). The expected
values are tf_keras 2.21's, printed by it on the same frame and files (/tmp/dfgen.py of session
25, run on both sides, printed identical lines)."""
import os

import numpy as np
import pytest

from tensorforge.keras.preprocessing.image import ImageDataGenerator

pd = pytest.importorskip("pandas")
Image = pytest.importorskip("PIL.Image")


@pytest.fixture()
def frame(tmp_path):
    rng = np.random.RandomState(0)
    names = []
    for i in range(10):
        n = f"img{i}.png"
        Image.fromarray(rng.randint(0, 255, (12, 10, 3), dtype=np.uint8)).save(tmp_path / n)
        names.append(n)
    (tmp_path / "notes.txt").write_text("x")
    df = pd.DataFrame({"filename": names + ["missing.png", "notes.txt"],
                       "class": ["cat", "dog", "bird"] * 4, "w": np.arange(12, dtype=float),
                       "tags": [["a"], ["b", "a"], ["c"]] * 4, "y1": np.arange(12.),
                       "y2": np.arange(12.) * 2})
    return df, str(tmp_path), ImageDataGenerator(rescale=1 / 255., validation_split=0.3)


def test_categorical_subset_weights(frame, capsys):
    df, d, g = frame
    with pytest.warns(UserWarning, match='Found 2 invalid image filename'):
        it = g.flow_from_dataframe(df, d, x_col="filename", y_col="class", target_size=(8, 8),
                                   batch_size=4, shuffle=False, subset="training",
                                   weight_col="w")
    assert "Found 7 validated image filenames belonging to 3 classes." in capsys.readouterr().out
    assert it.class_indices == {"bird": 0, "cat": 1, "dog": 2}
    assert it.classes == [1, 2, 0, 1, 2, 0, 1]
    assert it.filenames == [f"img{i}.png" for i in range(3, 10)] and len(it) == 2
    x, y, w = it[0]
    assert x.shape == (4, 8, 8, 3)
    assert y.tolist() == [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert w.tolist() == [3.0, 4.0, 5.0, 6.0]
    np.testing.assert_allclose(float(x.sum()), 370.051025390625, rtol=1e-6)


def test_sparse_with_classes_multilabel_multi_output_raw(frame):
    df, d, g = frame
    it = g.flow_from_dataframe(df, d, y_col="class", class_mode="sparse",
                               classes=["dog", "cat"], target_size=(8, 8), batch_size=5,
                               shuffle=False)
    assert it.class_indices == {"dog": 0, "cat": 1} and it.classes == [1, 0, 1, 0, 1, 0, 1]
    assert it.filenames == ["img0.png", "img1.png", "img3.png", "img4.png", "img6.png",
                            "img7.png", "img9.png"]
    assert it[0][1].tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    it = g.flow_from_dataframe(df, d, y_col="tags", target_size=(8, 8), batch_size=3,
                               shuffle=False)
    assert it.class_indices == {"a": 0, "b": 1, "c": 2}
    assert it.classes[:3] == [[0], [1, 0], [2]]
    assert it[0][1].tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    it = g.flow_from_dataframe(df, d, y_col=["y1", "y2"], class_mode="multi_output",
                               target_size=(8, 8), batch_size=3, shuffle=False,
                               subset="validation")
    assert it.filenames == ["img0.png", "img1.png", "img2.png"]
    assert [a.tolist() for a in it[0][1]] == [[0, 1, 2], [0, 2, 4]]
    it = g.flow_from_dataframe(df, d, y_col=["y1", "y2"], class_mode="raw", target_size=(8, 8),
                               batch_size=2, shuffle=False, color_mode="grayscale")
    assert it[0][0].shape == (2, 8, 8, 1) and it[0][1].tolist() == [[0, 0], [1, 2]]


def test_errors(frame):
    df, d, g = frame
    with pytest.raises(ValueError, match='If class_mode="binary" there must be 2 classes. '
                                         'Found 3 classes.'):
        g.flow_from_dataframe(df, d, y_col="class", class_mode="binary")
    with pytest.raises(TypeError, match='y_col must be a list'):
        g.flow_from_dataframe(df, d, y_col="y1", class_mode="multi_output")
    with pytest.raises(TypeError, match='column values must be strings'):
        g.flow_from_dataframe(df, d, y_col="y1", class_mode="sparse")
    with pytest.raises(ValueError, match="Invalid class_mode: other"):
        g.flow_from_dataframe(df, d, class_mode="other")
    assert os.path.isdir(d)
