#include "signal/session/room_placement.h"

#include <algorithm>
#include <utility>

namespace auralink::signal {

RoomPlacement::Hold::Hold(std::shared_ptr<RoomPlacement> placement, std::string room, size_t worker)
    : placement_(std::move(placement)), room_(std::move(room)), worker_(worker) {}

RoomPlacement::Hold::Hold(Hold&& other) noexcept
    : placement_(std::move(other.placement_)),
      room_(std::move(other.room_)),
      worker_(other.worker_) {}

RoomPlacement::Hold& RoomPlacement::Hold::operator=(Hold&& other) noexcept {
  if (this != &other) {
    End(std::nullopt);
    placement_ = std::move(other.placement_);
    room_ = std::move(other.room_);
    worker_ = other.worker_;
  }
  return *this;
}

RoomPlacement::Hold::~Hold() { End(std::nullopt); }

void RoomPlacement::Hold::Finish(bool room_exists) { End(room_exists); }

void RoomPlacement::Hold::End(std::optional<bool> room_exists) {
  if (!placement_) return;
  std::shared_ptr<RoomPlacement> placement = std::move(placement_);  // leaves placement_ null
  placement->Release(room_, room_exists);
}

std::shared_ptr<RoomPlacement> RoomPlacement::Create(size_t workers) {
  return std::shared_ptr<RoomPlacement>(new RoomPlacement(std::max<size_t>(workers, 1)));
}

RoomPlacement::RoomPlacement(size_t workers) : media_load_(workers, 0), rooms_(workers, 0) {}

RoomPlacement::Hold RoomPlacement::Place(const std::string& room) {
  std::lock_guard lock(mutex_);
  auto [assignment, inserted] = assignments_.try_emplace(room);
  if (inserted) {
    size_t least = 0;
    for (size_t worker = 1; worker < media_load_.size(); ++worker) {
      if (LoadLocked(worker) < LoadLocked(least)) least = worker;
    }
    assignment->second.worker = least;
    ++rooms_[least];
  }
  ++assignment->second.holds;
  // Holds share ownership: a join still queued for a worker may end after the pool is gone.
  return Hold(shared_from_this(), room, assignment->second.worker);
}

std::optional<RoomPlacement::Hold> RoomPlacement::Find(const std::string& room) {
  std::lock_guard lock(mutex_);
  auto assignment = assignments_.find(room);
  if (assignment == assignments_.end()) return std::nullopt;
  ++assignment->second.holds;
  return Hold(shared_from_this(), room, assignment->second.worker);
}

void RoomPlacement::Release(const std::string& room, std::optional<bool> room_exists) {
  std::lock_guard lock(mutex_);
  auto assignment = assignments_.find(room);
  // A held assignment is never forgotten, so it is still here.
  if (assignment == assignments_.end() || assignment->second.holds == 0) return;
  if (room_exists) assignment->second.exists = *room_exists;
  --assignment->second.holds;
  ForgetIfUnused(assignment);
}

void RoomPlacement::OnRoomClosed(size_t worker, const std::string& room) {
  std::lock_guard lock(mutex_);
  auto assignment = assignments_.find(room);
  if (assignment == assignments_.end() || assignment->second.worker != worker) return;
  assignment->second.exists = false;
  ForgetIfUnused(assignment);
}

void RoomPlacement::ForgetIfUnused(
    std::unordered_map<std::string, Assignment>::iterator assignment) {
  if (assignment->second.holds != 0 || assignment->second.exists) return;
  --rooms_[assignment->second.worker];
  assignments_.erase(assignment);
}

void RoomPlacement::ReportMediaLoad(size_t worker, uint64_t load) {
  std::lock_guard lock(mutex_);
  if (worker < media_load_.size()) media_load_[worker] = load;
}

std::optional<size_t> RoomPlacement::WorkerOf(const std::string& room) const {
  std::lock_guard lock(mutex_);
  auto assignment = assignments_.find(room);
  if (assignment == assignments_.end()) return std::nullopt;
  return assignment->second.worker;
}

uint64_t RoomPlacement::Load(size_t worker) const {
  std::lock_guard lock(mutex_);
  return worker < media_load_.size() ? LoadLocked(worker) : 0;
}

size_t RoomPlacement::room_count() const {
  std::lock_guard lock(mutex_);
  return assignments_.size();
}

}  // namespace auralink::signal
