"""keras-team examples/lstm_seq2seq.py (toy character data): encoder LSTM(return_state=True),
decoder LSTM started from [state_h, state_c], then the inference models built from the same
layers."""
import numpy as np
from keras.layers import LSTM, Dense, Input
from keras.models import Model

rng = np.random.default_rng(0)
num_samples, T_in, T_out, n_in, n_out, latent_dim = 600, 8, 9, 12, 14, 64
src = rng.integers(0, n_in, (num_samples, T_in))
tgt = np.concatenate([np.zeros((num_samples, 1), int), (src[:, ::-1] % n_out)], axis=1)[:, :T_out]
encoder_input_data = np.eye(n_in, dtype="float32")[src]
decoder_input_data = np.eye(n_out, dtype="float32")[tgt]
decoder_target_data = np.zeros_like(decoder_input_data)
decoder_target_data[:, :-1] = decoder_input_data[:, 1:]
encoder_inputs = Input(shape=(None, n_in))
encoder = LSTM(latent_dim, return_state=True)
encoder_outputs, state_h, state_c = encoder(encoder_inputs)
encoder_states = [state_h, state_c]
decoder_inputs = Input(shape=(None, n_out))
decoder_lstm = LSTM(latent_dim, return_sequences=True, return_state=True)
decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
decoder_dense = Dense(n_out, activation="softmax")
decoder_outputs = decoder_dense(decoder_outputs)
model = Model([encoder_inputs, decoder_inputs], decoder_outputs)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit([encoder_input_data, decoder_input_data], decoder_target_data, batch_size=64, epochs=3,
          validation_split=0.2)
encoder_model = Model(encoder_inputs, encoder_states)
decoder_state_input_h = Input(shape=(latent_dim,))
decoder_state_input_c = Input(shape=(latent_dim,))
decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
decoder_outputs, state_h, state_c = decoder_lstm(decoder_inputs, initial_state=decoder_states_inputs)
decoder_outputs = decoder_dense(decoder_outputs)
decoder_model = Model([decoder_inputs] + decoder_states_inputs, [decoder_outputs, state_h, state_c])
states_value = encoder_model.predict(encoder_input_data[:1])
target_seq = np.zeros((1, 1, n_out), dtype="float32")
out, h, c = decoder_model.predict([target_seq] + states_value)
print("decoded first token", int(out[0, -1].argmax()), out.shape, h.shape, c.shape)
