// pipeline.cpp — see pipeline.hpp.
#include "cli/csv/pipeline.hpp"

namespace exprjit::cli::csv {

// Blocks at once per worker: one being processed, one queued behind it.
constexpr std::size_t kBlocksPerWorker = 2;

Pipeline::Pipeline(const Layout& layout, unsigned workers)
    : layout_(layout), ring_(workers == 0 ? 1 : workers * kBlocksPerWorker + 1) {
  if (workers == 0) inline_scratch_.emplace(layout);
  for (unsigned w = 0; w < workers; ++w) workers_.emplace_back([this] { work(); });
}

Pipeline::~Pipeline() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  queued_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void Pipeline::work() {
  Scratch scratch(layout_);
  std::unique_lock lock(mu_);
  for (;;) {
    queued_.wait(lock, [&] { return stop_ || ring_[take_].state == State::queued; });
    if (stop_) return;
    Slot& slot = ring_[take_];
    slot.state = State::running;  // take_ may come round to it again while it runs
    take_ = (take_ + 1) % ring_.size();
    lock.unlock();
    slot.block.process(layout_, scratch);
    lock.lock();
    slot.state = State::done;
    done_.notify_all();
  }
}

void Pipeline::sink_done(std::unique_lock<std::mutex>& lock, const Sink& sink, bool wait_for_all) {
  while (in_flight_ > 0) {
    if (wait_for_all) done_.wait(lock, [&] { return ring_[sink_].state == State::done; });
    Slot& slot = ring_[sink_];
    if (slot.state != State::done) return;
    lock.unlock();  // only this thread touches a finished slot
    sink(slot.block);
    slot.block.clear();
    lock.lock();
    slot.state = State::free;
    sink_ = (sink_ + 1) % ring_.size();
    --in_flight_;
  }
}

Block& Pipeline::fresh(const Sink& sink) {
  std::unique_lock lock(mu_);
  while (ring_[fill_].state != State::free) {  // every block is in flight: the oldest is this one
    done_.wait(lock, [&] { return ring_[sink_].state == State::done; });
    sink_done(lock, sink, false);
  }
  return ring_[fill_].block;
}

void Pipeline::submit(const Sink& sink) {
  std::unique_lock lock(mu_);
  Slot& slot = ring_[fill_];
  fill_ = (fill_ + 1) % ring_.size();
  ++in_flight_;
  if (workers_.empty()) {
    lock.unlock();
    slot.block.process(layout_, *inline_scratch_);
    lock.lock();
    slot.state = State::done;
  } else {
    slot.state = State::queued;
    queued_.notify_one();
  }
  sink_done(lock, sink, false);
}

void Pipeline::drain(const Sink& sink) {
  std::unique_lock lock(mu_);
  sink_done(lock, sink, true);
}

}  // namespace exprjit::cli::csv
