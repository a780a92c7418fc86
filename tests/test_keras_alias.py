"""``tensorforge.keras``: TensorFlow 2 style imports (`from tensorflow import keras`,
`from tensorflow.keras.layers import Dense`) with the import line swapped resolve to the
package's own modules: the same objects, not copies."""
import subprocess
import sys

import pytest

import tensorforge


def test_keras_names_are_the_package_modules_themselves():
    from tensorforge import keras
    from tensorforge.keras import backend as K
    from tensorforge.keras import layers
    from tensorforge.keras.layers import Dense
    import tensorforge.keras.models as models
    import tensorforge.keras.optimizers.schedules as schedules
    from tensorforge.keras.preprocessing.sequence import pad_sequences
    assert keras is tensorforge and tensorforge.keras is tensorforge
    assert layers is tensorforge.layers and Dense is tensorforge.layers.Dense
    assert models is tensorforge.models and K is tensorforge.backend
    assert schedules is tensorforge.optimizers.schedules
    assert pad_sequences is tensorforge.preprocessing.sequence.pad_sequences
    # the real modules keep their own names (pickles, reprs, reload)
    assert tensorforge.models.__name__ == "tensorforge.models"
    assert tensorforge.models.__spec__.name == "tensorforge.models"
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    assert isinstance(m, tensorforge.models.Model) and isinstance(m.layers[0], Dense)


def test_a_missing_keras_module_is_an_import_error_naming_it():
    with pytest.raises(ModuleNotFoundError, match="tensorforge.keras.no_such_module"):
        import tensorforge.keras.no_such_module  # noqa: F401


def test_a_program_importing_through_the_alias_first_gets_no_copies():
    """In a fresh interpreter, the alias imported before the real module: one module object."""
    code = ("import tensorforge.keras.layers as a, tensorforge.layers as b, sys; "
            "assert a is b; assert not [k for k in sys.modules if k.startswith('tensorforge.') "
            "and sys.modules[k] is not None and sys.modules[k].__name__.startswith('tensorforge.keras.')]")
    from tfhelpers import subprocess_env
    subprocess.run([sys.executable, "-c", code], check=True, env=subprocess_env({}), timeout=120)
