"""Programs of the first to twenty-fourth corpora with no figure to compare, and why."""

NOT_COMPARABLE = {
    "dlk_ch4_dcgan_mnist_variant": "GAN: train_on_batch loop; the Keras 2 side fails at its "
                                   "first train_on_batch (labels given as a Python list)",
    "dlk_ch5_keras_skipgram": "no fit: the model of Keras 2.0's Merge layer (removed in 2.2) "
                              "is built and compiled; tf_keras 2.21 has no Merge and fails "
                              "at it (tensorforge builds it since session 25)",
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
                                    "wide FocalNet: ~15 MB a picture in a training step here "
                                    "(~25 MB under tf_keras; lane mem25, bench/RESULTS.md), "
                                    "~15 GB a batch, more than this machine has free (cost, "
                                    "not comparability)",
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
    "tf2k_ch08_peephole_lstm": "no fit: a PeepholeLSTMCell RNN built and predicted on random "
                                "inputs; tf_keras 2.21 has no keras.experimental."
                                "PeepholeLSTMCell (tensorforge runs it since session 25)",
}
