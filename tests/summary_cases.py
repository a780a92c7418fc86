"""The model of tests/test_summary_options.py, written once for the test (tensorforge) and
tools/gen_summary_refs.py (tf_keras 2.21): a functional model holding a Sequential, its top
layer frozen, printed with summary()'s options."""


def model(keras):
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"),
                              keras.layers.Dense(2, name="d2")], name="inner")
    inp = keras.Input((4,), name="inp")
    m = keras.Model(inp, keras.layers.Dense(1, name="top")(inner(inp)), name="outer")
    m.get_layer("top").trainable = False
    return m


def branchy(keras):
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    h = keras.layers.Add(name="add")([keras.layers.Dense(4, name="da")(a), b])
    return keras.Model([a, b], keras.layers.Dense(1, name="out")(h), name="branchy")


# case -> (builder, summary() keyword arguments)
CASES = {"show_trainable": (model, {"show_trainable": True}),
         "expand_nested": (model, {"expand_nested": True}),
         "expand_nested_trainable": (model, {"expand_nested": True, "show_trainable": True}),
         "layer_range": (model, {"layer_range": ["inner", "top"]}),
         "layer_range_regex": (model, {"layer_range": ["i.*", "in.*"]}),
         "connections_trainable": (branchy, {"show_trainable": True})}


def lines(keras, name):
    build, kw = CASES[name]
    out = []
    build(keras).summary(print_fn=lambda line, *a, **k: out.append(line), **kw)
    return out
