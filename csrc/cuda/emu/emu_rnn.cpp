// Runs the recurrent family's GPU code path on the CPU model in cuda_emu.h: the drivers of
// csrc/cuda/rnn_seq.h (the same sequence of GEMMs and launches rnn.cu issues), the cell kernels of
// rnn_kernels.cuh and the SGEMM kernel of gemm_kernel.cuh (through emu_sgemm.h's run_sgemm, with
// the tile / split-K plan of a pretended SM count). Unlike the other emu programs the verdict is
// not printed here: tests/test_cuda_emu.py writes the cases (inputs), runs this program and compares
// every output, saved arrays included, with python/tensorforge/reference/rnn.py in float64.
//
//   emu_rnn CASES OUT
// CASES: int64 n_cases, then per case int64[16] header
//   {cell (0 lstm, 1 gru, 2 simple_rnn), B, T, F, U, go_backwards, reset_after, act, rec_act,
//    has_bias, has_h0, has_c0, has_mask, sms, 0, 0}
// and float32 arrays x, kernel, recurrent_kernel, [bias], [h0], [c0], [mask], d_outputs, d_h_T,
// [d_c_T (lstm)]. OUT: per case the float32 forward outputs (reference.rnn's tuple order) then
// the backward outputs (fed the forward's saved arrays, as autograd does).
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "rnn_kernels.cuh"
#include "emu_sgemm.h"
#include "rnn_seq.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <memory>
#include <vector>

using namespace tf::cuda;

struct EmuExec {
  int sms;
  std::vector<std::unique_ptr<float[]>> bufs;

  float* scratch(long long n) {
    bufs.emplace_back(new float[(size_t)n]);
    for (long long i = 0; i < n; ++i) bufs.back()[i] = NAN;  // poisoned: must be written first
    return bufs.back().get();
  }
  void gemm(long long M, long long N, long long K, const float* A, long long rsA, long long csA,
            const float* B, long long rsB, long long csB, float beta, float* C, long long ldc,
            const float* bias) {
    int which[4];
    run_sgemm(M, N, K, 1.0f, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, false, sms, which);
  }
  // 64 threads per block and at most 3 blocks, so the grid-stride loops wrap (any launch shape is
  // legal for these kernels; rnn.cu uses 256 threads and enough blocks to cover n).
  template <class... P, class... A>
  void launch(long long n, void (*kernel)(P...), A... args) {
    if (n <= 0) return;
    const unsigned blocks = (unsigned)std::min<long long>((n + 63) / 64, 3);
    emu::launch(dim3(blocks), dim3(64), [&] { kernel(args...); });
  }
};

struct Reader {
  FILE* f;
  long long i64() {
    long long v;
    if (std::fread(&v, 8, 1, f) != 1) throw std::runtime_error("short read");
    return v;
  }
  std::vector<float> floats(long long n) {
    std::vector<float> v((size_t)n);
    if (n && std::fread(v.data(), 4, (size_t)n, f) != (size_t)n) throw std::runtime_error("short read");
    return v;
  }
};

static std::vector<float> poisoned(long long n) { return std::vector<float>((size_t)n, NAN); }

static void put(FILE* f, const std::vector<float>& v) { std::fwrite(v.data(), 4, v.size(), f); }

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: emu_rnn CASES OUT\n");
    return 2;
  }
  Reader in{std::fopen(argv[1], "rb")};
  FILE* out = std::fopen(argv[2], "wb");
  if (!in.f || !out) return 2;
  const long long n_cases = in.i64();
  for (long long c = 0; c < n_cases; ++c) {
    long long h[16];
    for (auto& v : h) v = in.i64();
    const int cell = (int)h[0];
    const long long B = h[1], T = h[2], F = h[3], U = h[4];
    const bool gb = h[5], ra = h[6];
    const int act = (int)h[7], ract = (int)h[8];
    const long long G = cell == 0 ? 4 : cell == 1 ? 3 : 1;
    const long long nbias = cell == 1 && ra ? 2 * G * U : G * U;
    auto x = in.floats(B * T * F), kernel = in.floats(F * G * U), rk = in.floats(U * G * U);
    auto bias = h[9] ? in.floats(nbias) : std::vector<float>();
    auto h0 = h[10] ? in.floats(B * U) : std::vector<float>();
    auto c0 = (cell == 0 && h[11]) ? in.floats(B * U) : std::vector<float>();
    auto mask = h[12] ? in.floats(B * T) : std::vector<float>();
    auto dout = in.floats(B * T * U), dhT = in.floats(B * U);
    auto dcT = cell == 0 ? in.floats(B * U) : std::vector<float>();
    auto P = [](const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); };
    EmuExec ex{(int)h[13], {}};
    const RnnSeqDims d{B, T, F, U};
    auto o = poisoned(B * T * U), hT = poisoned(B * U), cT = poisoned(B * U);
    auto gates = poisoned(B * T * G * U), hp = poisoned(B * T * U), aux = poisoned(B * T * U);
    auto dx = poisoned(B * T * F), dk = poisoned(F * G * U), drk = poisoned(U * G * U);
    auto db = poisoned(nbias), dh0 = poisoned(B * U), dc0 = poisoned(B * U);
    if (cell == 0) {
      lstm_forward_seq(ex, d, x.data(), kernel.data(), rk.data(), P(bias), P(h0), P(c0), P(mask), gb,
                       act, ract, o.data(), hT.data(), cT.data(), gates.data(), hp.data(), aux.data());
      lstm_backward_seq(ex, d, dout.data(), dhT.data(), dcT.data(), x.data(), kernel.data(),
                        rk.data(), P(mask), gb, act, ract, gates.data(), hp.data(), aux.data(),
                        dx.data(), dk.data(), drk.data(), db.data(), dh0.data(), dc0.data());
      for (auto* v : {&o, &hT, &cT, &gates, &hp, &aux, &dx, &dk, &drk, &db, &dh0, &dc0}) put(out, *v);
    } else if (cell == 1) {
      gru_forward_seq(ex, d, x.data(), kernel.data(), rk.data(), P(bias), P(h0), P(mask), gb, ra,
                      act, ract, o.data(), hT.data(), gates.data(), hp.data(), aux.data());
      gru_backward_seq(ex, d, dout.data(), dhT.data(), x.data(), kernel.data(), rk.data(), P(mask),
                       gb, ra, act, ract, gates.data(), hp.data(), aux.data(), dx.data(), dk.data(),
                       drk.data(), db.data(), dh0.data());
      for (auto* v : {&o, &hT, &gates, &hp, &aux, &dx, &dk, &drk, &db, &dh0}) put(out, *v);
    } else {
      simple_rnn_forward_seq(ex, d, x.data(), kernel.data(), rk.data(), P(bias), P(h0), P(mask), gb,
                             act, o.data(), hT.data(), gates.data(), hp.data());
      simple_rnn_backward_seq(ex, d, dout.data(), dhT.data(), x.data(), kernel.data(), rk.data(),
                              P(mask), gb, act, gates.data(), hp.data(), dx.data(), dk.data(),
                              drk.data(), db.data(), dh0.data());
      for (auto* v : {&o, &hT, &gates, &hp, &dx, &dk, &drk, &db, &dh0}) put(out, *v);
    }
  }
  std::fclose(out);
  std::printf("ran %lld cases\n", n_cases);
  return 0;
}
