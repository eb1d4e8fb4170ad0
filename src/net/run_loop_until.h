// Turns an event loop until a condition holds or a deadline passes: how tests (and tools that
// drive a loop from the outside) wait for asynchronous work on loopback.
#pragma once

#include <cstdint>

#include "net/event_loop.h"

namespace auralink::net {

// True when `done()` held before `timeout_ms` passed. Each turn waits at most 10 ms for events.
template <typename Condition>
bool RunLoopUntil(EventLoop& loop, Condition done, int64_t timeout_ms) {
  const int64_t deadline = EventLoop::NowMs() + timeout_ms;
  while (!done()) {
    if (EventLoop::NowMs() > deadline) return false;
    loop.RunOnce(10);
  }
  return true;
}

}  // namespace auralink::net
