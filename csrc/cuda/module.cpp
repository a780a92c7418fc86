// The _C_cuda extension module: device queries and one registration call per op family.
// Host code only (compiled by the C++ compiler, not nvcc: pybind11 through nvcc cost ~2 minutes).
// Arrays come in as CuPy arrays (read through __cuda_array_interface__); kernels run on CuPy's
// current stream.
#include <pybind11/pybind11.h>

#include <string>

#include "tf/cuda_array.h"
#include "tf/cuda_check.h"

#ifndef TF_VERSION
#define TF_VERSION "0.0.0"
#endif

namespace py = pybind11;

PYBIND11_MODULE(_C_cuda, m) {
  m.doc() = "tensorforge CUDA kernels";
  m.attr("__version__") = TF_VERSION;
  // The CUDA runtime this module was compiled against (e.g. 13000 for 13.0): CuPy must load the
  // same major (backend.set_backend('cuda') compares them).
  m.attr("cuda_build_version") = CUDART_VERSION;
  m.def("device_count", [] {
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
      cudaGetLastError();  // no driver / no device: not an error for this query
      return 0;
    }
    return n;
  });
  m.def("device_name", [](int dev) {
    cudaDeviceProp prop;
    TF_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
    return std::string(prop.name);
  });
  m.def("synchronize", [] { TF_CUDA_CHECK(cudaDeviceSynchronize()); },
        "Wait for all work on the current device (raises RuntimeError on an earlier fault)");
  tf::bind_gemm_cuda(m);
  tf::bind_pointwise_cuda(m);
  tf::bind_optim_cuda(m);
  tf::bind_pool_cuda(m);
  tf::bind_conv_cuda(m);
  tf::bind_conv_depthwise_cuda(m);
  tf::bind_rnn_cuda(m);
  tf::bind_norm_cuda(m);
  tf::bind_embedding_cuda(m);
}
