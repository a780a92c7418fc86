"""Caps and compared figures of the forty-first corpus: James Loy's Neural Network Projects with
Python (2019, Keras 2.2; PacktPublishing/Neural-Network-Projects-with-Python, prefix nnp_) and
the Keras Deep Learning Cookbook (2018, Keras 2.x; PacktPublishing/Keras-Deep-Learning-Cookbook,
prefix kdc_) (/work/corpus41; tools/keras_corpus.md "Forty-first corpus"; see
tools/keras_parity_plan.py). Data are synthetic files of the real layouts
(/work/corpus41/make_data.py) or the harness's MNIST / CIFAR-10 / IMDB; the figures compare the
two libraries on the same data, not the published ones."""

_ACC_LINE = r"stdout:(?:acc|accuracy): ([0-9.eE+-]+)"  # `for metric ...: print("{}: {}")`

PLAN = {
    "nnp_keras_chapter1": dict(
        epochs=1500, samples=4, metric="fit:loss",
        note="3-4-1 sigmoid network on the four XOR rows, SGD(lr=1), MSE, 1,500 epochs; "
             "training loss"),
    "nnp_ch02_main": dict(
        epochs=200, samples=614, metric="evaluate:accuracy",
        note="Dense 32-16-1 on the standardized Pima diabetes rows, Adam, 200 epochs; "
             "accuracy on the 154-row test split"),
    "nnp_ch03_main": dict(
        epochs=1, samples=16000, metric=r"stdout:Test RMSE: ([0-9.]+)",
        note="Dense 128-64-32-8-1 regression of NYC taxi fares (time, distance and airport "
             "features, scaled), Adam, one epoch; test RMSE in dollars"),
    # The capped steps are one pass over the 160 training pictures: tf_keras 2.21 stops
    # training when a Sequence runs out before steps_per_epoch ("Your input ran out of data;
    # interrupting training"), Keras 2.2's fit_generator (and tensorforge's) cycle it. The real
    # 20,000 pictures are 1,250 batches, the book's steps_per_epoch; evaluate_generator's 100
    # steps cycle 3 batches here, run 3 there (the same 40 pictures, the same accuracy).
    "nnp_ch04_main_basic_cnn": dict(
        epochs=4, samples=160, metric=_ACC_LINE,
        note="two Conv2D(32)+pool blocks, Dense(128), Dropout on 32x32 cats-vs-dogs pictures "
             "from flow_from_directory, fit_generator, 4 passes over the 160; "
             "evaluate_generator accuracy on the 40 test pictures"),
    "nnp_ch04_main_vgg16_variant": dict(
        epochs=1, samples=160, metric=_ACC_LINE,
        note="frozen VGG16(weights=None) at 128x128 + Flatten + Dense(1), fit_generator, one "
             "pass over the 160; evaluate_generator accuracy (a head trained 10 steps on "
             "random convolutional features)"),
    "nnp_ch05_autoencoder_image_compression": dict(
        epochs=1, samples=10000, metric="fit:loss",
        note="six 784-n-784 autoencoders (n = 1 to 32), Adam, MSE; the last one's (n = 32) "
             "training loss (the program then stops at its missing `import random` on both "
             "sides)"),
    "nnp_ch05_basic_autoencoder_denoise_MNIST": dict(
        epochs=1, samples=10000, metric="fit:loss",
        note="784-16-784 denoising autoencoder on MNIST with Gaussian noise, Adam, MSE; "
             "training loss"),
    "nnp_ch05_conv_autoencoder_denoise_MNIST": dict(
        epochs=1, samples=3000, metric="fit:loss",
        note="five same-padded Conv2D layers (16-8-8-16-1) denoising MNIST, binary "
             "cross-entropy; training loss"),
    "nnp_ch05_basic_autoencoder_denoise_documents": dict(
        epochs=10, samples=19, metric="fit:loss",
        note="three Conv2D layers on 420x540 noisy / clean document scans (19 training "
             "pictures), binary cross-entropy, 10 epochs; training loss"),
    "nnp_ch05_deep_conv_autoencoder_denoise_documents": dict(
        epochs=1, samples=19, metric="fit:loss",
        note="seven Conv2D layers (32-16-8-8-16-32-1) on the same scans, one epoch; training "
             "loss"),
    "nnp_ch06_lstm": dict(
        epochs=1, samples=3000, metric="fit:val_accuracy",
        note="Embedding(10000, 128) + LSTM(128) on IMDB padded to 100 words, RMSprop; "
             "validation accuracy"),
    "nnp_ch07_siamese_nn": dict(
        epochs=1, samples=630, metric="fit:loss",
        note="siamese Conv2D network on 92x112 face pairs, Lambda Euclidean distance, "
             "contrastive loss, Adam, one epoch; training loss"),
    "kdc_functional_apis_with_mnist": dict(
        epochs=1, samples=5000, metric="evaluate:accuracy",
        note="Reshape + two Conv2D/pool blocks on raw 0-255 MNIST pixels, sigmoid outputs "
             "under categorical cross-entropy, RMSprop(lr=1e-4, decay=1e-6); test accuracy"),
    "kdc_model_ff_pima_indians": dict(
        epochs=150, samples=768, metric="evaluate:accuracy",
        note="Dense 12-8-1 on the raw Pima rows, Adam, batch 10, 150 epochs; accuracy on the "
             "training rows"),
    "kdc_sequential_apis_mnist": dict(
        epochs=1, samples=5000, metric="evaluate:accuracy",
        note="Flatten + Dense(32, sigmoid) + softmax on raw MNIST pixels, RMSprop(lr=1e-4); "
             "test accuracy"),
    "kdc_shared_layer_cifar10": dict(
        epochs=1, samples=2000, metric="evaluate:accuracy",
        note="two parallel Conv2D/pool branches concatenated, Dense(512), sigmoid outputs "
             "under categorical cross-entropy on CIFAR-10-shaped data; test accuracy"),
    "kdc_breast_cancer": dict(
        epochs=10, samples=455, metric=r"stdout:Accuracy: ([0-9.]+)%",
        note="Dense 16-8-6-1 (uniform init) on the 30 scaled Wisconsin features, Adam, batch "
             "1, 10 epochs; test accuracy in % from the confusion matrix (114 rows)"),
    "kdc_spam_detection": dict(
        epochs=2, samples=640, metric="evaluate:accuracy",
        note="Embedding(10000, 32) + LSTM(32) on SMS texts padded to 500, RMSprop; test "
             "accuracy (200 messages)"),
    "kdc_digit_classifier": dict(
        epochs=1, samples=4000, metric="evaluate:accuracy",
        note="Conv2D(40, 5) + Conv2D(50, 5) + pool + Dense(100) with dropout on MNIST, Adam, "
             "batch 200; test accuracy"),
    "kdc_lstm_subtraction_variant": dict(
        epochs=1, samples=10000, metric="fit:val_accuracy", max_predict=20,
        note="LSTM(128) encoder, RepeatVector, LSTM(128) decoder, TimeDistributed Dense on "
             "reversed 'a-b' strings, Adam; per-character validation accuracy of the second "
             "iteration's fit (the loop stops at its 21st predict_classes)"),
    "kdc_sentiment_analysis_variant": dict(
        epochs=50, samples=1560, metric="evaluate:accuracy",
        note="frozen GloVe-100 Embedding(2000) + Flatten + Dense(1) on GOP-debate tweets "
             "(neutral ones dropped), Adam, 50 epochs; test accuracy (33% split)"),
    "kdc_with_embeddings": dict(
        epochs=50, samples=10, metric="evaluate:accuracy",
        note="frozen GloVe-100 Embedding + Flatten + Dense(1) on the ten two-word documents, "
             "50 epochs; accuracy on the same ten"),
    "kdc_without_embeddings": dict(
        epochs=50, samples=10, metric="evaluate:accuracy",
        note="trained Embedding(50, 8) on one_hot-hashed words, 50 epochs; accuracy on the "
             "same ten documents"),
    "kdc_lstm_seq2seq": dict(
        epochs=2, samples=400, metric="fit:val_loss", max_predict=20,
        note="character LSTM(256) encoder-decoder with teacher forcing from review texts to "
             "their summaries, RMSprop; validation loss (80 reviews)"),
}

NOT_COMPARABLE = {
    "nnp_ch04_image_augmentation": "ImageDataGenerator's random rotations / shifts / zooms of "
        "one picture, plotted: no model",
    "kdc_functional_apis_perceptron": "a model summary and plot_model: no training",
    "kdc_models_sequential_example": "a model summary: no training",
    "kdc_lstm_memory_characters": "stateful LSTM(200) fit 2,000 times on two 4-step "
        "sequences (batch 1, reset_states between): the last fit's loss, of one 4-sample "
        "sequence, after the plan's cap leaves 1,000 one-epoch fits a side (minutes of "
        "per-call overhead under tf_keras); the predicted letters are printed instead",
}
