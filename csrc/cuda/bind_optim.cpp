// Bindings for the optimizer updates on the GPU (kernels in optim.cu). Names, signatures and
// semantics are those of tensorforge.reference.optim: every function updates param and its state
// arrays IN PLACE and returns None. All arrays C-contiguous float32 of param's shape, param and
// state writable.
#include <cmath>
#include <string>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

CudaArray operand(const char* op, const char* arg, const py::handle& h, const CudaArray* like,
                  bool writable) {
  CudaArray a = cuda_array(op, arg, h);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  if (like) require_same_shape(op, arg, a, "param", *like);
  if (writable) require_writable(op, arg, a);
  return a;
}

void sgd_cuda(const py::object& p_obj, const py::object& g_obj, const py::object& v_obj, double lr,
              double momentum, bool nesterov) {
  const char* op = "sgd_update";
  CudaArray p = operand(op, "param", p_obj, nullptr, true), g = operand(op, "grad", g_obj, &p, false);
  float* v = nullptr;
  CudaArray va;
  if ((float)momentum != 0.0f) {
    if (v_obj.is_none()) value_error(op, "velocity is None but momentum = ", momentum, " != 0");
    va = operand(op, "velocity", v_obj, &p, true);
    v = va.ptr<float>();
  }
  sgd_update(current_stream(), p.size, p.ptr<float>(), g.ptr<const float>(), v, (float)lr,
             (float)momentum, nesterov);
}

void rmsprop_cuda(const py::object& p_obj, const py::object& g_obj, const py::object& ms_obj,
                  double lr, double rho, double eps) {
  const char* op = "rmsprop_update";
  CudaArray p = operand(op, "param", p_obj, nullptr, true), g = operand(op, "grad", g_obj, &p, false);
  CudaArray ms = operand(op, "ms", ms_obj, &p, true);
  rmsprop_update(current_stream(), p.size, p.ptr<float>(), g.ptr<const float>(), ms.ptr<float>(),
                 (float)lr, rho, (float)eps);
}

void adam_cuda(const py::object& p_obj, const py::object& g_obj, const py::object& m_obj,
               const py::object& v_obj, double lr, double beta1, double beta2, double eps, int64_t t) {
  const char* op = "adam_update";
  if (t < 1) value_error(op, "t (the step count) must be >= 1, got ", t);
  CudaArray p = operand(op, "param", p_obj, nullptr, true), g = operand(op, "grad", g_obj, &p, false);
  CudaArray m = operand(op, "m", m_obj, &p, true), v = operand(op, "v", v_obj, &p, true);
  // reference.optim.adam_lr_t, in float64
  const double lr_t = lr * std::sqrt(1.0 - std::pow(beta2, (double)t)) / (1.0 - std::pow(beta1, (double)t));
  adam_update(current_stream(), p.size, p.ptr<float>(), g.ptr<const float>(), m.ptr<float>(),
              v.ptr<float>(), (float)lr_t, beta1, beta2, (float)eps);
}

void adagrad_cuda(const py::object& p_obj, const py::object& g_obj, const py::object& acc_obj,
                  double lr, double eps) {
  const char* op = "adagrad_update";
  CudaArray p = operand(op, "param", p_obj, nullptr, true), g = operand(op, "grad", g_obj, &p, false);
  CudaArray acc = operand(op, "acc", acc_obj, &p, true);
  adagrad_update(current_stream(), p.size, p.ptr<float>(), g.ptr<const float>(), acc.ptr<float>(),
                 (float)lr, (float)eps);
}

}  // namespace

void bind_optim_cuda(pybind11::module_& m) {
  m.def("sgd_update", &sgd_cuda, py::arg("param"), py::arg("grad"), py::arg("velocity"),
        py::arg("lr"), py::arg("momentum") = 0.0, py::arg("nesterov") = false);
  m.def("rmsprop_update", &rmsprop_cuda, py::arg("param"), py::arg("grad"), py::arg("ms"),
        py::arg("lr"), py::arg("rho"), py::arg("eps"));
  m.def("adam_update", &adam_cuda, py::arg("param"), py::arg("grad"), py::arg("m"), py::arg("v"),
        py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("t"));
  m.def("adagrad_update", &adagrad_cuda, py::arg("param"), py::arg("grad"), py::arg("acc"),
        py::arg("lr"), py::arg("eps"));
}

}  // namespace tf
