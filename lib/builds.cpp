// builds.cpp — stopping jit builds in progress: the public face of backends/cancel.hpp and
// of the auto backend's builder.
#include <chrono>
#include <thread>

#include "backends/auto/builder.hpp"
#include "backends/cancel.hpp"
#include "lib/impl.hpp"

namespace exprjit {

void cancel_builds() {
  if (tier::Builder* b = tier::Builder::if_started()) b->cancel_all();
  process_interrupt().request();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (BuildScope::builds_running() > 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void interrupt_compile() noexcept { process_interrupt().request(); }

}  // namespace exprjit
