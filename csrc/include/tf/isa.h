// Run-time CPU ISA dispatch.
//
// Every file in csrc/cpu/ is compiled three times (see CMakeLists.txt): with TF_ISA=generic
// (baseline flags), TF_ISA=avx2 (-mavx2 -mfma) and TF_ISA=avx512 (-mavx512f/dq/bw/vl). Each
// compilation puts its kernels in namespace tf::<isa>, so one source yields tf::generic::sgemm,
// tf::avx2::sgemm and tf::avx512::sgemm. Kernel headers declare a kernel for every ISA with
// TF_DECLARE_KERNEL and the bindings call it through TF_DISPATCH, which switches on the ISA picked
// at import (cpuid, overridable with TENSORFORGE_ISA=generic|avx2|avx512 or _C._set_isa()).
//
// Inside a kernel file, an unqualified call such as sgemm(...) resolves to the same ISA's
// namespace, so kernels compose (conv -> gemm) without going back through the dispatcher.
//
// Note [ISA table]: what each path runs and what is tuned per CPU at import (tf/cpuinfo.h).
//   avx512   sgemm 12x32 register tile (24 zmm accumulators). Intel server cores (two 512-bit FMA
//            ports) and AMD Zen 5 (family 1Ah, 512-bit datapath) run it at full width; AMD Zen 4
//            (family 19h) executes zmm as two 256-bit halves (CpuId::zmm_half_rate), so conv
//            picks 8-lane tiles where they waste fewer lanes (Note [Zen 4 zmm] in conv_impl.h).
//   avx2     AVX2 + FMA: sgemm 6x16 tile (12 ymm accumulators). Zen 1/2 run a 256-bit FMA as two
//            128-bit halves (16 fp32 FLOP/cycle), Haswell and later Intel cores at full width.
//   generic  portable C++ (4x8 tile) for any CPU; the compiler vectorizes for the baseline ISA.
// Per CPU, not per path: the GEMM's KC/MC/NC from the cache sizes (Note [cache blocking] in
// csrc/cpu/gemm_blocking.h) and the thread count (tf/parallel.h); backend_info() prints them.
#pragma once

namespace tf {

enum class Isa : int { generic = 0, avx2 = 1, avx512 = 2 };

Isa active_isa();          // the ISA the dispatchers use now
Isa best_supported_isa();  // best ISA this CPU (and this build) supports
bool set_active_isa(Isa);  // false if not supported by the CPU or not compiled in
const char* isa_name(Isa);

}  // namespace tf

// Declare `ret name params` in every ISA namespace (params in parentheses).
#define TF_DECLARE_KERNEL(ret, name, params) \
  namespace generic { ret name params; }     \
  namespace avx2 { ret name params; }        \
  namespace avx512 { ret name params; }

#if defined(TF_HAVE_ISA_avx512)
#define TF_ISA_CASE_AVX512(name, ...) \
  case ::tf::Isa::avx512:             \
    return ::tf::avx512::name(__VA_ARGS__);
#else
#define TF_ISA_CASE_AVX512(name, ...)
#endif
#if defined(TF_HAVE_ISA_avx2)
#define TF_ISA_CASE_AVX2(name, ...) \
  case ::tf::Isa::avx2:             \
    return ::tf::avx2::name(__VA_ARGS__);
#else
#define TF_ISA_CASE_AVX2(name, ...)
#endif

// Dispatchers defined in headers are `static inline`: internal linkage, so the copy compiled in a
// per-ISA object (with -mavx512f, say) can never be the one the linker keeps for the bindings.
// See Note [per-ISA inline functions] in common.h.
// Call the active ISA's version of a kernel: `TF_DISPATCH(sgemm, M, N, ...)`. Use with `return`.
#define TF_DISPATCH(name, ...)                      \
  switch (::tf::active_isa()) {                     \
    TF_ISA_CASE_AVX512(name, __VA_ARGS__)           \
    TF_ISA_CASE_AVX2(name, __VA_ARGS__)             \
    default:                                        \
      return ::tf::generic::name(__VA_ARGS__);      \
  }
