"""Generate tests/data/preprocessing_refs.npz (arrays) and preprocessing_refs.json (Tokenizer
results): tf_keras 2's pad_sequences, Tokenizer and ImageDataGenerator outputs on fixed inputs,
the oracle for tests/test_preprocessing.py.

    /work/keras-venv/bin/python tools/gen_preprocessing_refs.py   # tf_keras + scipy + Pillow

The inputs are defined here (SEQS, TEXTS, image()) and imported by the test.
"""
import json
import os

import numpy as np

SEQS = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], [], [11]]
PAD_CASES = {
    "default": {},
    "maxlen3": {"maxlen": 3},
    "post_post": {"maxlen": 4, "padding": "post", "truncating": "post"},
    "pre_post_value": {"maxlen": 2, "padding": "pre", "truncating": "post", "value": -1},
    "float": {"maxlen": 6, "dtype": "float32", "value": 0.5, "padding": "post"},
}
TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Cats and dogs, cats and DOGS.",
         "A mat; a hat: the end?"]
NEW_TEXTS = ["the cat ate the hat", "unknown words here", "dogs and cats"]
TOKENIZER_CASES = {
    "default": {},
    "num_words_oov": {"num_words": 6, "oov_token": "<OOV>"},
    "no_lower_filters": {"lower": False, "filters": ".!"},
    "char_level": {"char_level": True, "num_words": 10},
}
TRANSFORMS = {  # apply_transform parameters on image()
    "rotate": ({"fill_mode": "nearest"}, {"theta": 30.0}),
    "shift": ({"fill_mode": "constant", "cval": 0.25}, {"tx": 2.0, "ty": -3.0}),
    "shear_reflect": ({"fill_mode": "reflect"}, {"shear": 15.0}),
    "zoom_wrap": ({"fill_mode": "wrap"}, {"zx": 0.8, "zy": 1.3}),
    "all_flips": ({}, {"theta": -10.0, "tx": 1.5, "ty": 0.5, "zx": 1.1, "zy": 0.9,
                       "flip_horizontal": True, "flip_vertical": True}),
    "channel_shift": ({}, {"channel_shift_intensity": 0.3}),
    "brightness": ({}, {"brightness": 1.4}),
    "channels_first": ({"data_format": "channels_first"}, {"theta": 25.0, "tx": 1.0, "zx": 1.2,
                                                           "flip_horizontal": True}),
}
FLOW = {"rotation_range": 20, "width_shift_range": 0.1, "height_shift_range": 0.2,
        "shear_range": 5.0, "zoom_range": 0.1, "horizontal_flip": True, "vertical_flip": True,
        "rescale": 0.5, "fill_mode": "nearest"}


def image():
    r = np.random.default_rng(3)
    return r.uniform(0, 1, (7, 9, 3)).astype(np.float32)


def images():
    r = np.random.default_rng(4)
    return r.uniform(0, 1, (6, 7, 9, 3)).astype(np.float32), np.arange(6)


def main(out_npz, out_json):
    import warnings
    warnings.filterwarnings("ignore")
    from tf_keras.preprocessing import image as I
    from tf_keras.preprocessing import sequence as S
    from tf_keras.preprocessing import text as T
    arrays, js = {}, {"tokenizer": {}}
    for name, kw in PAD_CASES.items():
        arrays[f"pad/{name}"] = S.pad_sequences(SEQS, **kw)
    for name, kw in TOKENIZER_CASES.items():
        tok = T.Tokenizer(**kw)
        tok.fit_on_texts(TEXTS)
        res = {"word_index": tok.word_index, "word_counts": dict(tok.word_counts),
               "sequences": tok.texts_to_sequences(NEW_TEXTS + TEXTS[:1]),
               "texts": tok.sequences_to_texts(tok.texts_to_sequences(NEW_TEXTS))}
        js["tokenizer"][name] = res
        for mode in ("binary", "count", "tfidf", "freq"):
            arrays[f"tok/{name}/{mode}"] = tok.texts_to_matrix(NEW_TEXTS, mode=mode)
    js["text_to_word_sequence"] = T.text_to_word_sequence(TEXTS[2])
    x = image()
    for name, (gen_kw, params) in TRANSFORMS.items():
        xi = x.transpose(2, 0, 1).copy() if gen_kw.get("data_format") == "channels_first" else x.copy()
        arrays[f"img/{name}"] = I.ImageDataGenerator(**gen_kw).apply_transform(xi, params)
    xs, ys = images()
    it = I.ImageDataGenerator(**FLOW).flow(xs, ys, batch_size=4, shuffle=True, seed=7)
    for b in range(2):
        bx, by = it[b]
        arrays[f"flow/x{b}"], arrays[f"flow/y{b}"] = bx, by
    arrays["sampling_table"] = S.make_sampling_table(12, sampling_factor=0.05)
    couples, labels = S.skipgrams([1, 2, 0, 3, 4, 2], 6, window_size=2, negative_samples=0.0,
                                  shuffle=False)
    arrays["skipgrams/couples"], arrays["skipgrams/labels"] = np.array(couples), np.array(labels)
    g = I.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    g.fit(xs)
    arrays["fit/mean"], arrays["fit/std"] = g.mean, g.std
    arrays["fit/standardized"] = g.standardize(xs[0].copy())
    np.savez_compressed(out_npz, **arrays)
    with open(out_json, "w") as f:
        json.dump(js, f, indent=1, sort_keys=True)
    print(f"wrote {out_npz} and {out_json}")


if __name__ == "__main__":
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
    main(os.path.join(here, "preprocessing_refs.npz"), os.path.join(here, "preprocessing_refs.json"))
