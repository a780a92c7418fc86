"""Caps and compared figures of the thirty-ninth corpus: Deep Learning Quick Reference (Mike
Bernico, 2018, Keras 2.1), PacktPublishing/Deep-Learning-Quick-Reference Chapter02-11 and 13
(/work/corpus39; tools/keras_corpus.md "Thirty-ninth corpus"; see tools/keras_parity_plan.py).
Data are synthetic files of the real layouts (/work/corpus39/make_data.py) or the harness's
MNIST / CIFAR-10 / IMDB; the figures compare the two libraries on the same data, not the
published ones."""

_WINE = ("wine-quality rows (9 features, alcohol as y), Adam, mean absolute error; "
         "validation MAE")

PLAN = {
    "dqr_ch02_keras_regression": dict(
        epochs=10, samples=3918, metric="fit:val_loss", note="Dense(32) regression on " + _WINE),
    "dqr_ch02_keras_regression_deeper": dict(
        epochs=10, samples=3918, metric="fit:val_loss",
        note="five-layer Dense regression on " + _WINE),
    "dqr_ch03_keras_regression": dict(
        epochs=10, samples=3918, metric="fit:val_loss",
        note="Dense(32) regression with a TensorBoard callback on " + _WINE),
    "dqr_ch03_keras_regression_deeper": dict(
        epochs=10, samples=3918, metric="fit:val_loss",
        note="five-layer Dense regression with TensorBoard on " + _WINE),
    "dqr_ch03_keras_regression_deep_broken": dict(
        epochs=10, samples=3918, metric="fit:val_loss",
        note="the book's deliberately broken network: every kernel Constant(0), every bias "
             "ones (no random initial weights); " + _WINE),
    "dqr_ch04_binary_classifier": dict(
        epochs=3, samples=9200, metric="fit:val_loss",
        note="five-layer Dense binary classifier on 178 EEG samples a row, ROC-AUC callback and "
             "ModelCheckpoint on val_acc; validation loss"),
    "dqr_ch05_multiclass_classifier": dict(
        epochs=1, samples=10000, metric="fit:val_accuracy",
        note="MNIST 512-256-128 MLP, Adam, batch 30; validation accuracy (5,000 digits)"),
    "dqr_ch05_multiclass_classifier_dropout": dict(
        epochs=1, samples=10000, metric="fit:val_accuracy",
        note="the same MLP with Dropout(0.5) after each hidden layer; validation accuracy"),
    "dqr_ch05_multiclass_classifier_l2": dict(
        epochs=1, samples=10000, metric="fit:val_accuracy",
        note="the same MLP with kernel_regularizer='l2' (0.01); validation accuracy"),
    "dqr_ch07_cifar10_cnn": dict(
        epochs=1, samples=5000, metric="fit:val_accuracy",
        note="two Conv-BN-pool blocks + Dense 512/256 with dropout on CIFAR-10-shaped data, "
             "Adam; validation accuracy"),
    "dqr_ch07_cifar10_cnn_image_aug": dict(
        epochs=1, samples=5000, metric="fit:val_accuracy",
        note="the same CNN (dropouts unwired) trained by fit_generator on ImageDataGenerator "
             "rotations / shifts / flips; validation accuracy"),
    "dqr_ch09_lstm_bitcoin": dict(
        epochs=1, samples=5000, metric="fit:loss",
        note="stateful two-layer LSTM(100) with batch_shape (100, 10, 1) on differenced, "
             "scaled prices, Adam; training MSE"),
    "dqr_ch09_predict_and_graph": dict(
        epochs=1, samples=1000, metric=r"stdout:RMSE = ([0-9.eE+-]+)",
        note="the stateful LSTM loaded from tf_keras's lstm_model.h5, predict(batch_size=100) "
             "over June; RMSE (the same weights on both sides)"),
    "dqr_ch10_imdb_sentiment": dict(
        epochs=1, samples=3000, metric="fit:val_accuracy",
        note="Embedding(20000, 100) + LSTM(10, dropout 0.2, recurrent_dropout 0.2) on IMDB; "
             "validation accuracy"),
    "dqr_ch10_newsgroup_classifier_word_embeddings": dict(
        epochs=4, samples=1000, metric="fit:val_accuracy",
        note="trained Embedding(20000, 100) + three Conv1D(128, 5) with max pooling on 20 "
             "newsgroups; validation accuracy (180 posts)"),
    "dqr_ch10_newsgroup_classifier_pretrained_word_embeddings": dict(
        epochs=4, samples=1000, metric="fit:val_accuracy",
        note="frozen GloVe-100 Embedding + the same Conv1D stack; validation accuracy"),
    "dqr_ch11_train_char_seq2seq": dict(
        epochs=1, samples=4000, metric="fit:val_loss",
        note="character LSTM(256) encoder-decoder with teacher forcing on English-French "
             "pairs, RMSprop; validation loss"),
}

NOT_COMPARABLE = {
    "dqr_ch06_mnist_random_search": "RandomizedSearchCV over KerasClassifier: prints the "
        "randomly drawn best parameters (10 draws x 3 folds of 1-epoch fits)",
    "dqr_ch06_mnist_hyperband_search": "Hyperband over randomly drawn configurations: prints "
        "the list of runs (losses of different random configurations on each side)",
    "dqr_ch08_inceptionV3_variant": "InceptionV3(weights=None) frozen: random convolutional "
        "features of 48 pictures, one or two steps a stage; nothing learned to compare",
    "dqr_ch11_infer_char_seq2seq": "greedy decoding from the same tf_keras-saved models: "
        "compared line by line instead (the decoded sentences)",
    "dqr_ch13_mnist_gan": "GAN train_on_batch loop: adversarial losses, no converged figure",
    "dqr_ch13_cifar_10_gan": "GAN train_on_batch loop: adversarial losses, no converged figure",
}
