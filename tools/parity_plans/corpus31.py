"""Caps and compared figures of the thirty-first corpus: Keras 2 libraries and the programs
that use them (philipperemy's keras-tcn, keras-attention, cond_rnn, n-beats, keract, keras-frn;
qqwweee's keras-yolo3; /work/corpus31; tools/keras_corpus.md "Thirty-first corpus"; see
tools/keras_parity_plan.py)."""

PLAN = {
    "tcn_mnist_pixel": dict(
        epochs=1, samples=2000, metric="fit:val_accuracy",
        note="MNIST as 784-step pixel sequences; compiled_tcn (20 filters, kernel 6, dilations "
             "1-256, skip connections), Adam(lr=0.002, clipnorm=1), the custom accuracy"),
    "tcn_copy_memory": dict(
        epochs=1, samples=2048, metric="fit:val_loss",
        note="the program's copy-memory sequences (601 blanks, 10 digits); TCN with "
             "return_sequences, RMSprop(lr=5e-4, clipnorm=1), sparse CE on the 6,000 test rows"),
    "tcn_adding_problem": dict(
        epochs=1, samples=2048, metric="fit:val_loss",
        note="the program's adding-problem sequences (600 steps); TCN regression, mse on the "
             "40,000 test rows"),
    "tcn_imdb": dict(
        epochs=1, samples=2000, metric="fit:val_accuracy",
        note="synthetic IMDB of the real shapes; Embedding-TCN-Dropout-Dense, Adam"),
    "tcn_multi_length_sequences": dict(
        epochs=1, samples=500, metric="fit:loss",
        note="the program's generator of 1-29-step sequences (batch 1); TCN + sigmoid, BCE"),
    "attention_imdb": dict(
        epochs=1, samples=1000, metric="fit:val_accuracy",
        note="synthetic IMDB (500 steps); the second fit: LSTM(100) + attention_3d_block, "
             "val accuracy on the capped test rows"),
    "condrnn_single_cond_example": dict(
        epochs=2, samples=2000, metric="evaluate:accuracy",
        note="the program's random inputs and one-hot conditions; Sequential(ConditionalRNN "
             "GRU(12), softmax), Adam(0.1): the condition alone decides the class"),
    "condrnn_multi_cond_example": dict(
        epochs=3, samples=4000, metric="evaluate:accuracy",
        note="two binary conditions summed into 6 classes; ConditionalRNN GRU(24) with two "
             "conditions, Adam"),
    "nbeats_exo_example": dict(
        epochs=10, samples=1000, metric="fit:loss",
        note="random rainfall / sunshine; NBeatsNet trend + seasonality stacks with one "
             "exogenous input, mae (its trend basis makes the loss large)"),
    "frn_mnist_cnn": dict(
        epochs=1, samples=3000, metric="evaluate:accuracy",
        note="MNIST; the Keras mnist_cnn with FRN (filter response normalization) layers, "
             "Adadelta (Keras 2 default lr 0.001)"),
}

NOT_COMPARABLE = {
    "tcn_non_causal": "builds a padding='same' TCN and predicts one random input; no training",
    "tcn_save_reload_sequential_model": "saves the TCN model to JSON + HDF5 weights, reloads "
        "and predicts an all-ones input; no training (the two predictions agree on each side)",
    "keract_recurrent": "keract's activations and gradients of an untrained LSTM, no "
        "training; fails on both sides at its gradients (tf_keras: graph-mode LSTM gradient "
        "InvalidArgumentError; tensorforge: None gradients of keract's eager path)",
    "keract_multi_inputs": "keract on untrained random models; stops on tensorforge at "
        "get_gradients_of_activations (graph mode only), as keract_recurrent",
    "condrnn_dummy_stations_example": "fails on both sides at the same line: its (N,) "
        "condition is not (batch, dim), ConditionalRNN's own exception, before any training",
    "yolo3_train": "fails on both sides at the same call: yolo_loss's "
        "K.control_flow_ops.while_loop (Keras 2.1's backend attribute) is an AttributeError",
    "yolo3_train_variant": "DarkNet-53 at 416x416, batch 32, one thread a side on the loaded "
        "machine: neither side finished the first stage's step and validation in the time given "
        "(tensorforge 25 min, tf_keras 15 min); no figure to compare",
}
