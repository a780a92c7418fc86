"""Caps and compared figures of the thirty-sixth corpus: PacktPublishing/Hands-On-Computer-Vision-
with-TensorFlow-2 (Planche & Andres; chapters 2-4) and the sequences / time-series and
rock-paper-scissors notebooks of lmoroney/dlaicourse that the thirty-fourth corpus left out (/work/corpus36; tools/keras_corpus.md
"Thirty-sixth corpus"; see tools/keras_parity_plan.py). Data are the harness's offline MNIST,
synthetic CIFAR-100 through the corpus's tensorflow_datasets stand-in, or series the notebooks
make themselves; the figures compare the two libraries on the same data, not the published
ones."""

PLAN = {
    "hocv_ch2_mnist_keras": dict(
        epochs=1, samples=8000, metric="fit:val_accuracy",
        note="MNIST Flatten-Dense(128)-Dense(10), plain 'sgd', TensorBoard callback; "
             "validation accuracy after one epoch"),
    "hocv_ch3_first_cnn_lenet5": dict(
        epochs=2, samples=8000, metric="fit:val_accuracy",
        note="subclassed LeNet-5 (Conv2D / MaxPooling2D / Dense), 'sgd', EarlyStopping + "
             "TensorBoard(histogram_freq=1); validation accuracy"),
    "hocv_ch3_optimizers": dict(
        epochs=1, samples=4000, metric="fit:val_accuracy",
        note="seven Sequential LeNet-5s, one per optimizer (SGD, momentum, Nesterov, Adagrad, "
             "Adadelta, RMSprop, Adam), each after tf.random.set_seed(42); the last (Adam) "
             "one's validation accuracy"),
    "hocv_ch3_regularization": dict(
        epochs=1, samples=200, max_apply=210, metric=r"stdout:val acc = .\[94m([0-9.]+)%",
        note="200 MNIST digits; subclassed LeNet-5 of custom conv layers with add_loss(partial) "
             "L2 terms, hand-written GradientTape loop with tf.optimizers.SGD; the test accuracy "
             "(%) printed at epoch 30 (--max-apply 210 stops the loop there, before the "
             "notebook's Keras-fit section)"),
    "dla_c2_p8_l2_rock_paper_scissors": dict(
        epochs=1, samples=630, metric="fit:val_loss",
        note="synthetic rock-paper-scissors (scripts/make_rps.py: 3 x 42 training, 3 x 12 test "
             "300x300 PNGs), ImageDataGenerator augmentation + flow_from_directory(150x150, "
             "batch 126), 4-conv CNN, RMSprop; validation loss on the 36 test pictures after "
             "5 batches (a step takes 30-50 s a side at one thread on the loaded machine)"),
    "dla_c4_w1_l3_statistical_forecast": dict(
        epochs=1, samples=1000, metric=r"stdout:(?m)^([0-9]+\.[0-9]+)$",
        note="no model: naive / moving-average / differenced forecasts of the notebook's "
             "series; the last printed keras.metrics.mean_absolute_error (deterministic)"),
    "dla_c4_w2_l2_single_layer_forecast": dict(
        epochs=100, samples=1000, metric="fit:loss",
        note="the notebook's series, windows of 20; Dense(1), mse, SGD(lr=1e-6, momentum 0.9) "
             "(lr= honoured on both sides: the harness gives tf_keras its legacy class); "
             "training loss after 100 epochs"),
    "dla_c4_w2_exercise_answer_dnn": dict(
        epochs=20, samples=3000, metric="fit:loss",
        note="ten years of the exercise's series; Dense(100)-Dense(10)-Dense(1), mse, "
             "SGD(lr=1e-6, momentum 0.9); training loss after 20 epochs"),
    "dla_c4_w3_l4_bidirectional_lstm": dict(
        epochs=3, samples=1000, metric="fit:mae",
        note="Lambda-BiLSTM(32)x2-Dense-Lambda(x100); a learning-rate sweep (Huber, "
             "LearningRateScheduler) then the retraining (mse, SGD(lr=1e-5, momentum 0.9)); "
             "the retraining's MAE after 3 epochs"),
    "dla_c4_w4_l1_conv1d_lstm": dict(
        epochs=5, samples=1000, metric="fit:loss",
        note="causal Conv1D-BiLSTM(32)x2 sequence-to-sequence forecaster, Huber, the "
             "learning-rate sweep's first 5 epochs (rates 1e-8 to 1.6e-8); training loss"),
}

NOT_COMPARABLE = {
    "hocv_ch4_resnet_from_scratch": "ResNet-50 at 224 x 224 trained from scratch on CIFAR-100 "
        "(synthetic, through the tensorflow_datasets stand-in): two batches of 32 take about ten "
        "minutes a side at one thread, and a figure after two Adam steps from He-normal "
        "initialisation says nothing",
    "dla_c4_w2_l1_windowed_dataset": "no model: prints tf.data windows of Dataset.range(10); "
        "the unshuffled ones are the same on both sides, the shuffled ones follow each "
        "library's own random stream",
}
