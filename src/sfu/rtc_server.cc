#include "sfu/rtc_server.h"

#include <algorithm>
#include <atomic>

#include "common/log.h"
#include "rtc/ice/ice_candidate.h"
#include "rtc/ice/stun_packet.h"
#include "rtc/packet_demux.h"

namespace auralink::sfu {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string UfragOfUsername(std::string_view username) {
  // USERNAME is "<our ufrag>:<their ufrag>" in requests the browser sends us (RFC 8445 §7.2.2).
  const size_t colon = username.find(':');
  return std::string(colon == std::string_view::npos ? username : username.substr(0, colon));
}

// Erases `key` from a routing map if it still leads to `transport` (another transport may have
// taken the address since: a NAT that reused the port).
template <typename Map>
void EraseRoute(Map* routes, const typename Map::key_type& key, const WebRtcTransport* transport) {
  auto found = routes->find(key);
  if (found != routes->end() && found->second == transport) routes->erase(found);
}

}  // namespace

StatusOr<std::unique_ptr<RtcServer>> RtcServer::Create(net::EventLoop* loop,
                                                       RtcServerConfig config) {
  if (loop == nullptr) return Status::Error("RTC server: no event loop");
  std::unique_ptr<RtcServer> server(new RtcServer(loop, std::move(config)));
  AURALINK_RETURN_IF_ERROR(server->Start());
  return server;
}

RtcServer::RtcServer(net::EventLoop* loop, RtcServerConfig config)
    : loop_(loop), config_(std::move(config)), random_(std::random_device{}()) {}

RtcServer::~RtcServer() {
  if (tick_timer_ != 0) loop_->Cancel(tick_timer_);
  if (tick_slice_timer_ != 0) loop_->Cancel(tick_slice_timer_);
  rooms_.clear();
  if (send_queue_) {
    send_queue_->Flush();
    const net::UdpSendQueueCounters& sent = send_queue_->counters();
    AURALINK_LOG(kInfo) << "RTC server: " << counters_.datagrams << " datagrams received, "
                        << sent.datagrams << " queued to send in " << sent.batches
                        << " flushes and " << sent.messages << " messages";
    if (raw_egress_) {
      const net::RawUdpEgressCounters& raw = raw_egress_->counters();
      AURALINK_LOG(kInfo) << "RTC server: raw UDP send: " << raw.datagrams_sent << " frames, "
                          << raw.handed_back << " datagrams left to the sockets, "
                          << raw.path_lookups << " path lookups (" << raw.unresolved
                          << " unresolved), " << raw.would_block << " dropped, " << raw.send_errors
                          << " errors";
    }
    LogHopLatency("at exit");
  }
  for (auto& [address, peer] : tcp_peers_) peer->connection->Close();
  tcp_peers_.clear();
  tcp_listener_.reset();
  if (socket_) socket_->StopReceiving();
}

namespace {
std::atomic<uint32_t> g_hop_report_requests{0};
static_assert(std::atomic<uint32_t>::is_always_lock_free);
}  // namespace

void RtcServer::RequestHopLatencyReport() {
  g_hop_report_requests.fetch_add(1, std::memory_order_relaxed);
}

void RtcServer::LogHopLatency(const std::string& which) {
  if (!hop_latency_) return;
  // One line for scripts (bench/sfu reads it).
  AURALINK_LOG(kInfo) << "RTC server hop latency (arrival to send, us) " << which
                      << ": count=" << hop_latency_->count()
                      << " p50=" << hop_latency_->Percentile(0.5)
                      << " p99=" << hop_latency_->Percentile(0.99)
                      << " p999=" << hop_latency_->Percentile(0.999)
                      << " max=" << hop_latency_->MaxUs();
}

Status RtcServer::Start() {
  auto certificate = rtc::DtlsCertificate::Create();
  if (!certificate.ok()) return certificate.status().WithContext("RTC server");
  auto bind_address = net::SocketAddress::FromIp(config_.bind_ip, config_.udp_port);
  if (!bind_address) return Status::Error("RTC server: bad bind address " + config_.bind_ip);
  auto send_queue = net::UdpSendQueue::Create(loop_);
  if (!send_queue.ok()) return send_queue.status().WithContext("RTC server");
  send_queue_ = std::move(*send_queue);
  hop_reports_seen_ = g_hop_report_requests.load(std::memory_order_relaxed);
  if (config_.measure_hop_latency) {
    hop_latency_ = std::make_unique<LatencyHistogram>();
    send_queue_->set_latency_histogram(hop_latency_.get());
  }
  if (config_.raw_udp_send) {
    auto egress = net::RawUdpEgress::Create();
    if (egress.ok()) {
      raw_egress_ = std::move(*egress);
      AURALINK_LOG(kInfo) << "RTC server: media to IPv4 peers leaves as frames (rtc.raw_udp_send)";
    } else {
      AURALINK_LOG(kWarning) << "RTC server: rtc.raw_udp_send is on but unavailable ("
                             << egress.status().message() << "); sending through UDP sockets";
    }
  }
  net::UdpSocketOptions socket_options;
  socket_options.receive_timestamps = config_.measure_hop_latency;
  if (per_connection_ports()) {
    if (config_.port_range_end < config_.port_range_start)
      return Status::Error("RTC server: empty UDP port range " +
                           std::to_string(config_.port_range_start) + "-" +
                           std::to_string(config_.port_range_end));
  } else {
    auto socket = net::UdpSocket::Bind(*bind_address, socket_options);
    if (!socket.ok()) return socket.status().WithContext("RTC server: UDP port");
    socket_ = std::move(*socket);
    socket_->set_raw_egress(raw_egress_.get());
    udp_port_ = socket_->local_address().port();
    AURALINK_RETURN_IF_ERROR(socket_->StartReceiving(
        loop_, [this](std::span<const uint8_t> data, const net::SocketAddress& from) {
          OnDatagram(data, from);
        }));
  }

  if (config_.ice_tcp) {
    auto tcp_address = net::SocketAddress::FromIp(config_.bind_ip, config_.tcp_port);
    if (!tcp_address) return Status::Error("RTC server: bad bind address " + config_.bind_ip);
    auto listener = net::TcpListener::Create(
        loop_, *tcp_address,
        [this](std::shared_ptr<net::TcpConnection> connection) { OnTcpConnection(connection); });
    if (!listener.ok()) return listener.status().WithContext("RTC server: ICE-TCP port");
    tcp_listener_ = std::move(*listener);
    tcp_port_ = tcp_listener_->local_address().port();
  }

  environment_.certificate = *certificate;
  if (!per_connection_ports()) environment_.candidates = HostCandidates(udp_port_);
  environment_.send_packet = [this](std::span<const uint8_t> bytes, const net::SocketAddress& to) {
    SendPacket(socket_.get(), bytes, to);
  };
  environment_.register_transport = [this](WebRtcTransport* transport) {
    const std::string& ufrag = transport->local_ufrag();
    by_ufrag_[ufrag] = transport;
    std::vector<std::string>& ufrags = routes_[transport].ufrags;
    if (std::find(ufrags.begin(), ufrags.end(), ufrag) == ufrags.end()) ufrags.push_back(ufrag);
    // Re-registered after an ICE restart: the replaced ufrag stays routed (the peer checks with
    // it until it has our new description); older ones from earlier restarts go.
    if (!transport->previous_local_ufrag().empty()) {
      std::erase_if(ufrags, [this, transport](const std::string& kept) {
        if (kept == transport->local_ufrag() || kept == transport->previous_local_ufrag())
          return false;
        EraseRoute(&by_ufrag_, kept, transport);
        return true;
      });
    }
    if (per_connection_ports()) AttachTransportSocket(transport);
  };
  environment_.unregister_transport = [this](WebRtcTransport* transport) {
    if (auto own = transport_sockets_.find(transport); own != transport_sockets_.end())
      own->second->transport = nullptr;
    auto routes = routes_.find(transport);
    if (routes == routes_.end()) return;
    for (const std::string& ufrag : routes->second.ufrags) EraseRoute(&by_ufrag_, ufrag, transport);
    for (const net::SocketAddress& address : routes->second.addresses)
      EraseRoute(&by_address_, address, transport);
    for (const net::SocketAddress& address : routes->second.tcp_addresses)
      EraseRoute(&by_tcp_address_, address, transport);
    routes_.erase(routes);
  };
  environment_.make_id = [this](const char* prefix) { return NewId(prefix); };
  environment_.make_ssrc = [this]() {
    uint32_t ssrc = 0;
    while (ssrc == 0) ssrc = static_cast<uint32_t>(random_());
    return ssrc;
  };
  tick_timer_ = loop_->RunEvery(config_.tick_interval_ms, [this]() { Tick(); });
  if (per_connection_ports()) {
    AURALINK_LOG(kInfo) << "RTC server: a UDP port per peer connection in "
                        << config_.port_range_start << "-" << config_.port_range_end
                        << ", ICE-TCP port " << tcp_port_;
  } else {
    AURALINK_LOG(kInfo) << "RTC server: UDP port " << udp_port_ << ", ICE-TCP port " << tcp_port_
                        << ", " << environment_.candidates.size() << " host candidates";
  }
  return Status::Ok();
}

bool RtcServer::per_connection_ports() const {
  return config_.udp_port == 0 && config_.port_range_start != 0;
}

std::vector<std::string> RtcServer::HostCandidates(uint16_t udp_port) const {
  std::vector<std::string> candidates;
  int index = 0;
  for (const std::string& ip : config_.candidate_ips) {
    rtc::IceCandidate candidate;
    candidate.foundation = std::to_string(++index);
    candidate.component = 1;
    candidate.protocol = rtc::IceTransportProtocol::kUdp;
    candidate.priority = rtc::ComputeIcePriority(
        rtc::IceTypePreference(rtc::IceCandidateType::kHost), 65535 - index, 1);
    candidate.address = ip;
    candidate.port = udp_port;
    candidate.type = rtc::IceCandidateType::kHost;
    candidates.push_back(candidate.ToString());
    if (tcp_port_ != 0) {
      // RFC 6544 §4.2: TCP candidates rank below UDP ones of the same type.
      rtc::IceCandidate tcp = candidate;
      tcp.foundation = std::to_string(100 + index);
      tcp.protocol = rtc::IceTransportProtocol::kTcp;
      tcp.port = tcp_port_;
      tcp.tcp_type = rtc::IceTcpType::kPassive;
      tcp.priority = rtc::ComputeIcePriority(
          rtc::IceTypePreference(rtc::IceCandidateType::kHost) - 10, 65535 - index, 1);
      candidates.push_back(tcp.ToString());
    }
  }
  return candidates;
}

Status RtcServer::ReserveRangePorts(size_t count) {
  while (spare_sockets_.size() < count) {
    net::UdpSocketOptions options;
    options.receive_timestamps = config_.measure_hop_latency;
    auto socket = net::UdpSocket::BindInRange(config_.bind_ip, config_.port_range_start,
                                              config_.port_range_end, options);
    if (!socket.ok()) {
      ++counters_.ports_exhausted;
      std::string message = "no free UDP port in the range ";
      message += std::to_string(config_.port_range_start) + "-" +
                 std::to_string(config_.port_range_end) + " for a new peer connection";
      return Status::Error(StatusCode::kResourceExhausted, std::move(message));
    }
    (*socket)->set_raw_egress(raw_egress_.get());
    spare_sockets_.push_back(std::move(*socket));
  }
  return Status::Ok();
}

void RtcServer::AttachTransportSocket(WebRtcTransport* transport) {
  std::unique_ptr<TransportSocket>& own = transport_sockets_[transport];
  if (!own) {
    if (Status reserved = ReserveRangePorts(1); !reserved.ok()) {
      // Join reserves ports for both connections, so only an unforeseen extra one gets here: it
      // has no candidates and cannot connect.
      AURALINK_LOG(kWarning) << "RTC server: " << reserved.message();
      transport_sockets_.erase(transport);
      return;
    }
    own = std::make_unique<TransportSocket>();
    own->socket = std::move(spare_sockets_.back());
    spare_sockets_.pop_back();
    TransportSocket* raw = own.get();
    Status receiving = own->socket->StartReceiving(
        loop_, [this, raw](std::span<const uint8_t> data, const net::SocketAddress& from) {
          ++counters_.datagrams;
          if (raw->transport == nullptr) return;
          // The socket's receive buffer is ours until the callback returns.
          arrival_us_ = raw->socket->last_receive_time_us();
          raw->transport->HandlePacket(const_cast<uint8_t*>(data.data()), data.size(), from,
                                       net::EventLoop::NowMs());
          arrival_us_ = 0;
        });
    own->socket->set_batch_end_callback([this]() { FlushReceiveBatch(); });
    if (!receiving.ok()) {
      AURALINK_LOG(kWarning) << "RTC server: " << receiving.message();
      transport_sockets_.erase(transport);
      return;
    }
  }
  own->transport = transport;
  net::UdpSocket* socket = own->socket.get();
  transport->SetPacketSender(
      [this, socket](std::span<const uint8_t> bytes, const net::SocketAddress& to) {
        SendPacket(socket, bytes, to);
      });
  transport->SetLocalCandidates(HostCandidates(socket->local_address().port()));
}

void RtcServer::ReleaseDetachedSockets() {
  bool flushed = false;
  for (auto it = transport_sockets_.begin(); it != transport_sockets_.end();) {
    if (it->second->transport != nullptr) {
      ++it;
      continue;
    }
    // Datagrams still queued for this socket leave first.
    if (!flushed) send_queue_->Flush();
    flushed = true;
    it = transport_sockets_.erase(it);
  }
}

std::string RtcServer::NewId(const char* prefix) {
  std::string id(prefix);
  for (int i = 0; i < 12; ++i) id += kBase62[random_() % 62];
  return id;
}

void RtcServer::OnDatagram(std::span<const uint8_t> data, const net::SocketAddress& from) {
  ++counters_.datagrams;
  // The socket's receive buffer is ours until the callback returns: decrypting in place is safe.
  arrival_us_ = socket_->last_receive_time_us();
  OnPacket(const_cast<uint8_t*>(data.data()), data.size(), from, /*tcp=*/false);
  arrival_us_ = 0;
  // What this datagram caused (a fan-out) leaves before the next datagram is handled, so that it
  // does not wait for the fan-out of everything else read in the same batch, unless the next one
  // is from the same sender. A publisher's burst (a video frame's packets, of which the last
  // completes the frame) then reaches each subscriber as one GSO message.
  if (!socket_->next_from_same_source()) FlushReceiveBatch();
}

void RtcServer::FlushReceiveBatch() {
  if (send_queue_->size() != 0) send_queue_->Flush();
}

void RtcServer::OnTcpConnection(std::shared_ptr<net::TcpConnection> connection) {
  const net::SocketAddress peer = connection->peer_address();
  auto state = std::make_shared<TcpPeer>();
  state->connection = connection;
  tcp_peers_[peer] = state;
  std::weak_ptr<TcpPeer> weak = state;
  connection->set_data_callback([this, weak, peer](std::span<const uint8_t> data) {
    std::shared_ptr<TcpPeer> tcp = weak.lock();
    if (!tcp) return;
    if (!tcp->decoder.Feed(data).ok()) {
      tcp->connection->Close();  // an oversized frame: not an ICE peer
      return;
    }
    while (std::optional<std::span<const uint8_t>> frame = tcp->decoder.NextFrame()) {
      // The frame view lives in the decoder's buffer until the next Feed/NextFrame.
      OnPacket(const_cast<uint8_t*>(frame->data()), frame->size(), peer, /*tcp=*/true);
    }
  });
  connection->set_close_callback([this, peer](const Status&) {
    // Not inside the connection's own callback: the map holds the last reference to it.
    loop_->Post([this, peer]() {
      tcp_peers_.erase(peer);
      by_tcp_address_.erase(peer);
    });
  });
  if (!connection->Start().ok()) tcp_peers_.erase(peer);
}

void RtcServer::SendPacket(net::UdpSocket* socket, std::span<const uint8_t> bytes,
                           const net::SocketAddress& to) {
  if (!tcp_peers_.empty()) {
    auto tcp = tcp_peers_.find(to);
    if (tcp != tcp_peers_.end()) {
      std::vector<uint8_t> framed;
      if (rtc::AppendIceTcpFrame(bytes, &framed).ok()) tcp->second->connection->Send(framed);
      return;
    }
  }
  if (socket != nullptr) send_queue_->Enqueue(socket, bytes, to, arrival_us_);
}

void RtcServer::OnPacket(uint8_t* bytes, size_t size, const net::SocketAddress& from, bool tcp) {
  const int64_t now_ms = net::EventLoop::NowMs();
  auto& addresses = tcp ? by_tcp_address_ : by_address_;
  auto known = addresses.find(from);
  // Known addresses keep reaching their transport across an ICE restart. A check from one whose
  // consent has lapsed is routed by its ufrag instead: the address may be another peer's now (a
  // NAT that reused the port).
  if (known != addresses.end() && (size == 0 || !rtc::IsStunFirstByte(bytes[0]) ||
                                   known->second->ice().IsValidAddress(from, now_ms))) {
    known->second->HandlePacket(bytes, size, from, now_ms);
    return;
  }
  const std::span<const uint8_t> data(bytes, size);
  if (!rtc::IsStunPacket(data)) {
    ++counters_.unknown_peer;
    return;
  }
  auto stun = rtc::StunPacket::Parse(data);
  if (!stun.ok() || !stun->username()) {
    ++counters_.unknown_peer;
    return;
  }
  const std::string ufrag = UfragOfUsername(*stun->username());
  auto transport = by_ufrag_.find(ufrag);
  if (transport == by_ufrag_.end()) {
    ++counters_.unknown_peer;
    return;
  }
  WebRtcTransport* target = transport->second;
  if (ufrag != target->local_ufrag() && ufrag != target->previous_local_ufrag()) {
    by_ufrag_.erase(transport);  // replaced by a restart that has completed since
    ++counters_.unknown_peer;
    return;
  }
  target->HandlePacket(bytes, size, from, now_ms);
  // Once a check from this address authenticated, its media finds the transport directly.
  if (target->ice().IsValidAddress(from, now_ms)) {
    WebRtcTransport*& routed = addresses[from];
    if (routed != target) {
      routed = target;
      TransportRoutes& routes = routes_[target];
      (tcp ? routes.tcp_addresses : routes.addresses).push_back(from);
    }
  }
}

void RtcServer::Tick() {
  if (tick_slice_timer_ != 0) return;  // the last tick's slices are still running: this joins them
  if (!transport_sockets_.empty()) ReleaseDetachedSockets();
  ++counters_.ticks;
  if (const uint32_t requests = g_hop_report_requests.load(std::memory_order_relaxed);
      requests != hop_reports_seen_ && hop_latency_) {
    hop_reports_seen_ = requests;
    LogHopLatency("report " + std::to_string(requests));
    hop_latency_->Clear();
  }
  tick_cursor_.clear();
  ContinueTick();
}

void RtcServer::ContinueTick() {
  tick_slice_timer_ = 0;
  ++counters_.tick_slices;
  if (send_queue_->size() != 0) send_queue_->Flush();  // what I/O queued goes before tick work
  const int64_t slice_start_us = net::EventLoop::NowUs();
  const int64_t now_ms = slice_start_us / 1000;
  // Resumed by name: a room closed between slices does not break the walk, and none is ticked
  // twice (one created meanwhile ahead of the cursor waits for the next tick).
  auto it = tick_cursor_.empty() ? rooms_.begin() : rooms_.lower_bound(tick_cursor_);
  while (it != rooms_.end()) {
    it->second->Tick(now_ms, config_.signal_timeout_ms);
    if (it->second->Expired(now_ms)) {
      AURALINK_LOG(kInfo) << "room " << it->first << " closed (empty)";
      const std::string name = it->first;
      it = rooms_.erase(it);
      if (room_closed_) room_closed_(name);
    } else {
      ++it;
    }
    if (it != rooms_.end() && net::EventLoop::NowUs() - slice_start_us >= config_.tick_slice_us) {
      tick_cursor_ = it->first;
      // A 0 ms timer runs after the next epoll round (EventLoop::RunDueTimers), so I/O goes first.
      tick_slice_timer_ = loop_->RunAfter(0, [this]() { ContinueTick(); });
      return;
    }
  }
}

Room* RtcServer::CreateRoomInternal(const RoomCreateOptions& options) {
  RoomDescription description;
  description.sid = NewId("RM_");
  description.name = options.name;
  description.empty_timeout_s = options.empty_timeout_s.value_or(config_.empty_timeout_s);
  description.departure_timeout_s =
      options.departure_timeout_s.value_or(config_.departure_timeout_s);
  description.max_participants = options.max_participants.value_or(config_.max_participants);
  description.metadata = options.metadata;
  const int64_t now_ms = net::EventLoop::NowMs();
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  description.creation_time_s = std::chrono::duration_cast<std::chrono::seconds>(wall).count();
  description.creation_time_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(wall).count();
  auto room = std::make_unique<Room>(description, &environment_, now_ms);
  Room* raw = room.get();
  rooms_[options.name] = std::move(room);
  return raw;
}

StatusOr<Participant*> RtcServer::Join(const std::string& room_name,
                                       ParticipantDescription participant, SignalSink* sink,
                                       bool auto_subscribe) {
  // Both peer connections of the participant find a port, or the join fails now rather than
  // the connection later.
  if (per_connection_ports()) AURALINK_RETURN_IF_ERROR(ReserveRangePorts(2));
  Room* room = FindRoom(room_name);
  if (room == nullptr) {
    if (!config_.auto_create_rooms)
      return Status::Error(StatusCode::kNotFound, "requested room does not exist");
    RoomCreateOptions options;
    options.name = room_name;
    room = CreateRoomInternal(options);
  }
  if (participant.sid.empty()) participant.sid = NewId("PA_");
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  participant.joined_at_s = std::chrono::duration_cast<std::chrono::seconds>(wall).count();
  participant.joined_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall).count();
  return room->Join(std::move(participant), sink, auto_subscribe, net::EventLoop::NowMs());
}

void RtcServer::Leave(const std::string& room_name, const std::string& participant_sid) {
  Room* room = FindRoom(room_name);
  if (room != nullptr) room->Remove(participant_sid, /*notify=*/false, "", net::EventLoop::NowMs());
}

Room* RtcServer::FindRoom(const std::string& name) {
  auto found = rooms_.find(name);
  return found == rooms_.end() ? nullptr : found->second.get();
}

StatusOr<Room*> RtcServer::RoomOrError(const std::string& name) {
  Room* room = FindRoom(name);
  if (room == nullptr) return Status::Error(StatusCode::kNotFound, "room " + name + " not found");
  return room;
}

StatusOr<Participant*> RtcServer::ParticipantOrError(const std::string& room_name,
                                                     const std::string& identity) {
  auto room = RoomOrError(room_name);
  if (!room.ok()) return room.status();
  Participant* participant = (*room)->FindByIdentity(identity);
  if (participant == nullptr)
    return Status::Error(StatusCode::kNotFound, "participant " + identity + " not found");
  return participant;
}

StatusOr<RoomDescription> RtcServer::CreateRoom(const RoomCreateOptions& options) {
  if (options.name.empty())
    return Status::Error(StatusCode::kInvalidArgument, "room name is empty");
  Room* room = FindRoom(options.name);
  if (room == nullptr) room = CreateRoomInternal(options);
  return room->Describe();
}

std::vector<RoomDescription> RtcServer::ListRooms(const std::vector<std::string>& names) {
  std::vector<RoomDescription> rooms;
  for (const auto& [name, room] : rooms_) {
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    rooms.push_back(room->Describe());
  }
  return rooms;
}

Status RtcServer::DeleteRoom(const std::string& name) {
  auto room = RoomOrError(name);
  if (!room.ok()) return room.status();
  (*room)->RemoveAll("room deleted", net::EventLoop::NowMs());
  rooms_.erase(name);
  if (room_closed_) room_closed_(name);
  return Status::Ok();
}

StatusOr<std::vector<ParticipantDescription>> RtcServer::ListParticipants(const std::string& name) {
  auto room = RoomOrError(name);
  if (!room.ok()) return room.status();
  return (*room)->VisibleParticipants("");
}

StatusOr<ParticipantDescription> RtcServer::GetParticipant(const std::string& room,
                                                           const std::string& identity) {
  auto participant = ParticipantOrError(room, identity);
  if (!participant.ok()) return participant.status();
  for (const ParticipantDescription& description : FindRoom(room)->VisibleParticipants("")) {
    if (description.identity == identity) return description;
  }
  return (*participant)->description();
}

Status RtcServer::RemoveParticipant(const std::string& room, const std::string& identity) {
  auto participant = ParticipantOrError(room, identity);
  if (!participant.ok()) return participant.status();
  FindRoom(room)->Remove((*participant)->sid(), /*notify=*/true, "removed by the server",
                         net::EventLoop::NowMs());
  return Status::Ok();
}

StatusOr<TrackDescription> RtcServer::MutePublishedTrack(const std::string& room,
                                                         const std::string& identity,
                                                         const std::string& track_sid, bool muted) {
  auto participant = ParticipantOrError(room, identity);
  if (!participant.ok()) return participant.status();
  PublishedTrack* track = (*participant)->FindTrack(track_sid);
  if (track == nullptr)
    return Status::Error(StatusCode::kNotFound, "track " + track_sid + " not found");
  AURALINK_RETURN_IF_ERROR((*participant)->SetTrackMuted(track_sid, muted));
  if ((*participant)->sink()) (*participant)->sink()->SendTrackMuted(track_sid, muted);
  return track->description();
}

StatusOr<ParticipantDescription> RtcServer::UpdateParticipant(const std::string& room,
                                                              const std::string& identity,
                                                              const ParticipantUpdate& update) {
  auto participant = ParticipantOrError(room, identity);
  if (!participant.ok()) return participant.status();
  ParticipantDescription& description = (*participant)->mutable_description();
  if (update.metadata) description.metadata = *update.metadata;
  if (update.name) description.name = *update.name;
  if (update.permissions) description.permissions = *update.permissions;
  ++description.version;
  FindRoom(room)->OnParticipantChanged(*participant);
  return description;
}

StatusOr<RoomDescription> RtcServer::UpdateRoomMetadata(const std::string& name,
                                                        const std::string& metadata) {
  auto room = RoomOrError(name);
  if (!room.ok()) return room.status();
  (*room)->mutable_description().metadata = metadata;
  const RoomDescription described = (*room)->Describe();
  for (Participant* participant : (*room)->participants()) {
    if (participant->sink()) participant->sink()->SendRoomUpdate(described);
  }
  return described;
}

Status RtcServer::SendData(const std::string& name, const std::vector<uint8_t>& payload,
                           bool reliable, const std::vector<std::string>& destination_identities,
                           const std::string& topic) {
  auto room = RoomOrError(name);
  if (!room.ok()) return room.status();
  // `payload` is a serialized LiveKit DataPacket made by the API layer.
  (*room)->RouteData(nullptr, payload, reliable, destination_identities);
  return Status::Ok();
}

Status RtcServer::LimitSubscriberBandwidth(const std::string& room, const std::string& identity,
                                           int kbps) {
  auto participant = ParticipantOrError(room, identity);
  if (!participant.ok()) return participant.status();
  (*participant)->LimitSubscriberBandwidth(kbps);
  return Status::Ok();
}

}  // namespace auralink::sfu
