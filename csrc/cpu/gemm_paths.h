// Private to csrc/cpu/gemm*.cpp (compiled once per ISA): the GEMM's paths, each a predicate
// (use_X: does the path take this problem) and a driver (X_run: the loops over the kernel
// interface of gemm_kernel.h, threads from tf/parallel.h), chosen per call by gemm_run
// (gemm.cpp). Defined in gemm_packed.cpp (packed, panel), gemm_unpacked.cpp (unpacked) and
// gemm_small.cpp (short K, dot, stream), each explicitly instantiated there for SKernel and
// DKernel.
#pragma once
#include "gemm_blocking.h"
#include "gemm_kernel.h"

#ifndef TF_ISA
#error "gemm_paths.h is for csrc/cpu/gemm*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {
namespace gemm_impl {

template <class K> void packed_run(const Problem<K>& p, int nt);   // the BLIS loops
template <class K> bool use_panel(const Problem<K>& p);            // few rows
template <class K> void panel_run(const Problem<K>& p, int nt);
template <class K> bool use_unpacked(const Problem<K>& p, int nt); // B read in place
template <class K> void unpacked_run(const Problem<K>& p, int nt);
template <class K> bool use_short_k(const Problem<K>& p);          // K <= 8
template <class K> void short_k_run(const Problem<K>& p, int nt);
template <class K> bool use_dot(const Problem<K>& p);              // tiny outputs, long K
template <class K> void dot_run(const Problem<K>& p, int nt);
template <class K> bool use_stream(const Problem<K>& p);           // few rows times B^T
template <class K> void stream_run(const Problem<K>& p, int nt);

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
