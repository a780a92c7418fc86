"""The thirty-ninth corpus (tools/keras_corpus.md, "Thirty-ninth corpus"): Deep Learning Quick
Reference's programs. What they needed of the harness: the trees a chapter's programs walk with
os.listdir / flow_from_directory or open through pathlib (data/20_newsgroup, data/{train,val}/
{cat,dog}, data/fra-eng/fra.txt), the model files a later program loads (lstm_model.h5) and the
folders a program saves into (images/) sit in a workdir/ folder beside the program, which the
harness copies into each run's working folder (tools/parity_boot/paths.py).

What they revealed in tensorforge: the book's infer_char_seq2seq.py loads the seq2seq models
train_char_seq2seq.py saved, whose decoder LSTM was called with the encoder's states as
initial_state. Keras 2's HDF5 layout records that call as one node with inputs [x, h, c], so
loading calls ``layer([x, h, c])``, which Keras 2 (RNN._standardize_args) reads as
``layer(x, initial_state=[h, c])``; tensorforge's recurrent layers tried to build on the list.
Figures from tools/keras_corpus39_refs.py (tf_keras 2.21), which also wrote the tf_keras file
tests/data/corpus39_lstm_initial_state.h5."""
import os
import textwrap

import numpy as np
import pytest

from parity_run import run_ours as _run

PROGRAM = textwrap.dedent("""
    import os
    from pathlib import Path
    print("groups", sorted(os.listdir("./data/20_newsgroup")))
    print("isdir", os.path.isdir(os.path.join("./data/20_newsgroup", "alt.atheism")))
    print("pair", open(Path("data/fra-eng/fra.txt"), encoding="utf-8").read().split("\\t"))
    with open("images/out.txt", "w") as f:  # a folder the program saves into
        f.write("x")
    print("saved", os.path.getsize("images/out.txt"))
    with open("lstm_model.h5", "r+b") as f:  # a later save over the loaded file, in place
        f.write(b"new!")
""")


def test_workdir_beside_the_program_is_the_runs_working_folder(tmp_path):
    chapter = tmp_path / "ch10"
    (chapter / "workdir" / "data" / "20_newsgroup" / "alt.atheism").mkdir(parents=True)
    (chapter / "workdir" / "data" / "20_newsgroup" / "sci.space").mkdir()
    (chapter / "workdir" / "data" / "fra-eng").mkdir()
    (chapter / "workdir" / "data" / "fra-eng" / "fra.txt").write_text("Go.\tVa !")
    (chapter / "workdir" / "images").mkdir()
    (chapter / "workdir" / "lstm_model.h5").write_bytes(b"orig")
    prog = chapter / "walk.py"
    prog.write_text(PROGRAM)
    r = _run(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "groups ['alt.atheism', 'sci.space']" in r["stdout"]
    assert "isdir True" in r["stdout"]
    assert "pair ['Go.', 'Va !']" in r["stdout"]
    assert "saved 1" in r["stdout"]
    # the run wrote into its own copy: the program folder's tree is left as it was, also
    # where the program writes over a file of it in place
    assert not (chapter / "workdir" / "images" / "out.txt").exists()
    assert (chapter / "workdir" / "lstm_model.h5").read_bytes() == b"orig"


def test_no_workdir_leaves_the_working_folder_empty(tmp_path):
    prog = tmp_path / "plain.py"
    prog.write_text("import os\nprint('entries', sorted(e for e in os.listdir('.') "
                    "if not e.startswith('kp_')))\n")
    r = _run(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "entries []" in r["stdout"]


DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
XE = np.sin(np.arange(24, dtype="float32")).reshape(2, 3, 4)
XD = np.cos(np.arange(20, dtype="float32")).reshape(2, 2, 5)


def _fixed(layer):
    layer.set_weights([np.cos(np.arange(w.size, dtype="float32") * (0.3 + 0.1 * i))
                       .reshape(w.shape) * 0.5 for i, w in enumerate(layer.get_weights())])


def test_tf_keras_file_with_initial_state_node_loads_and_predicts():
    from tensorforge import keras
    m = keras.models.load_model(os.path.join(DATA, "corpus39_lstm_initial_state.h5"))
    assert [layer.name for layer in m.layers] == [
        "encoder_input", "decoder_input", "encoder_lstm", "decoder_lstm", "softmax_output"]
    want = [[0.3293805, 0.2601975, 0.1578244, 0.1159855, 0.1366122],
            [0.3315972, 0.2638448, 0.1583196, 0.1139743, 0.1322641]]
    np.testing.assert_allclose(m.predict([XE, XD], verbose=0)[1], want, atol=2e-6)


def test_rnn_list_call_is_initial_state():
    from tensorforge import keras
    lstm = keras.layers.LSTM(3, return_state=True)
    lstm(XE)
    _fixed(lstm)
    h0, c0 = np.full((2, 3), 0.25, "float32"), np.full((2, 3), -0.5, "float32")
    o, _, c = lstm([XE, h0, c0])
    np.testing.assert_allclose(np.asarray(o)[1], [-0.2491623, -0.2539781, -0.1990217], atol=2e-6)
    np.testing.assert_allclose(np.asarray(c)[1], [-0.647745, -0.536749, -0.3518713], atol=2e-6)
    o1 = lstm([XE])[0]  # a one-element list is the sequence alone
    np.testing.assert_array_equal(np.asarray(o1), np.asarray(lstm(XE)[0]))
    # symbolic: the same graph either way (SimpleRNN / GRU / layers.RNN share the call)
    x, h = keras.Input((None, 4)), keras.Input((3,))
    for layer in (keras.layers.GRU(3), keras.layers.SimpleRNN(3),
                  keras.layers.RNN(keras.layers.GRUCell(3))):
        y = layer([x, h])
        assert tuple(y.shape) == (None, 3)
        m = keras.Model([x, h], y)
        a = m.predict([XE, h0], verbose=0)
        b = np.asarray(layer(XE, initial_state=[h0]))
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_rnn_states_given_twice_is_an_error():
    from tensorforge import keras
    lstm = keras.layers.LSTM(3)
    h0 = np.zeros((2, 3), "float32")
    with pytest.raises(ValueError, match="initial states twice"):
        lstm([XE, h0, h0], initial_state=[h0, h0])
