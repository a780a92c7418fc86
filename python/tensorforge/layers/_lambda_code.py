"""A Lambda layer's lambda expression in a model file, as Keras 2 writes it, without running
code read from a file.

Note [lambdas in model files]
Keras 2 stores a Python function of a Lambda layer as its marshalled bytecode
(generic_utils.func_dump: base64 of marshal.dumps(code), the defaults, the closure's cell
contents; config "function_type": "lambda") and load_model rebuilds a function from those bytes
(func_load), so a model saved by ModelCheckpoint and loaded back in the same program works
(the Udacity course's forecasting notebooks: `Lambda(lambda x: x * 200.0)`). tensorforge writes
the same three fields (a file Keras 2 can load on the same Python version), but does not run
bytecode read from a file: the lambdas this process put in Lambda layers are remembered under
their dump, and a file's dump that equals one of them gives back that function object (the
code, its defaults and closure are the same; the dump names the file and line it was written
at). They are remembered weakly: a lambda whose layers are all gone is not kept for the rest of
the process (one made again, by the same line, registers again when its layer is made). Any
other dump is refused; `custom_objects={'<lambda>': function}` supplies the function instead.
Functions with a name are stored by name as before (function_type "function").

Keras 2 and tf_keras dump every Python function that way, `def` ones too (func_dump is applied
to any types.LambdaType, which is types.FunctionType): the siamese network of Neural Network
Projects with Python saves `Lambda(utils.euclidean_distance)` as bytecode and loads it back with
`custom_objects={'euclidean_distance': utils.euclidean_distance}`, whose names Keras 2 adds to
the globals the bytecode runs with. Such a dump is found again by the name its code object
carries (find_named): custom_objects' function of that name, else that function of the module
the file names, when this process has imported it and its code is the file's. The code object
is unmarshalled to read its name and compare it, never run."""
import base64
import binascii
import inspect
import json
import marshal
import sys
import types
import weakref

_SEEN = weakref.WeakValueDictionary()  # dump key -> a live Lambda layer's function


def is_lambda(fn):
    """A Python lambda expression (named functions are stored by name)."""
    return getattr(fn, "__name__", None) == "<lambda>" and hasattr(fn, "__code__")


def dump(fn):
    """(code, defaults, closure) in Keras 2's func_dump layout, or None when the defaults or
    the closure's values are not JSON (the config then names the function, as before)."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = (tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None)
    try:
        json.dumps([fn.__defaults__, closure])
    except (TypeError, ValueError):
        return None
    _SEEN[_key(code, fn.__defaults__, closure)] = fn
    return code, fn.__defaults__, closure


def _key(code, defaults, closure):
    # JSON turns tuples into lists: compare the values as a file gives them back
    return code, json.dumps(defaults), json.dumps(closure)


def find(value):
    """The function of this process a (code, defaults, closure) read from a file (JSON: a list)
    was dumped from, or None."""
    if not isinstance(value, (list, tuple)) or len(value) != 3 or not isinstance(value[0], str):
        return None
    try:
        return _SEEN.get(_key(*value))
    except (TypeError, ValueError):
        return None


def parameters(fn):
    """The names of ``fn``'s parameters (empty when its signature cannot be read)."""
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def _code(value):
    """The code object of a (code, defaults, closure) dump read from a file, or None (another
    Python's marshal format, a damaged file). Unmarshalled, not run."""
    if not isinstance(value, (list, tuple)) or len(value) != 3 or not isinstance(value[0], str):
        return None
    try:
        code = marshal.loads(base64.decodebytes(value[0].encode("ascii")))
    except (ValueError, EOFError, TypeError, binascii.Error, UnicodeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def find_named(value, module, lookup):
    """The named function a file's bytecode dump was written from: ``lookup(name)`` (the
    custom objects) under the name the dumped code carries, else the function of that name in
    ``module`` when this process imported it and its code is the dumped one; or None."""
    code = _code(value)
    if code is None or code.co_name == "<lambda>":
        return None
    fn = lookup(code.co_name)
    if callable(fn):
        return fn
    fn = getattr(sys.modules.get(module) if isinstance(module, str) else None, code.co_name, None)
    return fn if getattr(fn, "__code__", None) == code else None
