"""Caps and compared figures of the thirty-second corpus: the Udacity "Intro to TensorFlow for
Deep Learning" course notebooks (tensorflow/examples courses/udacity_intro_to_tensorflow_for_
deep_learning), Raschka's PML 3rd ed. ch16_part1 and the 3rd edition of Deep Learning with
TensorFlow and Keras's vanilla autoencoder (/work/corpus32; tools/keras_corpus.md "Thirty-second
corpus"; see tools/keras_parity_plan.py). Data are synthetic files of the real layout or the
harness's offline MNIST (Fashion-MNIST: its inverted-digit stand-in where the Debian package is
absent); the figures compare the two libraries on the same data, not the published ones."""

PLAN = {
    "udc_l02c01_celsius_to_fahrenheit": dict(
        epochs=500, samples=7, metric="fit:loss",
        note="7 Celsius / Fahrenheit pairs, 500 full-batch Adam(0.1) epochs; the 4-4-1 model's "
             "last MSE"),
    "udc_l03c01_classifying_images_of_clothing": dict(
        epochs=1, samples=60000, metric="evaluate:accuracy",
        note="Fashion-MNIST (stand-in) via tfds stand-in; 784-128-10 MLP, 1 epoch of 1875 "
             "steps; accuracy on the 10,000 test images"),
    "udc_l04c01_image_classification_with_cnns": dict(
        epochs=1, samples=16000, metric="evaluate:accuracy",
        note="the same data; 2-conv CNN, 500 steps of 32; test accuracy"),
    "udc_l05c02_dogs_vs_cats_with_augmentation": dict(
        epochs=4, samples=200, metric="fit:val_accuracy",
        note="synthetic cats_and_dogs_filtered (200 / 100 JPEGs), ImageDataGenerator "
             "augmentation, 4-conv CNN with logits; validation accuracy on the 100"),
    "udc_l05c04_flowers_with_data_augmentation_solution": dict(
        epochs=2, samples=1000, metric="fit:val_accuracy",
        note="the harness's synthetic flower_photos split 80/20 by the program; 3-conv CNN, "
             "sparse logits; validation accuracy"),
    "udc_l08c05_forecasting_with_machine_learning": dict(
        epochs=20, samples=2000, metric=r"stdout:\n([0-9]+\.[0-9]+)\n",
        note="synthetic seasonal series (the notebook's own); linear then 10-10-1 dense window "
             "models, SGD + Huber; the dense model's validation MAE it prints"),
    "udc_l08c06_forecasting_with_rnn": dict(
        epochs=10, samples=2000, metric=r"stdout:\n([0-9]+\.[0-9]+)\n",
        note="two SimpleRNN(100) (window -> 1, then seq2seq); the seq2seq model's validation "
             "MAE"),
    "udc_l08c07_forecasting_with_stateful_rnn": dict(
        epochs=10, samples=2000, metric=r"stdout:\n([0-9]+\.[0-9]+)\n",
        note="stateful SimpleRNNs over 30-step windows, reset each epoch; the checkpointed "
             "(h5, Lambda) model's validation MAE"),
    "udc_l08c08_forecasting_with_lstm": dict(
        epochs=10, samples=2000, metric=r"stdout:\n([0-9]+\.[0-9]+)\n",
        note="stateful LSTM(100) x 2; the checkpointed model's validation MAE"),
    "udc_l08c09_forecasting_with_cnn": dict(
        epochs=10, samples=2000, metric=r"stdout:\n([0-9]+\.[0-9]+)\n",
        note="causal Conv1D + LSTMs, then a WaveNet-style dilated Conv1D stack; the last "
             "model's validation MAE"),
    "udc_l09c04_nlp_embeddings_and_sentiment": dict(
        epochs=10, samples=2000, metric="fit:val_accuracy",
        note="synthetic /tmp/sentiment.csv (1,992 reviews); Embedding-Flatten-Dense; "
             "validation accuracy on the last 399"),
    "udc_l09c05_nlp_tweaking_the_model": dict(
        epochs=30, samples=2000, metric="fit:val_accuracy",
        note="the same data; Embedding-GlobalAveragePooling1D-Dense; validation accuracy"),
    "udc_l10c02_nlp_multiple_models_for_predicting_sentiment": dict(
        epochs=2, samples=10000, metric="fit:val_accuracy",
        note="synthetic GLUE SST-2 via tfds stand-in (10,000 / 872 phrases); five models in "
             "turn; the last (two bidirectional LSTMs) validation accuracy"),
    "udc_l10c03_nlp_constructing_text_generation_model": dict(
        epochs=20, samples=5000, metric="fit:loss",
        note="synthetic lyrics (10 songs); Embedding-BiLSTM(20)-softmax next-word model; the "
             "training loss of the 20th epoch"),
    "pml_ch16_part1": dict(
        epochs=1, samples=20000, metric=r"stdout:Test Acc\.: ([0-9.]+)%",
        note="synthetic movie_data.csv.gz (50,000 short reviews), tfds TokenTextEncoder "
             "stand-in; bidirectional SimpleRNN on the last 100 tokens; its test accuracy "
             "(25,000 reviews) in percent"),
    "tf3k_ch08_vanilla_autoencoder": dict(
        epochs=1, samples=60000, max_apply=471, metric=r"stdout:Epoch 2/50\. Loss: ([0-9.]+)",
        note="MNIST; 784-128-784 subclassed autoencoder in a GradientTape loop, Adam 0.01; "
             "the second epoch's summed batch MSE"),
}

NOT_COMPARABLE = {
    "udc_l08c04_time_windows": "tf.data windows printed; no model",
    "udc_l09c01_nlp_turn_words_into_tokens": "Tokenizer word indices printed; no model",
    "udc_l09c02_nlp_padding": "Tokenizer / pad_sequences printed; no model",
    "udc_l10c04_nlp_optimizing_the_text_generation_model": "text generation by "
        "predict_classes / predict_proba (Keras 2.2 names the harness gives tf_keras) and "
        "np.random.choice over the probabilities; its training loss is the same kind of figure "
        "as l10c03's (not planned for time)",
}
