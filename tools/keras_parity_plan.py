"""Per-program settings of the accuracy comparison (`tools/keras_parity.py --plan`).

For each corpus program (file name without .py; list and sources in tools/keras_corpus.md):
the cap on `fit` (epochs, samples; the same on both sides) and the figure compared, chosen so
that one side takes well under a minute at 1 thread and the figure means something (MNIST
programs: a few thousand of the 8,000 bundled training digits, 1-2 epochs).

A metric is written `KIND[INDEX]:NAME`:
  * KIND `fit` (the last epoch's logs of a `fit` / `fit_generator` call) or `evaluate` (the
    values `evaluate` returned, by `metrics_names`); INDEX counts those calls in program order,
    default -1 (the last); NAME a log key (`acc` and `accuracy` are the same name, as Keras
    2.2 and tf.keras 2 spell it);
  * `stdout:REGEX`: the last match of REGEX's first group in what the program printed.
Optional keys: `max_predict` / `max_steps` (the harness's stop for hand-written loops), `note`.

NOT_COMPARABLE lists the programs with no figure to compare, and why; they still run (the run
rate is the other half of the acceptance), only their figure is not put in the table.
"""

MNIST = dict(epochs=2, samples=4000)

PLAN = {
    # ---- first corpus: keras-team 2.x examples and guide excerpts (/tmp/kprogs) ----
    "addition_rnn": dict(epochs=1, samples=5000, metric="fit:val_accuracy",
                         note="3 fit calls of 1 epoch each (the program's loop); per-character accuracy"),
    "antirectifier": dict(MNIST, metric="fit:val_accuracy"),
    "cifar10_cnn": dict(epochs=2, samples=2000, metric="evaluate:accuracy",
                        note="synthetic CIFAR-10; ImageDataGenerator + fit_generator"),
    "cifar10_resnet": dict(epochs=1, samples=1000, metric="evaluate:accuracy",
                           note="synthetic CIFAR-10; ResNet20 v1"),
    "functional_multi_io": dict(epochs=2, samples=1000, metric="evaluate:loss",
                                note="two outputs, loss_weights; total weighted loss"),
    "imdb_bidirectional_lstm": dict(epochs=1, samples=2000, metric="fit:val_accuracy",
                                    note="synthetic IMDB"),
    "imdb_cnn": dict(epochs=1, samples=2000, metric="fit:val_accuracy", note="synthetic IMDB"),
    "imdb_cnn_lstm": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                          note="synthetic IMDB"),
    "imdb_fasttext": dict(epochs=2, samples=4000, metric="fit:val_accuracy",
                          note="synthetic IMDB"),
    "imdb_lstm": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                      note="synthetic IMDB; dropout + recurrent_dropout"),
    "lstm_seq2seq": dict(epochs=2, samples=2000, metric="fit:val_loss", max_predict=5,
                         note="synthetic reversed words; teacher-forced val loss"),
    "mnist_cnn": dict(MNIST, metric="evaluate:accuracy",
                      note="Adadelta() at tf.keras 2's default lr 0.001 on both sides"),
    "mnist_denoising_autoencoder": dict(MNIST, metric="fit:val_loss"),
    "mnist_hierarchical_rnn": dict(epochs=1, samples=1500, metric="evaluate:accuracy"),
    "mnist_irnn": dict(epochs=1, samples=300, metric="evaluate:accuracy",
                       note="784-step SimpleRNN at lr 1e-6: both sides stay near chance"),
    "mnist_mlp": dict(MNIST, metric="evaluate:accuracy"),
    "mnist_siamese": dict(epochs=2, samples=16000, metric="fit:val_accuracy",
                          note="pairs (class-sorted), all of them; custom contrastive loss and metric"),
    "mnist_transfer_cnn": dict(MNIST, metric="evaluate:accuracy",
                               note="second (transfer) model, digits 5-9, frozen conv base"),
    "reuters_mlp": dict(MNIST, metric="evaluate:accuracy", note="synthetic Reuters, 46 classes"),
    "subclassed_model": dict(epochs=5, samples=1000, metric="evaluate:accuracy",
                             note="evaluated on its training data (the guide's)"),
    "variational_autoencoder": dict(MNIST, metric="fit:val_loss", note="add_loss VAE"),
    # ---- Advanced Deep Learning with Keras, keras-io examples, Keras 2 guides (/tmp/kprogs2) ----
    "adl_ch1_cnn_mnist": dict(MNIST, metric="evaluate:accuracy"),
    "adl_ch1_mlp_mnist": dict(MNIST, metric="evaluate:accuracy"),
    "adl_ch1_rnn_mnist": dict(MNIST, metric="evaluate:accuracy", note="SimpleRNN, plain SGD"),
    "adl_ch2_cnn_y_network": dict(epochs=1, samples=2000, metric="evaluate:accuracy"),
    "adl_ch2_resnet_cifar10": dict(epochs=1, samples=1000, metric="evaluate:accuracy",
                                   note="synthetic CIFAR-10; ResNet20 v1"),
    "adl_ch2_resnet_v2_cifar10": dict(epochs=1, samples=1000, metric="evaluate:accuracy",
                                      note="synthetic CIFAR-10; ResNet29 v2"),
    "adl_ch3_autoencoder_mnist": dict(MNIST, metric="fit:val_loss"),
    "adl_ch3_colorization_autoencoder": dict(epochs=1, samples=2000, metric="fit:val_loss",
                                             note="synthetic CIFAR-10"),
    "adl_ch3_denoising_autoencoder": dict(MNIST, metric="fit:val_loss"),
    "adl_ch8_cvae_cnn_mnist": dict(MNIST, metric="fit:val_loss", max_predict=2,
                                   note="the program then fails in its own NumPy-2 print, both sides"),
    "adl_ch8_vae_mlp_mnist": dict(MNIST, metric="fit:val_loss", max_predict=2),
    "guide_functional_api_basics": dict(MNIST, metric="evaluate[0]:accuracy"),
    "guide_functional_api_topologies": dict(epochs=1, samples=1000, metric="fit[-1]:val_acc",
                                            note="toy ResNet, synthetic CIFAR-10, 200 val images"),
    "guide_sequential_model": dict(MNIST, metric="fit[-1]:accuracy",
                                   note="last layer trained, the rest frozen"),
    "guide_subclassing_layers_variant": dict(MNIST, metric="fit[-1]:loss", note="VAE, MSE + KL"),
    "guide_training_with_built_in_methods": dict(MNIST,
                                                 metric="evaluate[0]:sparse_categorical_accuracy"),
    "guide_transfer_learning": dict(epochs=2, samples=2000,
                                    metric="fit[-1]:val_sparse_categorical_accuracy",
                                    note="frozen random conv base (BatchNorm in inference mode)"),
    "guide_writing_your_own_callbacks": dict(epochs=5, samples=1000, metric="fit[-1]:loss",
                                             note="MSE on digit labels, LR-schedule callback"),
    "kio_autoencoder_denoising": dict(epochs=1, samples=2000, metric="fit[-1]:val_loss",
                                      max_predict=5, note="binary cross-entropy"),
    "kio_bidirectional_lstm_imdb": dict(epochs=1, samples=1000, metric="fit:val_accuracy",
                                        note="synthetic IMDB, two stacked Bi-LSTMs"),
    "kio_char_lstm_text_generation": dict(epochs=1, samples=4000, metric="fit[0]:loss",
                                          max_predict=1,
                                          note="training loss of the first fit; the sampled "
                                               "text is not compared"),
    "kio_mnist_convnet": dict(MNIST, metric="evaluate:accuracy"),
    "kio_text_classification_transformer_variant": dict(epochs=1, samples=2000,
                                                        metric="fit:val_loss",
                                                        note="synthetic IMDB (val accuracy "
                                                             "saturates at 100%: loss compared)"),
    "kio_timeseries_anomaly_detection": dict(epochs=2, samples=4000, metric="fit:val_loss",
                                             max_predict=5, note="synthetic NAB series"),
    "kio_timeseries_classification": dict(epochs=2, samples=1500, metric="fit:val_accuracy",
                                          note="synthetic FordA, 300 val series"),
    # ---- TF 2 guides run with `import tensorflow as tf` (GradientTape, tf.data, train_step) --
    "guide_writing_a_training_loop_from_scratch": dict(
        MNIST, metric="stdout:Validation acc: ([0-9.]+)",
        note="GradientTape loops over the whole (resized) MNIST, not capped; last loop's val acc"),
    "guide_making_new_layers_and_models_via_subclassing": dict(
        MNIST, metric="fit[-1]:loss", note="VAE (MSE + KL) trained by fit after a GradientTape loop"),
    # ---- third corpus (/tmp/kprogs3; tools/keras_corpus.md "Third corpus") ----
    "adl_ch2_cnn_functional": dict(MNIST, metric="evaluate:accuracy"),
    "adl_ch2_densenet_mnist": dict(epochs=1, samples=1000, metric="evaluate:accuracy",
                                   note="DenseNet on MNIST: near chance after 1 epoch of 1,000 "
                                        "on both sides (0.105 each in the corpus2 run)"),
    "adl_ch3_autoencoder_2dim_mnist": dict(MNIST, metric="fit:val_loss"),
    "adl_ch3_classifier_autoencoder": dict(epochs=2, samples=2000, metric="fit:val_loss",
                                           note="two outputs (classifier + reconstruction)"),
    "adl_ch8_vae_cnn_mnist": dict(MNIST, metric="fit:val_loss", max_predict=2,
                                  note="add_loss VAE, validation_data=(x_test, None)"),
    "guide_working_with_rnns": dict(epochs=1, samples=2000, metric="fit[0]:val_accuracy",
                                    note="the first of the guide's two fits (LSTM, MNIST rows)"),
    "kio_quasi_svm": dict(epochs=2, samples=4000, metric="fit:val_acc",
                          note="RandomFourierFeatures (random, fixed): a CategoricalAccuracy "
                               "object named acc"),
    "lstm_stateful": dict(epochs=1, samples=1000, metric="fit[-1]:val_loss",
                          note="batch size 1: slow in TF eager; the stateless model's fit"),
    "reuters_mlp_relu_vs_selu": dict(epochs=2, samples=2000, metric="evaluate[0]:accuracy",
                                     note="synthetic Reuters; the ReLU model (the SELU one is "
                                          "evaluate[1])"),
    "tensorboard_embeddings_mnist": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                                         note="TensorBoard callback (needs the tensorboard "
                                              "package on the oracle side)"),
    "kio_timeseries_transformer_classification": dict(
        epochs=1, samples=64, metric="evaluate:sparse_categorical_accuracy",
        note="4 attention blocks over 500 steps: ~0.8 TFLOP a step, so 64 samples"),
    # ---- fourth corpus (/tmp/kprogs4; tools/keras_corpus.md "Fourth corpus") ----
    "babi_rnn": dict(epochs=2, samples=1000, metric="evaluate:accuracy",
                     note="synthetic bAbI QA2 (1,000 stories); two LSTMs, RepeatVector, add"),
    "babi_memnn": dict(epochs=2, samples=2000, metric="fit:val_accuracy",
                       note="synthetic bAbI QA1 10k; memory network (dot, add, Permute, "
                            "concatenate, LSTM), val on the 1,000 test stories"),
    "kio_antirectifier": dict(MNIST, metric="evaluate:sparse_categorical_accuracy",
                              note="TF 2 custom layer (tf.reduce_mean, tf.nn.relu, tf.matmul)"),
    "kio_siamese_contrastive": dict(epochs=1, samples=4000, metric="evaluate:accuracy",
                                    note="pairs of MNIST digits, contrastive loss, BatchNorm "
                                         "on the distance; test pairs random (Python random)"),
    # ---- fifth corpus (/tmp/kprogs5; tools/keras_corpus.md "Fifth corpus") ----
    "kio_structured_data_classification": dict(
        epochs=10, samples=1000, metric="fit:val_accuracy",
        note="synthetic heart.csv (242 train / 61 val rows); IntegerLookup, StringLookup "
             "(output_mode='binary') and Normalization adapted on tf.data columns"),
    "kio_imbalanced_classification": dict(
        epochs=3, samples=23000, metric="fit:val_loss",
        note="synthetic creditcard.csv (28,480 rows, 1% fraud); class_weight 1/count, "
             "batch 2048; TP/FP/TN/FN, Precision, Recall metrics"),
    "kio_collaborative_filtering_movielens": dict(
        epochs=1, samples=20000, metric="fit:val_loss",
        note="synthetic ml-latest-small (100,836 ratings); Embedding model with tf.tensordot"),
    "kio_timeseries_weather_forecasting": dict(
        epochs=1, samples=1000, metric="fit:val_loss",
        note="synthetic Jena series (60,000 rows); timeseries_dataset_from_array, LSTM(32); "
             "the cap is 32 batches of 256 windows"),
    "kio_text_classification_from_scratch": dict(
        epochs=3, samples=1000, metric="evaluate:accuracy",
        note="synthetic aclImdb (1,000 reviews a class and split); TextVectorization with a "
             "tf.strings standardize, Conv1D; the end-to-end string model's evaluate"),
    "kio_pretrained_word_embeddings": dict(
        epochs=3, samples=3200, metric="fit:val_acc",
        note="synthetic 20 newsgroups (200 posts a group) and GloVe vectors; TextVectorization, "
             "a frozen Constant-initialized Embedding, Conv1D"),
    "conv_lstm": dict(epochs=1, samples=20, metric="fit:val_loss",
                      note="4 ConvLSTM2D(40) layers on 15 frames of 40x40: 20 movies (1 for "
                           "validation), 2 steps of 10: a smoke figure, ~200 s a side here"),
    # ---- sixth corpus (/tmp/kprogs6; tools/keras_corpus.md "Sixth corpus") ----
    "kio_captcha_ocr": dict(epochs=3, samples=1000, metric="fit:val_loss",
                            note="synthetic captcha_images_v2 (1,040 PNGs, 936 train / 104 val); "
                                 "CNN + 2 Bi-LSTMs, CTC loss by add_loss (K.ctc_batch_cost)"),
    "kio_knowledge_distillation": dict(
        epochs=1, samples=1000, metric="evaluate[1]:m0",
        note="the distiller's evaluate accuracy (custom train_step / test_step, "
             "KLDivergence): its test_step returns accuracy and student_loss while "
             "metrics_names lists only the accuracy, so the harness names them m0, m1 (on "
             "both sides); as published the 'student' it trains is the large teacher network"),
    "kio_lstm_seq2seq": dict(epochs=2, samples=2000, metric="fit:val_accuracy", max_predict=5,
                             note="synthetic fra.txt (word-by-word English -> French pairs, "
                                  "shortest first); teacher-forced per-character val accuracy"),
    "kio_wide_deep_cross_networks": dict(
        epochs=3, samples=2000, metric="evaluate[0]:sparse_categorical_accuracy",
        note="synthetic covtype (20,000 rows); make_csv_dataset, StringLookup(binary) on "
             "tf.expand_dims of string Inputs; the baseline model's test accuracy (the cap: "
             "63 batches of 265 rows an epoch)"),
    "kio_mixup": dict(epochs=2, samples=4000, metric="evaluate[0]:accuracy",
                      note="fashion_mnist, tf.data zip + map mixing with tf.random.gamma; the "
                           "mixup model's test accuracy (the full 10,000-image test Dataset)"),
}

# ---- sixth corpus, lane augment: image_dataset_from_directory + augmentation layers ----
PLAN.update({
    "aug_tf_image_classification": dict(
        epochs=2, samples=1000, metric="fit[-1]:val_accuracy",
        note="synthetic flower_photos (5 classes x 120 JPEGs; 480 train / 120 val at 180x180); "
             "the second model (RandomFlip, RandomRotation, RandomZoom, Dropout)"),
    "aug_image_classification_from_scratch": dict(
        epochs=1, samples=256, metric="fit:loss",
        note="synthetic PetImages (2 x 300 JPEGs, 8 corrupt ones deleted by the program); a "
             "small Xception at 180x180: 8 steps of 32, a smoke figure (~20 s a step ours, "
             "~40 s tf_keras, 1 thread here); run with --timeout 1500"),
})

# ---- seventh corpus (/tmp/kprogs7; tools/keras_corpus.md "Seventh corpus") ----
PLAN.update({
    "kio_trainer_pattern": dict(
        MNIST, metric="fit[-1]:val_accuracy",
        note="a keras.Model wrapping another, train_step with compiled_loss / "
             "compiled_metrics; the second trainer (Adam, functional model)"),
    "kio_sklearn_metric_callbacks": dict(
        MNIST, metric="fit:val_accuracy",
        note="a callback predicting the 10,000 test digits each epoch, scikit-learn's "
             "jaccard_score through a Mean metric's result().numpy(), tf.summary.scalar"),
    "kio_super_resolution_sub_pixel": dict(
        epochs=1, samples=200, metric="fit:val_loss",
        note="synthetic BSDS500 (400 train / 100 val pictures at 300x300); "
             "image_dataset_from_directory(label_mode=None), rgb_to_yuv, area resize, "
             "depth_to_space; 50 steps of 4, val MSE on the Y channel"),
    "kio_oxford_pets_image_segmentation": dict(
        epochs=1, samples=128, metric="fit:val_loss",
        note="synthetic Oxford-IIIT Pet (1,200 pictures and trimaps, the last 1,000 for "
             "validation); a Sequence of load_img batches, Xception-style U-Net "
             "(SeparableConv2D, Conv2DTranspose, UpSampling2D); 4 steps of 32"),
    "dlwp_6_3_advanced_rnn": dict(
        epochs=1, samples=1000, metric="fit[1]:val_loss",
        note="synthetic Jena CSV (420,551 rows), Python generators into fit_generator; the "
             "first GRU(32)'s val MAE (8 fits: Dense, GRU, GRU with recurrent dropout, "
             "stacked GRUs, reversed GRU, reversed-IMDB LSTM, Bi-LSTM, Bi-GRU)"),
})

# ---- eighth corpus (/tmp/kprogs8; tools/keras_corpus.md "Eighth corpus") ----
PLAN.update({
    "kio_pixelcnn": dict(
        epochs=1, samples=512, metric="fit:val_loss",
        note="binarized MNIST digits, a masked Conv2D subclass (kernel.assign(kernel * mask) in "
             "call) with 5 residual blocks of 128 filters; per-pixel binary crossentropy"),
    "kio_involution": dict(
        epochs=1, samples=1000, metric="fit[0]:val_accuracy",
        note="synthetic CIFAR-10 through tf.data; the convolution model's validation accuracy "
             "(the involution model, tf.image.extract_patches in a custom layer, trains "
             "second and far slower)"),
    "kio_text_generation_miniature_gpt": dict(
        epochs=1, samples=512, metric="fit:loss", max_predict=60,
        note="the synthetic aclImdb tree as TextLineDataset lines; causal self-attention "
             "written in tf ops, loss=[fn, None] on two outputs; next-token loss"),
    "kio_nmt_transformer": dict(
        epochs=1, samples=1000, metric="fit:val_accuracy",
        note="synthetic spa-eng.zip (12,000 pairs); two TextVectorization layers, "
             "MultiHeadAttention with padding and causal masks from compute_mask"),
    "kio_multi_label_classification": dict(
        epochs=2, samples=2000, metric="evaluate:binary_accuracy",
        note="synthetic arxiv_data.csv (6,000 rows, 1,500 duplicate titles); StringLookup "
             "multi_hot on tf.ragged terms, TextVectorization bigram tf_idf"),
    "kio_metric_learning": dict(
        epochs=1, samples=1000, metric="fit:loss",
        note="synthetic CIFAR-10; a Sequence of anchor / positive pairs (10 a batch) into a "
             "train_step override, tf.einsum similarities; contrastive loss of random pairs"),
})

# ---- second derivatives (grad2): nested GradientTapes (/tmp/kprogs8) ----
PLAN.update({
    "wgan_gp": dict(
        epochs=1, samples=1000, metric="fit:d_loss",
        note="fashion_mnist; a train_step override: 3 critic steps with a gradient penalty "
             "(nested tapes, second derivatives through Conv2D / LeakyReLU / Dropout / Dense) "
             "and one generator step per batch of 512; 2 batches: a smoke figure of a GAN's "
             "critic loss, not an accuracy; over 600 s a side at 1 thread on the loaded "
             "2-core machine: run with --timeout 2700"),
})

# ---- ninth corpus (/work/corpus9; tools/keras_corpus.md "Ninth corpus") ----
PLAN.update({
    "dlwp_3_6_newswires": dict(
        epochs=2, samples=4000, metric="evaluate:accuracy",
        note="synthetic Reuters (46 topics) as 10,000-word multi-hot vectors; the 8-epoch "
             "model's test accuracy (3 fits: 20, 8 and the 4-unit bottleneck's 20 epochs)"),
    "dlwp_4_4_overfitting": dict(
        epochs=1, samples=2000, metric="fit[0]:val_loss",
        note="synthetic IMDB multi-hot; the original 16-16-1 model's val loss (5 fits: "
             "original, smaller, bigger, L2-regularized, dropout)"),
    "dlwp_5_1_convnets": dict(MNIST, metric="evaluate:accuracy"),
    "dlwp_6_2_rnn": dict(
        epochs=1, samples=2000, metric="fit[0]:val_accuracy",
        note="synthetic IMDB padded to 500; Embedding + SimpleRNN(32) (then an LSTM(32) fit)"),
    "dlwp_6_4_conv1d": dict(
        epochs=1, samples=2000, metric="fit[0]:val_accuracy",
        note="synthetic IMDB; Embedding + Conv1D / MaxPooling1D / GlobalMaxPooling1D, "
             "RMSprop(lr=1e-4) (then two Jena fit_generator fits, Conv1D and Conv1D + GRU)"),
    "dlwp_8_1_text_generation": dict(
        epochs=1, samples=2000, metric="fit:loss", max_predict=40,
        note="synthetic nietzsche.txt; LSTM(128) next-character model, RMSprop(lr=0.01); "
             "the sampling loop's predict calls capped"),
    "dlwp_8_4_vae": dict(
        epochs=1, samples=2000, metric="fit:val_loss",
        note="MNIST VAE in graph mode (tf.compat.v1.disable_eager_execution); the loss is "
             "add_loss in a custom layer's call, closed over z_mean / z_log_var"),
})

# ---- tenth corpus (/work/corpus10; tools/keras_corpus.md "Tenth corpus") ----
PLAN.update({
    "kio_reproducibility_recipes": dict(
        MNIST, metric="evaluate:accuracy",
        note="MNIST resized to 32 x 32 in a tf.data map; a 3-Conv2D model, seeded with "
             "keras.utils.set_random_seed(812)"),
    "guide_distributed_training": dict(
        MNIST, metric="evaluate:sparse_categorical_accuracy",
        note="a Dense 256-256-10 model built under MirroredStrategy().scope(), fit on "
             "Datasets (then two ModelCheckpoint / load_model runs, not compared)"),
    "kio_debugging_tips": dict(
        MNIST, metric="fit:val_accuracy",
        note="the last of four train_step overrides mixing first- and second-order "
             "gradients (normalized, 0.2 / 0.8, InverseTimeDecay SGD), batches of 2048"),
    "guide_preprocessing_layers": dict(
        epochs=1, samples=2000, metric="fit[0]:loss",
        note="synthetic CIFAR-10 flattened through an adapted Normalization into a softmax "
             "Dense; the later fits are two-sentence toys"),
    "guide_intro_to_keras_for_researchers": dict(
        MNIST, metric="fit[0]:sparse_categorical_accuracy",
        note="the functional Dense 32-32-10 model's fit on a Dataset of batches of 64 (the "
             "custom loops run over the whole dataset; the VAE and hypernetwork loops stop "
             "after 1,000 steps as written)"),
    "dlwp2_ch03_keras_and_tf": dict(
        epochs=5, samples=2000, metric="fit:val_binary_accuracy",
        note="two Gaussian classes in 2-D; Dense(1) with RMSprop(0.1) and MSE"),
    "dlwp2_ch05_fundamentals": dict(
        MNIST, metric="fit[0]:val_accuracy",
        note="MNIST with 784 white-noise channels, Dense 512-10 (then 10 more fits: zero "
             "channels, shuffled labels, learning rates, capacities, synthetic IMDB)"),
    "dlwp2_ch07_working_with_keras": dict(
        MNIST, metric="evaluate[3]:accuracy",
        note="the first MNIST model's test accuracy (evaluates 0-2 are the random-data "
             "multi-input models)"),
    "dlwp2_ch11_text_intro": dict(
        epochs=2, samples=1600, metric="evaluate:accuracy",
        note="the harness's aclImdb tree (1,000 reviews a class, 20% moved to val/); the "
             "bigram TF-IDF model's test accuracy"),
    "dlwp2_ch12_vae": dict(
        MNIST, metric="fit:total_loss", max_predict=30,
        note="MNIST VAE with a train_step override; the 900 decoder.predict calls capped"),
})

# ---- eleventh corpus (/work/corpus11; tools/keras_corpus.md "Eleventh corpus") ----
PLAN.update({
    "dlwp2_ch02_math_building_blocks": dict(
        MNIST, metric="evaluate:accuracy",
        note="MNIST Dense 512-10 with RMSprop (the hand-written NaiveDense loop after it runs "
             "its 10 epochs uncapped; its printed accuracy is not the figure)"),
    "dlwp2_ch04_getting_started": dict(
        epochs=2, samples=4000, metric="evaluate[1]:accuracy",
        note="synthetic Reuters (46 topics), Dense 64-64-46 retrained for the test set "
             "(evaluate 0 is IMDB's; the Boston K-fold fits follow)"),
    "tfdocs_keras_classification": dict(
        MNIST, metric="evaluate:accuracy",
        note="Fashion-MNIST (the harness's /usr/share/datasets copy), Flatten-Dense 128-10 "
             "with from_logits"),
    "tfdocs_save_and_load": dict(
        epochs=3, samples=1000, metric="evaluate[6]:sparse_categorical_accuracy",
        note="the first 1,000 MNIST digits; the last model reloaded from HDF5 (evaluates "
             "before it: untrained, checkpoint-restored, SavedModel-restored)"),
    "tfdocs_quickstart_advanced": dict(
        epochs=1, samples=1000, metric="stdout:Test Accuracy: ([0-9.]+)",
        note="a subclassed Conv2D model in a GradientTape loop over all 60,000 digits for 5 "
             "epochs (uncapped: the loop is the program's own)"),
    "tfdocs_autoencoder": dict(
        MNIST, metric="fit[2]:val_loss",
        note="the ECG anomaly detector's validation MAE (the harness's synthetic ecg.csv); "
             "the two Fashion-MNIST autoencoders before it"),
    "dlwp2_ch09_segmentation": dict(
        epochs=1, samples=200, metric="fit:val_loss",
        note="the harness's Oxford-IIIT Pet tree (1,200 pictures, 1,000 of them validation): "
             "a strided Conv2D / Conv2DTranspose segmenter on 200 x 200 pictures"),
    "dlwp2_ch11_sequence_models_variant": dict(
        epochs=1, samples=1000, metric="evaluate[1]:accuracy",
        note="the harness's aclImdb tree; the Embedding + BiLSTM model's test accuracy (the "
             "one-hot BiLSTM before it, the masked and GloVe ones after)"),
    "dlwp2_ch11_transformer": dict(
        epochs=1, samples=1000, metric="evaluate[1]:accuracy",
        note="the harness's aclImdb tree; the Transformer encoder with positional embedding"),
})

# ---- twelfth corpus (/work/corpus12; tools/keras_corpus.md "Twelfth corpus") ----
PLAN.update({
    "kio_vq_vae_variant": dict(
        MNIST, metric="fit[0]:reconstruction_loss",
        note="the VQ-VAE trainer's train_step override (its PixelCNN on the codes follows)"),
    "tfdocs_text_generation": dict(
        epochs=1, samples=1000, metric="fit:loss",
        note="the harness's Shakespeare-like text (~68,000 characters); stateful GRU(1024); "
             "the GradientTape loop after it runs its 10 epochs uncapped"),
    "dlwp2_ch11_seq2seq": dict(
        epochs=1, samples=2000, metric="fit[0]:val_accuracy", max_predict=500,
        note="the harness's spa-eng pairs; the GRU encoder-decoder's masked accuracy (the "
             "program then fails on both sides at its undefined TransformerEncoder)"),
    "kio_cutmix": dict(
        epochs=1, samples=2000, metric="evaluate[1]:accuracy",
        note="synthetic CIFAR-10; ResNet-20 without CutMix (evaluate 0 is the CutMix one's)"),
    "dlwp2_ch10_timeseries": dict(
        epochs=1, samples=2560, metric="evaluate[0]:mae",
        note="the harness's Jena CSV in the working folder; the Dense model's test MAE"),
    "tfdocs_quickstart_beginner": dict(MNIST, metric="evaluate:accuracy"),
    "tfdocs_pandas_dataframe": dict(
        epochs=3, samples=303, metric="fit:accuracy",
        note="the harness's heart.csv; the dict-of-Inputs model (unnormalized features)"),
    "kio_mnist_moe": dict(MNIST, metric="fit:val_accuracy",
                          note="a train_step / test_step override around a top-k MoE layer"),
})

# ---- thirteenth corpus (/work/corpus13; tools/keras_corpus.md "Thirteenth corpus") ----
PLAN.update({
    "kio_fgsm": dict(MNIST, metric="fit:val_accuracy",
                     note="the LeNet's validation accuracy (the FGSM attack rate follows)"),
    "kio_subclassing_conv_layers": dict(
        MNIST, metric="fit:val_accuracy",
        note="StandardizedConv2D via Conv.convolution_op (override and call)"),
    "tfdocs_load_numpy": dict(MNIST, metric="evaluate:sparse_categorical_accuracy",
                              note="mnist.npz through tf.data (unnormalized pixels)"),
    "tfdocs_basic_text_classification": dict(
        epochs=2, samples=4000, metric="evaluate:acc",
        note="synthetic IMDB; Embedding + GlobalAveragePooling1D"),
})

# ---- fourteenth corpus (/work/corpus14; tools/keras_corpus.md "Fourteenth corpus") ----
PLAN.update({
    "kio_gat_node_classification": dict(
        epochs=3, samples=1354, metric="evaluate:acc",
        note="the harness's Cora; train_step / test_step / predict_step overrides gathering "
             "node indices from a whole-graph forward"),
    "kio_gnn_citations_variant": dict(
        epochs=5, samples=1354, metric="evaluate[1]:acc",
        note="the harness's Cora; the GNN's test accuracy (the FFN baseline's is evaluate[0])"),
    "tfdocs_custom_training_walkthrough": dict(
        epochs=1, samples=1000, metric=r"stdout:Test set accuracy: ([0-9.]+)%",
        note="Fisher's iris (120 / 30); its own 201-epoch GradientTape loop, uncapped"),
    "tfdocs_regression": dict(
        epochs=50, samples=400, metric="evaluate[3]:loss",
        note="the harness's Auto MPG; the full DNN's test MAE"),
    "guide_intro_to_keras_for_engineers": dict(MNIST, metric="evaluate[0]:acc",
                                               note="the MNIST MLP after 4 capped fits"),
    "tfdocs_load_images_variant": dict(
        epochs=1, samples=480, metric="fit[0]:val_accuracy",
        note="the harness's flower_photos; the image_dataset_from_directory fit (the tf.data "
             "one follows; tensorforge stops before it at tf.image.decode_jpeg until tfio14)"),
    "kio_timeseries_traffic_forecasting": dict(
        epochs=3, samples=3000, metric="fit:val_loss",
        note="the harness's PeMSD7; graph conv + LSTM"),
    "tfdocs_time_series": dict(
        epochs=2, samples=2000, metric="evaluate[-1]:mean_absolute_error",
        note="the harness's Jena zip; the autoregressive LSTM's test MAE (tensorforge stops "
             "at tf.signal.rfft until tfnum14)"),
    "tfdocs_imbalanced_data_variant": dict(
        epochs=5, samples=20000, metric="evaluate[2]:auc",
        note="the harness's credit-card frame (1% fraud); the baseline model's test AUC"),
    "tfdocs_text_classification": dict(
        epochs=3, samples=1600, metric="evaluate[0]:binary_accuracy",
        note="the harness's aclImdb tree; Embedding + GlobalAveragePooling1D"),
})

# ---- fifteenth corpus (/work/corpus15; tools/keras_corpus.md "Fifteenth corpus") ----
PLAN.update({
    "hml2_ch15_basic_rnns": dict(
        epochs=2, samples=2000, metric="fit:val_loss",
        note="synthetic sine series (the book's own generator); the sequence-to-sequence "
             "SimpleRNN + TimeDistributed model's validation MSE"),
    "hml2_ch15_norm_cells_lstm_gru": dict(
        epochs=2, samples=2000, metric="fit:val_loss",
        note="the GRU sequence-to-sequence model (after BN, LayerNorm-cell, MyRNN, LSTM ones)"),
    "hml2_ch15_conv_wavenet": dict(
        epochs=2, samples=2000, metric="fit:val_loss",
        note="the paper's WaveNet (gated activations, skip connections), softmax outputs "
             "scored by MSE as the book does"),
    "hml2_ch17_stacked_tied_ae": dict(
        epochs=2, samples=2000, metric="fit:val_loss",
        note="the harness's Fashion MNIST; the autoencoder stacked from two trained one by one"),
    "hml2_ch17_conv_recurrent_denoising_ae": dict(
        epochs=2, samples=2000, metric="fit:val_accuracy",
        note="the classifier on a cloned, frozen-then-unfrozen convolutional encoder (500 "
             "training images, the book's exercise)"),
    "hml2_ch17_sparse_vae_hashing": dict(
        epochs=2, samples=2000, metric="fit:val_loss",
        note="the binary hashing autoencoder (GaussianNoise(15) before a sigmoid coding)"),
    "hml2_ch11_init_activations_bn_transfer": dict(
        epochs=2, samples=2000, metric="evaluate[-1]:accuracy",
        note="the harness's Fashion MNIST; model_B_on_A (model A's reloaded layers, frozen "
             "then unfrozen) on the sandal / shirt task"),
    "hml2_ch11_optimizers_schedules_regularization": dict(
        epochs=1, samples=2000, metric="fit:val_accuracy",
        note="the max-norm model after 14 schedule / regularization fits (about 2 min a side "
             "at this cap)"),
})

# ---- sixteenth corpus (/work/corpus16; tools/keras_corpus.md "Sixteenth corpus") ----
PLAN.update({
    "dlwp2_ch08_intro_convnets": dict(
        epochs=1, samples=640, metric="evaluate[-1]:accuracy",
        note="the harness's dogs-vs-cats train/; the augmented convnet's test accuracy, from "
             "the best checkpoint (ModelCheckpoint(save_best_only) .keras, load_model)"),
    "mnist_net2net": dict(
        epochs=1, samples=2000, metric="fit[-1]:val_accuracy",
        note="the net2deeper student (Conv2D(weights=...), Dense identity initializer) after "
             "the teacher and three other students"),
    "tfdocs_cnn": dict(epochs=2, samples=4000, metric="evaluate:accuracy",
                       note="synthetic CIFAR-10; from_logits SparseCategoricalCrossentropy"),
    "tfdocs_feature_columns": dict(
        epochs=3, samples=6000, metric="evaluate:accuracy",
        note="the harness's PetFinder mini (28% not adopted); DenseFeatures over numeric, "
             "bucketized, indicator, embedding and crossed columns"),
    "tfdocs_guide_basics": dict(
        epochs=20, samples=201, metric="fit:loss",
        note="the Lambda(stack [x, x**2]) + Dense on noisy y = x^2 + 2x - 5 (noise unseeded "
             "tf.random.normal on both sides); its hand tf.Module loop runs uncapped first"),
})

# ---- seventeenth corpus (/work/corpus17; tools/keras_corpus.md "Seventeenth corpus") ----
PLAN.update({
    "hml2_ch10_mlp_apis": dict(
        epochs=2, samples=4000, metric="fit:val_loss",
        note="the harness's Fashion MNIST then California housing; the last fit, SGD(lr=0.05) "
             "with ModelCheckpoint + TensorBoard callbacks (the run's validation MSE)"),
    "hml2_ch13_datasets_csv_pipeline": dict(
        epochs=2, samples=4000, metric="evaluate[0]:loss",
        note="California housing written to CSV files and read back through list_files / "
             "interleave / decode_csv; the test MSE right after the capped fit (the hand "
             "training loops that follow run uncapped: ~2-4 min a side)"),
    "hml2_ch14_fashion_cnn_resnet34": dict(
        epochs=1, samples=2000, metric="evaluate[0]:accuracy",
        note="the harness's Fashion MNIST, standardized; the book's 7-conv CNN with Dropout "
             "(ResNet-34 is then only built). The program seeds itself (42): --seeds give "
             "tensorforge no spread (bench/RESULTS.md, seventeenth corpus)"),
    "hml2_ch16_char_rnn": dict(
        epochs=1, samples=2000, metric="fit[0]:loss",
        note="the harness's shakespeare.txt; the stateless two-GRU char model's training loss "
             "(sampling with tf.random.categorical follows, not compared)"),
    "hml2_ch16_exercises_reber_dates": dict(
        epochs=2, samples=2000, metric="fit[-1]:val_accuracy",
        note="the date-format encoder-decoder with teacher forcing (per-character validation "
             "accuracy); the Reber fit before it sees good strings only under a sample cap "
             "(the data set lists its good strings first)"),
})

# ---- eighteenth corpus: Machine Learning Mastery's Keras 2 tutorials (/work/corpus18;
#      tools/keras_corpus.md "Eighteenth corpus"); their CSVs are tools/keras_offline_mlm.py's ----
PIMA = dict(epochs=10, samples=768)
PLAN.update({
    "mlm_first_nn_pima": dict(PIMA, metric="evaluate:accuracy",
                              note="accuracy on its own training rows; the program then stops "
                                   "on both sides at '%d' % predictions[i] (NumPy 2)"),
    "mlm_checkpoint_best_pima": dict(
        PIMA, metric="evaluate:accuracy",
        note="a fresh model given the best epoch's weights (ModelCheckpoint(save_best_only) "
             ".hdf5, load_weights), evaluated on all 768 rows"),
    "mlm_save_load_json_pima": dict(PIMA, metric="evaluate[-1]:accuracy",
                                    note="the model rebuilt from to_json + save_weights"),
    "mlm_training_history_pima": dict(PIMA, metric="fit:val_accuracy",
                                      note="validation_split=0.33 (254 rows)"),
    "mlm_iris_multiclass": dict(
        epochs=20, samples=150, metric="stdout:Baseline: ([0-9.]+)%",
        note="KerasClassifier, 10-fold cross_val_score (the mean over the folds, 150 flowers)"),
    "mlm_dropout_sonar": dict(
        epochs=30, samples=208, metric="stdout:Visible: ([0-9.]+)%",
        note="Pipeline(StandardScaler, KerasClassifier), 10-fold StratifiedKFold mean"),
    "mlm_lr_drop_schedule_ionosphere": dict(epochs=50, samples=351, metric="fit:val_accuracy",
                                            note="uncapped; step-decay LearningRateScheduler"),
    "mlm_lstm_airline_window": dict(epochs=20, samples=200,
                                    metric="stdout:Test Score: ([0-9.]+) RMSE",
                                    note="batch 1; test RMSE in passengers (thousands)"),
    "mlm_lstm_airline_stacked_stateful": dict(
        epochs=1, samples=200, metric="stdout:Test Score: ([0-9.]+) RMSE",
        note="uncapped: 100 one-epoch fits of a stateful stack (batch 1), reset_states"),
    "mlm_imdb_cnn_lstm": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                              note="synthetic IMDB; Conv1D + MaxPooling1D + LSTM(100)"),
    "mlm_text_generation_wonderland": dict(epochs=1, samples=2000, metric="fit:loss",
                                           note="synthetic word text; two LSTM(256)"),
    "mlm_encoder_decoder_lstm": dict(
        epochs=1, samples=5000, metric="fit:accuracy",
        note="teacher-forced per-step accuracy; its predict loop (440 calls) is stopped at 300"),
    "mlm_cnn_lstm_moving_square": dict(epochs=1, samples=1000, metric="evaluate:accuracy",
                                       note="100 generated test sequences (easy: both ~100%)"),
    "mlm_lstm_autoencoder_composite": dict(epochs=300, samples=1, metric="fit:loss",
                                           note="uncapped; one sequence, two decoders' summed mse"),
    "mlm_word_embedding_one_hot": dict(epochs=50, samples=10, metric="evaluate:accuracy",
                                       note="uncapped; 10 documents, hashed words"),
    "mlm_bidirectional_lstm_cumsum": dict(
        epochs=1, samples=1, metric="fit:accuracy",
        note="uncapped: 1,000 one-sample fits; the last fit's per-step accuracy (10 steps)"),
    "mlm_cnn_univariate_timeseries": dict(
        epochs=1000, samples=6, metric=r"stdout:\[\[\s*([0-9.]+)\]\]",
        note="uncapped; the forecast after 70, 80, 90 (100 is right); the final loss is "
             "near 0 on both sides, too small for a relative comparison"),
})

# ---- nineteenth corpus: Gulli & Pal, Deep Learning with Keras (/work/corpus19/chNN;
#      tools/keras_corpus.md "Nineteenth corpus"); data/ files beside the programs ----
ACC_KEY = "; the program then stops on both sides at history.history['acc'] (Keras 2.2's key)"
PLAN.update({
    "dlk_ch1_mnist_v1": dict(MNIST, metric="evaluate:accuracy",
                             note="softmax regression, SGD(lr=0.01)"),
    "dlk_ch1_mnist_v2": dict(MNIST, metric="evaluate:accuracy", note="two hidden layers, SGD"),
    "dlk_ch1_mnist_v3": dict(MNIST, metric="evaluate:accuracy", note="+ dropout, SGD" + ACC_KEY),
    "dlk_ch1_mnist_v4": dict(MNIST, metric="evaluate:accuracy",
                             note="+ dropout, RMSprop" + ACC_KEY),
    "dlk_ch3_lenet_mnist": dict(MNIST, metric="evaluate:accuracy",
                                note="K.set_image_dim_ordering('th'): channels_first" + ACC_KEY),
    "dlk_ch3_cifar10_simple": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                                   note="synthetic CIFAR-10" + ACC_KEY),
    "dlk_ch3_cifar10_v1": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                               note="synthetic CIFAR-10; Conv2D(64, 3, 3): kernel (3, 3) here, "
                                    "as Keras 2.0 read it, strides 3 under tf_keras" + ACC_KEY),
    "dlk_ch5_learn_embedding_from_scratch": dict(
        epochs=2, samples=4960, metric="evaluate:accuracy",
        note="synthetic UMich sentences (2,126 test rows); Embedding + Conv1D"),
    "dlk_ch5_finetune_glove_embeddings": dict(
        epochs=2, samples=4960, metric="evaluate:accuracy",
        note="synthetic UMich sentences and GloVe vectors; trainable Embedding"),
    "dlk_ch6_alice_chargen_rnn": dict(epochs=1, samples=5000, metric="fit:loss",
                                      note="synthetic text; SimpleRNN(unroll=True); the "
                                           "predict loop is stopped at 300 calls"),
    "dlk_ch6_econs_stateful": dict(epochs=1, samples=9600, metric="evaluate:loss",
                                   note="synthetic load series; stateful LSTM, batch 96 (the "
                                        "cap a multiple of it), 5 one-epoch fits, test MSE"),
})

# ---- twentieth corpus: David Foster's Generative Deep Learning, the Keras 2.2 GDL_code
#      notebooks (/work/corpus20; tools/keras_corpus.md "Twentieth corpus") ----
PLAN.update({
    "gdl_02_01_mlp_cifar10": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                                  note="synthetic CIFAR-10; a Flatten-Dense(200)-Dense(150) MLP"),
    "gdl_02_03_cnn_cifar10": dict(epochs=1, samples=2000, metric="evaluate:accuracy",
                                  note="synthetic CIFAR-10; 4 Conv2D + BatchNormalization"),
    "gdl_03_01_autoencoder_digits": dict(epochs=2, samples=1000, metric="fit:loss",
                                         note="the notebook's x_train[:1000]; mean squared "
                                              "reconstruction error (r_loss)"),
    "gdl_03_02_autoencoder_analysis": dict(
        epochs=2, samples=1000, metric="fit:loss",
        note="03_01's training, then the model reloaded from params.pkl + weights.h5 and "
             "its latent space predicted"),
    "gdl_06_02_qa": dict(epochs=1, samples=1000, max_steps=20,
                         metric=r"stdout:Train Loss: \[([0-9.]+)",
                         note="synthetic NewsQA-style stories; the total loss (answer tags + "
                              "question words) of the 20th train_on_batch"),
})

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
    "adl_ch13_iic_mnist": dict(epochs=1, samples=1024, metric=r"stdout:Head 0 accuracy: ([0-9.]+)%",
                               note="run as `--train`: IIC (MI loss over a 512+512 Siamese "
                                    "batch), Hungarian-matched cluster accuracy on the test "
                                    "digits"),
    "adl_ch13_mine_mnist": dict(epochs=1, samples=1024, metric=r"stdout:Accuracy: ([0-9.]+)%",
                                note="run as `--train --batch-size=256`: MINE encoder, then a "
                                     "linear classifier fitted on its codes (capped epochs)"),
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

NOT_COMPARABLE = {
    "dlk_ch4_dcgan_mnist_variant": "GAN: train_on_batch loop; the Keras 2 side fails at its "
                                   "first train_on_batch (labels given as a Python list)",
    "dlk_ch5_keras_skipgram": "fails on both sides: Keras 2.0's Merge layer (removed in 2.2)",
    "dlk_ch5_keras_cbow": "no fit: the CBOW model is built and compiled",
    "dlk_ch5_skipgram_example": "no model: keras.preprocessing's skipgrams printed",
    "dlk_ch5_transfer_glove_embeddings": "its features are all zero under Python 3 (GloVe "
                                         "keyed by bytes, looked up by str): both sides learn "
                                         "the majority class",
    "dlk_ch6_umich_sentiment_lstm": "fails on both sides: Python 2 code (bytes.split('\\t'))",
    "dlk_ch7_air_quality_regression": "fails on both sides: DataFrame.as_matrix (pandas < 1.0)",
    "dlk_ch7_func_api_seq": "no fit: a Sequential model built and compiled",
    "dlk_ch7_func_api_func": "no fit: a functional model built and compiled",
    "dlk_ch7_func_api_multi": "no fit: a two-input, two-output model built and compiled",
    "dlk_ch7_tf_keras_func": "no fit: one-layer models' predict shapes asserted",
    "dlk_ch7_mem_network": "the Keras 2 side fails at its fit: tf_keras 2.21's metric set-up "
                           "takes no one-element target list ([Ytrain]) for a one-output "
                           "model; tensorforge trains it and stops at history['acc']",
    "gdl_03_03_vae_digits": "tf_keras 2.21 refuses the VAE's loss over the model's graph "
                            "tensors (self.mu, self.log_var; Keras 2.2 computed it): no "
                            "Keras 2 figure (tests/test_corpus20.py checks the loss and step "
                            "against Keras 2.2's add_loss equivalent)",
    "gdl_03_04_vae_digits_analysis": "03_03's training (its loss refused by tf_keras 2.21), "
                                     "then the latent space of the reloaded model",
    "gdl_03_05_vae_faces": "tf_keras 2.21 refuses the VAE's loss over self.mu / self.log_var; "
                           "synthetic faces",
    "gdl_04_01_gan_camel": "GAN: train_on_batch loop, no accuracy to compare",
    "gdl_04_02_wgan_cifar": "WGAN: train_on_batch loop with weight clipping, no accuracy to "
                            "compare",
    "gdl_04_03_wgangp_faces": "WGAN-GP: tf_keras 2.21 refuses K.gradients of the graph's "
                              "interpolated images in the loss (tests/test_corpus20.py checks "
                              "a critic step against a GradientTape); a GAN loop besides",
    "gdl_06_01_lstm_text": "no fit as published (train_model = False): an untrained LSTM "
                           "generates text",
    "hml2_ch10_hyperparameter_search": "tf_keras 2.21 has no keras.wrappers.scikit_learn: the "
                                       "Keras 2 side fails at KerasRegressor (tensorforge runs "
                                       "the RandomizedSearchCV to the end)",
    "hml2_ch13_tfrecord_protobufs": "no model: TFRecord files, tf.train.Example / "
                                    "SequenceExample protobufs and their parsing printed",
    "hml2_ch14_convolutions_pooling": "no fit: convolutions and pooling layers applied to "
                                      "scikit-learn's two sample images",
    "hml2_ch16_bidirectional_attention": "no fit: a Bidirectional GRU summarized, the "
                                         "positional encoding plotted, the simplified "
                                         "Transformer and a MultiHeadAttention layer built",
    "mlm_image_augmentation_standardize": "no model: ImageDataGenerator's featurewise "
                                          "standardization of MNIST, one batch plotted",
    "mlm_gan_1d_function": "GAN: train_on_batch loop on (x, x^2), no accuracy to compare",
    "dlwp2_ch09_convnet_patterns": "no fit: the residual and mini-Xception models are built "
                                   "(this revision of the notebook trains nothing)",
    "dlwp2_ch12_gan_variant": "GAN: a train_step override (d_loss / g_loss only), no accuracy",
    "tfdocs_customization_basics": "no model: tensors, devices and a tf.data pipeline printed",
    "tfdocs_guide_checkpoint": "a 100-step hand loop on a toy dataset with checkpoints; the "
                               "printed restored values are checked in tests/test_corpus16.py",
    "tfdocs_guide_intro_to_modules": "no fit: modules, checkpoints and saved models built and "
                                     "called on random weights",
    "tfdocs_guide_variable": "no model: tf.Variable operations printed",
    "tfdocs_word2vec": "fails under Keras 2 too, in the model's call: this revision's "
                       "Dot(axes=(3, 2)) of the (B, 5, 1, 128) context and (B, 128) target "
                       "embeddings (tf_keras: a StagingError in fit; tensorforge: Dot's "
                       "ValueError)",
    "hml2_ch17_gan_dcgan": "GAN and DCGAN: train_on_batch loops, no accuracy to compare",
    "hml2_ch12_tensors_and_ops": "no fit: tensor, ragged, sparse, set and variable operations "
                                 "(their values checked in tests/test_corpus15.py)",
    "hml2_ch12_autodiff_training_loops": "hand-written GradientTape loops the harness does not "
                                         "cap (over 800 s on the Keras 2 side); no fit figure",
    "hml2_ch12_custom_loss_metrics": "fails under tf_keras 2.21 at its .h5 load of custom "
                                     "functions (tf_keras writes them as class 'function' and "
                                     "cannot read them back); tensorforge runs to the end",
    "hml2_ch12_custom_layers_models": "fails on both sides, at different lines: tensorforge "
                                      "cannot save a subclassed model without get_config "
                                      "(TensorFlow's SavedModel traces it), tf_keras 2.21 fails "
                                      "later at the ReconstructingRegressor's add_loss "
                                      "(InaccessibleTensorError, the book's own TODO)",
    "hml2_ch12_tf_functions": "fails on both sides: tensorforge at get_concrete_function (no "
                              "TensorFlow graphs), TensorFlow 2.21 at the shrink() signature "
                              "mismatch, which it now raises as TypeError (the book catches "
                              "ValueError)",
    "hml2_ch12_tf_functions_keras": "the custom optimizer subclasses Keras 2.0-2.10's "
                                    "OptimizerV2 API (_set_hyper, add_slot); its fits print "
                                    "tracing messages only",

    "kgan_wgan": "GAN: train_on_batch loop (clipped critic), no accuracy to compare",
    "kgan_cgan_variant": "GAN: train_on_batch loop (label-conditioned), no accuracy to compare",
    "tfdocs_basic_training_loops": "random targets (tf.random.normal noise, unseeded on both "
                                   "sides) around y = 3x + 2: a hand loop, then 1 capped fit",
    "tfdocs_autodiff": "no fit: gradients printed (each checked by hand against TensorFlow's "
                       "output, tools/keras_corpus.md)",
    "kgan_bigan": "GAN: train_on_batch loop, no accuracy to compare",
    "kgan_bgan_variant": "GAN: train_on_batch loop, no accuracy to compare",
    "kgan_infogan": "GAN: train_on_batch loop, no accuracy to compare",
    "kgan_cogan": "GAN: train_on_batch loop, no accuracy to compare",
    "kgan_context_encoder": "GAN: train_on_batch loop (inpainting), no accuracy to compare",
    "kgan_sgan": "fails under Keras 2 too, at the same line: Keras 2.2's list form of "
                 "class_weight for a two-output train_on_batch (tf_keras: 'list' object has no "
                 "attribute 'keys'; tensorforge: class_weight must be a dict by output name)",

    "tfdocs_custom_layers": "no fit: layers and a ResNet block built and called on zeros",
    "tfdocs_keras_overview": "random inputs and targets; under tf_keras 2.21 the TensorBoard "
                             "callback needs the tensorboard package (not in the Keras venv), "
                             "and both sides stop at model.to_yaml() (removed in TF 2.6)",
    "kio_vae": "fails under tensorforge: keras.losses.binary_crossentropy returns the batch "
               "mean, not Keras 2's per-sample values (reduce_sum over axes 1, 2 then fails)",
    "kio_endpoint_layer_pattern": "random inputs and random (non-binary) targets: the loss of "
                                  "an unseeded logistic layer on noise; BinaryAccuracy is 0 on "
                                  "both sides (Keras compares y_true exactly)",
    "mnist_sklearn_wrapper": "tf_keras has no keras.wrappers.scikit_learn: the Keras 2 side "
                             "fails at the import, nothing to compare against",
    "dcgan_mnist": "GAN: a train_on_batch loop stopped after 20 steps; no accuracy to compare",
    "adl_ch4_dcgan_mnist": "GAN: train_on_batch loop, no accuracy to compare",
    "adl_ch4_cgan_mnist": "GAN: train_on_batch loop, no accuracy to compare",
    "adl_ch5_wgan_mnist": "GAN: train_on_batch loop, no accuracy to compare",
    "adl_ch5_lsgan_mnist": "GAN: train_on_batch loop, no accuracy to compare",
    "adl_ch5_acgan_mnist": "GAN: train_on_batch loop, no accuracy to compare",
    "adl_ch6_infogan_mnist": "GAN: train_on_batch loop, no accuracy to compare",
    "adl_ch6_stackedgan_mnist": "GAN training after a classifier fit; no figure the cap keeps "
                                "comparable",
    "mnist_acgan": "GAN: train_on_batch loop, no accuracy to compare",
    "cifar10_cnn_capsule": "fails under Keras 2 too (written for Keras 2.1's K.batch_dot)",
    "guide_masking_and_padding_variant": "no fit: mask propagation printed, nothing trained",
    "guide_serialization_and_saving": "fits random targets to random inputs (no signal to learn)",
    "guide_customizing_what_happens_in_fit": "train_step overrides fit random targets to random "
                                             "inputs, then a GAN (d_loss / g_loss only)",
    "kio_conditional_gan_variant": "GAN: a train_step override fitting generator and "
                                   "discriminator (g_loss / d_loss only); no accuracy",
    "adl_ch2_densenet_cifar10": "DenseNet-BC-100: over 400 s per side for 1 epoch of 1,000 "
                                "images on this 2-core machine (cost, not comparability)",
    "dlwp_6_1_one_hot": "no model: Tokenizer and hand-made one-hot arrays, nothing trained",
    "dlwp_8_5_gan": "GAN: train_on_batch loop on CIFAR-10 frogs, no accuracy to compare",
    "dlwp2_ch12_text_generation": "a language model's loss after a capped epoch, then text "
                                  "sampled with np.random at five temperatures: no figure "
                                  "that a capped run makes comparable",
    # the twenty-first corpus's model builders: no fit, the summary's parameter counts are
    # what is compared (tools/keras_corpus.md)
    **{name: "no fit: the model is built and summarized (parameter counts compared, "
             "tools/keras_corpus.md)"
       for name in ("zoo_alexnet", "zoo_autoencoder", "zoo_densenet121", "zoo_inception_v3",
                    "zoo_mobilenet_v2", "zoo_mobilenet_v3", "zoo_resnet_cifar10",
                    "zoo_resnet_v1_c", "zoo_resnext_cifar10", "zoo_se_resnet50",
                    "zoo_shufflenet", "zoo_squeezenet", "zoo_unet_c", "zoo_xception")},
    "zoo_dcgan_c": "GAN: a train_on_batch loop on CIFAR-10, no accuracy to compare",
    "adl_ch1_cnn_model": "no fit: a Sequential CNN built, compiled and summarised",
    "adl_ch1_rnn_model": "no fit: a SimpleRNN classifier built, compiled and summarised",
    "adl_ch1_mnist_sampler": "no model: MNIST label counts printed and 25 digits plotted",
    "adl_ch5_wgan_mnist_511": "GAN: train_on_batch loop with weight clipping, no accuracy to "
                              "compare",
    "kio_focal_modulation_network": "batches of 1,024 48x48 pictures through a 256-1,024 "
                                    "wide FocalNet: tensorforge passed 7 GB in its first "
                                    "step on this shared machine and was stopped (cost, not "
                                    "comparability)",
    "cnn_seq2seq": "fails under Keras 2 too, at the same line: its sampling loop predicts on "
                   "100 encoder rows and 10,000 decoder rows (Keras 2: 'Make sure all arrays "
                   "contain the same number of samples')",
    "tf2k_ch01_simple_model": "no model: a tf.function over two variables printed",
    "tf2k_ch02_gradient_tape": "no model: a persistent tape's two gradients printed",
    "tf2k_ch02_autograph": "no model: tf.autograph.to_code of a tf.function printed",
    "tf2k_ch05_visual_qa": "no fit: a CNN + LSTM question-answering model built and summarized",
    "tf2k_ch07_tf2_cbow_model": "no fit: the CBOW model built, its embeddings printed",
    "tf2k_ch07_tf2_skipgram_model": "fails on both sides at build: its (None, 5000) word ids "
                                    "do not reach the input_length=1 sub-models' Reshape",
    "tf2k_ch07_tf2_matrix_factorization": "no fit (the training loop is commented out): P and "
                                          "Q's shapes printed (tests/test_corpus22.py)",
    "tf2k_ch08_peephole_lstm": "fails on both sides: tf.keras.experimental.PeepholeLSTMCell, "
                               "gone from tf_keras 2.21",
}
