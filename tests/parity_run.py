"""Runs a small program the way tools/keras_parity.py runs a corpus program on our side (the
bootstrap, its import swap, caps and path serving), for the tests of the harness's pieces."""
import os
import sys

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import keras_parity as kp  # noqa: E402


def run_ours(tmp_path, prog):
    """The run record (ok, error, stdout, ...) of ``prog`` under the harness, capped at one
    epoch of 10 samples, in a fresh root folder under ``tmp_path``."""
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=1, samples=10, max_steps=20, max_predict=300, metric=None, note="")
    (tmp_path / "root").mkdir()
    root = str(tmp_path / "root")
    kp.install_boot(root)
    return kp.run_side("ours", str(prog), sys.executable, args, st, None, root)
