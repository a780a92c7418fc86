"""The gaps the thirty-second corpus's programs revealed (the Udacity "Intro to TensorFlow for
Deep Learning" course notebooks, tools/keras_corpus.md "Thirty-second corpus"). Figures marked
Keras 2's were printed by tools/keras_corpus32_refs.py under tf_keras 2.21; the others are
worked out in the test."""
import base64
import marshal
import os
import sys
import textwrap

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import keras_parity as kp  # noqa: E402


# ---- a Lambda layer's lambda expression in a model file (the l08 forecasting notebooks save
#      `Lambda(lambda x: x * 200.0)` with ModelCheckpoint and load_model it back):
#      Note [lambdas in model files] ----

def test_lambda_config_is_keras2_bytecode_dump():
    fn = lambda x: x * 200.0  # noqa: E731
    cfg = keras.layers.Lambda(fn).get_config()
    # Keras 2's keys and layout: a (code, defaults, closure) tuple, function_type 'lambda'
    assert sorted(cfg) == ['arguments', 'dtype', 'function', 'function_type', 'module', 'name',
                           'output_shape', 'output_shape_module', 'output_shape_type',
                           'trainable']
    assert cfg["function_type"] == "lambda" and cfg["module"] == __name__
    code, defaults, closure = cfg["function"]
    assert defaults is None and closure is None
    assert marshal.loads(base64.decodebytes(code.encode())) == fn.__code__


def test_named_function_is_still_stored_by_name():
    def double(x):
        return x * 2.0
    cfg = keras.layers.Lambda(double).get_config()
    assert cfg["function"] == "double" and cfg["function_type"] == "function"


def _scaled(s):
    return keras.layers.Lambda(lambda x: x * s)


def test_closure_values_are_written_and_told_apart(tmp_path):
    assert _scaled(3.0).get_config()["function"][2] == (3.0,)  # Keras 2's
    inp = keras.Input((2,))
    out = keras.layers.Concatenate()([_scaled(2.0)(inp), _scaled(-3.0)(inp)])
    model = keras.Model(inp, out)
    model.save(str(tmp_path / "m.h5"))
    again = keras.models.load_model(str(tmp_path / "m.h5"))
    x = np.array([[1.0, 2.0]], np.float32)
    np.testing.assert_allclose(again.predict(x, verbose=0), [[2.0, 4.0, -3.0, -6.0]])


@pytest.mark.parametrize("name", ["my_checkpoint.h5", "my_checkpoint"])
def test_checkpointed_lambda_model_loads_back_in_the_same_program(tmp_path, name):
    model = keras.Sequential([keras.layers.Lambda(lambda x: tf.expand_dims(x, axis=-1),
                                                  input_shape=[None]),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(1),
                              keras.layers.Lambda(lambda x: x * 200.0)])
    model.layers[2].set_weights([np.array([[0.5]], np.float32), np.array([0.25], np.float32)])
    model.compile(loss=keras.losses.Huber(),
                  optimizer=keras.optimizers.SGD(learning_rate=0.0))
    path = str(tmp_path / name)
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    y = np.array([1.0, 2.0])
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y),
              callbacks=[keras.callbacks.ModelCheckpoint(path, save_best_only=True)])
    again = keras.models.load_model(path)
    # Keras 2's [250, 550]: (mean * 0.5 + 0.25) * 200
    np.testing.assert_allclose(again.predict(x, verbose=0).ravel(), [250.0, 550.0], rtol=1e-6)


def test_foreign_lambda_code_is_not_run(tmp_path):
    model = keras.Sequential([keras.layers.Lambda(lambda x: x + 1.0, input_shape=(2,))])
    cfg = model.get_config()
    code, defaults, closure = cfg["layers"][1]["config"]["function"]
    # another program's lambda: a different code object (not one this process made)
    other = compile("lambda x: x - 1.0", "elsewhere.py", "eval").co_consts[0]
    cfg["layers"][1]["config"]["function"] = [
        base64.encodebytes(marshal.dumps(other)).decode("ascii"), defaults, closure]
    with pytest.raises(ValueError, match="Lambda layer.*Python code.*custom_objects"):
        keras.Sequential.from_config(cfg)
    # the program supplies it instead
    again = keras.Sequential.from_config(cfg, custom_objects={"<lambda>": lambda x: x * 3.0})
    np.testing.assert_allclose(again.predict(np.array([[1.0, 2.0]]), verbose=0), [[3.0, 6.0]])


# ---- the harness: fit_generator's History padded to the epochs asked (l05c02 plots it against
#      range(epochs)); a read_csv of /tmp/x.csv a left-out wget cell wrote, served from the
#      folder's data/downloads/ ----

GEN_PROG = textwrap.dedent("""
    import numpy as np
    import pandas as pd
    import tensorflow as tf
    frame = pd.read_csv('/tmp/kp_corpus32_test_only.csv')
    x = frame[['a', 'b']].to_numpy('float32')
    y = frame['y'].to_numpy('float32')
    def gen():
        while True:
            yield x, y
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    model.compile(loss='mse', optimizer='sgd')
    history = model.fit_generator(gen(), steps_per_epoch=2, epochs=7)
    print('history length', len(history.history['loss']))
""")


def test_harness_pads_fit_generator_history_and_serves_tmp_csv(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text(GEN_PROG)
    (tmp_path / "data" / "downloads").mkdir(parents=True)
    (tmp_path / "data" / "downloads" / "kp_corpus32_test_only.csv").write_text(
        "a,b,y\n1,2,3\n4,5,6\n")
    assert not os.path.exists("/tmp/kp_corpus32_test_only.csv")
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=1, samples=100, max_steps=5, max_predict=5, max_apply=0, metric=None,
              note="")
    (tmp_path / "root").mkdir()
    kp.install_boot(str(tmp_path / "root"))
    r = kp.run_side("ours", str(prog), sys.executable, args, st, None, str(tmp_path / "root"))
    assert r["ok"], r.get("error")
    assert "history length 7" in r["stdout"]
