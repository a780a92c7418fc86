// Bindings for the embedding lookup on the GPU (kernels in embedding.cu). Names, signatures and
// semantics are those of tensorforge.reference.embedding (its docstring), on CuPy arrays:
//   embedding_forward(table, ids) -> y            table (V, D) float32, ids int32/int64
//   embedding_backward(dy, ids, V) -> dtable      deterministic: a stable argsort of the ids (CuPy)
// The ids' range is not checked here (a device->host copy per step); an id outside [0, V) reads
// and writes nothing (a zero row forward, no contribution backward).
#include <cstdint>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

CudaArray get_ids(const char* op, const py::handle& h, bool& ids64) {
  CudaArray a = cuda_array(op, "ids", h, nullptr);
  if (a.typestr != "<i4" && a.typestr != "<i8")
    type_error(op, "ids must be int32 or int64, got ", dtype_name(a.typestr), " with shape ", a.shape_str());
  require_c_contiguous(op, "ids", a);
  ids64 = a.typestr == "<i8";
  return a;
}

py::object forward(const py::object& table_o, const py::object& ids_o) {
  const char* op = "embedding_forward";
  CudaArray table = cuda_array(op, "table", table_o);
  require_ndim(op, "table", table, 2, "(V, D)");
  require_nonempty(op, "table", table);
  require_c_contiguous(op, "table", table);
  bool ids64 = false;
  CudaArray ids = get_ids(op, ids_o, ids64);
  std::vector<int64_t> shape = ids.shape;
  shape.push_back(table.shape[1]);
  CudaArray y = cupy_empty(shape);
  embedding_forward(current_stream(), table.shape[0], table.shape[1], ids.size, table.ptr<const float>(),
                    ids.data, ids64, y.ptr<float>());
  return y.obj;
}

py::object backward(const py::object& dy_o, const py::object& ids_o, int64_t V) {
  const char* op = "embedding_backward";
  if (V < 1) value_error(op, "V (the table's rows) must be >= 1, got ", V);
  CudaArray dy = cuda_array(op, "dy", dy_o);
  require_c_contiguous(op, "dy", dy);
  bool ids64 = false;
  CudaArray ids = get_ids(op, ids_o, ids64);
  bool ok = dy.ndim() == ids.ndim() + 1;
  for (int d = 0; ok && d < ids.ndim(); ++d) ok = dy.shape[d] == ids.shape[d];
  if (!ok || dy.shape.back() < 1)
    value_error(op, "dy must have shape ids.shape + (D,) with D >= 1, got dy ", dy.shape_str(),
                " for ids ", ids.shape_str());
  const int64_t D = dy.shape.back();
  CudaArray dt = cupy_empty({V, D});
  CudaArray order;
  if (ids.size > 0) {
    // Note [deterministic scatter, GPU]: CuPy's argsort is stable (a radix sort).
    py::object o = cupy_module().attr("argsort")(ids.obj.attr("ravel")());
    order = cuda_array(op, "order", o, "<i8");
  }
  embedding_backward(current_stream(), V, D, ids.size, dy.ptr<const float>(), ids.data, ids64,
                     ids.size > 0 ? order.ptr<const int64_t>() : nullptr, dt.ptr<float>());
  return dt.obj;
}

}  // namespace

void bind_embedding_cuda(pybind11::module_& m) {
  m.def("embedding_forward", &forward, py::arg("table"), py::arg("ids"));
  m.def("embedding_backward", &backward, py::arg("dy"), py::arg("ids"), py::arg("V"));
}

}  // namespace tf
