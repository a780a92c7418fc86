"""Caps and compared figures of the twenty-first to twenty-fourth corpora (see tools/keras_parity_plan.py)."""

from parity_plans.caps import MNIST

PLAN = {}

# ---- twenty-first corpus: Andrew Ferlitsch's keras-idiomatic-programmer model zoo
#      (/work/corpus21; tools/keras_corpus.md "Twenty-first corpus") ----
PLAN.update({
    "zoo_vgg_c": dict(epochs=1, samples=1000, metric="fit:loss",
                      note="synthetic CIFAR-10 (x_train / 255, sparse labels); the example's "
                           "mini-VGG (3 groups, two Dense(4096) over self.ReLU), Adam"),
    "zoo_vgg_c_cifar10": dict(epochs=1, samples=256, metric="evaluate:accuracy",
                              note="synthetic CIFAR-10 through models_c.py's cifar10(): "
                                   "standardization, label smoothing, warmup, the lr / batch "
                                   "grid search (7 fits), full training; 256 samples a fit "
                                   "(1,000 a fit ran past 1,200 s on the Keras 2 side here)"),
})

# ---- twenty-third corpus: the chapters of Atienza's Advanced Deep Learning with Keras the
#      corpus had not run (/work/corpus23; tools/keras_corpus.md "Twenty-third corpus") ----
PLAN.update({
    "adl_ch1_linear_model": dict(epochs=100, samples=10, metric="fit:loss",
                                 note="the whole program: 10 noisy points of y = 2x + 3, 100 "
                                      "epochs of batch 4 (plain SGD); the last epoch's MSE"),
    "adl_ch8_cvae_mnist": dict(MNIST, metric="fit:val_loss", max_predict=2,
                               note="add_loss CVAE (BCE x 784 + KL), conditioned on the label"),
    "adl_ch8_beta_cvae_cnn_mnist": dict(MNIST, metric="fit:val_loss", max_predict=2,
                                        note="run as `-b 7 -d 3` (beta-CVAE); both sides stop "
                                             "after fit at `'%d' % digit` (NumPy 2.3+)"),
    "adl_ch12_fcn_segmentation": dict(epochs=1, samples=48, metric="fit:loss",
                                      note="run as `-t -b=2 --height=96 --width=128`: ResNet56v2 "
                                           "FCN on 48 synthetic drinks images, pixel-wise CE"),
    "adl_ch13_iic_mnist": dict(epochs=1, samples=32768, metric=r"stdout:Head 0 accuracy: ([0-9.]+)%",
                               note="run as `--train`: IIC (MI loss over a 512+512 Siamese "
                                    "batch), Hungarian-matched cluster accuracy on the test "
                                    "digits; 32 steps of 1,024 rows (the steps its figures "
                                    "have had since the 23rd corpus)"),
    "adl_ch13_mine_mnist": dict(epochs=1, samples=1024, metric=r"stdout:Accuracy: ([0-9.]+)%",
                                note="run as `--train --batch-size=256`: MINE encoder (2 steps "
                                     "of 512 rows; 32 before the Sequence's own batch was "
                                     "read, lane acc26), then a linear classifier fitted on "
                                     "its codes (capped epochs)"),
    "adl_ch13_mine_gaussian": dict(epochs=1, samples=1000, max_steps=200,
                                   metric=r"stdout:MINE MI: ([-0-9.]+)",
                                   note="run as `--gaussian`: SimpleMINE on a 2-D Gaussian "
                                        "(cov 0.5, batch 10,000), mean MI estimate of steps "
                                        "101-200 (true MI 0.144)"),
})

# ---- twenty-second corpus: Gulli, Kapoor and Pal's Deep Learning with TensorFlow 2 and
#      Keras (/work/corpus22; tools/keras_corpus.md "Twenty-second corpus") ----
PLAN.update({
    "tf2k_ch01_mnist_v1": dict(MNIST, metric="evaluate:accuracy",
                               note="softmax regression, SGD; validation_split=0.2"),
    "tf2k_ch01_mnist_v10": dict(MNIST, metric="evaluate:accuracy",
                                note="two hidden layers + Dropout(0.3), Adam"),
    "tf2k_ch01_imdb_variant": dict(epochs=2, samples=5000, metric="evaluate:accuracy",
                                   note="synthetic IMDB; Embedding + GlobalMaxPooling1D"),
    "tf2k_ch02_mirrored_strategy": dict(epochs=1, samples=25600, metric="fit:loss",
                                        note="random 0/1 labels (as published): a loss "
                                             "near ln 2 on both sides; MirroredStrategy scope"),
    "tf2k_ch04_lenet_mnist": dict(MNIST, metric="evaluate:accuracy",
                                  note="LeNet, Adam; validation_split=0.90"),
    "tf2k_ch04_cifar10_cnn_deep": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                                       note="synthetic CIFAR-10; 6 Conv2D + BatchNormalization"),
    "tf2k_ch04_cifar10_cnn_deep_augment": dict(
        epochs=1, samples=2000, metric="evaluate:accuracy",
        note="synthetic CIFAR-10; ImageDataGenerator.flow + fit_generator"),
    "tf2k_ch05_imdb_cnn_variant": dict(epochs=2, samples=5000, metric="evaluate:accuracy",
                                       note="synthetic IMDB; Embedding + Conv1D(256, 3)"),
    "tf2k_ch08_alice_text_generator": dict(
        epochs=1, samples=1000, metric="fit[-1]:loss",
        note="synthetic word text; stateful GRU subclassed model, 5 fits of a capped "
             "epoch, each followed by 1,000 generated characters"),
    "tf2k_ch08_lstm_sentiment_analysis": dict(
        epochs=2, samples=2000, metric="evaluate:accuracy",
        note="synthetic UCI sentences (1,000 test rows); bidirectional LSTM; the best "
             "checkpoint reloaded and evaluated"),
    "tf2k_ch08_gru_pos_tagger": dict(
        epochs=1, samples=1000, metric="evaluate:accuracy",
        note="synthetic treebank (3,900 sentences padded to 271); bidirectional GRU(256)"),
    "tf2k_ch09_vanilla_autoencoder": dict(
        epochs=1, samples=1000, metric=r"stdout:Epoch 50/50\. Loss: ([0-9.]+)",
        note="a hand-written GradientTape loop, uncapped: 50 epochs over the 60,000 "
             "(resized) training digits; the last epoch's summed batch losses"),
})

# ---- twenty-fourth corpus: keras-io vision examples, Keras 2 revisions (/work/corpus24;
#      tools/keras_corpus.md "Twenty-fourth corpus") ----
PLAN.update({
    "kio_attention_mil_classification": dict(
        epochs=2, samples=1000, metric="evaluate:accuracy",
        note="bags of 3 bundled MNIST digits (positive: a 1 among them), batch_size=1, class "
             "weights; accuracy on the 300 validation bags"),
    "kio_conv_lstm": dict(epochs=1, samples=20, metric="fit:val_loss",
                          note="synthetic Moving MNIST; 4 steps of 5 clips of 19 64x64 frames "
                               "(~5 GB a side), per-pixel binary cross-entropy on 10 clips"),
    "kio_zero_dce": dict(epochs=1, samples=64, metric="fit:val_total_loss",
                         note="synthetic LOL low-light PNGs; the sum of the four zero-reference "
                              "losses on the validation pictures after 4 steps"),
    "kio_handwriting_recognition": dict(epochs=1, samples=1024, metric="fit:val_loss",
                                        note="synthetic IAM words; CTC loss of the validation "
                                             "words"),
    "kio_simsiam": dict(epochs=1, samples=512, metric="evaluate:accuracy",
                        note="synthetic CIFAR-10; linear probe on the SimSiam backbone"),
})
