#include "net/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace auralink::net {
namespace {

std::unique_ptr<EventLoop> MakeLoop() {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status().message();
  return std::move(loop).value();
}

// Runs the loop until `done` holds, or gives up after many idle iterations (no timing assertion:
// the bound only keeps a broken test from hanging).
template <typename Predicate>
bool RunUntil(EventLoop* loop, Predicate done) {
  for (int i = 0; i < 5000 && !done(); ++i) loop->RunOnce(10);
  return done();
}

TEST(EventLoopTest, TimersFireInDeadlineOrderThenInsertionOrder) {
  auto loop = MakeLoop();
  std::vector<std::string> order;
  loop->RunAfter(30, [&] { order.push_back("c30"); });
  loop->RunAfter(10, [&] { order.push_back("a10"); });
  loop->RunAfter(20, [&] { order.push_back("b20"); });
  loop->RunAfter(0, [&] { order.push_back("first0"); });
  loop->RunAfter(0, [&] { order.push_back("second0"); });
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return order.size() == 5; }));
  EXPECT_EQ(order, (std::vector<std::string>{"first0", "second0", "a10", "b20", "c30"}));
  EXPECT_EQ(loop->pending_timer_count(), 0u);
}

// Within one millisecond: the wait before each is as long as asked, not rounded to milliseconds.
TEST(EventLoopTest, MicrosecondTimersKeepTheirOrderAndNeverFireEarly) {
  auto loop = MakeLoop();
  std::vector<int64_t> fired_delays;
  std::vector<int64_t> elapsed_at_fire;
  const int64_t start_us = EventLoop::NowUs();
  for (int64_t delay_us : {700, 300, 500, 900}) {
    loop->RunAfterUs(delay_us, [&, delay_us] {
      fired_delays.push_back(delay_us);
      elapsed_at_fire.push_back(EventLoop::NowUs() - start_us);
    });
  }
  int repeats = 0;
  TimerId repeating = 0;
  repeating = loop->RunEveryUs(250, [&] {
    if (++repeats == 3) loop->Cancel(repeating);
  });
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return fired_delays.size() == 4 && repeats == 3; }));
  EXPECT_EQ(fired_delays, (std::vector<int64_t>{300, 500, 700, 900}));
  for (size_t i = 0; i < fired_delays.size(); ++i)
    EXPECT_GE(elapsed_at_fire[i], fired_delays[i]) << "fired early";
}

TEST(EventLoopTest, CancelledTimerNeverRuns) {
  auto loop = MakeLoop();
  bool cancelled_ran = false;
  bool later_ran = false;
  TimerId id = loop->RunAfter(5, [&] { cancelled_ran = true; });
  loop->RunAfter(20, [&] { later_ran = true; });
  EXPECT_TRUE(loop->Cancel(id));
  EXPECT_FALSE(loop->Cancel(id));
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return later_ran; }));
  EXPECT_FALSE(cancelled_ran);
}

TEST(EventLoopTest, TimerCanCancelAnotherDueInTheSameRound) {
  auto loop = MakeLoop();
  bool second_ran = false;
  TimerId second = 0;
  loop->RunAfter(0, [&] { loop->Cancel(second); });
  second = loop->RunAfter(0, [&] { second_ran = true; });
  bool marker = false;
  loop->RunAfter(5, [&] { marker = true; });
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return marker; }));
  EXPECT_FALSE(second_ran);
}

TEST(EventLoopTest, RepeatingTimerStopsWhenCancelledFromItsCallback) {
  auto loop = MakeLoop();
  int runs = 0;
  TimerId id = 0;
  id = loop->RunEvery(1, [&] {
    if (++runs == 5) loop->Cancel(id);
  });
  bool marker = false;
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return runs >= 5; }));
  loop->RunAfter(20, [&] { marker = true; });
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return marker; }));
  EXPECT_EQ(runs, 5);
  EXPECT_EQ(loop->pending_timer_count(), 0u);
}

TEST(EventLoopTest, PostFromOtherThreadsRunsOnLoopThread) {
  auto loop = MakeLoop();
  std::atomic<int> count{0};
  std::thread::id loop_thread;
  bool all_on_loop_thread = true;
  std::thread runner([&] {
    loop_thread = std::this_thread::get_id();
    loop->Run();
  });
  constexpr int kThreads = 4;
  constexpr int kPostsPerThread = 1000;
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < kPostsPerThread; ++i) {
        loop->Post([&] {
          if (std::this_thread::get_id() != loop_thread) all_on_loop_thread = false;
          if (count.fetch_add(1) + 1 == kThreads * kPostsPerThread) loop->Stop();
        });
      }
    });
  }
  for (auto& poster : posters) poster.join();
  runner.join();
  EXPECT_EQ(count.load(), kThreads * kPostsPerThread);
  EXPECT_TRUE(all_on_loop_thread);
}

TEST(EventLoopTest, StopFromAnotherThreadEndsRun) {
  auto loop = MakeLoop();
  std::thread runner([&] { loop->Run(); });
  loop->Stop();
  runner.join();
  SUCCEED();
}

struct Pipe {
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
  }
  int fds[2] = {-1, -1};
};

TEST(EventLoopTest, ReadableCallbackMayRemoveAndCloseItsOwnFd) {
  auto loop = MakeLoop();
  Pipe pipe;
  int calls = 0;
  ASSERT_TRUE(loop->Add(pipe.fds[0], kReadable,
                        [&](uint32_t events) {
                          ++calls;
                          EXPECT_TRUE(events & kReadable);
                          loop->Remove(pipe.fds[0]);
                          close(pipe.fds[0]);
                          pipe.fds[0] = -1;
                        })
                  .ok());
  ASSERT_EQ(write(pipe.fds[1], "x", 1), 1);
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return calls > 0; }));
  for (int i = 0; i < 3; ++i) loop->RunOnce(0);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop->registered_fd_count(), 0u);
}

TEST(EventLoopTest, ASuspendedFdKeepsItsRegistrationAndReportsWhatArrivedMeanwhile) {
  auto loop = MakeLoop();
  Pipe pipe;
  int calls = 0;
  ASSERT_TRUE(loop->Add(pipe.fds[0], kReadable,
                        [&](uint32_t) {
                          ++calls;
                          char byte;
                          EXPECT_EQ(read(pipe.fds[0], &byte, 1), 1);
                        })
                  .ok());
  ASSERT_TRUE(loop->SuspendWatch(pipe.fds[0]).ok());
  EXPECT_TRUE(loop->IsRegistered(pipe.fds[0]));
  ASSERT_EQ(write(pipe.fds[1], "x", 1), 1);
  for (int i = 0; i < 3; ++i) loop->RunOnce(0);
  EXPECT_EQ(calls, 0);
  ASSERT_TRUE(loop->ResumeWatch(pipe.fds[0]).ok());
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return calls == 1; }));
  EXPECT_FALSE(loop->SuspendWatch(-1).ok());
  EXPECT_FALSE(loop->ResumeWatch(-1).ok());
}

TEST(EventLoopTest, RemovingAnotherReadyFdDropsItsPendingEvent) {
  auto loop = MakeLoop();
  Pipe a;
  Pipe b;
  int calls = 0;
  // Whichever runs first removes the other, so exactly one callback runs though both are ready.
  ASSERT_TRUE(loop->Add(a.fds[0], kReadable,
                        [&](uint32_t) {
                          ++calls;
                          loop->Remove(b.fds[0]);
                          loop->Remove(a.fds[0]);
                        })
                  .ok());
  ASSERT_TRUE(loop->Add(b.fds[0], kReadable,
                        [&](uint32_t) {
                          ++calls;
                          loop->Remove(a.fds[0]);
                          loop->Remove(b.fds[0]);
                        })
                  .ok());
  ASSERT_EQ(write(a.fds[1], "x", 1), 1);
  ASSERT_EQ(write(b.fds[1], "x", 1), 1);
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return calls > 0; }));
  loop->RunOnce(0);
  EXPECT_EQ(calls, 1);
}

TEST(EventLoopTest, WritableInterestCanBeToggled) {
  auto loop = MakeLoop();
  Pipe pipe;
  int writable = 0;
  ASSERT_TRUE(loop->Add(pipe.fds[1], kWritable,
                        [&](uint32_t events) {
                          if (events & kWritable) ++writable;
                          ASSERT_TRUE(loop->Modify(pipe.fds[1], 0).ok());
                        })
                  .ok());
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return writable > 0; }));
  for (int i = 0; i < 3; ++i) loop->RunOnce(0);
  EXPECT_EQ(writable, 1);
  EXPECT_FALSE(loop->Add(pipe.fds[1], kReadable, [](uint32_t) {}).ok());
  EXPECT_FALSE(loop->Modify(12345, kReadable).ok());
  loop->Remove(pipe.fds[1]);
}

TEST(EventLoopTest, BeforeWaitRunsAfterEachRoundsWorkAndBeforeTheNextWait) {
  auto loop = MakeLoop();
  std::vector<std::string> order;
  const BeforeWaitId first = loop->AddBeforeWait([&] { order.push_back("flush"); });
  loop->RunAfter(0, [&] { order.push_back("timer"); });
  loop->RunOnce(0);  // flush, then the timer of this round
  loop->RunOnce(0);  // the timer's work is flushed before the next wait
  EXPECT_EQ(order, (std::vector<std::string>{"flush", "timer", "flush"}));

  // A callback that removes itself runs once; one it adds runs from then on.
  order.clear();
  BeforeWaitId self = 0;
  self = loop->AddBeforeWait([&] {
    order.push_back("once");
    loop->RemoveBeforeWait(self);
    loop->AddBeforeWait([&] { order.push_back("added"); });
  });
  loop->RemoveBeforeWait(first);
  loop->RunOnce(0);
  loop->RunOnce(0);
  EXPECT_EQ(order, (std::vector<std::string>{"once", "added", "added"}));
}

TEST(EventLoopTest, ClockIsMonotonic) {
  const int64_t a = EventLoop::NowUs();
  const int64_t b = EventLoop::NowUs();
  EXPECT_LE(a, b);
  EXPECT_GT(EventLoop::NowMs(), 0);
}

}  // namespace
}  // namespace auralink::net
