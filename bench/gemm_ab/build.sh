#!/bin/bash
# Builds /tmp/gemm_ab/ab (OUT): BASE's gemm.cpp + runtime (a checkout, default /work/main) renamed into
# namespace tfm, and NEW's (default: this checkout) as is, avx2 flags as in CMakeLists.txt.
#   bench/gemm_ab/build.sh [BASE] [NEW] && /tmp/gemm_ab/ab M K N trans_a trans_b [rounds]
set -e
BASE=${1:-/work/main}
NEW=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${OUT:-/tmp/gemm_ab}
mkdir -p "$OUT"
FL="-O3 -fno-math-errno -fno-trapping-math -mavx2 -mfma -mf16c -DTF_ISA=avx2 -DTF_ISA_avx2=1 -pthread"
g++ $FL -Dtf=tfm -I$BASE/csrc/include -c $BASE/csrc/cpu/gemm.cpp -o $OUT/m_gemm.o
g++ $FL -I$NEW/csrc/include -c $NEW/csrc/cpu/gemm.cpp -o $OUT/n_gemm.o
for f in parallel cpuinfo; do
  g++ -O3 -pthread -Dtf=tfm -I$BASE/csrc/include -c $BASE/csrc/runtime/$f.cpp -o $OUT/m_$f.o
  g++ -O3 -pthread -I$NEW/csrc/include -c $NEW/csrc/runtime/$f.cpp -o $OUT/n_$f.o
done
g++ -O2 -c "$(dirname "$0")/harness.cpp" -o $OUT/harness.o
g++ -pthread $OUT/harness.o $OUT/m_*.o $OUT/n_*.o -o $OUT/ab
echo "built $OUT/ab"
