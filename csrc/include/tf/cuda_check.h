// Every CUDA runtime call and kernel launch is checked (llm.c's cudaCheck, PyTorch's
// C10_CUDA_KERNEL_LAUNCH_CHECK): a failure raises a Python RuntimeError with file and line.
#pragma once
#include <cuda_runtime.h>

#include <sstream>
#include <stdexcept>

namespace tf {
namespace cuda {

[[noreturn]] inline void cuda_fail(cudaError_t err, const char* what, const char* file, int line) {
  std::ostringstream s;
  s << "CUDA error at " << file << ":" << line << " in " << what << ": " << cudaGetErrorName(err)
    << " (" << cudaGetErrorString(err) << ")";
  throw std::runtime_error(s.str());  // pybind11 turns this into RuntimeError
}

}  // namespace cuda
}  // namespace tf

#define TF_CUDA_CHECK(call)                                                      \
  do {                                                                           \
    cudaError_t tf_err_ = (call);                                                \
    if (tf_err_ != cudaSuccess) ::tf::cuda::cuda_fail(tf_err_, #call, __FILE__, __LINE__); \
  } while (0)

// After a <<<...>>> launch: catches bad configurations at once (asynchronous faults surface at
// the next checked call on the stream).
#define TF_CUDA_LAUNCH_CHECK() TF_CUDA_CHECK(cudaGetLastError())
