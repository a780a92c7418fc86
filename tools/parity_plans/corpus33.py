"""Caps and compared figures of the thirty-third corpus: the Udacity course's subword notebooks,
the 3rd edition of Deep Learning with TensorFlow and Keras (chapters 7-9), keras-tcn's other
tasks, keras-seq2seq-example and keras-io's 2021 ctc_asr.py (/work/corpus33; tools/keras_corpus.md
"Thirty-third corpus"; see tools/keras_parity_plan.py). Data are the harness's offline MNIST /
IMDB or synthetic files of the real layout; the figures compare the two libraries on the same
data, not the published ones."""

PLAN = {
    "udc_l09c06_nlp_subwords": dict(
        epochs=10, samples=2000, metric="fit:val_accuracy",
        note="synthetic /tmp/sentiment.csv (1,992 reviews), subword stand-in encoder (vocab "
             "999); Embedding-GlobalAveragePooling1D-Dense; validation accuracy on the last 399"),
    "udc_l10c01_nlp_lstms_with_reviews_subwords_dataset": dict(
        epochs=2, samples=2000, metric="fit:val_accuracy",
        note="the same data; three models in turn; the last (two bidirectional LSTMs) "
             "validation accuracy"),
    "tf3k_ch08_denoising_autoencoder": dict(
        epochs=2, samples=20000, metric="fit:val_loss",
        note="MNIST + N(0.5, 0.5) noise; subclassed 784-128-784 ReLU autoencoder, Adam, MSE; "
             "the validation MSE on the noisy test images"),
    "tf3k_ch08_convolution_autoencoder": dict(
        epochs=1, samples=5000, metric="fit:val_loss",
        note="MNIST + clipped N(0, 0.5) noise; subclassed conv autoencoder, binary "
             "cross-entropy; the validation loss"),
    "s2s_zip_code_model": dict(
        epochs=1, samples=2701, max_predict=50, metric="fit:val_accuracy",
        note="synthetic Japanese addresses (2,701 / 300, one-hot characters); LSTM(256) "
             "encoder, Dense/Reshape/TimeDistributed softmax decoder; five one-epoch fits (50 "
             "predict_classes calls); the last validation accuracy per character"),
    "kio_ctc_asr_2021": dict(
        epochs=2, samples=300, metric="fit:val_loss",
        note="synthetic LJSpeech (300 WAVs, STFT magnitudes); Conv1D x 2, BiLSTM x 2, dense "
             "compression, CTC loss (ctc_batch_cost); the validation CTC loss"),
    "tcn_time_series_forecasting_variant": dict(
        epochs=100, samples=156, metric="fit:loss",
        note="the real monthly milk series (156 12-month windows, unnormalised); TCN without "
             "skip connections, MAE; the 100th epoch's training MAE"),
    "tcn_stacked": dict(
        epochs=2, samples=200, metric="fit:accuracy",
        note="generated sequences of random length (1, T, 1), the first step 1 or 0; two "
             "stacked TCNs, batch 1; the second epoch's accuracy over 200 steps"),
    "tcn_bidirect": dict(
        epochs=1, samples=2000, metric="fit:val_accuracy",
        note="synthetic IMDB; Embedding-Bidirectional(TCN(64))-Dense; validation accuracy"),
    "tcn_sequential": dict(
        epochs=1, samples=2000, metric="fit:val_accuracy",
        note="synthetic IMDB; Sequential Embedding-TCN-Dropout-Dense; validation accuracy"),
    "tf3k_ch07_rbm": dict(
        epochs=1, samples=60000, metric=r"stdout:Epoch: 49 reconstruction error: ([0-9.]+)",
        note="MNIST; 784-200 RBM by CD-1 in raw TensorFlow ops, 50 epochs of batch 100 "
             "(nothing capped); the last epoch's last-batch reconstruction MSE"),
    "tf3k_ch07_dbn": dict(
        epochs=1, samples=60000, metric=r"stdout:reconstruction error: ([0-9.]+)",
        note="MNIST; three RBMs (784-500-200-50) trained greedily, 10 epochs each; the third "
             "RBM's last reconstruction MSE"),
}

NOT_COMPARABLE = {
    "udc_l09c03_nlp_prepare_larger_text_corpus": "Tokenizer / pad_sequences of a CSV printed; "
        "no model",
    "tf3k_ch09_dcgan": "a GAN's train_on_batch losses after the harness's few steps",
    "tcn_many_to_many": "one fit of random targets on random inputs (the program says there is "
        "nothing to learn)",
    "tcn_call_test": "unittest of output shapes and receptive fields; no training",
    "tcn_time_series_forecasting": "as published the TCN (3.5.6) refuses use_weight_norm on "
        "both sides (TypeError); its _variant is compared",
    "tf3k_ch07_k_means": "k-means of random points by TensorFlow ops; nothing printed (the "
        "elbow curve is plotted)",
    "tf3k_ch07_pca": "an SVD of the training images; shapes printed, no training",
}
