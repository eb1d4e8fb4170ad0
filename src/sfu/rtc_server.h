// The media server of one worker: one UDP port shared by every peer connection (ICE-lite finds a
// new peer by the ufrag in its first Binding request, then by its address) or, when configured,
// a port of its own per peer connection from a range; the rooms, and the timer that drives them.
// It implements RoomControl for the API layer. Everything runs on one event loop thread; nothing
// on the media path takes a lock. Outgoing UDP datagrams are queued and leave in sendmmsg batches
// once the datagram that caused them is handled (or, when the next received datagram is from the
// same sender, after that sender's run), several for one subscriber as one UDP GSO message
// (net::UdpSendQueue).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/latency_histogram.h"
#include "common/status.h"
#include "net/event_loop.h"
#include "net/raw_udp_egress.h"
#include "net/socket_address.h"
#include "net/tcp_connection.h"
#include "net/tcp_listener.h"
#include "net/udp_send_queue.h"
#include "net/udp_socket.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/ice/ice_tcp_framing.h"
#include "sfu/participant.h"
#include "sfu/room.h"
#include "sfu/room_control.h"

namespace auralink::sfu {

struct RtcServerConfig {
  std::string bind_ip = "0.0.0.0";
  uint16_t udp_port = 7882;  // 0: a port per peer connection from the range below, if set; else
                             // one muxed port the kernel picks
  // With udp_port 0 and port_range_start > 0: every peer connection binds the first free port in
  // [port_range_start, port_range_end], advertises it in its candidates and frees it on close; a
  // join that finds no free port fails.
  uint16_t port_range_start = 0;
  uint16_t port_range_end = 0;
  // ICE over TCP (RFC 6544, passive candidates, RFC 4571 framing) for clients whose UDP is
  // blocked.
  bool ice_tcp = true;
  uint16_t tcp_port = 7881;                // 0: any free port
  std::vector<std::string> candidate_ips;  // advertised host candidates
  bool auto_create_rooms = true;
  uint32_t empty_timeout_s = 300;
  uint32_t departure_timeout_s = 20;
  uint32_t max_participants = 0;
  int64_t tick_interval_ms = 20;
  // A tick's rooms are handled in slices of about this long, with the event loop's I/O between
  // them (see RtcServer::Tick).
  int64_t tick_slice_us = 200;
  int64_t signal_timeout_ms = 15000;  // LiveKit's ping timeout
  // Record each datagram's hop through the server: from the kernel's arrival stamp on the server's
  // socket (SO_TIMESTAMPNS) to the return of the system call that sends what it caused (a
  // fan-out's copies, a retransmission, a STUN answer). See hop_latency().
  bool measure_hop_latency = false;
  // Send media to IPv4 peers as frames through a packet socket (net::RawUdpEgress). Without
  // CAP_NET_RAW the server logs why and sends through its UDP sockets.
  bool raw_udp_send = false;
};

struct RtcServerCounters {
  uint64_t datagrams = 0;
  uint64_t ports_exhausted = 0;  // peer connections that found no free port in the range
  uint64_t unknown_peer = 0;     // neither a known address nor a Binding request for a known ufrag
  uint64_t ticks = 0;            // server ticks begun
  uint64_t tick_slices = 0;      // slices they took (one per tick when they fit one slice)
};

class RtcServer : public RoomControl {
 public:
  static StatusOr<std::unique_ptr<RtcServer>> Create(net::EventLoop* loop, RtcServerConfig config);
  ~RtcServer() override;

  // Signalling: a participant joins `room` (created when auto-creation is on).
  StatusOr<Participant*> Join(const std::string& room, ParticipantDescription participant,
                              SignalSink* sink, bool auto_subscribe);
  // The participant's session ended (leave request or WebSocket closed).
  void Leave(const std::string& room, const std::string& participant_sid);
  Room* FindRoom(const std::string& name);
  std::string NewId(const char* prefix);
  // The muxed UDP port (0 with per-connection ports).
  uint16_t udp_port() const { return udp_port_; }
  bool per_connection_ports() const;
  // Sockets bound in the port range: in use by peer connections, or reserved for joins.
  size_t bound_range_ports() const { return transport_sockets_.size() + spare_sockets_.size(); }
  uint16_t tcp_port() const { return tcp_port_; }
  const RtcServerCounters& counters() const { return counters_; }
  // Entries in the routing maps (ufrags, UDP and TCP addresses) and transports routed: all zero
  // once every participant has gone.
  size_t routing_entries() const {
    return by_ufrag_.size() + by_address_.size() + by_tcp_address_.size() + routes_.size();
  }
  // Asks every RtcServer in the process to log its hop latency since its last report at its next
  // tick (within tick_interval_ms) and start over. Async-signal-safe (one lock-free atomic): serve
  // calls it on SIGUSR1, so a benchmark can bracket its measurement window.
  static void RequestHopLatencyReport();
  // With measure_hop_latency: the hops since the server started or last reported, in µs; null
  // otherwise.
  const LatencyHistogram* hop_latency() const { return hop_latency_.get(); }
  // Runs on this server's thread after a room closed (empty-room or departure timeout,
  // DeleteRoom); not for the rooms the destructor drops.
  void set_room_closed_callback(std::function<void(const std::string& room)> callback) {
    room_closed_ = std::move(callback);
  }

  // RoomControl.
  StatusOr<RoomDescription> CreateRoom(const RoomCreateOptions& options) override;
  std::vector<RoomDescription> ListRooms(const std::vector<std::string>& names) override;
  Status DeleteRoom(const std::string& room) override;
  StatusOr<std::vector<ParticipantDescription>> ListParticipants(const std::string& room) override;
  StatusOr<ParticipantDescription> GetParticipant(const std::string& room,
                                                  const std::string& identity) override;
  Status RemoveParticipant(const std::string& room, const std::string& identity) override;
  StatusOr<TrackDescription> MutePublishedTrack(const std::string& room,
                                                const std::string& identity,
                                                const std::string& track_sid, bool muted) override;
  StatusOr<ParticipantDescription> UpdateParticipant(const std::string& room,
                                                     const std::string& identity,
                                                     const ParticipantUpdate& update) override;
  StatusOr<RoomDescription> UpdateRoomMetadata(const std::string& room,
                                               const std::string& metadata) override;
  Status SendData(const std::string& room, const std::vector<uint8_t>& payload, bool reliable,
                  const std::vector<std::string>& destination_identities,
                  const std::string& topic) override;
  Status LimitSubscriberBandwidth(const std::string& room, const std::string& identity,
                                  int kbps) override;

 private:
  RtcServer(net::EventLoop* loop, RtcServerConfig config);
  Status Start();
  void OnDatagram(std::span<const uint8_t> data, const net::SocketAddress& from);
  void FlushReceiveBatch();
  void LogHopLatency(const std::string& which);
  void OnTcpConnection(std::shared_ptr<net::TcpConnection> connection);
  // One datagram from UDP or one RFC 4571 frame from TCP; `tcp` tells which address space.
  void OnPacket(uint8_t* bytes, size_t size, const net::SocketAddress& from, bool tcp);
  void SendPacket(net::UdpSocket* socket, std::span<const uint8_t> bytes,
                  const net::SocketAddress& to);
  std::vector<std::string> HostCandidates(uint16_t udp_port) const;
  // Port-range mode: keeps `count` sockets bound for the next peer connections.
  Status ReserveRangePorts(size_t count);
  void AttachTransportSocket(WebRtcTransport* transport);
  void ReleaseDetachedSockets();
  // Every tick_interval_ms: each room's tick (participants, timeouts, speakers). The rooms are
  // ticked in slices of about config_.tick_slice_us, and each slice after the first waits for the
  // event loop's next round, so that packets arriving meanwhile are forwarded in between instead
  // of waiting for the whole server's tick.
  void Tick();
  void ContinueTick();
  StatusOr<Room*> RoomOrError(const std::string& name);
  StatusOr<Participant*> ParticipantOrError(const std::string& room, const std::string& identity);
  Room* CreateRoomInternal(const RoomCreateOptions& options);

  net::EventLoop* loop_;
  RtcServerConfig config_;
  // With raw_udp_send; declared before the sockets, which point at it, so it outlives them.
  std::unique_ptr<net::RawUdpEgress> raw_egress_;
  std::unique_ptr<net::UdpSocket> socket_;  // the muxed port; null with per-connection ports
  uint16_t udp_port_ = 0;
  // A peer connection's own socket in port-range mode. `transport` is cleared when the transport
  // unregisters (its datagrams are dropped from then on); the socket closes at the next tick
  // unless the transport registers again (an ICE restart re-registers at once).
  struct TransportSocket {
    std::unique_ptr<net::UdpSocket> socket;
    WebRtcTransport* transport = nullptr;
  };
  std::unordered_map<WebRtcTransport*, std::unique_ptr<TransportSocket>> transport_sockets_;
  std::vector<std::unique_ptr<net::UdpSocket>> spare_sockets_;
  std::unique_ptr<net::TcpListener> tcp_listener_;
  uint16_t tcp_port_ = 0;
  struct TcpPeer {
    std::shared_ptr<net::TcpConnection> connection;
    rtc::IceTcpFrameDecoder decoder;
  };
  // TCP peers by their address. Transports address peers by SocketAddress only, so a TCP peer's
  // address is looked up here first when sending (UDP and TCP ports of one host do not collide in
  // practice; a clash would only misroute to the same host).
  std::unordered_map<net::SocketAddress, std::shared_ptr<TcpPeer>, net::SocketAddressHash>
      tcp_peers_;
  std::unordered_map<net::SocketAddress, WebRtcTransport*, net::SocketAddressHash> by_tcp_address_;
  ParticipantEnvironment environment_;
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  // A transport's current ufrag and, during an ICE restart, the one it replaced. Addresses stay
  // across a restart: the peer's media keeps arriving from the address it already uses.
  std::unordered_map<std::string, WebRtcTransport*> by_ufrag_;
  std::unordered_map<net::SocketAddress, WebRtcTransport*, net::SocketAddressHash> by_address_;
  // The keys each transport was given in the three maps above, so that unregistering it erases
  // those (where they still lead to it) instead of walking every transport's entries: a room of a
  // thousand leaving at once would otherwise take a million steps.
  struct TransportRoutes {
    std::vector<std::string> ufrags;
    std::vector<net::SocketAddress> addresses;
    std::vector<net::SocketAddress> tcp_addresses;
  };
  std::unordered_map<WebRtcTransport*, TransportRoutes> routes_;
  net::TimerId tick_timer_ = 0;
  net::TimerId tick_slice_timer_ = 0;  // the next slice of a tick in progress
  std::string tick_cursor_;            // the room that slice starts at
  // Declared after the sockets: destroyed (and flushed) before them.
  std::unique_ptr<net::UdpSendQueue> send_queue_;
  std::unique_ptr<LatencyHistogram> hop_latency_;
  int64_t arrival_us_ = 0;         // while a datagram is handled: its kernel arrival time, or 0
  uint32_t hop_reports_seen_ = 0;  // report requests handled (see RequestHopLatencyReport)
  std::mt19937_64 random_;
  RtcServerCounters counters_;
  std::function<void(const std::string& room)> room_closed_;
};

}  // namespace auralink::sfu
