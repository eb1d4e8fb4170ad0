#include "net/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "common/log.h"

namespace auralink::net {
namespace {

constexpr uint64_t kWakeRegistration = 0;
constexpr int kMaxEventsPerWait = 256;

uint32_t ToEpollEvents(uint32_t interest) {
  uint32_t events = 0;
  if (interest & kReadable) events |= EPOLLIN | EPOLLRDHUP;
  if (interest & kWritable) events |= EPOLLOUT;
  return events;
}

uint32_t FromEpollEvents(uint32_t events) {
  uint32_t result = 0;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) result |= kReadable;
  if (events & EPOLLOUT) result |= kWritable;
  if (events & EPOLLERR) result |= kError;
  return result;
}

}  // namespace

StatusOr<std::unique_ptr<EventLoop>> EventLoop::Create() {
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return Status::Error(ErrnoText("epoll_create1"));
  int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    Status error = Status::Error(ErrnoText("eventfd"));
    close(epoll_fd);
    return error;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeRegistration;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &event) != 0) {
    Status error = Status::Error(ErrnoText("epoll_ctl(eventfd)"));
    close(wake_fd);
    close(epoll_fd);
    return error;
  }
  return std::unique_ptr<EventLoop>(new EventLoop(epoll_fd, wake_fd));
}

EventLoop::EventLoop(int epoll_fd, int wake_fd)
    : epoll_fd_(epoll_fd), wake_fd_(wake_fd), loop_thread_(std::this_thread::get_id()) {}

EventLoop::~EventLoop() {
  close(wake_fd_);
  close(epoll_fd_);
}

Status EventLoop::Add(int fd, uint32_t interest, IoCallback callback) {
  if (fd < 0) return Status::Error("EventLoop::Add: negative fd");
  if (fd_to_registration_.count(fd)) {
    return Status::Error("EventLoop::Add: fd " + std::to_string(fd) + " is already registered");
  }
  const uint64_t id = next_registration_id_++;
  epoll_event event{};
  event.events = ToEpollEvents(interest);
  event.data.u64 = id;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    return Status::Error(ErrnoText("epoll_ctl(ADD)"));
  }
  registrations_[id] =
      std::make_shared<Registration>(Registration{fd, interest, std::move(callback)});
  fd_to_registration_[fd] = id;
  return Status::Ok();
}

Status EventLoop::Modify(int fd, uint32_t interest) {
  auto it = fd_to_registration_.find(fd);
  if (it == fd_to_registration_.end()) {
    return Status::Error("EventLoop::Modify: fd " + std::to_string(fd) + " is not registered");
  }
  auto& registration = registrations_[it->second];
  if (registration->interest == interest) return Status::Ok();
  epoll_event event{};
  event.events = ToEpollEvents(interest);
  event.data.u64 = it->second;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) != 0) {
    return Status::Error(ErrnoText("epoll_ctl(MOD)"));
  }
  registration->interest = interest;
  return Status::Ok();
}

void EventLoop::Remove(int fd) {
  auto it = fd_to_registration_.find(fd);
  if (it == fd_to_registration_.end()) return;
  // The fd may already be closed by a careless owner; EBADF/ENOENT are harmless then.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  registrations_.erase(it->second);
  fd_to_registration_.erase(it);
}

Status EventLoop::SuspendWatch(int fd) {
  if (fd_to_registration_.count(fd) == 0) return Status::Error("EventLoop: fd is not registered");
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr) != 0)
    return Status::Error(ErrnoText("epoll_ctl(DEL)"));
  return Status::Ok();
}

Status EventLoop::ResumeWatch(int fd) {
  auto it = fd_to_registration_.find(fd);
  if (it == fd_to_registration_.end()) return Status::Error("EventLoop: fd is not registered");
  epoll_event event{};
  event.events = ToEpollEvents(registrations_.at(it->second)->interest);
  event.data.u64 = it->second;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0)
    return Status::Error(ErrnoText("epoll_ctl(ADD)"));
  return Status::Ok();
}

TimerId EventLoop::RunAfter(int64_t delay_ms, std::function<void()> callback) {
  return RunAfterUs(delay_ms * 1000, std::move(callback));
}

TimerId EventLoop::RunEvery(int64_t interval_ms, std::function<void()> callback) {
  return RunEveryUs((interval_ms < 1 ? 1 : interval_ms) * 1000, std::move(callback));
}

TimerId EventLoop::RunAfterUs(int64_t delay_us, std::function<void()> callback) {
  return AddTimer(delay_us, 0, std::move(callback));
}

TimerId EventLoop::RunEveryUs(int64_t interval_us, std::function<void()> callback) {
  return AddTimer(interval_us, interval_us < 1 ? 1 : interval_us, std::move(callback));
}

TimerId EventLoop::AddTimer(int64_t delay_us, int64_t interval_us, std::function<void()> callback) {
  const TimerId id = next_timer_id_++;
  timers_[id] = Timer{interval_us, std::make_shared<std::function<void()>>(std::move(callback))};
  timer_heap_.push(TimerEntry{NowUs() + (delay_us < 0 ? 0 : delay_us), next_timer_sequence_++, id});
  return id;
}

bool EventLoop::Cancel(TimerId id) {
  // The heap entry stays behind and is skipped when it comes up (lazy deletion).
  return timers_.erase(id) != 0;
}

BeforeWaitId EventLoop::AddBeforeWait(std::function<void()> callback) {
  const BeforeWaitId id = next_before_wait_id_++;
  before_wait_.emplace_back(id, std::move(callback));
  return id;
}

void EventLoop::RemoveBeforeWait(BeforeWaitId id) {
  // Only cleared here: RunBeforeWait() may be iterating; it drops cleared entries afterwards.
  for (auto& [entry_id, callback] : before_wait_) {
    if (entry_id == id) callback = nullptr;
  }
}

void EventLoop::RunBeforeWait() {
  // By index and by copy: a callback may add or remove callbacks, itself included.
  for (size_t i = 0; i < before_wait_.size(); ++i) {
    if (!before_wait_[i].second) continue;
    std::function<void()> callback = before_wait_[i].second;
    callback();
  }
  std::erase_if(before_wait_, [](const auto& entry) { return !entry.second; });
}

void EventLoop::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_tasks_.push_back(std::move(task));
  }
  Wake();
}

void EventLoop::Wake() {
  const uint64_t one = 1;
  // EAGAIN means the counter is already non-zero, so the loop will wake anyway.
  [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Stop() {
  stop_requested_.store(true, std::memory_order_release);
  Wake();
}

void EventLoop::Run() {
  loop_thread_ = std::this_thread::get_id();
  while (!stop_requested_.load(std::memory_order_acquire)) RunOnce(-1);
  stop_requested_.store(false, std::memory_order_release);
}

int64_t EventLoop::NextTimeoutUs(int max_wait_ms) {
  while (!timer_heap_.empty() && timers_.count(timer_heap_.top().id) == 0) timer_heap_.pop();
  const int64_t cap_us = max_wait_ms < 0 ? -1 : int64_t{max_wait_ms} * 1000;
  if (timer_heap_.empty()) return cap_us;
  const int64_t timer_wait = std::max<int64_t>(timer_heap_.top().deadline_us - NowUs(), 0);
  return cap_us < 0 ? timer_wait : std::min(cap_us, timer_wait);
}

void EventLoop::RunOnce(int max_wait_ms) {
  loop_thread_ = std::this_thread::get_id();
  if (!before_wait_.empty()) RunBeforeWait();
  epoll_event events[kMaxEventsPerWait];
  const int64_t wait_us = NextTimeoutUs(max_wait_ms);
  timespec wait{};
  wait.tv_sec = static_cast<time_t>(wait_us / 1000000);
  wait.tv_nsec = static_cast<long>(wait_us % 1000000) * 1000;
  // Kernels before 5.11 lack epoll_pwait2: there, waits are rounded up to whole milliseconds.
  static std::atomic<bool> microsecond_waits{true};
  int count = -1;
  if (microsecond_waits.load(std::memory_order_relaxed)) {
    count =
        epoll_pwait2(epoll_fd_, events, kMaxEventsPerWait, wait_us < 0 ? nullptr : &wait, nullptr);
    if (count < 0 && errno == ENOSYS) microsecond_waits.store(false, std::memory_order_relaxed);
  }
  if (!microsecond_waits.load(std::memory_order_relaxed)) {
    const int64_t wait_ms = wait_us < 0 ? -1 : (wait_us + 999) / 1000;
    count =
        epoll_wait(epoll_fd_, events, kMaxEventsPerWait,
                   static_cast<int>(std::min<int64_t>(wait_ms, std::numeric_limits<int>::max())));
  }
  if (count < 0 && errno != EINTR) {
    AURALINK_LOG(kError) << ErrnoText("epoll_wait");
  }
  for (int i = 0; i < count; ++i) {
    const uint64_t id = events[i].data.u64;
    if (id == kWakeRegistration) {
      uint64_t value;
      [[maybe_unused]] ssize_t read_bytes = read(wake_fd_, &value, sizeof(value));
      continue;
    }
    auto it = registrations_.find(id);
    if (it == registrations_.end()) continue;  // removed earlier in this round
    // Hold the registration so the callback may Remove() itself without destroying the closure
    // that is running.
    std::shared_ptr<Registration> registration = it->second;
    uint32_t ready = FromEpollEvents(events[i].events);
    if (!(registration->interest & kWritable)) ready &= ~kWritable;
    if (ready != 0) registration->callback(ready);
  }
  RunDueTimers();
  RunPostedTasks();
}

void EventLoop::RunDueTimers() {
  const int64_t now = NowUs();
  // Timers added by callbacks in this round are due no earlier than `now`, so a repeating 0 ms
  // timer cannot starve I/O: only entries present at the start of the round with deadline <= now
  // run.
  const uint64_t sequence_limit = next_timer_sequence_;
  while (!timer_heap_.empty()) {
    const TimerEntry entry = timer_heap_.top();
    if (entry.deadline_us > now || entry.sequence >= sequence_limit) break;
    timer_heap_.pop();
    auto it = timers_.find(entry.id);
    if (it == timers_.end()) continue;
    std::shared_ptr<std::function<void()>> callback = it->second.callback;
    const int64_t interval = it->second.interval_us;
    if (interval == 0) {
      timers_.erase(it);
    } else {
      // Scheduled from the planned deadline so a repeating timer does not drift, but after a long
      // stall no sooner than a millisecond (or its interval) from now.
      timer_heap_.push(TimerEntry{
          std::max(entry.deadline_us + interval, now + std::min<int64_t>(interval, 1000)),
          next_timer_sequence_++, entry.id});
    }
    (*callback)();
  }
}

void EventLoop::RunPostedTasks() {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    if (posted_tasks_.empty()) return;
    running_tasks_.swap(posted_tasks_);
  }
  for (auto& task : running_tasks_) task();
  running_tasks_.clear();
}

int64_t EventLoop::NowMs() { return NowUs() / 1000; }

int64_t EventLoop::NowUs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

}  // namespace auralink::net
