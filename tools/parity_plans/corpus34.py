"""Caps and compared figures of the thirty-fourth corpus: lmoroney/dlaicourse, the DeepLearning.AI
"TensorFlow in Practice" course notebooks and its "Advanced TensorFlow" specialization
notebooks (/work/corpus34; tools/keras_corpus.md "Thirty-fourth corpus"; see
tools/keras_parity_plan.py). Data are synthetic files of the real layout
(/work/corpus34/scripts/), the harness's offline MNIST and its Fashion-MNIST stand-in, or
series the notebooks make themselves; the figures compare the two libraries on the same data,
not the published ones."""

PLAN = {
    "dla_adv_siamese_network": dict(
        epochs=1, samples=20000, metric=r"stdout:Test Accuracy = ([0-9.]+)",
        note="Fashion-MNIST (stand-in) pairs; a shared 3-Dense base network, Lambda euclidean "
             "distance, contrastive loss, RMSprop; accuracy of distance < 0.5 on the test pairs"),
    "dla_adv_huber_object_loss": dict(
        epochs=500, samples=6, metric="fit:loss",
        note="6 points of y = 2x - 1, Dense(1), 500 full-batch SGD epochs; the Loss-subclass "
             "Huber's last loss"),
    "dla_adv_lambda_layer": dict(
        epochs=1, samples=8000, metric="evaluate:accuracy",
        note="MNIST 784-128-Lambda(my_relu)-10; test accuracy"),
    "dla_adv_quadratic_layer_answer": dict(
        epochs=1, samples=8000, metric="evaluate[0]:accuracy",
        note="MNIST with the custom SimpleQuadratic(128, relu) layer (tf.Variable weights); "
             "its test accuracy"),
    "dla_adv_training_basics": dict(
        epochs=1, samples=1000, metric=r"stdout:Epoch 14: w=[0-9.\-]+ b=[0-9.\-]+, loss=([0-9.]+)",
        note="w*x+b fitted by 15 hand-written GradientTape / assign_sub steps to 1,000 "
             "tf.random.normal points (each side draws its own); the last printed loss"),
    "dla_adv_exploring_callbacks": dict(
        epochs=2, samples=4000, metric="fit:val_loss",
        note="eight fits of callbacks; the last (Dense(1) on MNIST, RMSprop(0.1), MSE, "
             "DetectOverfittingCallback) validation loss"),
    "dla_adv_resnet_example": dict(
        epochs=1, samples=4000, metric="fit:accuracy",
        note="subclassed ResNet of subclassed IdentityBlocks on MNIST via the tfds stand-in; "
             "training accuracy of the one epoch"),
    "dla_adv_functional_colab1": dict(
        epochs=1, samples=20000, metric="evaluate:accuracy",
        note="Fashion-MNIST (stand-in) 784-128-10; test accuracy"),
    "dla_c1_p2_l2_hello_world": dict(
        epochs=500, samples=6, metric="fit:loss",
        note="6 points of y = 2x - 1, Dense(1), 500 full-batch SGD epochs; last MSE"),
    "dla_c1_p4_l2_fashion_mnist_mlp": dict(
        epochs=1, samples=20000, metric="fit:loss",
        note="six MLPs on Fashion-MNIST (stand-in) / MNIST; the last one's (512 units, "
             "stop-at-loss-0.4 callback) training loss"),
    "dla_c1_p6_l2_convolutions": dict(
        epochs=1, samples=8000, metric="evaluate:accuracy",
        note="MLP then 2-conv CNN on Fashion-MNIST (stand-in), activation model, then a "
             "1-conv CNN on MNIST; its test accuracy"),
    "dla_c1_p8_l2_horse_or_human": dict(
        epochs=3, samples=128, metric="fit:loss",
        note="synthetic horse-or-human (128 PNGs 300x300), 5-conv CNN, RMSprop, "
             "flow_from_directory batches of 128; training loss of the third epoch"),
    "dla_c2_p6_l3_transfer_learning": dict(
        epochs=1, samples=200, metric="fit:val_acc",
        note="InceptionV3 to mixed7 frozen (random weights from the local h5), Dense head, "
             "synthetic cats_and_dogs_filtered with augmentation; validation accuracy on 100"),
    "dla_c3_w2_l2_sarcasm_classifier": dict(
        epochs=5, samples=20000, metric="fit:val_accuracy",
        note="synthetic sarcasm.json (26,709 headlines); Embedding-GlobalAveragePooling1D-"
             "Dense; validation accuracy on the last 6,709"),
    "dla_c3_w4_l2_irish_lyrics_generation": dict(
        epochs=5, samples=5000, metric="fit:loss",
        note="synthetic lyrics (600 lines); n-grams, Embedding + Bidirectional LSTM(150) + "
             "softmax over the vocabulary, Adam(0.01); training loss"),
    "dla_c4_w3_l2_rnn": dict(
        epochs=20, samples=2000, metric="fit:mae",
        note="the notebook's synthetic series; Lambda-SimpleRNN(40)x2-Dense-Lambda, Huber, "
             "SGD(5e-5, momentum 0.9); the retrained model's training MAE (the forecast loop "
             "of 1,441 predict calls is cut by the harness's predict cap)"),
    "dla_c4_w3_exercise_answer_lstm": dict(
        epochs=20, samples=2000, metric="fit:mae",
        note="ten years of the notebook's series; Lambda-BiLSTM(32)x2-Dense-Lambda, mse, "
             "SGD(1e-5, momentum 0.9); the retrained model's training MAE"),
}

NOT_COMPARABLE = {
    "dla_adv_custom_with_activation": "fails on both sides, as tf_keras 2.21 does: its "
        "Sequential has no input shape and is fitted on 1-D x (TF 2.0/2.1 expanded 1-D inputs "
        "to (n, 1); later TensorFlow does not)",
    "dla_adv_serializable_dense_layer": "fails on both sides for the same reason",
    "dla_adv_basic_model": "builds a functional and a subclassed wide-and-deep model; no "
        "training",
    "dla_adv_training_categorical": "hand-written GradientTape loop of 10 epochs x 938 steps "
        "with figures printed only at each epoch's end; capped (--max-apply) it stops before the "
        "first, uncapped it takes minutes a side",
}
