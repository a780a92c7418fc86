// How long waking a sleeping thread takes on this machine, and where it lands (issue 15.3, task
// wake6): a "caller" notifies a condition variable a "helper" sleeps on, as the pool's caller does
// (csrc/runtime/parallel.cpp), then stays busy for busy_us (as it runs its own chunks). Reported:
// notify -> helper running (steady_clock), and how often the helper woke on the caller's CPU
// (there it waits, or preempts the caller: either way one thread works).
//   g++ -O2 -pthread bench/pool_wake.cpp -o /tmp/pool_wake && /tmp/pool_wake GAP_US CALLS [BUSY_US]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#include <algorithm>
#include <sched.h>
using clk = std::chrono::steady_clock;
std::mutex mu; std::condition_variable cv;
std::atomic<int> epoch{0}; std::atomic<long> woke_ns{0}; std::atomic<int> woke_cpu{-1}; std::atomic<int> sleepers{0};
volatile double sink;
int main(int argc, char** argv) {
  int gap_us = atoi(argv[1]), N = atoi(argv[2]), busy_us = argc > 3 ? atoi(argv[3]) : 2000;
  std::thread t([&] {
    int seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lk(mu);
      sleepers++;
      while (epoch.load() == seen) cv.wait(lk);
      sleepers--;
      seen = epoch.load();
      woke_ns.store(clk::now().time_since_epoch().count());
      woke_cpu.store(sched_getcpu());
      if (seen < 0) return;
    }
  });
  std::vector<double> lat; int same = 0, late = 0;
  for (int i = 1; i <= N; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(gap_us));
    while (sleepers.load() == 0) {}
    woke_ns.store(0);
    auto t0 = clk::now();
    const int ccpu = sched_getcpu();
    { std::lock_guard<std::mutex> lk(mu); epoch.store(i); cv.notify_all(); }
    double x = 1.0;  // the caller works busy_us (no yield), as the pool caller runs chunks
    while (clk::now() - t0 < std::chrono::microseconds(busy_us)) for (int k = 0; k < 1000; ++k) x = x * 1.0000001 + 1e-9;
    sink = x;
    while (woke_ns.load() == 0) {}
    double l = (woke_ns.load() - t0.time_since_epoch().count()) / 1000.0;
    lat.push_back(l);
    if (woke_cpu.load() == ccpu) ++same;
    if (l > 200) ++late;
  }
  { std::lock_guard<std::mutex> lk(mu); epoch.store(-1); cv.notify_all(); }
  t.join();
  std::sort(lat.begin(), lat.end());
  printf("gap %6d us busy %d: wake us p10 %.0f p50 %.0f p90 %.0f max %.0f; woke on caller's cpu %d/%d; >200us %d/%d\n",
         gap_us, busy_us, lat[N/10], lat[N/2], lat[N*9/10], lat[N-1], same, N, late, N);
}
