"""Caps and compared figures of the thirty-seventh corpus: lazyprogrammer/machine_learning_examples,
the Advanced NLP, NLP, CNN and Recommender Systems courses' Keras 2.0-2.2 programs
(/work/corpus37; tools/keras_corpus.md "Thirty-seventh corpus"; see tools/keras_parity_plan.py).
Data are synthetic files of the real layouts (/work/corpus37/make_data.py) or the harness's bAbI
archive; the figures compare the two libraries on the same data, not the published ones."""

PLAN = {
    "lp_nlp3_lstm_toxic": dict(
        epochs=2, samples=3000, metric="fit:val_loss",
        note="frozen GloVe-50 Embedding, Bidirectional(LSTM(15)) + GlobalMaxPool1D, six sigmoid "
             "labels, Adam(lr=0.01); validation loss"),
    "lp_nlp3_cnn_toxic": dict(
        epochs=2, samples=3000, metric="fit:val_loss",
        note="frozen GloVe-100 Embedding, three Conv1D(128) with max pooling, six sigmoid "
             "labels, RMSprop; validation loss"),
    "lp_nlp3_poetry": dict(
        epochs=30, samples=1120, max_predict=20, metric="fit:val_loss",
        note="word LSTM(25) language model with initial_state inputs on 1,120 lines, "
             "Adam(lr=0.01); validation loss (then the sampling model, stopped at 20 predicts)"),
    "lp_nlp3_wseq2seq": dict(
        epochs=2, samples=3000, max_predict=20, metric="fit:val_loss",
        note="LSTM(256) encoder-decoder with teacher forcing, dropout 0.5, RMSprop; "
             "validation loss"),
    "lp_nlp3_attention": dict(
        epochs=2, samples=2000, max_predict=20, metric="fit:val_loss",
        note="Bidirectional LSTM encoder, Bahdanau-style attention unrolled over the target "
             "steps (RepeatVector, Dense with a custom softmax-over-time activation, Dot, "
             "per-step Lambda slices, K.stack), RMSprop; validation loss"),
    "lp_nlp3_memory_network": dict(
        epochs=3, samples=10000, metric="fit:val_accuracy",
        note="bAbI QA1 then QA2 (harness stand-in) end-to-end memory networks of Embedding, "
             "Lambda(K.sum), dot and Reshape; the two-hop model's validation accuracy"),
    "lp_rec_mf_keras": dict(
        epochs=5, samples=24000, metric="fit:val_loss",
        note="matrix factorization (Embedding dot + biases), SGD(lr=0.08, momentum=0.9); "
             "validation MSE"),
    "lp_rec_mf_keras_res": dict(
        epochs=5, samples=24000, metric="fit:val_loss",
        note="matrix factorization plus a Dense(400, elu) side branch; validation MSE"),
    "lp_rec_autorec": dict(
        epochs=10, samples=1000, metric="fit:val_loss",
        note="AutoRec: Dropout(0.7) + Dense(700, tanh) autoencoder over the rating rows from "
             "generators, masked MSE custom loss; validation loss"),
    "lp_nlp2_pos_ner_keras": dict(
        epochs=5, samples=2000, metric="fit:val_loss",
        note="Embedding + SimpleRNN(10, return_sequences) NER tagger, Adam(1e-2); validation "
             "loss"),
    "lp_cnn_keras_example": dict(
        epochs=1, samples=3000, metric="fit:val_loss",
        note="SVHN-layout 32x32x3 CNN (two Conv-BN-ReLU-pool blocks, Dense 500), Adam; "
             "validation loss"),
}

NOT_COMPARABLE = {
    "lp_nlp3_simple_rnn_test": "prints an untrained LSTM / GRU's outputs and states for one "
        "random input: no training, each library draws its own weights",
    "lp_nlp3_bilstm_test": "prints an untrained Bidirectional(LSTM(return_state=True))'s "
        "outputs and states: no training",
}
