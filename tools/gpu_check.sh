#!/bin/bash
# The GPU session's one command (csrc/cuda/NOTES.md): install, GPU tests, compute-sanitizer, bench.
#
#   [STAGES="tests bench sanitizer sweep"] bash tools/gpu_check.sh [WHEEL_DIR]   (on the GPU machine)
#   bash tools/gpu_check.sh --stamp WHEEL_DIR  (here, after building the wheel into WHEEL_DIR)
#
# Installs the cp312 wheel in WHEEL_DIR when one is there (built beforehand on a machine with nvcc,
# so the lease is not spent compiling), else builds from source for sm_90 only. Every stage has its
# own time limit and writes its whole log under $OUT (default /tmp/gpu_out), so a stage that hangs
# or fails still leaves the others' results; the summary printed last is what the reply carries.
# STAGES picks the stages (default: tests bench sanitizer); "sweep" runs the model-level tests
# with the cuda backend as the default one (TENSORFORGE_BACKEND=cuda); "dist" the distributed GPU
# ranks (tools/gpu_dist_check.py).
set -u
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
WHEELS=${1:-.gpuwheel}
stamp_sources() { find csrc CMakeLists.txt pyproject.toml -type f ! -name "*.md" | LC_ALL=C sort | xargs cat | sha1sum | cut -c1-40; }
if [ "$WHEELS" = "--stamp" ]; then stamp_sources >"$2/SOURCES"; exit 0; fi
t0=$(date +%s)
stamp() { echo "== $1 at +$(( $(date +%s) - t0 )) s"; }

stamp setup
nvidia-smi >"$OUT/smi.txt" 2>&1
head -12 "$OUT/smi.txt"
installed=0
# The wheel is used only if it was built from these very C++/CMake sources (its SOURCES stamp, made
# by `tools/gpu_check.sh --stamp DIR` after building it); this checkout's Python files then replace
# the wheel's, so Python-only fixes need no rebuild.
if ls "$WHEELS"/*.whl >/dev/null 2>&1 && [ "$(cat "$WHEELS/SOURCES" 2>/dev/null)" = "$(stamp_sources)" ]; then
  python3 -m pip install -q --no-deps --no-index --force-reinstall "$WHEELS"/*.whl >"$OUT/pip.log" 2>&1 \
    && site=$(python3 -c "import tensorforge, os; print(os.path.dirname(tensorforge.__file__))") \
    && cp -r python/tensorforge/. "$site"/ \
    && python3 -c "import tensorforge._C_cuda, tensorforge._C" >>"$OUT/pip.log" 2>&1 && installed=1
  [ $installed = 1 ] || { echo "wheel did not install or import:"; tail -15 "$OUT/pip.log"; }
else
  echo "no wheel built from these sources in $WHEELS: building here"
fi
if [ $installed = 0 ]; then
  stamp build
  CUDAARCHS=90 CMAKE_BUILD_PARALLEL_LEVEL=16 python3 -m pip install --no-build-isolation --no-deps . \
    >"$OUT/pip.log" 2>&1 || { tail -40 "$OUT/pip.log"; exit 1; }
fi
python3 -c "import tensorforge as t; t.backend_info()" 2>&1 | tee "$OUT/backend_info.txt"

STAGES=${STAGES:-tests bench sanitizer}
has() { [[ " $STAGES " == *" $1 "* ]]; }

if has tests; then
stamp tests
# Every test with a cuda/gpu parameter or name, except the CPU model of CUDA (CI runs those).
timeout 150 python3 -m pytest -q -rfEs -p no:cacheprovider -n 8 --timeout 120 tests \
  -k "(cuda or gpu) and not cpu_model" >"$OUT/tests.txt" 2>&1
echo "pytest rc $?"
grep -E "^(FAILED|ERROR)" "$OUT/tests.txt" | cut -c1-220 | head -40
grep -E "^SKIPPED" "$OUT/tests.txt" | grep -i "cuda\|gpu" | cut -c1-200 | sort | uniq -c | sort -rn | head -8
grep -E "^E   " "$OUT/tests.txt" | cut -c1-200 | sort | uniq -c | sort -rn | head -15
tail -1 "$OUT/tests.txt"

fi

if has bench; then
stamp bench
timeout ${BENCH_TIMEOUT:-240} python3 -m tensorforge.bench all --backend cuda --against torch >"$OUT/bench_cuda.md" 2>&1
echo "bench rc $?"

fi

if has sanitizer; then
stamp sanitizer
timeout ${SANITIZER_TIMEOUT:-150} compute-sanitizer --tool memcheck --error-exitcode 9 python3 -m pytest -q -p no:cacheprovider \
  tests/test_cuda.py tests/test_cuda_ops.py tests/test_rnn.py tests/test_conv.py tests/test_pool.py tests/test_embedding.py \
  tests/test_batchnorm.py -k "cuda and not cpu_model" >"$OUT/sanitizer.txt" 2>&1
echo "compute-sanitizer rc $?"
grep -E "ERROR SUMMARY|Invalid|passed|failed|not supported" "$OUT/sanitizer.txt" | head -8

fi

if has dist; then
stamp dist
# issue 13's GPU ranks: mpi4py is in the machine's image, an MPI library is not (carry the mpich
# wheel in .whl/). One rank reduces through NCCL; two ranks share the one GPU, which NCCL refuses,
# so they reduce through the host. Then N ranks train to one GPU process's weights.
ls .whl/mpich-*.whl >/dev/null 2>&1 && python3 -m pip install -q --no-index --no-deps .whl/mpich-*.whl >"$OUT/dist.txt" 2>&1
D=$(mktemp -d)
{
  for n in 1 2; do TENSORFORGE_BACKEND=cuda timeout 90 mpiexec -n $n python3 tools/gpu_dist_check.py collectives; echo "collectives -n $n rc $?"; done
  TENSORFORGE_BACKEND=cuda timeout 90 python3 tests/dist_worker.py train "$D/plain" --plain; echo "plain rc $?"
  for n in 1 2; do
    TENSORFORGE_BACKEND=cuda timeout 90 mpiexec -n $n python3 tests/dist_worker.py train "$D/r$n"; echo "train -n $n rc $?"
    python3 tools/gpu_dist_check.py compare "$D/plain" "$D/r$n" $n; echo "compare -n $n rc $?"
  done
} >>"$OUT/dist.txt" 2>&1
grep -E "rc |rank|GPU rank|Error|error" "$OUT/dist.txt" | cut -c1-240 | head -30
fi

if has sweep; then
stamp sweep
SWEEP_FILES=${SWEEP_FILES:-tests/test_models.py tests/test_training_api.py tests/test_engine.py \
  tests/test_functional.py tests/test_corpus2.py tests/test_corpus4.py tests/test_examples.py \
  tests/test_train_step.py tests/test_custom_step.py tests/test_callbacks_extra.py \
  tests/test_losses_metrics.py tests/test_subclassing.py tests/test_gradient_tape.py \
  tests/test_layers_keras.py}
TENSORFORGE_BACKEND=cuda timeout ${SWEEP_TIMEOUT:-240} python3 -m pytest -q -rfE -p no:cacheprovider -n 12 \
  --timeout 100 $SWEEP_FILES >"$OUT/sweep.txt" 2>&1
echo "sweep rc $?"
grep -E "^(FAILED|ERROR)" "$OUT/sweep.txt" | cut -c1-160 | head -30
grep -E "^E   " "$OUT/sweep.txt" | cut -c1-200 | sort | uniq -c | sort -rn | head -25
tail -1 "$OUT/sweep.txt"
fi

stamp done
if has bench; then tail -80 "$OUT/bench_cuda.md"; fi
