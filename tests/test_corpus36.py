"""The thirty-sixth corpus (tools/keras_corpus.md, "Thirty-sixth corpus"): what it needed of the
harness. dlaicourse's rock-paper-scissors notebook imports `keras_preprocessing`, the Keras 2
image / text / sequence package that TensorFlow 2.0-2.8 installed and re-exported as
keras.preprocessing; it is installed on neither side, so the import swap maps it to the side's
own keras.preprocessing (tools/parity_boot/aliases.py)."""
import textwrap

from parity_run import run_ours

PROGRAM = textwrap.dedent("""
    import keras_preprocessing
    from keras_preprocessing import image
    from keras_preprocessing.image import ImageDataGenerator
    from keras_preprocessing.sequence import pad_sequences
    from keras_preprocessing.text import Tokenizer
    import tensorflow as tf
    print("same", ImageDataGenerator is tf.keras.preprocessing.image.ImageDataGenerator,
          Tokenizer is tf.keras.preprocessing.text.Tokenizer,
          image.img_to_array is tf.keras.preprocessing.image.img_to_array)
    print("padded", pad_sequences([[1, 2]], maxlen=3).tolist())
""")


def test_keras_preprocessing_is_the_sides_keras_preprocessing(tmp_path):
    prog = tmp_path / "kp_import.py"
    prog.write_text(PROGRAM)
    r = run_ours(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "same True True True" in r["stdout"]
    assert "padded [[0, 1, 2]]" in r["stdout"]
