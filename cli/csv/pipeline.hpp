// pipeline.hpp — blocks processed on worker threads and handed back in input order.
//
// The reading thread fills a block (fresh()), hands it over (submit()) and writes finished
// blocks in the order they were read (the sink passed to fresh(), submit() and drain()).  A
// fixed ring of blocks bounds the memory: when every block is in flight, fresh() waits for
// the oldest one.  With no worker threads a block is processed by submit() itself, so one
// thread runs exactly what several do.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "cli/csv/block.hpp"

namespace exprjit::cli::csv {

class Pipeline {
 public:
  using Sink = std::function<void(Block&)>;

  // workers: 0 processes on the calling thread.
  Pipeline(const Layout& layout, unsigned workers);
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline();  // waits for the blocks in flight; writes none of them

  // The block to fill next (empty).  Sinks finished blocks while it waits for one.
  Block& fresh(const Sink& sink);
  // Hands over the block fresh() returned, then sinks the blocks already finished.
  void submit(const Sink& sink);
  // Sinks every block handed over, in order, waiting for each.
  void drain(const Sink& sink);

 private:
  enum class State { free, queued, running, done };  // a slot's block: filling, handed over, ...
  struct Slot {
    Block block;
    State state = State::free;
  };
  void work();
  void sink_done(std::unique_lock<std::mutex>& lock, const Sink& sink, bool wait_for_all);

  const Layout& layout_;
  std::vector<Slot> ring_;
  std::size_t fill_ = 0;  // the slot fresh() hands out next
  std::size_t take_ = 0;  // the next slot a worker takes
  std::size_t sink_ = 0;  // the next slot written
  std::size_t in_flight_ = 0;  // submitted and not yet sunk
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable queued_, done_;
  std::vector<std::thread> workers_;
  std::optional<Scratch> inline_scratch_;  // with no workers: submit() processes here
};

}  // namespace exprjit::cli::csv
