#!/usr/bin/env bash
# In-place development build: compiles the extensions with CMake into build/dev and copies them
# next to the Python sources, so `PYTHONPATH=python pytest` runs this checkout's code without
# pip-installing it. CUDA is off unless TF_CUDA=ON is in the environment.
#   tools/devbuild.sh            # CPU extension only
#   TF_CUDA=ON tools/devbuild.sh # also the CUDA extension (needs nvcc)
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache, when installed, makes rebuilds in several checkouts of the same tree cheap.
launcher=""
if command -v ccache > /dev/null; then launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"; fi
cmake -S . -B build/dev -G Ninja -DCMAKE_BUILD_TYPE=Release $launcher \
      -Dpybind11_DIR="$(python3 -m pybind11 --cmakedir)" -DTF_CUDA="${TF_CUDA:-OFF}" > /dev/null
cmake --build build/dev -j "$(nproc)"
# copy under a temporary name, then rename: overwriting the file in place would corrupt a process
# (a running test suite) that has the old library mapped
for so in build/dev/_C*.so; do
  cp "$so" "python/tensorforge/.$(basename "$so").tmp"
  mv -f "python/tensorforge/.$(basename "$so").tmp" "python/tensorforge/$(basename "$so")"
done
echo "devbuild: $(ls python/tensorforge/_C*.so | tr '\n' ' ')"
