// pool.hpp — the library's worker threads for parallel batch evaluation.
//
// One pool per process, created on first use, because threads are a process resource: one
// shared pool keeps every Expression's parallel batches from oversubscribing the cores
// (numexpr and OpenMP runtimes do the same).  It holds nothing but its threads and a queue
// of the current jobs; a job's rows are independent, so results are the same bits whatever
// the number of threads.  In a child made by fork() the workers are gone: run() then does
// every task on the calling thread, and the pool is never torn down there (its threads
// cannot be joined).
#pragma once
#include <cstddef>
#include <functional>

namespace exprjit {

class Pool {
 public:
  static Pool& shared();  // hardware_concurrency() - 1 workers; the caller is the last one

  // Runs task(0) ... task(n - 1) on at most `threads` threads, the calling one included,
  // and returns when all are done.  The first exception a task throws is rethrown here
  // (the other tasks still run to completion first: nothing is left writing).
  void run(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& task);

  unsigned size() const;  // workers + 1

 private:
  Pool();
  ~Pool();
  struct Impl;
  Impl* impl_;
  long pid_;  // the process the workers run in: a child made by fork() has none to join
};

}  // namespace exprjit
