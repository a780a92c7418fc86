"""Caps and compared figures of the first to sixteenth corpora (see tools/keras_parity_plan.py)."""

from parity_plans.caps import MNIST

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
    "kio_vae": dict(
        epochs=2, samples=4000, metric="fit:loss",
        note="train_step override; the total loss (its Mean tracker) of the last epoch. It "
             "failed here until binary_crossentropy returned Keras 2's per-sample values "
             "(session 25 ran it again: bench/RESULTS.md)"),
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
