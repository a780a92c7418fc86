"""Caps and compared figures of the twenty-eighth corpus: Raschka & Mirjalili's Python Machine
Learning 3rd ed. ch. 13-17 and aymericdamien's TensorFlow-Examples tensorflow_v2 notebooks
(/work/corpus28; tools/keras_corpus.md "Twenty-eighth corpus"; see tools/keras_parity_plan.py).
Most TensorFlow-Examples programs train in a hand-written GradientTape loop the harness does
not cap: they run whole (a few hundred to 3,000 small steps) and their figure is what they
print."""

from parity_plans.caps import MNIST

_TEST_ACC = "stdout:Test Accuracy: ([0-9.]+)"

PLAN = {
    # ---- TensorFlow-Examples: hand-written tape loops over tf.data (whole programs) ----
    "tfe_linear_regression": dict(epochs=1, samples=17, metric="stdout:step: 1000, loss: ([0-9.]+)",
                                  note="17 points, 1,000 SGD steps of W * x (the published "
                                       "model leaves b out)"),
    "tfe_logistic_regression": dict(epochs=1, samples=1000, metric=_TEST_ACC,
                                    note="1,000 SGD steps of softmax(xW + b), batch 256; 10,000 "
                                         "test digits (2,000 distinct)"),
    "tfe_neural_network": dict(epochs=1, samples=1000, metric=_TEST_ACC,
                               note="subclassed Model (fc2 unused, softmax twice as published), "
                                    "2,000 SGD steps"),
    "tfe_neural_network_raw": dict(epochs=1, samples=1000, metric=_TEST_ACC,
                                   note="tf.Variable MLP, sigmoid, 3,000 SGD steps (lr 0.001)"),
    "tfe_convolutional_network": dict(epochs=1, samples=1000, metric=_TEST_ACC,
                                      note="subclassed ConvNet, 200 Adam steps of batch 128"),
    "tfe_recurrent_network": dict(epochs=1, samples=1000,
                                  metric="stdout:step: 1000, loss: ([0-9.]+)",
                                  note="LSTM(32) over 28 rows, 1,000 Adam steps; the figure is "
                                       "the last batch's (32 digits) loss"),
    "tfe_bidirectional_rnn": dict(epochs=1, samples=1000,
                                  metric="stdout:step: 1000, loss: ([0-9.]+)",
                                  note="Bidirectional(LSTM, backward_layer=LSTM(go_backwards)), "
                                       "1,000 Adam steps; the last batch's loss"),
    "tfe_dynamic_rnn": dict(epochs=1, samples=1000, metric="stdout:step: 2000, loss: ([0-9.]+)",
                            note="Masking(-1) + LSTM on variable-length toy sequences from "
                                 "Dataset.from_generator, 2,000 steps; the last batch's loss"),
    "tfe_build_custom_layers": dict(epochs=1, samples=1000,
                                    metric="stdout:step: 500, loss: [0-9.]+, accuracy: ([0-9.]+)",
                                    note="custom Layers (add_weight with an initializer class), "
                                         "Model overriding __call__; a batch's accuracy"),
    "tfe_save_restore_model": dict(epochs=1, samples=1000, metric="stdout:accuracy: ([0-9.]+)",
                                   note="tf.train.Checkpoint / CheckpointManager, then "
                                        "save_weights / load_weights; the reloaded model's "
                                        "batch accuracy"),
    "tfe_autoencoder_variant": dict(epochs=1, samples=1000,
                                    metric="stdout:step: 2000, loss: ([0-9.]+)",
                                    note="tf.Variable sigmoid autoencoder, 2,000 Adam steps "
                                         "(of the published 20,000); a batch's MSE"),
    # ---- Raschka ch. 13-17: compile / fit on tf.data ----
    "pml_ch13_part2": dict(epochs=100, samples=1600, metric="evaluate:accuracy",
                           note="Iris (scikit-learn's copy as tfds serves it), Dense(16, "
                                "sigmoid), 100 epochs of 50 steps of 2; 50 test rows (one row "
                                "is 2 points)"),
    "pml_ch14_part1": dict(epochs=30, samples=100, metric="fit:val_binary_accuracy",
                           note="XOR, 100 / 100 points; the last of five models (NoisyLinear "
                                "custom layer + 3 Dense), 30 of 200 epochs of batch 2"),
    "pml_ch15_part1": dict(MNIST, metric="evaluate:accuracy",
                           note="2-conv CNN on the offline digits as tfds serves them, batch "
                                "64; 10,000 test digits"),
    "pml_ch15_part2": dict(epochs=2, samples=2000, metric="evaluate:accuracy",
                           note="synthetic CelebA 'Male' (1,200 / 300 / 300 faces), random "
                                "crop / flip, 4 Conv2D + GAP, from_logits BCE; the second "
                                "fit (initial_epoch=20) then evaluate on 300"),
    "pml_ch16_part2": dict(epochs=2, samples=2100, metric="fit:loss",
                           note="char-level LSTM(512) on a synthetic 171,000-character text, "
                                "66 batches of 64 x 40"),
}

NOT_COMPARABLE = {
    "tfe_basic_operations": "no model: tensor arithmetic printed",
    "pml_ch13_part1": "no model: tensors and tf.data pipelines printed",
    "tfe_dcgan": "a GAN's adversarial losses after 200 steps: no quality figure",
    "pml_ch17_part1": "a GAN's adversarial losses (2 epochs): no quality figure",
    "pml_ch17_part2": "a WGAN-GP's critic / generator losses (10 steps): no quality figure",
    "tfe_tensorboard_variant": "the Keras 2 side stops at step 1: TensorFlow 2.21's "
                               "tf.summary.trace_export(profiler_outdir=...) finds no profiler "
                               "running (UnavailableError); no figure there",
}
