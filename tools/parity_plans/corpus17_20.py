"""Caps and compared figures of the seventeenth to twentieth corpora (see tools/keras_parity_plan.py)."""

from parity_plans.caps import MNIST

PLAN = {}

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
