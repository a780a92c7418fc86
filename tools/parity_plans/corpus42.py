"""Caps and compared figures of the forty-second corpus: Hands-On Machine Learning, 3rd edition
(Géron), chapters 10-16, ageron/handson-ml3's notebook exports (/work/corpus42;
tools/keras_corpus.md "Forty-second corpus"; see tools/keras_parity_plan.py). Data: the
harness's Fashion MNIST / MNIST / California housing, /work/corpus42/make_data.py's
shakespeare.txt and spa-eng at the real sizes; the figures compare the two libraries on the same
data, not the book's."""

_HOUSING = "California housing (harness's synthetic rows, 11,610 training)"

PLAN = {
    "hml3_ch10_keras_mlps_variant": dict(
        epochs=2, samples=5000, metric="evaluate[0]:sparse_categorical_accuracy",
        note="Fashion MNIST 300-100 MLP, SGD; test accuracy (the first evaluate; the "
             "regression / wide & deep / subclassed models train after it)"),
    "hml3_ch10_saving_callbacks_variant": dict(
        epochs=2, samples=5000, metric="fit:val_loss",
        note="the last fit: Normalization + Dense 30-30-1, SGD 1e-3, TensorBoard callback, on "
             + _HOUSING + "; validation MSE"),
    "hml3_ch10_mnist_exercise": dict(
        epochs=2, samples=5000, metric="evaluate:accuracy",
        note="MNIST 300-100 MLP, SGD 0.3, the best checkpoint (.keras) reloaded; test accuracy"),
    "hml3_ch12_custom_loss_metrics": dict(
        epochs=2, samples=11610, metric="fit:loss",
        note="Dense 30-1 with Huber(2.0) and the Mean-based HuberMetric, reloaded from .keras "
             "and fitted again on " + _HOUSING + "; training loss"),
    "hml3_ch12_custom_layers_models": dict(
        epochs=2, samples=11610, metric="fit:loss",
        note="ReconstructingRegressor (5 Dense 30 + add_loss of 0.05 x reconstruction MSE), "
             "Nadam, on " + _HOUSING + "; training loss"),
    "hml3_ch12_autodiff_training_loops_variant": dict(
        epochs=1, samples=1000, metric=r"stdout:mean_absolute_error: ([0-9.]+)",
        note="the custom training loop (5 epochs of 362 random batches, SGD 0.01, l2 0.05); "
             "the last epoch's training MAE"),
    "hml3_ch12_tf_functions": dict(
        epochs=2, samples=11610, metric="evaluate[0]:loss",
        note="MyModel (custom MyDense layers, concatenate skip) with my_mse / my_mae; test MSE"),
    "hml3_ch13_preprocessing_layers": dict(
        epochs=5, samples=11610, metric="fit[0]:val_loss",
        note="Normalization.adapt + Dense(1), SGD 2e-3, on " + _HOUSING + "; validation MSE "
             "of the first fit (the last ones fit random targets)"),
    "hml3_ch13_datasets_csv_pipeline": dict(
        epochs=2, samples=11610, metric="evaluate:loss",
        note="Dense 30-1, SGD, fed by the CSV pipeline (list_files / interleave / decode_csv / "
             "shuffle); test MSE"),
    "hml3_ch16_char_rnn": dict(
        epochs=1, samples=2000, metric="fit[0]:val_accuracy",
        note="Embedding 16 + GRU 128 char-RNN on the 1.1 M-character Shakespeare file, Nadam; "
             "validation accuracy (60,000 characters' windows) of the stateless model"),
    "hml3_ch16_nmt_attention": dict(
        epochs=1, samples=2000, metric="fit[0]:val_accuracy",
        note="encoder-decoder LSTM 512 on the synthetic English-Spanish pairs, Nadam; "
             "validation accuracy of the first model"),
    "hml3_ch16_transformer": dict(
        epochs=1, samples=2000, metric="fit:val_accuracy",
        note="2+2-block Transformer (MultiHeadAttention 8 heads, pad and causal masks); "
             "validation accuracy"),
    "hml3_ch16_reber_exercise": dict(
        epochs=1, samples=10000, metric="fit:val_accuracy",
        note="Embedding 5 + GRU 30 on ragged embedded-Reber strings, SGD momentum 0.95 "
             "nesterov; validation accuracy (2,000 strings). The whole training set: its first "
             "5,000 strings are all good ones (generate_dataset concatenates), so a smaller cap "
             "trains on one class"),
}

NOT_COMPARABLE = {
    "hml3_ch10_keras_mlps": "as published, both sides stop: tf_keras at this copy's Keras 3 edit "
                            "metrics=['RootMeanSquaredError'] * 2 (duplicate metric names), "
                            "tensorforge first at plot_model (pydot on neither side); the "
                            "_variant is compared",
    "hml3_ch10_saving_callbacks": "as published, both sides stop at the duplicate metric names; "
                                  "the _variant is compared",
    "hml3_ch12_autodiff_training_loops": "as published, both sides stop at tqdm.notebook "
                                         "(ipywidgets on neither side); the _variant is compared",
    "hml3_ch12_tensors_and_ops": "no model: tensors, strings, ragged / sparse tensors, tensor "
                                 "arrays, sets and queues printed (compared by their output)",
    "hml3_ch13_tfrecord_protobufs": "no model: TFRecord files, Example / SequenceExample protobufs "
                                    "and their parsing (compared by their output)",
}
