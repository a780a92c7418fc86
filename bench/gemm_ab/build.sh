#!/bin/bash
# Builds /tmp/gemm_ab/ab (OUT): BASE's csrc/cpu/gemm*.cpp + runtime (a checkout, default /work/main) renamed into
# namespace tfm, and NEW's (default: this checkout) as is, ISA (avx2, default, or avx512) flags as
# in CMakeLists.txt.
#   [ISA=avx512] bench/gemm_ab/build.sh [BASE] [NEW] && /tmp/gemm_ab/ab M K N trans_a trans_b [rounds]
set -e
BASE=${1:-/work/main}
NEW=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${OUT:-/tmp/gemm_ab}
mkdir -p "$OUT"
ISA=${ISA:-avx2}
case $ISA in
  avx2) IFL="-mavx2 -mfma -mf16c" ;;
  avx512) IFL="-mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma -mf16c" ;;
  *) echo "ISA avx2 or avx512" >&2; exit 1 ;;
esac
FL="-O3 -fno-math-errno -fno-trapping-math $IFL -DTF_ISA=$ISA -DTF_ISA_$ISA=1 -pthread"
rm -f $OUT/m_*.o $OUT/n_*.o
# gemm.cpp and, since gemm9, its split-out paths (gemm_packed.cpp, gemm_unpacked.cpp, gemm_small.cpp)
for f in $BASE/csrc/cpu/gemm*.cpp; do
  g++ $FL -Dtf=tfm -I$BASE/csrc/include -c $f -o $OUT/m_$(basename $f .cpp).o
done
for f in $NEW/csrc/cpu/gemm*.cpp; do
  g++ $FL ${NEWFL:-} -I$NEW/csrc/include -c $f -o $OUT/n_$(basename $f .cpp).o
done
for f in parallel cpuinfo; do
  g++ -O3 -pthread -Dtf=tfm -I$BASE/csrc/include -c $BASE/csrc/runtime/$f.cpp -o $OUT/m_$f.o
  g++ -O3 -pthread -I$NEW/csrc/include -c $NEW/csrc/runtime/$f.cpp -o $OUT/n_$f.o
done
g++ -O2 -DAB_ISA=$ISA -c "$(dirname "$0")/harness.cpp" -o $OUT/harness.o
g++ -pthread $OUT/harness.o $OUT/m_*.o $OUT/n_*.o -o $OUT/ab
echo "built $OUT/ab"
