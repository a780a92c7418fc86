#!/usr/bin/env bash
# ASan + UBSan run: builds the CPU extension with -DTF_SANITIZE=ON into build/asan, assembles a
# copy of the package with it in build/asan/pkg (the in-place dev build is left alone), and runs
# the op tests and the fuzz sweep against it once per ISA path, each forced with TENSORFORGE_ISA
# (default: the paths built, TF_SANITIZE_ISAS="generic;avx2": this CPU's AVX2 kernels and the
# portable ones; a path the CPU lacks is skipped). Any finding aborts the process: the run fails.
#   tools/sanitize.sh                 # op tests + fuzz sweep (default TENSORFORGE_FUZZ_CASES)
#   tools/sanitize.sh tests/test_gemm.py   # other test files instead
#   TF_SANITIZE_RUN_ISAS=avx2 tools/sanitize.sh   # one path only
# Not part of .ci/run: the instrumented build alone takes 10+ minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=""
if command -v ccache > /dev/null; then launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"; fi
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTF_SANITIZE=ON $launcher \
      -DTF_SANITIZE_ISAS="${TF_SANITIZE_ISAS:-generic;avx2}" \
      -Dpybind11_DIR="$(python3 -m pybind11 --cmakedir)" -DTF_CUDA=OFF > /dev/null
cmake --build build/asan -j "${TF_JOBS:-$(nproc)}"
rm -rf build/asan/pkg && mkdir -p build/asan/pkg
cp -r python/tensorforge build/asan/pkg/
rm -f build/asan/pkg/tensorforge/_C*.so
cp build/asan/_C*.so build/asan/pkg/tensorforge/
CXX="${CXX:-g++}"
export LD_PRELOAD="$($CXX -print-file-name=libasan.so):$($CXX -print-file-name=libubsan.so)"
# Python itself leaks by design at exit; everything else is fatal.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export PYTHONPATH="$PWD/build/asan/pkg"
# Arrays through malloc/free, not the large-block cache (Note [large array page faults]): ASan
# then sees a use-after-free of a large array too
export TENSORFORGE_ALLOC_CACHE=0
export TENSORFORGE_FUZZ_HANG_S="${TENSORFORGE_FUZZ_HANG_S:-300}"
if [ "$#" -gt 0 ]; then
  tests=("$@")
else
  tests=(tests/test_gemm.py tests/test_conv.py tests/test_conv_winograd.py
         tests/test_conv_strided.py tests/test_conv_depthwise.py tests/test_pool.py tests/test_pointwise.py
         tests/test_rnn.py tests/test_optim.py tests/test_reliability.py tests/test_fuzz.py)
fi
python3 -c "import tensorforge, sys; assert 'build/asan/pkg' in tensorforge.__file__, tensorforge.__file__"
supported="$(python3 -c "from tensorforge import _C; print(' '.join(_C.supported_isas()))")"
run_isas="${TF_SANITIZE_RUN_ISAS:-${TF_SANITIZE_ISAS:-generic;avx2}}"
for isa in ${run_isas//;/ }; do
  case " $supported " in
    *" $isa "*) ;;
    *) echo "sanitize: $isa is not built or not supported by this CPU; skipped"; continue ;;
  esac
  echo "sanitize: ISA path $isa"
  TENSORFORGE_ISA="$isa" python3 -c "from tensorforge import _C; assert _C.isa() == '$isa', _C.isa()"
  TENSORFORGE_ISA="$isa" python3 -m pytest -q -p no:cacheprovider "${tests[@]}"
done
