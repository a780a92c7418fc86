"""Bad input at the model level: fit / evaluate / predict and a model's own call refuse data
that does not fit the model with a ValueError or TypeError saying what and which shapes, before
any step runs (Keras 2 refuses each of these too; its wording is quoted where ours follows it).
Also: a functional model called eagerly checks its inputs against its Inputs' shapes (Keras 2's
Functional input_spec), so a (2, 1) batch no longer broadcasts through an Input((4,)) graph, and
a zero-size batch through a model gives an empty output of the right shape."""
import numpy as np
import pytest

import tensorforge.keras as keras

L = keras.layers
RNG = np.random.default_rng(0)
X = RNG.standard_normal((10, 8)).astype("float32")
YS = RNG.integers(0, 3, 10)
YC = np.eye(3, dtype="float32")[YS]
XA = RNG.standard_normal((10, 4)).astype("float32")
XB = RNG.standard_normal((10, 3)).astype("float32")
Y2 = RNG.standard_normal((10, 2)).astype("float32")


def seq(loss="sparse_categorical_crossentropy"):
    m = keras.Sequential([keras.Input((8,)), L.Dense(4, activation="relu"),
                          L.Dense(3, activation="softmax")])
    m.compile("sgd", loss)
    return m


def two_inputs():
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    m = keras.Model([a, b], L.Dense(2)(L.Concatenate()([a, b])))
    m.compile("sgd", "mse")
    return m


CASES = {  # name: (what runs, exception class, message pattern)
    "fit_x_y_lengths": (lambda: seq().fit(X, YS[:7], verbose=0), ValueError,
                        r"x and y must have the same number of samples, got 10 inputs and 7"),
    "evaluate_x_y_lengths": (lambda: seq().evaluate(X, YS[:7], verbose=0), ValueError,
                             r"evaluate: x and y must have the same number of samples"),
    "inputs_lengths": (lambda: two_inputs().fit([XA, XB[:7]], Y2, verbose=0), ValueError,
                       r"same number of samples, got \[10, 7\]"),
    "predict_wrong_features": (lambda: seq().predict(X[:, :5], verbose=0), ValueError,
                               r"expected input of shape \(None, 8\).*\(10, 5\)"),
    "fit_wrong_features": (lambda: seq().fit(X[:, :5], YS, verbose=0), ValueError,
                           r"expected input of shape \(None, 8\).*\(10, 5\)"),
    "one_input_for_two": (lambda: two_inputs().fit(XA, Y2, verbose=0), ValueError,
                          r"expects 2 input arrays \(\['a', 'b'\]\), but received 1"),
    "three_inputs_for_two": (lambda: two_inputs().fit([XA, XB, XB], Y2, verbose=0), ValueError,
                             r"expects 2 input arrays .* received 3"),
    "inputs_swapped": (lambda: two_inputs().fit([XB, XA], Y2, verbose=0), ValueError,
                       r"expected input 'a' of shape \(None, 4\).*\(10, 3\)"),
    "dict_missing_input": (lambda: two_inputs().fit({"a": XA}, Y2, verbose=0), ValueError,
                           r"no data provided for input\(s\) \['b'\]"),
    "dict_unknown_name": (lambda: two_inputs().fit({"a": XA, "c": XB}, Y2, verbose=0), ValueError,
                          r"\['b'\].*\['c'\] name no input"),
    "sparse_loss_one_hot_y": (lambda: seq().fit(X, YC, verbose=0), ValueError,
                              r"sparse_categorical_crossentropy expects integer labels of shape "
                              r"\(10,\), got \(10, 3\)"),
    "categorical_loss_int_y": (lambda: seq("categorical_crossentropy").fit(X, YS, verbose=0),
                               ValueError, r"categorical_crossentropy expects one-hot targets"),
    "categorical_loss_4_classes": (
        lambda: seq("categorical_crossentropy").fit(X, np.eye(4)[YS], verbose=0), ValueError,
        r"target array with shape \(10, 4\) was passed for an output of shape \(None, 3\)"),
    "mse_wrong_y_shape": (lambda: seq("mse").fit(X, Y2, verbose=0), ValueError,
                          r"target array with shape \(10, 2\)"),
    "labels_out_of_range": (lambda: seq().fit(X, YS + 3, verbose=0), ValueError,
                            r"labels must lie in \[0, 3\)"),
    "validation_split_1.5": (lambda: seq().fit(X, YS, validation_split=1.5, verbose=0),
                             ValueError, r"validation_split must be in \(0, 1\), got 1.5"),
    "validation_split_negative": (lambda: seq().fit(X, YS, validation_split=-0.1, verbose=0),
                                  ValueError, r"validation_split must be in"),
    "validation_split_1": (lambda: seq().fit(X, YS, validation_split=1.0, verbose=0), ValueError,
                           r"validation_split must be in"),
    "batch_size_0": (lambda: seq().fit(X, YS, batch_size=0, verbose=0), ValueError,
                     r"batch_size must be positive, got 0"),
    "batch_size_negative": (lambda: seq().fit(X, YS, batch_size=-3, verbose=0), ValueError,
                            r"batch_size must be positive, got -3"),
    "predict_batch_size_0": (lambda: seq().predict(X, batch_size=0, verbose=0), ValueError,
                             r"predict: batch_size must be positive"),
    "epochs_negative": (lambda: seq().fit(X, YS, epochs=-1, verbose=0), ValueError,
                        r"epochs must be >= 0, got -1"),
    "steps_per_epoch_negative": (lambda: seq().fit(X, YS, steps_per_epoch=-1, verbose=0),
                                 ValueError, r"steps_per_epoch must be >= 1"),
    "class_weight_unknown_class": (
        lambda: seq().fit(X, YS, class_weight={0: 1.0, 7: 2.0}, verbose=0), ValueError,
        r"class_weight has no weight for class\(es\) \[1, 2\]"),
    "sample_weight_length": (lambda: seq().fit(X, YS, sample_weight=np.ones(7), verbose=0),
                             ValueError,
                             r"sample_weight must have shape \(10,\).*got shape \(7,\)"),
    "sample_weight_per_class": (
        lambda: seq().fit(X, YS, sample_weight=np.ones((10, 3)), verbose=0), ValueError,
        r"sample_weight of shape \(10, 3\) does not match the per-sample loss of shape \(10,\)"),
    "x_strings": (lambda: seq().fit(np.full((10, 8), "a"), YS, verbose=0), TypeError,
                  r"x must be a numeric array"),
    "x_complex": (lambda: seq().fit(X + 1j, YS, verbose=0), TypeError, r"got dtype complex"),
    "y_strings": (lambda: seq().fit(X, np.full(10, "a"), verbose=0), TypeError,
                  r"y for output .* must be numeric for the loss sparse_categorical_crossentropy"),
    "x_ragged_lists": (lambda: seq().fit([[1.0] * 8, [1.0] * 7], YS[:2], verbose=0), ValueError,
                       r"fit: x must be a rectangular array .* ragged nested lists"),
    "x_missing": (lambda: seq().fit(None, YS, verbose=0), ValueError, r"fit: x is required"),
    "y_missing": (lambda: seq().fit(X, None, verbose=0), ValueError, r"y is required"),
    "predict_empty": (lambda: seq().predict(X[:0], verbose=0), ValueError, r"non-empty"),
    "validation_data_lengths": (
        lambda: seq().fit(X, YS, validation_data=(X, YS[:5]), verbose=0), ValueError,
        r"fit \(validation_data\): x and y must have the same number of samples"),
    "validation_data_features": (
        lambda: seq().fit(X, YS, validation_data=(X[:, :5], YS), verbose=0), ValueError,
        r"fit \(validation_data\): expected input of shape \(None, 8\)"),
    "call_wrong_features": (lambda: seq()(X[:, :5]), ValueError,
                            r'Input 0 of layer "sequential\w*" is incompatible with the layer: '
                            r"expected shape=\(None, 8\), found shape=\(10, 5\)"),
    "call_broadcastable_input": (lambda: two_inputs()([XA[:, :1], XB]), ValueError,
                                 r"expected shape=\(None, 4\), found shape=\(10, 1\)"),
    "call_one_input_for_two": (lambda: two_inputs()(XA), ValueError,
                               r"expects 2 input\(s\), but it received 1"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_model_input_is_refused(name):
    run, exc, pattern = CASES[name]
    with pytest.raises(exc, match=pattern):
        run()


def test_functional_input_spec_takes_a_squeezed_or_unit_last_axis():
    """Keras 2's allow_last_axis_squeeze: (N,) and (N, 1) both fit Input((1,))."""
    x = keras.Input((1,))
    m = keras.Model(x, L.Lambda(lambda t: t * 2.0)(x))
    np.testing.assert_array_equal(m(np.ones((2,), "float32")).numpy(), np.full((2, 1), 2.0))
    np.testing.assert_array_equal(m(np.ones((2, 1), "float32")).numpy(), np.full((2, 1), 2.0))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 1\), found shape=\(2, 5\)"):
        m(np.ones((2, 5), "float32"))


def test_zero_size_batch_through_models_gives_empty_outputs():
    m = seq()
    assert m(X[:0]).shape == (0, 3)
    assert two_inputs()([XA[:0], XB[:0]]).shape == (0, 2)
    before = [w.copy() for w in m.get_weights()]
    bn = keras.Sequential([keras.Input((8,)), L.BatchNormalization()])
    mean = bn.layers[0].get_weights()[2].copy()
    assert bn(X[:0], training=True).shape == (0, 8)
    np.testing.assert_array_equal(bn.layers[0].get_weights()[2], mean)  # stats untouched
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_nan_input_gives_nan_rows_not_an_error():
    out = seq().predict(np.vstack([np.full((1, 8), np.nan, "float32"), X[:2]]), verbose=0)
    assert out.shape == (3, 3)
    assert np.isnan(out[0]).all() and np.isfinite(out[1:]).all()


def test_subclassed_model_dense_built_for_8_refuses_5():
    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(3)

        def call(self, x):
            return self.d(x)
    m = M()
    m(X)
    with pytest.raises(ValueError, match=r'Input 0 of layer "dense\w*" is incompatible with the '
                                         r"layer: expected axis -1 of input shape to have value 8, "
                                         r"but received input with shape \(10, 5\)"):
        m(X[:, :5])


def test_a_layer_failing_inside_a_graph_run_is_named_with_its_input_shapes():
    """Keras 2 names the innermost layer whose call failed; the graph's run does the same."""
    x = keras.Input((4,))
    odd = L.Lambda(lambda t: t.reshape((t.shape[0], 2, 2)) if t.shape[0] == 3 else t)
    m = keras.Model(x, L.Dense(2, name="after_odd")(odd(x)))
    assert m(np.ones((2, 4), "float32")).shape == (2, 2)
    with pytest.raises(ValueError) as info:
        m(np.ones((3, 4), "float32"))
    msg = str(info.value)
    assert msg.startswith("Exception encountered when calling layer 'after_odd' (type Dense).")
    assert "shape=(3, 2, 2)" in msg and "last dimension 4" in msg


def test_nested_lists_of_numbers_are_one_layer_input():
    """As Keras 2 converts them: one tensor, not a list of scalar inputs; ragged ones refused."""
    d = L.Dense(2)
    assert d([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 2)
    with pytest.raises(ValueError, match=r"nested lists of numbers must be rectangular"):
        d([[1.0, 2.0], [3.0]])
