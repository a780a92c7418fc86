// Bindings for the optim family (kernels in csrc/cpu/optim.cpp, contract in tf/optim.h). Same
// names and signatures as python/tensorforge/reference/optim.py; every function updates param and
// its state arrays IN PLACE and returns None:
//
//   sgd_update(param, grad, velocity, lr, momentum, nesterov)     velocity may be None if momentum == 0
//   rmsprop_update(param, grad, ms, lr, rho, eps)
//   adam_update(param, grad, m, v, lr, beta1, beta2, eps, t)      t = step count, from 1
//   adagrad_update(param, grad, acc, lr, eps)
//
// param and the state arrays must be float32, C-contiguous, writable, aligned, non-empty, of one
// shape and share no memory (Note [optimizer aliasing]); grad float32 C-contiguous of the same shape. Adam's lr_t and the complements 1 - rho,
// 1 - beta are computed in float64 (Note [1 - beta] in tf/optim.h).
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "tf/bind_util.h"
#include "tf/optim.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

void same_shape(const char* op, const char* an, const py::array& a, const char* bn,
                const py::array& b) {
  bool same = a.ndim() == b.ndim();
  for (py::ssize_t d = 0; same && d < a.ndim(); ++d) same = a.shape(d) == b.shape(d);
  if (!same)
    value_error(op, an, " must have the shape of ", bn, " ", shape_str(b), ", got ", shape_str(a));
}

// param: float32, C-contiguous, writable, aligned, non-empty.
py::array param_array(const char* op, const py::handle& h) {
  py::array p = as_inplace_array<float>(op, "param", h);
  require_c_contiguous(op, "param", p);
  require_writable(op, "param", p);
  require_nonempty(op, "param", p);
  return p;
}

// A state array (updated in place): shaped like param, C-contiguous, writable, aligned.
py::array state_array(const char* op, const char* arg, const py::handle& h, const py::array& p) {
  py::array a = as_inplace_array<float>(op, arg, h);
  same_shape(op, arg, a, "param", p);
  require_c_contiguous(op, arg, a);
  require_writable(op, arg, a);
  return a;
}

// Note [optimizer aliasing]: the kernels stream param and its state arrays element by element,
// so two written arrays that share ANY memory (the same buffer, or offset views of one buffer)
// would give wrong values. Every pair of written arrays is checked by byte range (the
// numpy.may_share_memory test) and refused with a ValueError naming both. grad is only read:
// when it shares memory with a written array it is read from a copy.
void distinct(const char* op, const std::vector<std::pair<const char*, py::array*>>& written) {
  for (size_t i = 0; i < written.size(); ++i)
    for (size_t j = i + 1; j < written.size(); ++j)
      if (overlaps(*written[i].second, *written[j].second))
        value_error(op, written[j].first, " must not share memory with ", written[i].first,
                    " (both are updated in place)");
}

py::array grad_array(const char* op, const py::handle& h, const py::array& p,
                     const std::vector<std::pair<const char*, py::array*>>& written) {
  py::array g = as_array<float>(op, "grad", h);
  same_shape(op, "grad", g, "param", p);
  require_c_contiguous(op, "grad", g);
  for (auto& w : written)
    if (overlaps(g, *w.second)) return aligned_copy(g);
  return g;
}

float* fptr(py::array& a) { return static_cast<float*>(a.mutable_data()); }
const float* cptr(const py::array& a) { return static_cast<const float*>(a.data()); }

}  // namespace

void bind_optim(pybind11::module_& m) {
  m.def(
      "sgd_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& vel_obj,
         double lr, double momentum, bool nesterov) {
        const char* op = "sgd_update";
        py::array p = param_array(op, param_obj);
        py::array v;
        float* V = nullptr;
        std::vector<std::pair<const char*, py::array*>> written{{"param", &p}};
        if (momentum != 0.0) {
          if (vel_obj.is_none()) value_error(op, "velocity is None but momentum = ", momentum);
          v = state_array(op, "velocity", vel_obj, p);
          written.push_back({"velocity", &v});
          distinct(op, written);
          V = fptr(v);
        }
        py::array g = grad_array(op, grad_obj, p, written);
        index_t n = p.size();
        float* P = fptr(p);
        const float* G = cptr(g);
        {
          py::gil_scoped_release nogil;
          sgd_update(n, P, G, V, (float)lr, (float)momentum, nesterov);
        }
      },
      py::arg("param"), py::arg("grad"), py::arg("velocity"), py::arg("lr"), py::arg("momentum"),
      py::arg("nesterov"), "Keras 2 SGD step, in place");

  m.def(
      "rmsprop_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& ms_obj,
         double lr, double rho, double eps) {
        const char* op = "rmsprop_update";
        if (!(rho >= 0.0 && rho <= 1.0)) value_error(op, "rho must be in [0, 1], got ", rho);
        py::array p = param_array(op, param_obj);
        py::array ms = state_array(op, "ms", ms_obj, p);
        std::vector<std::pair<const char*, py::array*>> written{{"param", &p}, {"ms", &ms}};
        distinct(op, written);
        py::array g = grad_array(op, grad_obj, p, written);
        index_t n = p.size();
        float *P = fptr(p), *MS = fptr(ms);
        const float* G = cptr(g);
        {
          py::gil_scoped_release nogil;
          rmsprop_update(n, P, G, MS, (float)lr, (float)rho, (float)(1.0 - rho), (float)eps);
        }
      },
      py::arg("param"), py::arg("grad"), py::arg("ms"), py::arg("lr"), py::arg("rho"),
      py::arg("eps"), "Keras 2 RMSprop step, in place");

  m.def(
      "adam_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& m_obj,
         const py::object& v_obj, double lr, double beta1, double beta2, double eps, long long t) {
        const char* op = "adam_update";
        if (t < 1) value_error(op, "t (the step count) must be >= 1, got ", t);
        // 1 - beta1^t divides the step: beta1 = 1 would make every update NaN
        if (!(beta1 >= 0.0 && beta1 < 1.0)) value_error(op, "beta1 must be in [0, 1), got ", beta1);
        if (!(beta2 >= 0.0 && beta2 <= 1.0)) value_error(op, "beta2 must be in [0, 1], got ", beta2);
        py::array p = param_array(op, param_obj);
        py::array mm = state_array(op, "m", m_obj, p);
        py::array vv = state_array(op, "v", v_obj, p);
        std::vector<std::pair<const char*, py::array*>> written{{"param", &p}, {"m", &mm}, {"v", &vv}};
        distinct(op, written);
        py::array g = grad_array(op, grad_obj, p, written);
        const double lr_t =
            lr * std::sqrt(1.0 - std::pow(beta2, (double)t)) / (1.0 - std::pow(beta1, (double)t));
        index_t n = p.size();
        float *P = fptr(p), *M = fptr(mm), *V = fptr(vv);
        const float* G = cptr(g);
        {
          py::gil_scoped_release nogil;
          adam_update(n, P, G, M, V, (float)lr_t, (float)beta1, (float)(1.0 - beta1), (float)beta2,
                      (float)(1.0 - beta2), (float)eps);
        }
      },
      py::arg("param"), py::arg("grad"), py::arg("m"), py::arg("v"), py::arg("lr"),
      py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("t"),
      "Keras 2 Adam step, in place");

  m.def(
      "adagrad_update",
      [](const py::object& param_obj, const py::object& grad_obj, const py::object& acc_obj,
         double lr, double eps) {
        const char* op = "adagrad_update";
        py::array p = param_array(op, param_obj);
        py::array acc = state_array(op, "acc", acc_obj, p);
        std::vector<std::pair<const char*, py::array*>> written{{"param", &p}, {"acc", &acc}};
        distinct(op, written);
        py::array g = grad_array(op, grad_obj, p, written);
        index_t n = p.size();
        float *P = fptr(p), *A = fptr(acc);
        const float* G = cptr(g);
        {
          py::gil_scoped_release nogil;
          adagrad_update(n, P, G, A, (float)lr, (float)eps);
        }
      },
      py::arg("param"), py::arg("grad"), py::arg("acc"), py::arg("lr"), py::arg("eps"),
      "Keras 2 Adagrad step, in place");
}

}  // namespace tf
