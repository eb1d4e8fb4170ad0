#include "signal/session/room_placement.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace auralink::signal {
namespace {

TEST(RoomPlacementTest, NewRoomsGoToTheLeastLoadedWorkerAndTiesToTheLowest) {
  auto placement = RoomPlacement::Create(3);
  // Nothing anywhere: the lowest index.
  RoomPlacement::Hold a = placement->Place("a");
  EXPECT_EQ(a.worker(), 0u);
  a.Finish(/*room_exists=*/true);
  EXPECT_EQ(placement->Load(0), 1u);  // one room

  placement->ReportMediaLoad(1, 5);  // five participants and subscriptions on worker 1
  // Loads 1, 5, 0.
  RoomPlacement::Hold b = placement->Place("b");
  EXPECT_EQ(b.worker(), 2u);
  b.Finish(true);
  // Loads 1, 5, 1: the tie between 0 and 2 goes to 0.
  RoomPlacement::Hold c = placement->Place("c");
  EXPECT_EQ(c.worker(), 0u);
  c.Finish(true);
  // Loads 2, 5, 1.
  RoomPlacement::Hold d = placement->Place("d");
  EXPECT_EQ(d.worker(), 2u);
  d.Finish(true);
  EXPECT_EQ(placement->Load(0), 2u);
  EXPECT_EQ(placement->Load(1), 5u);
  EXPECT_EQ(placement->Load(2), 2u);
  EXPECT_EQ(placement->room_count(), 4u);
}

TEST(RoomPlacementTest, ARoomKeepsItsWorkerWhileItExistsWhateverTheLoad) {
  auto placement = RoomPlacement::Create(2);
  placement->Place("busy").Finish(true);
  placement->ReportMediaLoad(0, 100);
  for (int i = 0; i < 5; ++i) {
    RoomPlacement::Hold again = placement->Place("busy");
    EXPECT_EQ(again.worker(), 0u);
    again.Finish(true);
    auto found = placement->Find("busy");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->worker(), 0u);
    found->Finish(true);
  }
  EXPECT_EQ(placement->WorkerOf("busy"), 0u);
  EXPECT_EQ(placement->room_count(), 1u);
}

TEST(RoomPlacementTest, AClosedRoomIsForgottenAndItsNameCanGoElsewhere) {
  auto placement = RoomPlacement::Create(2);
  placement->Place("x").Finish(true);  // worker 0
  placement->Place("y").Finish(true);  // worker 1
  EXPECT_EQ(placement->WorkerOf("x"), 0u);
  placement->ReportMediaLoad(0, 10);
  placement->OnRoomClosed(0, "x");
  EXPECT_FALSE(placement->WorkerOf("x").has_value());
  EXPECT_FALSE(placement->Find("x").has_value());
  EXPECT_EQ(placement->Load(0), 10u);  // the room no longer counts
  // Loads 10 and 1: the name now goes to worker 1.
  RoomPlacement::Hold x = placement->Place("x");
  EXPECT_EQ(x.worker(), 1u);
  x.Finish(true);
  // A close reported by a worker that does not have the room changes nothing.
  placement->OnRoomClosed(0, "x");
  EXPECT_EQ(placement->WorkerOf("x"), 1u);
}

TEST(RoomPlacementTest, WorkThatNeverCreatedTheRoomLeavesNoAssignment) {
  auto placement = RoomPlacement::Create(2);
  // A join refused on the worker (auto-creation off), or a resume for a room that is gone.
  placement->Place("refused").Finish(/*room_exists=*/false);
  EXPECT_FALSE(placement->WorkerOf("refused").has_value());
  // A join whose client went away before it reached the worker: the hold is dropped unfinished.
  { RoomPlacement::Hold dropped = placement->Place("vanished"); }
  EXPECT_FALSE(placement->WorkerOf("vanished").has_value());
  EXPECT_EQ(placement->room_count(), 0u);
  EXPECT_EQ(placement->Load(0), 0u);
  EXPECT_EQ(placement->Load(1), 0u);
}

TEST(RoomPlacementTest, AJoinOnItsWayKeepsTheAssignmentWhileTheWorkerClosesTheRoom) {
  auto placement = RoomPlacement::Create(2);
  placement->Place("r").Finish(true);  // worker 0
  placement->ReportMediaLoad(0, 50);
  // A join for "r" is handed to worker 0 ...
  RoomPlacement::Hold join = placement->Place("r");
  ASSERT_EQ(join.worker(), 0u);
  // ... which closes "r" (its empty timeout) before the join runs there.
  placement->OnRoomClosed(0, "r");
  // The assignment stays: a second join for "r" meanwhile goes to the same worker, not to the
  // idle worker 1, so the room cannot come to exist on two workers.
  EXPECT_EQ(placement->WorkerOf("r"), 0u);
  RoomPlacement::Hold second = placement->Place("r");
  EXPECT_EQ(second.worker(), 0u);
  // The first join re-creates the room on worker 0; the second finds it there.
  join.Finish(true);
  second.Finish(true);
  EXPECT_EQ(placement->WorkerOf("r"), 0u);
  // Closed again with nothing on its way: forgotten.
  placement->OnRoomClosed(0, "r");
  EXPECT_FALSE(placement->WorkerOf("r").has_value());
}

TEST(RoomPlacementTest, AJoinThatFailsAfterTheCloseLetsTheAssignmentGo) {
  auto placement = RoomPlacement::Create(2);
  placement->Place("r").Finish(true);
  RoomPlacement::Hold join = placement->Place("r");
  placement->OnRoomClosed(0, "r");
  // The held join ran but did not re-create the room (auto-creation off).
  join.Finish(false);
  EXPECT_FALSE(placement->WorkerOf("r").has_value());
  // A held join that was dropped after the close does not bring a closed room back either.
  placement->Place("s").Finish(true);
  std::optional<RoomPlacement::Hold> api = placement->Find("s");
  ASSERT_TRUE(api.has_value());
  placement->OnRoomClosed(0, "s");
  api.reset();
  EXPECT_FALSE(placement->WorkerOf("s").has_value());
}

TEST(RoomPlacementTest, MovedHoldsEndOnceAndHoldsOutliveTheirPlacementsOwner) {
  auto placement = RoomPlacement::Create(2);
  RoomPlacement::Hold first = placement->Place("m");
  RoomPlacement::Hold moved = std::move(first);
  RoomPlacement::Hold other = placement->Place("n");  // worker 1
  EXPECT_EQ(other.worker(), 1u);
  other = std::move(moved);  // ends the hold on "n", which never existed
  EXPECT_FALSE(placement->WorkerOf("n").has_value());
  EXPECT_EQ(placement->WorkerOf("m"), 0u);
  std::weak_ptr<RoomPlacement> weak = placement;
  placement.reset();
  EXPECT_FALSE(weak.expired());  // the hold keeps it
  other.Finish(false);
  EXPECT_TRUE(weak.expired());
}

TEST(RoomPlacementTest, ConcurrentPlacementsOfOneRoomAgreeOnItsWorker) {
  auto placement = RoomPlacement::Create(4);
  placement->ReportMediaLoad(0, 7);
  placement->ReportMediaLoad(1, 3);
  placement->ReportMediaLoad(3, 9);
  constexpr int kThreads = 8;
  constexpr int kRounds = 500;
  std::vector<std::vector<size_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        RoomPlacement::Hold hold = placement->Place("shared");
        seen[t].push_back(hold.worker());
        hold.Finish(true);
        placement->ReportMediaLoad(1, 3 + (i % 2));  // loads keep changing meanwhile
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::vector<size_t>& workers : seen) {
    ASSERT_EQ(workers.size(), size_t{kRounds});
    for (size_t worker : workers) EXPECT_EQ(worker, 2u);  // the only idle worker at first
  }
  EXPECT_EQ(placement->room_count(), 1u);
}

}  // namespace
}  // namespace auralink::signal
