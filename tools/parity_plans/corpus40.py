"""Caps and compared figures of the fortieth corpus: Hvass-Labs/TensorFlow-Tutorials' Keras
notebooks 03C, 20 and 21 (Magnus Erik Hvass Pedersen; /work/corpus40; tools/keras_corpus.md
"Fortieth corpus"; see tools/keras_parity_plan.py). Data are the harness's digits (03C,
through TensorFlow 1's input_data stand-in) and synthetic files in the layouts of the
repository's imdb.py / europarl.py (/work/corpus40/make_data.py); the figures compare the two
libraries on the same data, not the published ones."""

PLAN = {
    "hvass_03c_keras_api": dict(
        epochs=1, samples=8000, metric="evaluate[0]:accuracy",
        note="Sequential InputLayer-Reshape-Conv2D(16, 5)-pool-Conv2D(36, 5)-pool-Dense(128) "
             "on flattened digits, Adam(lr=1e-3), batch 128; test accuracy (2,000 distinct "
             "digits)"),
    "hvass_20_natural_language_processing": dict(
        epochs=3, samples=1000, metric="fit:loss",
        note="Tokenizer(10000) + pad_sequences('pre') + Embedding(10000, 8) + GRU(16)-GRU(8)-"
             "GRU(4) + sigmoid on synthetic aclImdb reviews (1,000 a split, one in ten with "
             "the other side's words), Adam(lr=1e-3), batch 64; training loss (45 steps: the "
             "test accuracy is still at chance on both sides)"),
    "hvass_21_machine_translation": dict(
        epochs=2, samples=2500, metric="fit:val_loss",
        note="three-GRU(512) encoder whose output starts three decoder GRU(512) layers, "
             "Embedding(10000, 128) each side, Dense(10000) softmax, RMSprop(lr=1e-3), batch "
             "384, on synthetic Danish-English pairs; validation sparse cross-entropy (1,000 "
             "pairs: validation_split = 10000 / 25000)"),
}

NOT_COMPARABLE = {}
