"""Caps and compared figures of the twenty-fifth corpus: keras-io's NLP and generative examples
(/work/corpus25; tools/keras_corpus.md "Twenty-fifth corpus")."""

PLAN = {
    "kio_switch_transformer": dict(epochs=1, samples=1000, metric="fit:val_loss",
                                   note="synthetic IMDB; a Switch (10 experts, top-1 router, "
                                        "load-balancing add_loss) in a transformer block, "
                                        "batches of exactly 50; val_loss includes the aux loss"),
    "kio_addition_rnn": dict(epochs=1, samples=4000, max_predict=20, metric="fit:val_accuracy",
                             note="LSTM encoder / RepeatVector / LSTM decoder on 3-digit sums; "
                                  "the loop of one-epoch fits stopped after 2 fits (20 predicts)"),
    "kio_text_generation_fnet": dict(epochs=1, samples=512, max_predict=5,
                                     metric="fit:val_accuracy",
                                     note="synthetic Cornell dialogs; FNet encoder (fft2d) and a "
                                          "masked attention decoder, token accuracy"),
    "kio_ner_transformers": dict(epochs=1, samples=2000, metric="fit:loss",
                                 note="synthetic CoNLL-2003 (lib/datasets.py); the custom "
                                      "non-padding-token loss of the last epoch"),
    "kio_gpt_tiny_shakespeare": dict(epochs=1, samples=512, metric="fit:val_loss",
                                     note="synthetic tiny Shakespeare; 4-block causal "
                                          "transformer, custom train_step / test_step"),
    "kio_dcgan_overriding_train_step": dict(epochs=1, samples=128, metric="fit:d_loss",
                                            note="synthetic CelebA (lib/gdown.py); 4 steps of "
                                                 "batch 32 (64x64, a 512-channel generator): "
                                                 "the discriminator's BCE"),
}

NOT_COMPARABLE = {
    "kio_multi_label_trainer_tfidf": "fails on both sides: a FILLME draft whose Sequential "
                                     "starts with the adapted bigram TF-IDF TextVectorization "
                                     "(Keras 2: built on a (None, None) string input, its "
                                     "rank ValueError; tensorforge: summary() of the unbuilt "
                                     "Sequential)",
}
