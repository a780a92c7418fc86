"""Caps and compared figures of the twenty-seventh corpus: learners' Keras 2 study scripts
(/work/corpus27; tools/keras_corpus.md "Twenty-seventh corpus"; see tools/keras_parity_plan.py).
The scikit-learn sets are small: most programs run whole or nearly (their epochs capped)."""

from parity_plans.caps import MNIST

PLAN = {
    # ---- Dense regression / classification on scikit-learn's bundled sets ----
    "js_keras08_2_california": dict(epochs=20, samples=20640, metric="evaluate:loss",
                                    note="California housing (harness's offline copy), 5-layer "
                                         "linear Dense, batch 200; 20 of its 500 epochs"),
    "js_keras13_earlystopping3_diabetes": dict(epochs=20, samples=20640, metric="evaluate:loss",
                                               note="California housing (the file name says "
                                                    "diabetes), EarlyStopping(50, restore best)"),
    "js_keras23_08_save_model_california": dict(epochs=20, samples=20640,
                                                metric="evaluate:loss",
                                                note="functional Dense on MinMax-scaled "
                                                     "California housing, model.save to ./_save"),
    "js_keras15_3_softmax_digits": dict(epochs=30, samples=2000, metric="evaluate:accuracy",
                                        note="load_digits, pd.get_dummies targets, 360 test "
                                             "digits; 30 of 1,000 epochs"),
    "js_keras20_scaler04_cancer": dict(epochs=30, samples=1000, metric="evaluate:accuracy",
                                       note="breast cancer, RobustScaler, 114 test rows"),
    "js_keras22_hamsu06_wine": dict(epochs=50, samples=1000, metric="evaluate:accuracy",
                                    note="wine, MaxAbsScaler, functional model; 36 test rows "
                                         "(one row is 2.8 points)"),
    "dj_keras13_diabetes": dict(epochs=100, samples=1000, metric="evaluate:loss",
                                note="the whole program: diabetes, 7 linear Dense, batch 8"),
    # ---- two inputs / two outputs (ensembles) ----
    "hw_keras18_ensemble2": dict(epochs=100, samples=1000, metric="evaluate:loss",
                                 note="the whole program: two 3-feature inputs, Concatenate, "
                                      "two regression outputs (targets ~1,000 and ~1,950)"),
    "vj_keras18_ensemblec": dict(epochs=100, samples=1000, metric="evaluate:loss",
                                 note="the whole program: the same ensemble, validation_split "
                                      "0.3, shuffle=0.2"),
    # ---- sequences: SimpleRNN / GRU / LSTM / Conv1D on split series ----
    "hw_keras37_simplernn_scale": dict(epochs=100, samples=13, metric="fit:loss",
                                       note="the whole program: 13 windows, batch 1"),
    "hw_keras38_gru_scale_hamsu": dict(epochs=100, samples=13, metric="fit:loss",
                                       note="the whole program: GRU(10, relu), batch 1"),
    "hw_keras39_lstm_ensemble": dict(epochs=100, samples=13, metric="fit:loss",
                                     note="the whole program: two LSTM branches, concatenate"),
    "hw_keras41_split2_lstm": dict(epochs=200, samples=1000, metric="evaluate:loss",
                                   note="the whole program's fit and evaluate (LSTM(30, relu) "
                                        "on 1..100 windows, EarlyStopping on loss); both sides "
                                        "then stop at the published numpy reshape"),
    "vj_keras44_0_lstm_conv1d": dict(epochs=200, samples=1000, metric="fit:loss",
                                     note="Conv1D(16, 2) on 42 windows, batch 64; 200 of its "
                                          "1,000 epochs (EarlyStopping on a 1-row validation)"),
    "sm_keras54_imdb": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                            note="synthetic IMDB (harness), pad 200, Embedding + LSTM(64), "
                                 "two sigmoid units on to_categorical labels"),
    # ---- convolutional ----
    "hw_keras28_mnist2_cnn": dict(MNIST, metric="evaluate:accuracy",
                                  note="4 Conv2D (100 filters first), OneHotEncoder targets"),
    "sm_keras29_fashion_mnist2": dict(MNIST, metric="evaluate:accuracy",
                                      note="Fashion MNIST (harness: the digits inverted when "
                                           "the real set is absent), unscaled 0-255 inputs"),
    "sm_keras30_cifar10_2": dict(epochs=2, samples=5000, metric="evaluate:accuracy",
                                 note="synthetic CIFAR-10 (harness), unscaled, 4 Conv2D"),
    "hw_keras31_cifar100_5_gap": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                                      note="synthetic CIFAR-100; the Keras 2 side stops after "
                                           "evaluate at history['acc'] (tf_keras writes "
                                           "'accuracy'; tensorforge answers Keras 2.2's name)"),
    "hw_keras59_2_fit_generator": dict(epochs=5, samples=160, metric="fit:loss",
                                       note="ImageDataGenerator.flow_from_directory on 160 "
                                            "synthetic 150x150 'brain' pictures, fit_generator "
                                            "32 steps of 5; validation on the augmented train "
                                            "flow"),
    # ---- autoencoders ----
    "js_ae_a04_ae_mlp": dict(MNIST, metric="fit:loss",
                             note="six Dense autoencoders (bottleneck 1..154), BCE; the last "
                                  "fit's (154) loss"),
    "js_ae_a07_noise2_cae": dict(MNIST, metric="fit:loss",
                                 note="denoising: Conv2D(154, stride 2) + Dense on 4-D + "
                                      "UpSampling2D, BCE"),
}

NOT_COMPARABLE = {
    "hw_keras51_tokenizer": "no model: Tokenizer + to_categorical printed",
    "hw_ae_a07_noise2_cae": "imports TensorFlow's private tensorflow.python.ops.variables (an "
                            "editor's stray auto-import): no counterpart on our side, a plain "
                            "ModuleNotFoundError",
}
