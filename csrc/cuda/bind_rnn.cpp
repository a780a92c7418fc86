// Bindings for the recurrent family on the GPU (launchers in rnn.cu, driver rnn_seq.h). Names,
// signatures and returned tuples are exactly tensorforge.reference.rnn's (its docstring is the
// specification) and _C's (csrc/bindings/rnn.cpp), on CuPy float32 arrays:
//   lstm_forward / lstm_backward, gru_forward / gru_backward,
//   simple_rnn_forward / simple_rnn_backward.
// Every array is checked here (float32, rank, shape against x and the recurrent kernel,
// C-contiguous, non-empty, on the current device); bias, h0, c0, mask may be None. Outputs and
// scratch come from CuPy's pool; the kernels run on CuPy's current stream.
#include <string>
#include <vector>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"
#include "tf/rnn_signatures.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

using Shape = std::vector<int64_t>;

// A float32, C-contiguous device array of exactly `shape` (what = layout words for the message).
CudaArray arg(const char* op, const char* name, const py::handle& h, const Shape& shape,
              const char* what) {
  CudaArray a = cuda_array(op, name, h);
  if (a.shape != shape)
    value_error(op, name, " must have shape ", what, " = ", cuda::shape_str(shape), ", got ",
                a.shape_str());
  require_c_contiguous(op, name, a);
  return a;
}

const float* opt(const char* op, const char* name, const py::object& h, const Shape& shape,
                 const char* what, CudaArray& keep) {
  if (h.is_none()) return nullptr;
  keep = arg(op, name, h, shape, what);
  return keep.ptr<const float>();
}

// What every function of the family starts with: the activations parsed (tf::RnnAct codes,
// tf/rnn.h: tanh 0, relu 1, sigmoid 2, hard_sigmoid 3), x (B, T, F) and the weights checked;
// recurrent_kernel (U, G*U) fixes U, kernel must be (F, G*U). rec_activation: nullptr for
// SimpleRNN (it has none).
struct Common {
  int act = 0, ract = 0;
  CudaArray x, kernel, rk;
  RnnSeqDims d{};
};

Common common(const char* op, int64_t G, const py::object& x_o, const py::object& kernel_o,
              const py::object& rk_o, const std::string& activation,
              const std::string* rec_activation) {
  Common c;
  if (activation == "tanh" || activation == "relu") c.act = activation == "tanh" ? 0 : 1;
  else value_error(op, "activation must be 'tanh' or 'relu', got '", activation, "'");
  if (rec_activation && *rec_activation != "sigmoid" && *rec_activation != "hard_sigmoid")
    value_error(op, "recurrent_activation must be 'sigmoid' or 'hard_sigmoid', got '",
                *rec_activation, "'");
  c.ract = rec_activation && *rec_activation == "hard_sigmoid" ? 3 : 2;
  c.x = cuda_array(op, "x", x_o);
  require_ndim(op, "x", c.x, 3, "(batch, time, features)");
  require_nonempty(op, "x", c.x);
  require_c_contiguous(op, "x", c.x);
  CudaArray r = cuda_array(op, "recurrent_kernel", rk_o);
  require_ndim(op, "recurrent_kernel", r, 2, "(units, G*units)");
  const int64_t U = r.shape[0];
  if (U == 0) value_error(op, "recurrent_kernel must not be empty, got shape ", r.shape_str());
  c.d = RnnSeqDims{c.x.shape[0], c.x.shape[1], c.x.shape[2], U};
  c.rk = arg(op, "recurrent_kernel", rk_o, {U, G * U}, "(units, G*units)");
  c.kernel = arg(op, "kernel", kernel_o, {c.d.F, G * U}, "(features, G*units)");
  return c;
}

Shape BTU(const RnnSeqDims& d, int64_t w = 1) { return {d.B, d.T, w * d.U}; }
Shape BU(const RnnSeqDims& d) { return {d.B, d.U}; }
Shape BT(const RnnSeqDims& d) { return {d.B, d.T}; }

// Scratch from CuPy's pool, kept alive until the binding returns (CuPy orders the reuse of freed
// blocks on the stream, so kernels still in flight keep their memory).
struct Pool {
  std::vector<CudaArray> held;
  ScratchAlloc alloc() {
    return [this](int64_t n) {
      held.push_back(cupy_empty({n}));
      return held.back().ptr<float>();
    };
  }
};

using Obj = const py::object&;
using Str = const std::string&;

Shape gru_bias_shape(const RnnSeqDims& d, bool reset_after) {
  if (reset_after) return {2, 3 * d.U};
  return {3 * d.U};
}

// ---- forward: (outputs, h_T, [c_T], gates | cand, h_prev, [c_prev | rec_h]) --------------------
py::tuple lstm_fwd(Obj x_o, Obj kernel_o, Obj rk_o, Obj bias_o, Obj h0_o, Obj c0_o, Obj mask_o,
                   bool go_backwards, Str activation, Str rec_activation) {
  const char* op = "lstm_forward";
  Common c = common(op, 4, x_o, kernel_o, rk_o, activation, &rec_activation);
  const RnnSeqDims& d = c.d;
  CudaArray bias, h0, c0, mask;
  const float* b = opt(op, "bias", bias_o, {4 * d.U}, "(4*units,)", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* cc = opt(op, "c0", c0_o, BU(d), "(batch, units)", c0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray out = cupy_empty(BTU(d)), hT = cupy_empty(BU(d)), cT = cupy_empty(BU(d));
  CudaArray gates = cupy_empty(BTU(d, 4)), hp = cupy_empty(BTU(d)), cp = cupy_empty(BTU(d));
  Pool pool;
  lstm_forward(current_stream(), pool.alloc(), d, c.x.ptr<const float>(), c.kernel.ptr<const float>(),
               c.rk.ptr<const float>(), b, h, cc, m, go_backwards, c.act, c.ract, out.ptr<float>(),
               hT.ptr<float>(), cT.ptr<float>(), gates.ptr<float>(), hp.ptr<float>(), cp.ptr<float>());
  return py::make_tuple(out.obj, hT.obj, cT.obj, gates.obj, hp.obj, cp.obj);
}

py::tuple gru_fwd(Obj x_o, Obj kernel_o, Obj rk_o, Obj bias_o, Obj h0_o, Obj mask_o,
                  bool go_backwards, bool reset_after, Str activation, Str rec_activation) {
  const char* op = "gru_forward";
  Common c = common(op, 3, x_o, kernel_o, rk_o, activation, &rec_activation);
  const RnnSeqDims& d = c.d;
  CudaArray bias, h0, mask;
  const float* b = opt(op, "bias", bias_o, gru_bias_shape(d, reset_after),
                       reset_after ? "(2, 3*units) for reset_after=True" : "(3*units,) for reset_after=False", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray out = cupy_empty(BTU(d)), hT = cupy_empty(BU(d));
  CudaArray gates = cupy_empty(BTU(d, 3)), hp = cupy_empty(BTU(d)), rh = cupy_empty(BTU(d));
  Pool pool;
  gru_forward(current_stream(), pool.alloc(), d, c.x.ptr<const float>(), c.kernel.ptr<const float>(),
              c.rk.ptr<const float>(), b, h, m, go_backwards, reset_after, c.act, c.ract,
              out.ptr<float>(), hT.ptr<float>(), gates.ptr<float>(), hp.ptr<float>(), rh.ptr<float>());
  return py::make_tuple(out.obj, hT.obj, gates.obj, hp.obj, rh.obj);
}

py::tuple simple_fwd(Obj x_o, Obj kernel_o, Obj rk_o, Obj bias_o, Obj h0_o, Obj mask_o,
                     bool go_backwards, Str activation) {
  const char* op = "simple_rnn_forward";
  Common c = common(op, 1, x_o, kernel_o, rk_o, activation, nullptr);
  const RnnSeqDims& d = c.d;
  CudaArray bias, h0, mask;
  const float* b = opt(op, "bias", bias_o, {d.U}, "(units,)", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  CudaArray out = cupy_empty(BTU(d)), hT = cupy_empty(BU(d));
  CudaArray cand = cupy_empty(BTU(d)), hp = cupy_empty(BTU(d));
  Pool pool;
  simple_rnn_forward(current_stream(), pool.alloc(), d, c.x.ptr<const float>(),
                     c.kernel.ptr<const float>(), c.rk.ptr<const float>(), b, h, m, go_backwards,
                     c.act, out.ptr<float>(), hT.ptr<float>(), cand.ptr<float>(), hp.ptr<float>());
  return py::make_tuple(out.obj, hT.obj, cand.obj, hp.obj);
}

// ---- backward: (dx, dkernel, drecurrent_kernel, dbias, dh0, [dc0]) ------------------------------
// The arrays every backward takes besides x and the weights: d_outputs, d_h_T, the saved gates
// (G*U wide; SimpleRNN's is named cand) and h_prev, one more saved (B, T, U) array (LSTM c_prev,
// GRU rec_h; none for SimpleRNN) and the mask; and the gradients every backward returns.
struct Backward {
  Common c;
  CudaArray dout, dhT, gates, hp, aux, mask;
  const float* m = nullptr;
  CudaArray dx, dk, drk, db, dh0;
  const float* in(const CudaArray& a) const { return a.ptr<const float>(); }
};

// bias_rows: 2 for GRU reset_after's (2, 3U) bias, else 1 ((G*U,)).
Backward backward_arrays(const char* op, Common c, int64_t G, Obj dout_o, Obj dhT_o,
                         const char* gates_name, Obj gates_o, Obj hp_o, const char* aux_name,
                         Obj aux_o, Obj mask_o, int bias_rows) {
  Backward b;
  const RnnSeqDims& d = c.d;
  const Shape bias_shape = bias_rows == 2 ? Shape{2, G * d.U} : Shape{G * d.U};
  const std::string gw = "(batch, time, " + std::to_string(G) + "*units)";
  b.dout = arg(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)");
  b.dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  b.gates = arg(op, gates_name, gates_o, BTU(d, G), gw.c_str());
  b.hp = arg(op, "h_prev", hp_o, BTU(d), "(batch, time, units)");
  if (aux_name) b.aux = arg(op, aux_name, aux_o, BTU(d), "(batch, time, units)");
  b.m = opt(op, "mask", mask_o, BT(d), "(batch, time)", b.mask);
  b.dx = cupy_empty({d.B, d.T, d.F});
  b.dk = cupy_empty({d.F, G * d.U});
  b.drk = cupy_empty({d.U, G * d.U});
  b.db = cupy_empty(bias_shape);
  b.dh0 = cupy_empty(BU(d));
  b.c = std::move(c);
  return b;
}

py::tuple lstm_bwd(Obj dout_o, Obj dhT_o, Obj dcT_o, Obj x_o, Obj kernel_o, Obj rk_o, Obj mask_o,
                   bool go_backwards, Str activation, Str rec_activation, Obj gates_o, Obj hp_o,
                   Obj cp_o) {
  const char* op = "lstm_backward";
  Backward b = backward_arrays(op, common(op, 4, x_o, kernel_o, rk_o, activation, &rec_activation),
                               4, dout_o, dhT_o, "gates", gates_o, hp_o, "c_prev", cp_o, mask_o, 1);
  const Common& c = b.c;
  CudaArray dcT = arg(op, "d_c_T", dcT_o, BU(c.d), "(batch, units)"), dc0 = cupy_empty(BU(c.d));
  Pool pool;
  lstm_backward(current_stream(), pool.alloc(), c.d, b.in(b.dout), b.in(b.dhT), b.in(dcT),
                b.in(c.x), b.in(c.kernel), b.in(c.rk), b.m, go_backwards, c.act, c.ract,
                b.in(b.gates), b.in(b.hp), b.in(b.aux), b.dx.ptr<float>(), b.dk.ptr<float>(),
                b.drk.ptr<float>(), b.db.ptr<float>(), b.dh0.ptr<float>(), dc0.ptr<float>());
  return py::make_tuple(b.dx.obj, b.dk.obj, b.drk.obj, b.db.obj, b.dh0.obj, dc0.obj);
}

py::tuple gru_bwd(Obj dout_o, Obj dhT_o, Obj x_o, Obj kernel_o, Obj rk_o, Obj mask_o,
                  bool go_backwards, bool reset_after, Str activation, Str rec_activation,
                  Obj gates_o, Obj hp_o, Obj rh_o) {
  const char* op = "gru_backward";
  Backward b = backward_arrays(op, common(op, 3, x_o, kernel_o, rk_o, activation, &rec_activation),
                               3, dout_o, dhT_o, "gates", gates_o, hp_o, "rec_h", rh_o, mask_o,
                               reset_after ? 2 : 1);
  const Common& c = b.c;
  Pool pool;
  gru_backward(current_stream(), pool.alloc(), c.d, b.in(b.dout), b.in(b.dhT), b.in(c.x),
               b.in(c.kernel), b.in(c.rk), b.m, go_backwards, reset_after, c.act, c.ract,
               b.in(b.gates), b.in(b.hp), b.in(b.aux), b.dx.ptr<float>(), b.dk.ptr<float>(),
               b.drk.ptr<float>(), b.db.ptr<float>(), b.dh0.ptr<float>());
  return py::make_tuple(b.dx.obj, b.dk.obj, b.drk.obj, b.db.obj, b.dh0.obj);
}

py::tuple simple_bwd(Obj dout_o, Obj dhT_o, Obj x_o, Obj kernel_o, Obj rk_o, Obj mask_o,
                     bool go_backwards, Str activation, Obj cand_o, Obj hp_o) {
  const char* op = "simple_rnn_backward";
  Backward b = backward_arrays(op, common(op, 1, x_o, kernel_o, rk_o, activation, nullptr), 1,
                               dout_o, dhT_o, "cand", cand_o, hp_o, nullptr, py::none(), mask_o, 1);
  const Common& c = b.c;
  Pool pool;
  simple_rnn_backward(current_stream(), pool.alloc(), c.d, b.in(b.dout), b.in(b.dhT), b.in(c.x),
                      b.in(c.kernel), b.in(c.rk), b.m, go_backwards, c.act, b.in(b.gates),
                      b.in(b.hp), b.dx.ptr<float>(), b.dk.ptr<float>(), b.drk.ptr<float>(),
                      b.db.ptr<float>(), b.dh0.ptr<float>());
  return py::make_tuple(b.dx.obj, b.dk.obj, b.drk.obj, b.db.obj, b.dh0.obj);
}

}  // namespace

void bind_rnn_cuda(pybind11::module_& m) {
  def_rnn_functions(m, &lstm_fwd, &lstm_bwd, &gru_fwd, &gru_bwd, &simple_fwd, &simple_bwd);
}

}  // namespace tf
