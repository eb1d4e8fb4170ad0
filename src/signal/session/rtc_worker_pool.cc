#include "signal/session/rtc_worker_pool.h"

#include <type_traits>

#include "common/log.h"

namespace auralink::signal {
namespace {

// Runs `task` on `loop`'s thread (which must not be the caller's) and waits for its result.
template <typename Task>
auto RunOnLoop(net::EventLoop* loop, Task task) -> decltype(task()) {
  using Result = decltype(task());
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  loop->Post([promise, task = std::move(task)]() mutable {
    if constexpr (std::is_void_v<Result>) {
      task();
      promise->set_value();
    } else {
      promise->set_value(task());
    }
  });
  return future.get();
}

uint16_t PortFor(uint16_t base, size_t index) {
  // Port 0 means "any": every worker takes its own free port.
  return base == 0 ? 0 : static_cast<uint16_t>(base + index);
}

// RoomPlacement's media load of one worker: its participants, and for each published track the
// subscribers it is forwarded to. Runs on the worker's thread.
uint64_t MediaLoadOf(sfu::RtcServer& server) {
  uint64_t load = 0;
  for (const sfu::RoomDescription& description : server.ListRooms({})) {
    sfu::Room* room = server.FindRoom(description.name);
    if (room == nullptr) continue;
    for (sfu::Participant* participant : room->participants()) {
      ++load;
      for (const auto& [sid, track] : participant->published_tracks())
        load += track->down_tracks().size();
    }
  }
  return load;
}

}  // namespace

StatusOr<std::unique_ptr<RtcWorkerPool>> RtcWorkerPool::Create(size_t workers,
                                                               const sfu::RtcServerConfig& config) {
  if (workers == 0) return Status::Error("rtc.workers must be at least 1");
  if ((config.udp_port != 0 && config.udp_port + workers - 1 > 65535) ||
      (config.ice_tcp && config.tcp_port != 0 && config.tcp_port + workers - 1 > 65535)) {
    return Status::Error("rtc.workers: " + std::to_string(workers) +
                         " workers need consecutive ports past 65535");
  }
  std::unique_ptr<RtcWorkerPool> pool(new RtcWorkerPool());
  pool->placement_ = RoomPlacement::Create(workers);
  RoomPlacement* placement = pool->placement_.get();
  for (size_t i = 0; i < workers; ++i) {
    auto loop = net::EventLoop::Create();
    if (!loop.ok()) return loop.status().WithContext("worker " + std::to_string(i));
    auto worker = std::make_unique<Worker>();
    worker->index = i;
    worker->loop = std::move(*loop);
    net::EventLoop* raw_loop = worker->loop.get();
    worker->thread = std::thread([raw_loop] { raw_loop->Run(); });
    pool->workers_.push_back(std::move(worker));

    sfu::RtcServerConfig own = config;
    own.udp_port = PortFor(config.udp_port, i);
    own.tcp_port = PortFor(config.tcp_port, i);
    Worker& created = *pool->workers_.back();
    Status started = RunOnLoop(raw_loop, [&created, own, placement, i]() -> Status {
      auto server = sfu::RtcServer::Create(created.loop.get(), own);
      if (!server.ok()) return server.status();
      created.server = std::move(*server);
      created.udp_port = created.server->udp_port();
      // The placement outlives the server and this timer (both end in the destructor).
      created.server->set_room_closed_callback(
          [placement, i](const std::string& room) { placement->OnRoomClosed(i, room); });
      Worker* self = &created;
      created.load_timer = created.loop->RunEvery(kLoadReportIntervalMs, [self, placement] {
        if (self->server) placement->ReportMediaLoad(self->index, MediaLoadOf(*self->server));
      });
      return Status::Ok();
    });
    // The destructor stops the workers started so far.
    if (!started.ok()) return started.WithContext("worker " + std::to_string(i));
  }
  return pool;
}

RtcWorkerPool::~RtcWorkerPool() {
  for (auto& worker : workers_) {
    if (!worker->thread.joinable()) continue;
    RunOnLoop(worker->loop.get(), [&worker] {
      // Closing the sessions first lets each leave its room while the server still exists.
      for (auto& weak : worker->sockets) {
        if (auto socket = weak.lock()) socket->Drop();
      }
      worker->sockets.clear();
      if (worker->load_timer != 0) worker->loop->Cancel(worker->load_timer);
      worker->server.reset();
    });
    worker->loop->Stop();
    worker->thread.join();
  }
}

uint16_t RtcWorkerPool::udp_port(size_t index) const {
  return index < workers_.size() ? workers_[index]->udp_port : 0;
}

template <typename Task>
auto RtcWorkerPool::RunOn(Worker& worker, Task task)
    -> decltype(task(std::declval<sfu::RtcServer&>())) {
  return RunOnLoop(worker.loop.get(),
                   [&worker, task = std::move(task)]() mutable { return task(*worker.server); });
}

template <typename Task>
auto RtcWorkerPool::RunHeld(RoomPlacement::Hold& hold, const std::string& room, Task task)
    -> decltype(task(std::declval<sfu::RtcServer&>())) {
  RoomPlacement* placement = placement_.get();
  return RunOn(*workers_[hold.worker()], [&, placement](sfu::RtcServer& server) {
    auto result = task(server);
    hold.Finish(server.FindRoom(room) != nullptr);
    placement->ReportMediaLoad(hold.worker(), MediaLoadOf(server));
    return result;
  });
}

template <typename Task>
auto RtcWorkerPool::RunOnRoom(const std::string& room, Task task)
    -> decltype(task(std::declval<sfu::RtcServer&>())) {
  std::optional<RoomPlacement::Hold> hold = placement_->Find(room);
  if (!hold) return Status::Error(StatusCode::kNotFound, "room " + room + " not found");
  return RunHeld(*hold, room, std::move(task));
}

void RtcWorkerPool::AcceptSession(http::WebSocketUpgrade& upgrade, const std::string& room,
                                  SessionStarter start) {
  // Shared: the callback is copied around and may be dropped unrun (the client went away before
  // the hand-over), which ends the hold too.
  auto hold = std::make_shared<RoomPlacement::Hold>(placement_->Place(room));
  Worker* worker = workers_[hold->worker()].get();
  RoomPlacement* placement = placement_.get();
  upgrade.AcceptOn(worker->loop.get(), [worker, placement, hold, room, start = std::move(start)](
                                           std::shared_ptr<http::WebSocketConnection> socket) {
    std::erase_if(worker->sockets, [](const auto& weak) { return weak.expired(); });
    worker->sockets.push_back(socket);
    if (!worker->server) {
      socket->Drop();  // shutting down
      return;
    }
    start(worker->server.get(), std::move(socket));
    hold->Finish(worker->server->FindRoom(room) != nullptr);
    placement->ReportMediaLoad(worker->index, MediaLoadOf(*worker->server));
  });
}

StatusOr<sfu::RoomDescription> RtcWorkerPool::CreateRoom(const sfu::RoomCreateOptions& options) {
  RoomPlacement::Hold hold = placement_->Place(options.name);
  return RunHeld(hold, options.name,
                 [&](sfu::RtcServer& server) { return server.CreateRoom(options); });
}

std::vector<sfu::RoomDescription> RtcWorkerPool::ListRooms(const std::vector<std::string>& names) {
  std::vector<sfu::RoomDescription> rooms;
  for (auto& worker : workers_) {
    std::vector<sfu::RoomDescription> own =
        RunOn(*worker, [&](sfu::RtcServer& server) { return server.ListRooms(names); });
    rooms.insert(rooms.end(), own.begin(), own.end());
  }
  return rooms;
}

Status RtcWorkerPool::DeleteRoom(const std::string& room) {
  return RunOnRoom(room, [&](sfu::RtcServer& server) { return server.DeleteRoom(room); });
}

StatusOr<std::vector<sfu::ParticipantDescription>> RtcWorkerPool::ListParticipants(
    const std::string& room) {
  return RunOnRoom(room, [&](sfu::RtcServer& server) { return server.ListParticipants(room); });
}

StatusOr<sfu::ParticipantDescription> RtcWorkerPool::GetParticipant(const std::string& room,
                                                                    const std::string& identity) {
  return RunOnRoom(room,
                   [&](sfu::RtcServer& server) { return server.GetParticipant(room, identity); });
}

Status RtcWorkerPool::RemoveParticipant(const std::string& room, const std::string& identity) {
  return RunOnRoom(
      room, [&](sfu::RtcServer& server) { return server.RemoveParticipant(room, identity); });
}

StatusOr<sfu::TrackDescription> RtcWorkerPool::MutePublishedTrack(const std::string& room,
                                                                  const std::string& identity,
                                                                  const std::string& track_sid,
                                                                  bool muted) {
  return RunOnRoom(room, [&](sfu::RtcServer& server) {
    return server.MutePublishedTrack(room, identity, track_sid, muted);
  });
}

StatusOr<sfu::ParticipantDescription> RtcWorkerPool::UpdateParticipant(
    const std::string& room, const std::string& identity, const sfu::ParticipantUpdate& update) {
  return RunOnRoom(room, [&](sfu::RtcServer& server) {
    return server.UpdateParticipant(room, identity, update);
  });
}

StatusOr<sfu::RoomDescription> RtcWorkerPool::UpdateRoomMetadata(const std::string& room,
                                                                 const std::string& metadata) {
  return RunOnRoom(
      room, [&](sfu::RtcServer& server) { return server.UpdateRoomMetadata(room, metadata); });
}

Status RtcWorkerPool::SendData(const std::string& room, const std::vector<uint8_t>& payload,
                               bool reliable,
                               const std::vector<std::string>& destination_identities,
                               const std::string& topic) {
  return RunOnRoom(room, [&](sfu::RtcServer& server) {
    return server.SendData(room, payload, reliable, destination_identities, topic);
  });
}

Status RtcWorkerPool::LimitSubscriberBandwidth(const std::string& room, const std::string& identity,
                                               int kbps) {
  return RunOnRoom(room, [&](sfu::RtcServer& server) {
    return server.LimitSubscriberBandwidth(room, identity, kbps);
  });
}

}  // namespace auralink::signal
