// Which SFU worker each room lives on, and how loaded each worker is. A room is assigned when it
// first appears (CreateRoom or its first /rtc session) to the worker with the least load, as
// mediasoup applications and LiveKit's node selector place new rooms, and keeps that worker while
// it exists there, so all of its participants share one thread and the media path takes no locks.
//
// Load is a count that grows with the forwarding work a worker does: every participant counts 1,
// every published track counts its subscribers (each is a stream the worker sends), and every room
// assigned to the worker counts 1. Participants and subscriptions are reported by the worker
// (ReportMediaLoad); rooms are counted here the moment they are assigned, so a burst of new rooms
// spreads over the workers before any of them reports. Ties go to the lowest worker index.
//
// Thread safety: every method may be called from any thread (the HTTP thread places rooms, the
// workers report loads and closed rooms). Nothing here is on the media path.
//
// Closing races. An assignment is forgotten when its worker closes the room, so a later room of
// the same name may go elsewhere. Work for a room on its way to the worker (a join handed to the
// worker's loop) or running there holds the assignment: a reference count of holds keeps it while
// the room is closed under it, so such a join reaches the same worker and re-creates the room
// there, and no second worker can take the name meanwhile. A hold ends on the worker's thread
// after its work ran (Finish, telling whether the room exists there now) or, when the work never
// reached the worker, by being destroyed; the assignment goes once no hold is left and the room
// does not exist on its worker. The worker reports "exists" and "closed" from its own thread, in
// the order things happened there, so the last report seen here is the truth.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace auralink::signal {

class RoomPlacement : public std::enable_shared_from_this<RoomPlacement> {
 public:
  // Keeps a room's assignment while work for the room is on its way to its worker or runs there.
  class Hold {
   public:
    Hold(Hold&& other) noexcept;
    Hold& operator=(Hold&& other) noexcept;
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    // Ends the hold if Finish did not: the held work never ran on the worker.
    ~Hold();

    size_t worker() const { return worker_; }
    // Called on the worker's thread after the held work ran there: `room_exists` says whether the
    // room is on the worker now. Ends the hold.
    void Finish(bool room_exists);

   private:
    friend class RoomPlacement;
    Hold(std::shared_ptr<RoomPlacement> placement, std::string room, size_t worker);
    void End(std::optional<bool> room_exists);

    std::shared_ptr<RoomPlacement> placement_;  // null once ended
    std::string room_;
    size_t worker_ = 0;
  };

  // `workers` ≥ 1. Holds keep the placement alive, so they may outlive its other owners.
  static std::shared_ptr<RoomPlacement> Create(size_t workers);

  // The room's worker, assigning the least-loaded one when the room has none; held.
  Hold Place(const std::string& room);
  // The room's worker when it has one (held), or nullopt: the room does not exist on any worker.
  std::optional<Hold> Find(const std::string& room);
  // Worker `worker` closed `room` (empty-room timeout, DeleteRoom). Call on that worker's thread.
  void OnRoomClosed(size_t worker, const std::string& room);
  // The worker's participants plus, per published track, its subscribers (see the top comment).
  void ReportMediaLoad(size_t worker, uint64_t load);

  // For logs and tests.
  std::optional<size_t> WorkerOf(const std::string& room) const;
  uint64_t Load(size_t worker) const;
  size_t room_count() const;
  size_t workers() const { return media_load_.size(); }

 private:
  struct Assignment {
    size_t worker = 0;
    uint32_t holds = 0;
    bool exists = false;  // the room is on its worker, as the worker last said
  };

  explicit RoomPlacement(size_t workers);
  void Release(const std::string& room, std::optional<bool> room_exists);
  // Drops the assignment when nothing keeps it. Requires mutex_.
  void ForgetIfUnused(std::unordered_map<std::string, Assignment>::iterator assignment);
  uint64_t LoadLocked(size_t worker) const { return media_load_[worker] + rooms_[worker]; }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Assignment> assignments_;
  std::vector<uint64_t> media_load_;  // by worker, as reported
  std::vector<uint64_t> rooms_;       // assignments by worker
};

}  // namespace auralink::signal
