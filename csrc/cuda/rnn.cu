// Recurrent family on the GPU: the executor that runs rnn_seq.h's drivers with CUDA launches on
// the caller's stream (CuPy's current stream) and our SGEMM (gemm.cu). Twin of csrc/cpu/rnn_*.cpp;
// cell kernels in rnn_kernels.cuh; contract in tf/cuda_kernels.h and tf/rnn.h.
// Every launch is checked (TF_CUDA_LAUNCH_CHECK inside launch() and sgemm()).
#include <algorithm>
#include <cstdint>

#include "rnn_kernels.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"
#include "rnn_seq.h"

namespace tf {
namespace cuda {
namespace {

struct CudaExec {
  cudaStream_t stream;
  const ScratchAlloc& alloc;
  float* ws = nullptr;  // split-K workspace, grown on demand (a few times per call at most)
  int64_t ws_floats = 0;

  float* scratch(long long n) { return alloc(std::max<long long>(n, 1)); }

  void gemm(long long M, long long N, long long K, const float* A, long long rsA, long long csA,
            const float* B, long long rsB, long long csB, float beta, float* C, long long ldc,
            const float* bias) {
    const int64_t need = sgemm_workspace_floats(M, N, K);
    if (need > ws_floats) {
      ws = alloc(need);
      ws_floats = need;
    }
    sgemm(stream, M, N, K, 1.0f, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, false,
          need > 0 ? ws : nullptr);
  }

  template <class... P, class... A>
  void launch(long long n, void (*kernel)(P...), A... args) {
    if (n <= 0) return;
    const long long blocks = std::min<long long>((n + rnn::THREADS - 1) / rnn::THREADS, 1 << 16);
    kernel<<<(unsigned)blocks, rnn::THREADS, 0, stream>>>(args...);
    TF_CUDA_LAUNCH_CHECK();
  }
};

}  // namespace

void lstm_forward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                  const float* x, const float* kernel, const float* rk, const float* bias,
                  const float* h0, const float* c0, const float* mask, bool go_backwards, int act,
                  int rec_act, float* out, float* h_T, float* c_T, float* gates, float* h_prev,
                  float* c_prev) {
  CudaExec ex{stream, alloc};
  lstm_forward_seq(ex, d, x, kernel, rk, bias, h0, c0, mask, go_backwards, act, rec_act, out, h_T,
                   c_T, gates, h_prev, c_prev);
}

void lstm_backward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                   const float* d_out, const float* d_h_T, const float* d_c_T, const float* x,
                   const float* kernel, const float* rk, const float* mask, bool go_backwards,
                   int act, int rec_act, const float* gates, const float* h_prev,
                   const float* c_prev, float* dx, float* dkernel, float* drk, float* dbias,
                   float* dh0, float* dc0) {
  CudaExec ex{stream, alloc};
  lstm_backward_seq(ex, d, d_out, d_h_T, d_c_T, x, kernel, rk, mask, go_backwards, act, rec_act,
                    gates, h_prev, c_prev, dx, dkernel, drk, dbias, dh0, dc0);
}

void gru_forward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                 const float* x, const float* kernel, const float* rk, const float* bias,
                 const float* h0, const float* mask, bool go_backwards, bool reset_after, int act,
                 int rec_act, float* out, float* h_T, float* gates, float* h_prev, float* rec_h) {
  CudaExec ex{stream, alloc};
  gru_forward_seq(ex, d, x, kernel, rk, bias, h0, mask, go_backwards, reset_after, act, rec_act,
                  out, h_T, gates, h_prev, rec_h);
}

void gru_backward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                  const float* d_out, const float* d_h_T, const float* x, const float* kernel,
                  const float* rk, const float* mask, bool go_backwards, bool reset_after, int act,
                  int rec_act, const float* gates, const float* h_prev, const float* rec_h,
                  float* dx, float* dkernel, float* drk, float* dbias, float* dh0) {
  CudaExec ex{stream, alloc};
  gru_backward_seq(ex, d, d_out, d_h_T, x, kernel, rk, mask, go_backwards, reset_after, act,
                   rec_act, gates, h_prev, rec_h, dx, dkernel, drk, dbias, dh0);
}

void simple_rnn_forward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                        const float* x, const float* kernel, const float* rk, const float* bias,
                        const float* h0, const float* mask, bool go_backwards, int act, float* out,
                        float* h_T, float* cand, float* h_prev) {
  CudaExec ex{stream, alloc};
  simple_rnn_forward_seq(ex, d, x, kernel, rk, bias, h0, mask, go_backwards, act, out, h_T, cand,
                         h_prev);
}

void simple_rnn_backward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                         const float* d_out, const float* d_h_T, const float* x,
                         const float* kernel, const float* rk, const float* mask,
                         bool go_backwards, int act, const float* cand, const float* h_prev,
                         float* dx, float* dkernel, float* drk, float* dbias, float* dh0) {
  CudaExec ex{stream, alloc};
  simple_rnn_backward_seq(ex, d, d_out, d_h_T, x, kernel, rk, mask, go_backwards, act, cand,
                          h_prev, dx, dkernel, drk, dbias, dh0);
}

}  // namespace cuda
}  // namespace tf
