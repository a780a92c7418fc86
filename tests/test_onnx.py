"""ONNX export: the exported graph passes onnx.checker and ONNX Runtime predicts what the model
predicts (within 1e-5 relative), for the zoo, the Keras fixtures and the recurrent corner cases
(masks with pre-padding and holes, go_backwards, return_sequences, both GRU formulations)."""
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="ONNX export needs the onnx package (tensorforge[onnx])")
ort = pytest.importorskip("onnxruntime", reason="the ONNX checks run the graph in onnxruntime")

from tensorforge import cli, layers as L, models, zoo  # noqa: E402
import tensorforge.onnx as tf_onnx  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "data", "keras_h5")


def _run(path, xs):
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    xs = xs if isinstance(xs, list) else [xs]
    return s.run(None, {i.name: x for i, x in zip(s.get_inputs(), xs)})[0]


def _assert_close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _export_and_compare(model, xs, tmp_path, opset=tf_onnx.DEFAULT_OPSET):
    path = tmp_path / "m.onnx"
    tf_onnx.export(model, path, opset=opset)
    tf_onnx.check(path)
    want = model.predict(xs)
    _assert_close(_run(path, xs), want)
    return path


@pytest.mark.parametrize("name", zoo.MODELS)
def test_zoo_model_runs_in_onnxruntime(tmp_path, name):
    m = zoo.build_model(name)
    shape = {"image": (28, 28, 1), "flat": (784,), "sequence": (28, 28)}[zoo.input_layout(name)]
    r = np.random.default_rng(3)
    x = r.random((5,) + shape).astype(np.float32)
    path = _export_and_compare(m, x, tmp_path)
    _assert_close(_run(path, x[:1]), m.predict(x[:1]))  # the batch axis is dynamic
    inp = onnx.load(str(path)).graph.input[0]
    assert inp.type.tensor_type.shape.dim[0].dim_param == "batch"


@pytest.mark.parametrize("name", ["mlp", "lenet", "cnn", "simple_rnn", "lstm", "lstm_seq",
                                  "gru_reset_after", "gru_reset_before", "embedding_mask_bn",
                                  "conv_bn", "regularized_mlp", "bidirectional",
                                  "functional_two_branch", "functional_two_inputs",
                                  "nested_model", "functional_two_outputs"])
def test_keras_fixture_exports_with_keras_predictions(tmp_path, name):
    pytest.importorskip("h5py", reason="the fixtures are Keras .h5 files")
    if name.startswith("functional") and not hasattr(L, "Input"):
        pytest.skip("the functional API is not in this build yet")
    m = models.load_model(os.path.join(DATA, name + ".h5"), compile=False)
    z = np.load(os.path.join(DATA, name + ".npz"))
    xs = [z[k] for k in sorted(z.files) if k.startswith("x")]
    path = tmp_path / "m.onnx"
    tf_onnx.export(m, path)
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outs = s.run(None, {i.name: x.astype(np.float32) for i, x in zip(s.get_inputs(), xs)})
    for got, key in zip(outs, ("y", "y1")):
        _assert_close(got, z[key])  # Keras' own predictions, every output


def _ids(rng, n, t, vocab):
    ids = rng.integers(1, vocab, size=(n, t)).astype(np.float32)
    ids[0, :4] = 0        # pre-padding (Keras pad_sequences' default)
    ids[1, -3:] = 0       # post-padding
    ids[2, [1, 3, 4]] = 0  # holes
    ids[3, :] = 0         # all masked
    return ids


@pytest.mark.parametrize("cell,kw", [
    (L.LSTM, {}), (L.LSTM, {"return_sequences": True}), (L.LSTM, {"go_backwards": True}),
    (L.GRU, {"reset_after": True, "return_sequences": True, "go_backwards": True}),
    (L.GRU, {"reset_after": False}), (L.SimpleRNN, {"return_sequences": True}),
    (L.LSTM, {"recurrent_activation": "hard_sigmoid"})])
def test_masked_recurrent_layers_match(tmp_path, cell, kw):
    rng = np.random.default_rng(4)
    layers = [L.Embedding(20, 6, mask_zero=True, input_length=9), cell(7, **kw)]
    if kw.get("return_sequences"):
        layers.append(L.Dense(3))
    m = models.Sequential(layers)
    _export_and_compare(m, _ids(rng, 6, 9, 20), tmp_path)


@pytest.mark.parametrize("cell", [L.LSTM, L.GRU, L.SimpleRNN])
@pytest.mark.parametrize("kw", [{"return_sequences": True, "go_backwards": True}, {}])
def test_unmasked_recurrent_layers_match(tmp_path, cell, kw):
    m = models.Sequential([cell(5, input_shape=(6, 4), **kw)])
    x = np.random.default_rng(5).normal(size=(3, 6, 4)).astype(np.float32)
    path = _export_and_compare(m, x, tmp_path)
    ops = {n.op_type for n in onnx.load(str(path)).graph.node}
    assert {"LSTM": "LSTM", "GRU": "GRU", "SimpleRNN": "RNN"}[cell.__name__] in ops  # native op


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul"])
def test_bidirectional(tmp_path, merge_mode):
    m = models.Sequential([L.Bidirectional(L.LSTM(4, return_sequences=True),
                                           merge_mode=merge_mode, input_shape=(5, 3))])
    x = np.random.default_rng(6).normal(size=(2, 5, 3)).astype(np.float32)
    _export_and_compare(m, x, tmp_path)


def test_conv_pool_batchnorm_layers(tmp_path):
    rng = np.random.default_rng(7)
    m = models.Sequential([
        L.Conv2D(4, (3, 3), strides=(2, 2), padding="same", activation="elu",
                 input_shape=(9, 8, 2)),
        L.BatchNormalization(),
        L.AveragePooling2D((2, 2), strides=(1, 1), padding="same"),
        L.Conv2D(3, (2, 2), dilation_rate=(2, 2), activation="selu"),
        L.LeakyReLU(0.1),
        L.MaxPooling2D((3, 3), strides=(2, 2), padding="same"),
        L.Reshape((-1, 3)), L.Flatten(), L.Dense(4, activation="softplus"),
        L.Activation("hard_sigmoid")])
    bn = m.layers[1]
    bn.set_weights([rng.uniform(0.5, 2, 4), rng.normal(size=4), rng.normal(size=4),
                    rng.uniform(0.5, 2, 4)])  # non-trivial moving statistics
    x = rng.normal(size=(3, 9, 8, 2)).astype(np.float32)
    _export_and_compare(m, x, tmp_path)


@pytest.mark.parametrize("opset", [13, 18])
def test_opsets(tmp_path, opset):
    m = models.Sequential([L.Conv2D(3, (3, 3), input_shape=(6, 6, 1)),
                           L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax")])
    x = np.random.default_rng(8).random((2, 6, 6, 1)).astype(np.float32)
    path = _export_and_compare(m, x, tmp_path, opset=opset)
    assert onnx.load(str(path)).opset_import[0].version == opset


def test_functional_merge_layers(tmp_path):
    if not hasattr(L, "Input"):
        pytest.skip("the functional API is not in this build yet")
    a, b = L.Input(shape=(6,), name="a"), L.Input(shape=(6,), name="b")
    da, db = L.Dense(6, activation="tanh")(a), L.Dense(6)(b)
    merged = [L.Add()([da, db]), L.Subtract()([da, db]), L.Multiply()([da, db]),
              L.Average()([da, db, a]), L.Maximum()([da, db]), L.Minimum()([da, db]),
              L.Dot(axes=1)([da, db]), L.Dot(axes=-1, normalize=True)([da, db])]
    out = L.Dense(2)(L.Concatenate()(merged))
    m = models.Model([a, b], out)
    r = np.random.default_rng(9)
    xs = [r.normal(size=(4, 6)).astype(np.float32), r.normal(size=(4, 6)).astype(np.float32)]
    path = _export_and_compare(m, xs, tmp_path)
    assert [i.name for i in onnx.load(str(path)).graph.input] == ["a", "b"]


def test_unsupported_layer_and_bad_arguments(tmp_path):
    m = models.Sequential([L.Dense(3, input_shape=(4,)), L.Dense(2)])

    def custom(x):
        return x * 2
    m.layers[1].activation = custom  # an activation with no ONNX form
    with pytest.raises(ValueError, match="activation .* has no ONNX conversion"):
        tf_onnx.export(m, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    with pytest.raises(ValueError, match="opset"):
        tf_onnx.export(zoo.build_model("mlp"), tmp_path / "m.onnx", opset=7)
    if hasattr(L, "Lambda"):
        m = models.Sequential([L.Dense(3, input_shape=(4,)), L.Lambda(lambda x: x * 2)])
        with pytest.raises(ValueError, match="Lambda"):
            tf_onnx.export(m, tmp_path / "m.onnx")


def test_corrupt_and_truncated_onnx_files(tmp_path):
    path = tmp_path / "m.onnx"
    tf_onnx.export(zoo.build_model("mlp"), path)
    data = path.read_bytes()
    (tmp_path / "trunc.onnx").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="trunc.onnx.*corrupt or truncated"):
        tf_onnx.check(tmp_path / "trunc.onnx")
    (tmp_path / "junk.onnx").write_bytes(b"\x00\xff garbage" * 20)
    with pytest.raises(ValueError, match="junk.onnx"):
        tf_onnx.check(tmp_path / "junk.onnx")
    with pytest.raises(FileNotFoundError):
        tf_onnx.check(tmp_path / "missing.onnx")


def test_cli_export(tmp_path, capsys):
    pytest.importorskip("h5py", reason="the input is a Keras .h5 file")
    out = tmp_path / "lenet.onnx"
    assert cli.main(["export", os.path.join(DATA, "lenet.h5"), str(out), "--opset", "15"]) == 0
    assert "wrote" in capsys.readouterr().out
    z = np.load(os.path.join(DATA, "lenet.npz"))
    _assert_close(_run(out, z["x"]), z["y"])
    assert cli.main(["export", str(tmp_path / "missing.h5"), str(out)]) == 1
    assert "No file found" in capsys.readouterr().err


def test_channels_first_layers(tmp_path):
    m = models.Sequential([
        L.Conv2D(3, (3, 3), padding="same", data_format="channels_first", activation="relu",
                 input_shape=(2, 7, 6)),
        L.MaxPooling2D((2, 2), data_format="channels_first"),
        L.GlobalAveragePooling2D(data_format="channels_first"), L.Dense(2)])
    x = np.random.default_rng(10).normal(size=(2, 2, 7, 6)).astype(np.float32)
    _export_and_compare(m, x, tmp_path)


def test_dot_on_sequences(tmp_path):
    if not hasattr(L, "Input"):
        pytest.skip("the functional API is not in this build yet")
    a, b = L.Input(shape=(4, 3)), L.Input(shape=(5, 3))
    out = L.Dot(axes=(2, 2))([a, b])  # (B, 4, 5)
    m = models.Model([a, b], L.Dot(axes=(1, 1), normalize=True)([out, a]))  # (B, 5, 3)
    r = np.random.default_rng(11)
    xs = [r.normal(size=(2, 4, 3)).astype(np.float32), r.normal(size=(2, 5, 3)).astype(np.float32)]
    _export_and_compare(m, xs, tmp_path)
