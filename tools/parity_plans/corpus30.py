"""Caps and compared figures of the thirtieth corpus: keras-io's structured-data and time-series
examples in their Keras 2 revisions and leriomaggio/deep-learning-keras-tensorflow's notebooks
(/work/corpus30; tools/keras_corpus.md "Thirtieth corpus"; see tools/keras_parity_plan.py)."""

PLAN = {
    "kio_time_series_anomaly_using_autoencoder": dict(
        epochs=10, samples=4000, metric="fit:val_loss",
        note="synthetic NAB art_daily series; Conv1D / Conv1DTranspose autoencoder on 288-step "
             "windows, reconstruction MSE on the 10% validation split"),
    "kio_feature_engineering_with_custom_layer": dict(
        epochs=10, samples=3030, metric="evaluate:loss",
        note="synthetic heart.csv (make_csv_dataset, num_epochs=10); FeatureLayer + "
             "BatchNormalization logistic regression, saved / reloaded, BCE on the dataset"),
    "kio_feature_preprocessing_layer": dict(
        epochs=10, samples=26049, metric="evaluate:accuracy",
        note="synthetic UCI adult rows; FeaturePreprocessor(Model) of adapted Normalization / "
             "StringLookup / IntegerLookup / Discretization / Embedding, a 64-32-1 MLP, accuracy "
             "on the 20% validation frame (tensorforge stops at its SavedModel save)"),
    "kio_eeg_signal_classifiation_variant": dict(
        epochs=20, samples=16807, metric="evaluate:loss",
        note="synthetic Berkeley-Biosense band powers; six Dense(128) + Dense(68) regressing "
             "the standardized label code with mse (unscaled inputs: a loss in the hundreds)"),
    "lm_01_multi_layer_fully_connected": dict(
        epochs=20, samples=52596, metric="fit:val_loss",
        note="synthetic Otto Group rows; the last Dense(100)-Dense(9) softmax SGD fit, CE on "
             "the 15% validation split"),
    "lm_05_custom_layer": dict(
        epochs=3, samples=60000, metric="fit:val_accuracy",
        note="MNIST (the bundled digits); Dense-Antirectifier MLP with RMSprop, accuracy on "
             "the 10,000 test digits"),
    "lm_04_hyperparameter_tuning": dict(
        epochs=1, samples=2000, metric="evaluate:accuracy",
        note="MNIST; GridSearchCV (3 folds x 8 settings + refit) of KerasClassifier CNNs, "
             "adadelta; the best model's test accuracy (~10+ min a side here)"),
}

NOT_COMPARABLE = {
    "kio_advanced_techniques_for_structured_data": "fails on both sides, at the same line: the "
        "draft's CategoryEncoding(output_mode='binary') has no num_tokens (ValueError), before "
        "any training",
    "kio_feature_engineering_with_lambda": "fails on both sides, at the same line: "
        "plot_model(..., input_layer_graph=...) is a TypeError, before any training",
    "lm_01_1_keras_backend": "fails on both sides, at the same line: K.gradients of the "
        "placeholder graph in eager mode is TensorFlow 2's RuntimeError",
    "lm_03_convolutional_neural_networks": "Keras 2 stops after the fit at history['acc'] (the "
        "Keras 2.0 key; tf_keras names it 'accuracy'), tensorforge's history keeps the legacy "
        "alias and goes on; and the capped fit trains on the first 512 rows, all sixes",
    "lm_10_multi_modal_networks": "builds and compiles the two-input, two-output model; the "
        "notebook never fits it",
}
