"""Caps and compared figures of the thirty-fifth corpus: jeffheaton/t81_558_deep_learning, the
Washington University T81-558 "Applications of Deep Neural Networks" class notebooks
(/work/corpus35; tools/keras_corpus.md "Thirty-fifth corpus"; see tools/keras_parity_plan.py).
Data are the repository's auto-mpg.csv and iris.csv, or synthetic files of the course's
layouts (jh-simple-dataset.csv, SILSO's daily sunspots; /work/corpus35/scripts/make_data.py);
the figures compare the two libraries on the same data, not the published ones."""

PLAN = {
    "t81_03_4_early_stop": dict(
        epochs=1000, samples=1000, metric=r"stdout:Final score \(RMSE\): ([0-9.]+)",
        note="iris 4-50-25-3 then auto-mpg 7-25-10-1 (raw features), Adam, EarlyStopping("
             "patience=5, restore_best_weights); the regression's test RMSE (100 cars)"),
    "t81_05_2_kfold": dict(
        epochs=50, samples=2000, metric=r"stdout:Final score \(accuracy\): ([0-9.]+)",
        note="jh-simple-dataset (synthetic), 5-fold KFold age regression, StratifiedKFold "
             "product classification, holdout + KFold; 50 of the 500 epochs a fold; the "
             "classification's out-of-fold accuracy (2,000 rows)"),
    "t81_05_3_keras_l1_l2": dict(
        epochs=50, samples=2000, metric=r"stdout:Final score \(accuracy\): ([0-9.]+)",
        note="jh-simple-dataset product, 5-fold, 53-50-25-7 with L1 activity regularizers; 50 "
             "of the 500 epochs a fold; out-of-fold accuracy"),
    "t81_05_4_dropout": dict(
        epochs=50, samples=2000, metric=r"stdout:Final score \(accuracy\): ([0-9.]+)",
        note="as t81_05_3 with Dropout(0.5) after the first layer; out-of-fold accuracy"),
    "t81_05_5_bootstrap": dict(
        epochs=3, samples=2000, max_predict=100,
        metric=r"stdout:#\d+: score=[0-9.]+, mean score=([0-9.]+)",
        note="bootstrap networks with EarlyStopping, 3 epochs each: the ShuffleSplit age "
             "regression (50 splits) and the StratifiedShuffleSplit product classification "
             "(50 splits); the harness stops at the 100th predict, before the third section "
             "(100 PReLU / L2 / Dropout networks: tf_keras builds and fits each in ~5 s here, "
             "over the time limit); the classification's mean log loss over its 50 splits"),
    "t81_08_3_keras_hyperparameters": dict(
        epochs=30, samples=2000, metric=r"stdout:(?m)^(-[0-9.]+)$",
        note="evaluate_network: two StratifiedShuffleSplit bootstraps of a 1000-200-40 PReLU / "
             "Dropout(0.2) stack (float unit counts), Adam; 30 of up to 1000 epochs; the "
             "negated mean validation log loss it prints"),
    "t81_10_2_lstm": dict(
        epochs=3, samples=8000, metric=r"stdout:Score \(RMSE\): ([0-9.]+)",
        note="toy LSTM(128) on 6 sequences, then LSTM(64)-Dense(32)-Dense(1) on 10-day windows "
             "of the synthetic daily sunspots (8,000 of 55,149 windows, 3 epochs); the test "
             "RMSE on the 7,141 windows from 2000 on"),
    "t81_11_05_embedding": dict(
        epochs=100, samples=10, metric=r"stdout:Log-loss: ([0-9.]+)",
        note="Embedding(50, 8)-Flatten-Dense(1) on 10 one_hot-encoded reviews (one_hot hashes "
             "words with Python's salted hash: each run its own ids), 100 epochs; the training "
             "log loss evaluate returns"),
    "t81_10_5_keras_transformers": dict(
        epochs=2, samples=4000, metric="evaluate:loss",
        note="4 transformer-encoder blocks (LayerNormalization, MultiHeadAttention(key_dim=256, "
             "4 heads), Conv1D(4) / Conv1D(1)), GlobalAveragePooling1D(channels_first), "
             "Dense(128); Adam(1e-4), batch 64, validation_split 0.2 on 4,000 of the 55,150 "
             "sunspot windows, 2 epochs; the test MSE evaluate returns"),
    "t81_14_03_anomaly": dict(
        epochs=5, samples=6000, metric=r"stdout:Attack Underway Score \(RMSE\): ([0-9.]+)",
        note="KDD Cup 99 layout (30,000 synthetic rows), z-scores and dummies, a 25-3-25 "
             "autoencoder on 4,500 normal rows, 5 epochs; the attack rows' reconstruction RMSE"),
}

NOT_COMPARABLE = {
    "t81_03_2_keras": "stops on both sides at print(float(product)) of a (1, 1) tensor, "
                      "before any model: NumPy 2.x refuses float() of a 2-D array (tf_keras "
                      "2.21's EagerTensor and tensorforge alike)",
    "t81_03_3_save_load": "stops on both sides at model.to_yaml() (tf_keras 2.21 removed it: "
                          "RuntimeError; tensorforge raises the same), after the fit",
    "t81_03_5_weights": "retrains a 2-2-1 XOR network until one fits (pred[0] < 0.01 ...): the "
                        "printed network is a fitted one by construction; the run stops at the "
                        "harness's predict cap when none fits",
}
