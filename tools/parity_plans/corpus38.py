"""Caps and compared figures of the thirty-eighth corpus: jonkrohn/DLTFpT, the Keras / tf.keras 2
notebooks of Jon Krohn's "Deep Learning with TensorFlow, Keras and PyTorch" (Deep Learning
Illustrated) (/work/corpus38; tools/keras_corpus.md "Thirty-eighth corpus"; see
tools/keras_parity_plan.py). MNIST / Fashion-MNIST / IMDB / Boston housing are the harness's
stand-ins, the Quick, Draw! and hot-dog pictures synthetic files of the real layouts; the
figures compare the two libraries on the same data, not the published ones.

The sentiment notebooks reload the checkpoint of a chosen epoch after fitting
(`load_weights(output_dir+"/weights.02.hdf5")`), so each gets at least that many epochs."""

_SENT = "Embedding + SpatialDropout1D + {}, sigmoid output, Nadam; validation loss of the last " \
        "epoch (the notebook reloads epoch {}'s checkpoint after fitting)"

PLAN = {
    "dlt_shallow_net": dict(
        epochs=2, samples=4000, metric="evaluate:loss",
        note="Dense(64, sigmoid) + softmax, MSE loss, SGD(lr=0.01): evaluate's loss"),
    "dlt_intermediate_net": dict(
        epochs=1, samples=4000, metric="fit:val_loss",
        note="two Dense(64, relu), SGD(lr=0.1); validation loss"),
    "dlt_deep_net": dict(
        epochs=1, samples=4000, metric="fit:val_loss",
        note="three Dense(64, relu) + BatchNormalization, Dropout, Nadam; validation loss"),
    "dlt_lenet": dict(
        epochs=1, samples=3000, metric="fit:val_loss",
        note="LeNet-like Conv2D(32)-Conv2D(64)-MaxPool-Dense(128), Nadam; validation loss"),
    "dlt_lenet_fashion_mnist": dict(
        epochs=1, samples=3000, metric="fit:val_loss",
        note="the same LeNet on Fashion-MNIST; validation loss"),
    "dlt_alexnet": dict(
        epochs=1, samples=1000, metric="fit:val_loss",
        note="AlexNet-like 11x11 / 5x5 / 3x3 convolutions, BatchNormalization, two "
             "Dense(4096, tanh), Nadam, on 1,000 digits; validation loss"),
    "dlt_vggnet": dict(
        epochs=1, samples=1000, metric="fit:val_loss",
        note="VGG-like 13 convolutions with BatchNormalization, two Dense(4096), Nadam, on "
             "1,000 digits; validation loss"),
    "dlt_regression_in_keras": dict(
        epochs=32, samples=404, metric="fit:val_loss",
        note="Boston-housing stand-in, Dense(32)-BN-Dense(16)-BN-Dropout, Adam, batch 8; "
             "validation MSE of epoch 32 (the notebook reloads epoch 20's weights)"),
    "dlt_regression_tensorboard": dict(
        epochs=32, samples=404, metric="fit:val_loss",
        note="the same with a TensorBoard callback; validation MSE of epoch 32"),
    "dlt_measuring_speed_of_learning": dict(
        epochs=3, samples=1000, metric="fit:loss",
        note="Dense(30, sigmoid) x 7, SGD, batch 1 over 1,000 digits, a callback taking weight "
             "differences per epoch; training loss"),
    "dlt_dense_sentiment": dict(
        epochs=2, samples=1000, metric="fit:val_loss",
        note="Embedding(5000, 64) + Flatten + Dense(64) + Dropout, sigmoid output, Nadam; "
             "validation loss (the notebook reloads epoch 2's checkpoint)"),
    "dlt_conv_sentiment": dict(
        epochs=3, samples=1000, metric="fit:val_loss",
        note=_SENT.format("Conv1D(256, 3) + GlobalMaxPooling1D + Dense(256)", 3)),
    "dlt_rnn_sentiment": dict(
        epochs=7, samples=1000, metric="fit:val_loss",
        note=_SENT.format("SimpleRNN(256, dropout=0.2)", 7)),
    "dlt_lstm_sentiment": dict(
        epochs=2, samples=1000, metric="fit:val_loss",
        note=_SENT.format("LSTM(256, dropout=0.2)", 2)),
    "dlt_gru_sentiment": dict(
        epochs=2, samples=1000, metric="fit:val_loss",
        note=_SENT.format("GRU(256, dropout=0.2)", 2)),
    "dlt_bilstm_sentiment": dict(
        epochs=4, samples=1000, metric="fit:val_loss",
        note=_SENT.format("Bidirectional(LSTM(256)) over 200 steps", 4)),
    "dlt_stacked_bilstm_sentiment": dict(
        epochs=2, samples=1000, metric="fit:val_loss",
        note=_SENT.format("two stacked Bidirectional(LSTM(64))", 2)),
    "dlt_conv_lstm_sentiment": dict(
        epochs=2, samples=1000, metric="fit:val_loss",
        note=_SENT.format("Conv1D(64, 3) + MaxPooling1D(4) + Bidirectional(LSTM(64))", 2)),
    "dlt_multi_convnet_sentiment": dict(
        epochs=2, samples=1000, metric="fit:val_loss",
        note="functional model: int16 Input, Embedding, three parallel Conv1D(256) streams "
             "concatenated, two Dense + Dropout, Nadam; validation loss (reloads epoch 2)"),
}

NOT_COMPARABLE = {
    "dlt_weight_initialization": "a forward pass of one randomly initialized Dense(256) layer "
        "(RandomNormal(stddev=1.0)) on random input: no training, each library draws its own "
        "weights",
    "dlt_gan": "a GAN's train_on_batch losses after the harness's few steps: no quality figure",
    "dlt_transfer_learning": "VGG19 with weights=None (the ImageNet download left out) frozen "
        "at random weights under a Dense head, a few generator steps of 224x224 pictures: the "
        "figure is the random base's, not a comparison",
}
