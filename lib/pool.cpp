// pool.cpp — see pool.hpp.
#include "lib/pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace exprjit {

namespace {

// One call of run(): its tasks are claimed by index, by the caller and by workers.
struct Job {
  const std::function<void(std::size_t)>* task;
  std::size_t n;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  unsigned active = 0;  // workers inside work() (guarded by the pool's mutex)
  std::exception_ptr error;
  std::mutex error_mu;

  // Claims and runs tasks until none are left.
  void work() {
    std::size_t ran = 0;
    for (std::size_t i; (i = next.fetch_add(1)) < n; ++ran) {
      try {
        (*task)(i);
      } catch (...) {
        std::lock_guard lock(error_mu);
        if (!error) error = std::current_exception();
      }
    }
    if (ran) done.fetch_add(ran);
  }
};

}  // namespace

struct Pool::Impl {
  std::mutex mu;
  std::condition_variable wake, finished;
  std::deque<Job*> jobs;  // jobs with unclaimed tasks
  bool stop = false;
  std::vector<std::thread> workers;

  void loop() {
    std::unique_lock lock(mu);
    for (;;) {
      wake.wait(lock, [&] { return stop || !jobs.empty(); });
      if (stop) return;
      Job* job = jobs.front();
      if (job->next.load() >= job->n) {  // fully claimed: no longer offered
        jobs.pop_front();
        continue;
      }
      ++job->active;  // the caller waits for this to drop to 0 before the job goes away
      lock.unlock();
      job->work();
      lock.lock();
      --job->active;
      finished.notify_all();
    }
  }
};

Pool::Pool() : impl_(new Impl), pid_(::getpid()) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 1; i < hw; ++i) impl_->workers.emplace_back([this] { impl_->loop(); });
}

Pool::~Pool() {
  if (::getpid() != pid_) return;  // a child made by fork(): no workers here (the Impl is left)
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  for (std::thread& t : impl_->workers) t.join();
  delete impl_;
}

Pool& Pool::shared() {
  static Pool pool;  // see pool.hpp for why the pool is process-wide
  return pool;
}

unsigned Pool::size() const { return static_cast<unsigned>(impl_->workers.size()) + 1; }

void Pool::run(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& task) {
  if (n == 0) return;
  Job job;
  job.task = &task;
  job.n = n;
  const unsigned helpers = std::min<std::size_t>({threads ? threads - 1 : 0, impl_->workers.size(), n - 1});
  if (helpers > 0) {
    std::lock_guard lock(impl_->mu);
    impl_->jobs.push_back(&job);
  }
  for (unsigned i = 0; i < helpers; ++i) impl_->wake.notify_one();
  job.work();
  if (helpers > 0) {
    std::unique_lock lock(impl_->mu);
    impl_->jobs.erase(std::remove(impl_->jobs.begin(), impl_->jobs.end(), &job), impl_->jobs.end());  // no new takers
    impl_->finished.wait(lock, [&] { return job.done.load() == n && job.active == 0; });
  }
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace exprjit
