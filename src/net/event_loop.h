// One epoll event loop per worker thread: file descriptors with read/write interest, timers to
// the microsecond on a min-heap that drives the epoll timeout (epoll_pwait2), and Post() for work
// handed over from other threads through an eventfd. Everything but Post() and Stop() runs on the
// loop's own thread, so the media path needs no locks; the posted-task queue is the loop's only
// mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace auralink::net {

// Interest and readiness bits. Errors and hang-ups are reported as kReadable (plus kError), so a
// reader always sees the failure on its next read.
enum IoEvent : uint32_t {
  kReadable = 1u << 0,
  kWritable = 1u << 1,
  kError = 1u << 2,
};

using IoCallback = std::function<void(uint32_t events)>;
using TimerId = uint64_t;
using BeforeWaitId = uint64_t;

class EventLoop {
 public:
  static StatusOr<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches `fd` (level-triggered) for `interest` (kReadable | kWritable). One registration per fd.
  // The loop never closes the fd; the owner must Remove() it before closing.
  Status Add(int fd, uint32_t interest, IoCallback callback);
  Status Modify(int fd, uint32_t interest);
  // Safe at any time on the loop thread, including from inside the fd's own callback: events
  // already collected for this registration in the current dispatch round are dropped.
  void Remove(int fd);
  bool IsRegistered(int fd) const { return fd_to_registration_.count(fd) != 0; }
  // Takes a registered `fd` out of the kernel's epoll set until ResumeWatch(), keeping its
  // registration. A socket in the set makes the kernel wake the set's wait queue for every
  // datagram it frees; one that sends a large batch leaves the set meanwhile. Readiness that
  // arrived in between is reported once the fd is watched again. Loop thread only.
  Status SuspendWatch(int fd);
  Status ResumeWatch(int fd);

  // Timers fire on the loop thread, in deadline order (ties in the order they were added).
  // A repeating timer runs every `interval_ms` until cancelled (also from inside its callback).
  TimerId RunAfter(int64_t delay_ms, std::function<void()> callback);
  TimerId RunEvery(int64_t interval_ms, std::function<void()> callback);
  // The same in microseconds: for senders that keep their own phase within a millisecond.
  TimerId RunAfterUs(int64_t delay_us, std::function<void()> callback);
  TimerId RunEveryUs(int64_t interval_us, std::function<void()> callback);
  // Returns false when the timer already fired (one-shot) or was cancelled.
  bool Cancel(TimerId id);

  // Runs `callback` on every iteration just before the loop waits for events, after the previous
  // round's I/O, timers and posted tasks: where work batched during a round is flushed (queued
  // datagrams go out in one sendmmsg). Callbacks run in the order they were added; one may remove
  // itself or another.
  BeforeWaitId AddBeforeWait(std::function<void()> callback);
  void RemoveBeforeWait(BeforeWaitId id);

  // Thread-safe: runs `task` on the loop thread during the next iteration.
  void Post(std::function<void()> task);

  // Runs until Stop(). Stop() is thread-safe and may also be called from a callback.
  void Run();
  void Stop();
  // One iteration: waits at most `max_wait_ms` (-1: until the next timer or event), dispatches
  // what is ready and returns. For tests and for embedding the loop in another one.
  void RunOnce(int max_wait_ms);

  // CLOCK_MONOTONIC.
  static int64_t NowMs();
  static int64_t NowUs();
  bool IsLoopThread() const { return std::this_thread::get_id() == loop_thread_; }
  size_t registered_fd_count() const { return fd_to_registration_.size(); }
  size_t pending_timer_count() const { return timers_.size(); }

 private:
  struct Registration {
    int fd;
    uint32_t interest;
    IoCallback callback;
  };
  struct Timer {
    int64_t interval_us;  // 0 for one-shot
    std::shared_ptr<std::function<void()>> callback;
  };
  struct TimerEntry {
    int64_t deadline_us;
    uint64_t sequence;
    TimerId id;
    bool operator>(const TimerEntry& other) const {
      return deadline_us != other.deadline_us ? deadline_us > other.deadline_us
                                              : sequence > other.sequence;
    }
  };

  EventLoop(int epoll_fd, int wake_fd);
  TimerId AddTimer(int64_t delay_us, int64_t interval_us, std::function<void()> callback);
  // Microseconds until the first timer is due, capped at `max_wait_ms` (-1: no cap; -1 returned:
  // no timer and no cap).
  int64_t NextTimeoutUs(int max_wait_ms);
  void RunDueTimers();
  void RunPostedTasks();
  void RunBeforeWait();
  void Wake();

  int epoll_fd_;
  int wake_fd_;
  std::thread::id loop_thread_;
  std::atomic<bool> stop_requested_{false};

  // Registrations are keyed by a never-reused id carried in epoll_event.data, so an fd number that
  // is closed and reused within one dispatch round cannot receive the old fd's stale events.
  uint64_t next_registration_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Registration>> registrations_;
  std::unordered_map<int, uint64_t> fd_to_registration_;

  TimerId next_timer_id_ = 1;
  uint64_t next_timer_sequence_ = 0;
  std::unordered_map<TimerId, Timer> timers_;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timer_heap_;

  BeforeWaitId next_before_wait_id_ = 1;
  std::vector<std::pair<BeforeWaitId, std::function<void()>>> before_wait_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_tasks_;
  std::vector<std::function<void()>> running_tasks_;
};

}  // namespace auralink::net
