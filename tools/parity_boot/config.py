"""The child run's settings: its command line (side, program, output json) and the caps the
harness passes in the environment (tools/keras_parity.py's run_side)."""
import os
import sys

SIDE, PROG, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
MAX_EPOCHS, MAX_SAMPLES = int(os.environ["KP_MAX_EPOCHS"]), int(os.environ["KP_MAX_SAMPLES"])
MAX_STEPS = int(os.environ.get("KP_MAX_STEPS", "20"))
MAX_PREDICT = int(os.environ.get("KP_MAX_PREDICT", "300"))
# hand-written GradientTape loops stop after this many apply_gradients calls (0: no cap)
MAX_APPLY = int(os.environ.get("KP_MAX_APPLY", "0"))
THREADS = int(os.environ.get("KP_THREADS", "0"))
TARGET = "tensorforge" if SIDE == "ours" else "tf_keras"
PROG_DIR = os.path.dirname(os.path.abspath(PROG))
