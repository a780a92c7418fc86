"""Caps and compared figures of the twenty-ninth corpus: dragen1860's Deep Learning with
TensorFlow book (ch. 3-13) and the 3rd edition of Deep Learning with TensorFlow and Keras
(/work/corpus29; tools/keras_corpus.md "Twenty-ninth corpus"; see tools/keras_parity_plan.py).
Most of the book trains in hand-written GradientTape loops: `max_apply` stops them after that
many optimizer.apply_gradients calls and the figure is what the program printed last."""

PLAN = {
    "dlbook_ch03_mnist_main": dict(
        epochs=1, samples=60000, max_apply=1001, metric=r"stdout:acc: ([0-9.]+)",
        note="MNIST (the 8,000 bundled digits repeated); 784-256-128-10 MSE-on-one-hot loop, "
             "SGD 0.01; the training accuracy of steps 801-1000 it prints"),
    "dlbook_ch05_gradient_clip": dict(
        epochs=1, samples=60000, max_apply=1001, metric=r"stdout:\n1000 loss: ([0-9.]+)",
        note="raw-variable MLP, clip_by_global_norm(15), SGD 0.01; MSE at step 1000"),
    "dlbook_ch08_compile_fit": dict(
        epochs=2, samples=60000, metric="evaluate:accuracy",
        note="MNIST 5-layer MLP, Adam 0.01, compile/fit on tf.data (validation_freq=2); "
             "accuracy on the 10,000 test digits (2,000 distinct)"),
    "dlbook_ch08_layer_model": dict(
        epochs=2, samples=60000, metric="evaluate:accuracy",
        note="the same with a subclassed model of MyDense layers (add_weight, default "
             "glorot_uniform kernel and bias)"),
    "dlbook_ch08_save_load_model": dict(
        epochs=2, samples=60000, metric="evaluate:accuracy",
        note="the same saved to model.h5 and reloaded; accuracy of the reloaded model"),
    "dlbook_ch08_metrics": dict(
        epochs=1, samples=60000, max_apply=1001, metric=r"stdout:Evaluate Acc: ([0-9.]+)",
        note="GradientTape loop with metrics.Mean / Accuracy by hand; test accuracy at step "
             "1000"),
    "dlbook_ch09_regularization": dict(
        epochs=1, samples=60000, max_apply=1001, metric=r"stdout:Evaluate Acc: ([0-9.]+)",
        note="the same with a 1e-4 * sum(l2_loss) penalty; test accuracy at step 1000"),
    "dlbook_ch11_sentiment_gru_layer_variant": dict(
        epochs=1, samples=4096, metric="evaluate:accuracy",
        note="synthetic IMDB (80-word windows); two GRU(32) layers in a subclassed model; "
             "accuracy on the capped test pipeline"),
    "dlbook_ch11_sentiment_lstm_cell_variant": dict(
        epochs=1, samples=4096, metric="evaluate:accuracy",
        note="synthetic IMDB; two LSTMCells unrolled by hand over 80 steps (tf.unstack); "
             "accuracy on the capped test pipeline"),
    "dlbook_ch12_autoencoder_variant": dict(
        epochs=1, samples=60000, max_apply=101, metric=r"stdout:\n0 100 ([0-9.]+)",
        note="Fashion-MNIST stand-in (inverted digits); 784-256-128-20 autoencoder, BCE from "
             "logits at step 100"),
    "dlbook_ch12_vae_variant": dict(
        epochs=1, samples=60000, max_apply=101, metric=r"stdout:rec loss: ([0-9.]+)",
        note="Fashion-MNIST stand-in; MLP VAE, reconstruction BCE (summed per image) at step "
             "100"),
    "tf3k_ch02_logistic_regression": dict(
        epochs=2, samples=60000, metric="fit:val_accuracy",
        note="MNIST; the 128-unit softmax model (compiled with from_logits=True on softmax "
             "outputs, as published); validation accuracy on the 20% split"),
    "tf3k_ch08_sparse_autoencoder": dict(
        epochs=1, samples=60000, max_apply=471, metric=r"stdout:Epoch 2/50\. Loss: ([0-9.]+)",
        note="MNIST; L1 activity-regularized 784-128-784 autoencoder, Adam 0.01; the second "
             "epoch's summed batch MSE"),
}

NOT_COMPARABLE = {
    "dlbook_ch04_forward_prop": "its loop updates raw variables with assign_sub (no optimizer "
                                "to cap): 20 epochs of 300 steps, past 900 s under TensorFlow "
                                "at this host's load",
    "dlbook_ch05_acc_topk": "top-k accuracy of random logits and labels (each library's draws)",
    "dlbook_ch07_crossentropy_loss": "one gradient of random inputs; fails on both sides "
                                     "((2,) labels for (1, 2) logits)",
    "dlbook_ch07_himmelblau": "fails on both sides: fig.gca(projection='3d') left matplotlib 3.6",
    "dlbook_ch06_auto_mpg_regression": "the loop prints single-batch losses of a shuffled "
                                       "pipeline; 200 epochs of 10 steps",
    "dlbook_ch10_bn_main": "BatchNormalization statistics of a random batch (prints variables)",
    "dlbook_ch10_cifar10_vgg13": "VGG13 on CIFAR-10: minutes a step at 1 thread; run capped",
    "dlbook_ch10_resnet18_train": "ResNet18 on CIFAR-10 batches of 512: run capped",
    "dlbook_ch13_gan_models": "the DCGAN models on random inputs (no training)",
    **{name: "as published it asserts tf.__version__.startswith('2.'), which tensorforge's "
             "0.1.0 fails under the import swap; its _variant (assert commented out) is compared"
       for name in ("dlbook_ch11_sentiment_gru_layer", "dlbook_ch11_sentiment_lstm_cell",
                    "dlbook_ch12_autoencoder", "dlbook_ch12_vae")},
}
