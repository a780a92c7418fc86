// CuPy arrays at the boundary of the _C_cuda module (pybind11 side only; kernels never see this).
//
// An argument is accepted when it exposes `__cuda_array_interface__` (CuPy, PyTorch CUDA tensors,
// Numba device arrays all do): the data pointer, the shape, the strides in bytes (None means
// C-contiguous), the typestr ('<f4' for float32) and the read-only flag are read from it. Every
// check raises TypeError (wrong type or dtype) or ValueError (rank, shape, strides, read-only,
// another device, empty) naming the op, the argument and the shape, like tf/bind_util.h does for
// NumPy arrays.
//
// Outputs are allocated by calling `cupy.empty(...)` from C++, so device memory comes from CuPy's
// memory pool and the returned object is an ordinary cupy.ndarray. Kernels are launched on CuPy's
// current stream (`cupy.cuda.get_current_stream().ptr`), which is where CuPy ordered the work that
// produced the inputs, so no synchronisation is needed (the interface's optional 'stream' entry is
// the producer's stream, the same one when the producer is CuPy in this thread).
#pragma once
#include <cuda_runtime.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tf/bind_util.h"
#include "tf/cuda_check.h"

namespace tf {
namespace cuda {
namespace py = pybind11;
using bind::type_error;
using bind::value_error;

inline std::string shape_str(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) s << ",";
  s << ")";
  return s.str();
}

inline const char* typestr_name(const std::string& t) {
  if (t == "<f4") return "float32";
  if (t == "<f8") return "float64";
  if (t == "<f2") return "float16";
  if (t == "<i4") return "int32";
  if (t == "<i8") return "int64";
  if (t == "|u1") return "uint8";
  if (t == "|b1") return "bool";
  return nullptr;
}

inline std::string dtype_name(const std::string& t) {
  const char* n = typestr_name(t);
  return n ? std::string(n) : "'" + t + "'";
}

inline int typestr_itemsize(const std::string& t) {
  // typestr = <byteorder><kind><bytes>, e.g. '<f4', '|u1'
  if (t.size() < 3) return 0;
  try {
    return std::stoi(t.substr(2));
  } catch (...) {
    return 0;
  }
}

// A view of one device array, read from its __cuda_array_interface__. `obj` keeps it alive.
struct CudaArray {
  py::object obj;
  void* data = nullptr;
  std::string typestr;
  int itemsize = 0;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // in elements
  bool readonly = false;
  int64_t size = 1;

  int ndim() const { return (int)shape.size(); }
  std::string shape_str() const { return cuda::shape_str(shape); }
  bool c_contiguous() const {
    int64_t expect = 1;
    for (int d = ndim() - 1; d >= 0; --d) {
      if (shape[d] != 1 && strides[d] != expect) return false;
      expect *= shape[d];
    }
    return true;
  }
  template <typename T>
  T* ptr() const { return static_cast<T*>(data); }
};

inline bool has_cai(const py::handle& h) { return py::hasattr(h, "__cuda_array_interface__"); }

// Read `h` as a device array; `want` is the accepted typestr ('<f4'), or nullptr for any.
inline CudaArray cuda_array(const char* op, const char* arg, const py::handle& h,
                            const char* want = "<f4") {
  if (h.is_none() || !has_cai(h))
    type_error(op, arg, " must be a CuPy array (an object with __cuda_array_interface__), got ",
               py::str(py::type::of(h)).cast<std::string>());
  CudaArray a;
  a.obj = py::reinterpret_borrow<py::object>(h);
  py::dict cai = h.attr("__cuda_array_interface__").cast<py::dict>();
  int version = cai.contains("version") ? cai["version"].cast<int>() : 0;
  if (version < 0 || version > 3)
    value_error(op, arg, " has __cuda_array_interface__ version ", version, " (this build reads 0..3)");
  for (auto d : cai["shape"].cast<py::tuple>()) a.shape.push_back(d.cast<int64_t>());
  a.typestr = cai["typestr"].cast<std::string>();
  a.itemsize = typestr_itemsize(a.typestr);
  if (want && a.typestr != want)
    type_error(op, arg, " must be ", dtype_name(want), ", got ", dtype_name(a.typestr),
               " with shape ", a.shape_str());
  if (a.itemsize <= 0) type_error(op, arg, " has an unsupported typestr '", a.typestr, "'");
  py::tuple data = cai["data"].cast<py::tuple>();
  a.data = reinterpret_cast<void*>(data[0].cast<uintptr_t>());
  a.readonly = data[1].cast<bool>();
  if (cai.contains("mask") && !cai["mask"].is_none())
    value_error(op, arg, " must not be a masked array (shape ", a.shape_str(), ")");
  for (int64_t s : a.shape) a.size *= s;
  a.strides.assign(a.shape.size(), 0);
  py::object st = cai.contains("strides") ? py::object(cai["strides"]) : py::object(py::none());
  if (st.is_none()) {
    int64_t e = 1;
    for (int d = a.ndim() - 1; d >= 0; --d) {
      a.strides[d] = e;
      e *= a.shape[d];
    }
  } else {
    py::tuple t = st.cast<py::tuple>();
    if ((int)t.size() != a.ndim())
      value_error(op, arg, " has ", t.size(), " strides for shape ", a.shape_str());
    for (int d = 0; d < a.ndim(); ++d) {
      int64_t b = t[d].cast<int64_t>();
      if (b % a.itemsize != 0)
        value_error(op, arg, " has a byte stride ", b, " that is not a multiple of its item size ",
                    a.itemsize, " (shape ", a.shape_str(), ")");
      a.strides[d] = b / a.itemsize;
    }
  }
  if (a.size > 0) {
    // The pointer must be device (or managed) memory of the current device: a launch on another
    // device's memory would fault asynchronously, far from the call that caused it.
    cudaPointerAttributes attr;
    cudaError_t err = cudaPointerGetAttributes(&attr, a.data);
    if (err != cudaSuccess) {
      cudaGetLastError();
      value_error(op, arg, " does not point to CUDA memory (", cudaGetErrorString(err), ")");
    }
    if (attr.type != cudaMemoryTypeDevice && attr.type != cudaMemoryTypeManaged)
      value_error(op, arg, " must live in device memory, got a host or unregistered pointer (shape ",
                  a.shape_str(), ")");
    int dev = 0;
    TF_CUDA_CHECK(cudaGetDevice(&dev));
    if (attr.type == cudaMemoryTypeDevice && attr.device != dev)
      value_error(op, arg, " lives on GPU ", attr.device, " but the current device is GPU ", dev,
                  " (use `with cupy.cuda.Device(", attr.device, "):`)");
  }
  return a;
}

// Optional argument: None stays None (returns false).
inline bool cuda_array_opt(const char* op, const char* arg, const py::handle& h, CudaArray& out,
                           const char* want = "<f4") {
  if (h.is_none()) return false;
  out = cuda_array(op, arg, h, want);
  return true;
}

inline void require_ndim(const char* op, const char* arg, const CudaArray& a, int nd,
                         const char* layout) {
  if (a.ndim() != nd)
    value_error(op, arg, " must be ", nd, "-D ", layout, ", got shape ", a.shape_str());
}

inline void require_nonempty(const char* op, const char* arg, const CudaArray& a) {
  if (a.size == 0) value_error(op, arg, " must not be empty, got shape ", a.shape_str());
}

inline void require_c_contiguous(const char* op, const char* arg, const CudaArray& a) {
  if (!a.c_contiguous())
    value_error(op, arg, " must be C-contiguous, got a strided view with shape ", a.shape_str());
}

inline void require_writable(const char* op, const char* arg, const CudaArray& a) {
  if (a.readonly)
    value_error(op, arg, " must be writable, got a read-only array with shape ", a.shape_str());
}

inline void require_same_shape(const char* op, const char* arg, const CudaArray& a,
                               const char* ref_arg, const CudaArray& ref) {
  if (a.shape != ref.shape)
    value_error(op, arg, " must have the shape of ", ref_arg, " ", ref.shape_str(), ", got ",
                a.shape_str());
}

// The cupy module, imported once (leaked on purpose: no destructor runs after the interpreter).
inline py::module_& cupy_module() {
  static py::module_* m = nullptr;
  if (!m) {
    try {
      m = new py::module_(py::module_::import("cupy"));
    } catch (py::error_already_set& e) {
      throw std::runtime_error(std::string("tensorforge CUDA kernels need CuPy (pip install "
                                           "tensorforge[cuda]): ") + e.what());
    }
  }
  return *m;
}

// A new uninitialised C-contiguous cupy.ndarray from CuPy's memory pool.
inline CudaArray cupy_empty(const std::vector<int64_t>& shape, const char* dtype = "float32") {
  py::tuple t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) t[i] = py::int_(shape[i]);
  py::object arr = cupy_module().attr("empty")(t, py::arg("dtype") = dtype);
  CudaArray a;
  a.obj = arr;
  py::dict cai = arr.attr("__cuda_array_interface__").cast<py::dict>();
  a.data = reinterpret_cast<void*>(cai["data"].cast<py::tuple>()[0].cast<uintptr_t>());
  a.typestr = cai["typestr"].cast<std::string>();
  a.itemsize = typestr_itemsize(a.typestr);
  a.shape = shape;
  a.strides.assign(shape.size(), 0);
  int64_t e = 1;
  for (int d = (int)shape.size() - 1; d >= 0; --d) {
    a.strides[d] = e;
    e *= shape[d];
  }
  a.size = e;
  return a;
}

// CuPy's current stream in this thread (0 = the legacy default stream).
inline cudaStream_t current_stream() {
  uintptr_t p = cupy_module().attr("cuda").attr("get_current_stream")().attr("ptr").cast<uintptr_t>();
  return reinterpret_cast<cudaStream_t>(p);
}

}  // namespace cuda

// One registration function per op family (csrc/cuda/bind_<family>.cpp), called from module.cu.
void bind_gemm_cuda(pybind11::module_& m);
void bind_pointwise_cuda(pybind11::module_& m);
void bind_optim_cuda(pybind11::module_& m);
void bind_pool_cuda(pybind11::module_& m);
void bind_conv_cuda(pybind11::module_& m);
void bind_conv_depthwise_cuda(pybind11::module_& m);
void bind_rnn_cuda(pybind11::module_& m);
void bind_norm_cuda(pybind11::module_& m);
void bind_embedding_cuda(pybind11::module_& m);

}  // namespace tf
