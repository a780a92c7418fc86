"""Caps and compared figures of the twenty-sixth corpus: keras-io's structured-data, time-series,
audio, recipe and graph examples in their Keras 2 revisions (/work/corpus26; tools/keras_corpus.md
"Twenty-sixth corpus"; see tools/keras_parity_plan.py)."""

PLAN = {
    "kio_deep_neural_decision_forests": dict(
        epochs=1, samples=4000, metric="evaluate:sparse_categorical_accuracy",
        note="synthetic UCI adult rows (make_csv_dataset); the forest of 25 depth-5 trees, "
             "accuracy on the 16,281 test rows"),
    "kio_memory_efficient_embeddings": dict(
        epochs=1, samples=20000, metric="fit:val_loss",
        note="synthetic MovieLens 1M; the quotient-remainder / mixed-dimension model's MSE on "
             "the 15% evaluation split"),
    "kio_node2vec_movielens": dict(
        epochs=2, samples=20000, metric="fit:loss",
        note="synthetic MovieLens latest-small; skip-gram BCE of the biased random walks' "
             "pairs (the walks and negatives are NumPy / random draws of each side)"),
    "kio_speaker_recognition_using_cnn": dict(
        epochs=1, samples=512, metric="evaluate:accuracy",
        note="synthetic 16 kHz speaker WAVs + noise; FFT magnitudes through the residual "
             "Conv1D net, accuracy on the 150 validation clips (~8 min a side here)"),
    "kio_structured_data_classification_with_feature_space": dict(
        epochs=20, samples=1000, metric="fit:val_loss",
        note="synthetic heart.csv through FeatureSpace (crosses, discretization); 61 "
             "validation rows, so the loss rather than the accuracy"),
    "kio_transformer_asr": dict(
        epochs=1, samples=128, metric="fit:val_loss",
        note="synthetic LJSpeech clips; the seq2seq Transformer's label-smoothed CE on the 3 "
             "held-out clips after 2 steps of 64"),
    "kio_movielens_recommendations_transformers": dict(
        epochs=1, samples=20000, metric="evaluate:mean_absolute_error",
        note="synthetic MovieLens 1M sequences (make_csv_dataset); BST model's MAE on the "
             "15% test split"),
    "kio_tensorflow_numpy_models": dict(
        epochs=200, samples=1000, metric="evaluate:mean_absolute_percentage_error",
        note="synthetic Boston housing; the last TNP model's MAPE on the 102 test rows after "
             "200 epochs (4 fits of 3-3-1 ReLU nets from random_normal / glorot weights)"),
    "kio_eeg_signal_classification": dict(
        epochs=1, samples=1024, metric="fit:val_loss",
        note="synthetic Berkeley-Biosense EEG rows; the 6-conv + 4096-2048-1024 dense net, "
             "class weights, CE on the 15% test split"),
    "kio_creating_tfrecords": dict(
        epochs=1, samples=64, metric="fit:loss",
        note="synthetic COCO val2017 written to and read from TFRecords; EfficientNetB0 "
             "(weights=None, 91 classes) for 2 steps: near ln(91) on both sides"),
    "kio_timeseries_forecasting_lstm_temperature": dict(
        epochs=30, samples=1000, metric="fit:val_loss",
        note="synthetic Austin daily temperatures; LSTM(20) on 10-day windows, MSE on 2017"),
    "kio_multivariate_timeseries_forecasting_lstm_variant": dict(
        epochs=3, samples=3000, metric="fit:val_loss",
        note="synthetic GOOG prices (TimeseriesGenerator, 60-day windows); three LSTMs, MSE on "
             "the last 25%"),
    "kio_regression_boston_housing": dict(
        epochs=100, samples=1000, metric="evaluate:loss",
        note="synthetic Boston housing; 32-32-1 MLP with early stopping on a 30% split, MSE on "
             "the 152 test rows"),
}

NOT_COMPARABLE = {}
