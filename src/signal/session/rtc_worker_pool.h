// Several SFU workers, one per thread, each with its own event loop and RtcServer (as mediasoup
// runs one worker per core). A room lives on exactly one worker, so everything about it — its
// participants' signalling sessions, their ICE/DTLS/SRTP flows and the forwarding between them —
// runs on that worker's thread without locks. A new room goes to the least-loaded worker and stays
// there until that worker closes it (RoomPlacement: load, ties and the closing race). Worker i
// listens for media on udp_port + i (and tcp_port + i for ICE-TCP); its candidates carry those
// ports.
//
// The HTTP side stays on the main loop: /rtc upgrades are handed to the room's worker
// (WebSocketUpgrade::AcceptOn), and RoomService calls are run on the room's worker and waited for.
// Each worker reports its load after every piece of room work the pool hands it and every
// kLoadReportIntervalMs, since publications and subscriptions change it without the pool.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "net/event_loop.h"
#include "sfu/room_control.h"
#include "sfu/rtc_server.h"
#include "signal/http/http_server.h"
#include "signal/session/room_placement.h"

namespace auralink::signal {

class RtcWorkerPool : public sfu::RoomControl {
 public:
  using SessionStarter =
      std::function<void(sfu::RtcServer* rtc, std::shared_ptr<http::WebSocketConnection> socket)>;

  // Starts `workers` (≥ 1) threads. Ports 0 stay 0 (each worker takes any free port).
  static StatusOr<std::unique_ptr<RtcWorkerPool>> Create(size_t workers,
                                                         const sfu::RtcServerConfig& config);
  // Closes every session on its own worker, destroys the RTC servers there, joins the threads.
  ~RtcWorkerPool() override;
  RtcWorkerPool(const RtcWorkerPool&) = delete;
  RtcWorkerPool& operator=(const RtcWorkerPool&) = delete;

  static constexpr int64_t kLoadReportIntervalMs = 500;

  size_t size() const { return workers_.size(); }
  // The worker a room is assigned to; nullopt when no worker has it (for logs and tests).
  std::optional<size_t> WorkerOf(const std::string& room) const {
    return placement_->WorkerOf(room);
  }
  // A worker's load as placement sees it (RoomPlacement).
  uint64_t WorkerLoad(size_t index) const { return placement_->Load(index); }
  // The media ports worker `index` bound (for logs and tests).
  uint16_t udp_port(size_t index) const;
  // Accepts the upgrade on the room's worker, placing the room first when it has none; `start`
  // runs there with that worker's RtcServer.
  void AcceptSession(http::WebSocketUpgrade& upgrade, const std::string& room,
                     SessionStarter start);

  StatusOr<sfu::RoomDescription> CreateRoom(const sfu::RoomCreateOptions& options) override;
  std::vector<sfu::RoomDescription> ListRooms(const std::vector<std::string>& names) override;
  Status DeleteRoom(const std::string& room) override;
  StatusOr<std::vector<sfu::ParticipantDescription>> ListParticipants(
      const std::string& room) override;
  StatusOr<sfu::ParticipantDescription> GetParticipant(const std::string& room,
                                                       const std::string& identity) override;
  Status RemoveParticipant(const std::string& room, const std::string& identity) override;
  StatusOr<sfu::TrackDescription> MutePublishedTrack(const std::string& room,
                                                     const std::string& identity,
                                                     const std::string& track_sid,
                                                     bool muted) override;
  StatusOr<sfu::ParticipantDescription> UpdateParticipant(
      const std::string& room, const std::string& identity,
      const sfu::ParticipantUpdate& update) override;
  StatusOr<sfu::RoomDescription> UpdateRoomMetadata(const std::string& room,
                                                    const std::string& metadata) override;
  Status SendData(const std::string& room, const std::vector<uint8_t>& payload, bool reliable,
                  const std::vector<std::string>& destination_identities,
                  const std::string& topic) override;
  Status LimitSubscriberBandwidth(const std::string& room, const std::string& identity,
                                  int kbps) override;

 private:
  struct Worker {
    size_t index = 0;
    std::unique_ptr<net::EventLoop> loop;
    std::unique_ptr<sfu::RtcServer> server;  // created, used and destroyed on the worker thread
    std::vector<std::weak_ptr<http::WebSocketConnection>> sockets;  // worker thread only
    net::TimerId load_timer = 0;                                    // worker thread only
    std::thread thread;
    uint16_t udp_port = 0;
  };

  RtcWorkerPool() = default;
  // Runs `task` on the worker's thread and waits for its result. The caller must not be that
  // worker's thread (RoomService handlers run on the main loop).
  template <typename Task>
  auto RunOn(Worker& worker, Task task) -> decltype(task(std::declval<sfu::RtcServer&>()));
  // Runs `task` on the held room's worker, then ends the hold and reports the worker's load.
  template <typename Task>
  auto RunHeld(RoomPlacement::Hold& hold, const std::string& room, Task task)
      -> decltype(task(std::declval<sfu::RtcServer&>()));
  // The same for a room that exists; NotFound, as RtcServer answers, for one no worker has.
  template <typename Task>
  auto RunOnRoom(const std::string& room, Task task)
      -> decltype(task(std::declval<sfu::RtcServer&>()));

  // Declared first: outlives the workers, whose callbacks report to it.
  std::shared_ptr<RoomPlacement> placement_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace auralink::signal
