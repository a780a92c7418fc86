// The running CPU's data caches, read once at first use (csrc/runtime/cpuinfo.cpp: CPUID leaf 4
// on Intel, leaf 0x8000001D on AMD, else Linux sysfs, else defaults). The GEMM's cache blocking
// (KC, MC, NC: Note [cache blocking] in csrc/cpu/gemm_blocking.h) is computed from these, so a new CPU
// needs no edit; backend_info() prints both.
#pragma once

namespace tf {

struct CpuCaches {
  long l1d = 0, l2 = 0, l3 = 0;    // bytes per cache instance
  int l2_sharing = 1, l3_sharing = 1;  // logical CPUs sharing one L2 / one L3
  int l1d_ways = 0, l2_ways = 0;    // associativity (8 where not reported)
  int line = 0;                     // cache line, bytes
  const char* source = "";          // "cpuid", "sysfs" or "default"
};

const CpuCaches& cpu_caches();

// The CPU's identity and the facts the kernels' ISA table needs.
struct CpuId {
  char vendor[13] = {0};  // "GenuineIntel", "AuthenticAMD", ...
  char brand[49] = {0};   // the model name
  int family = 0, model = 0;
  // AVX-512 executed as two 256-bit halves (AMD Zen 4, family 19h): 8-lane tiles reach the same
  // FLOP rate there, so kernels may pick them where they waste fewer lanes. Intel's AVX-512 cores
  // (two 512-bit FMA ports on server parts) and Zen 5 (family 1Ah, 512-bit datapath) run zmm
  // at full width.
  bool zmm_half_rate = false;
  // 256-bit FMA executed as two 128-bit halves (AMD Zen 1 / Zen+, family 17h models below 30h,
  // and Hygon's Zen 1 derivative): a ymm FMA takes a cycle per pipe pair, so the GEMM's packed
  // B panel can stream from L2 instead of staying in L1 (Note [cache blocking] in gemm_blocking.h).
  bool ymm_half_rate = false;
};

const CpuId& cpu_id();

}  // namespace tf
