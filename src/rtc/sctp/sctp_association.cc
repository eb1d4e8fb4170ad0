#include "rtc/sctp/sctp_association.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <usrsctp.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/log.h"
#include "rtc/sctp/sctp_stack.h"

namespace auralink::rtc {
namespace {

// RFC 8831 §6.6: SCTP cannot carry an empty user message, so the empty PPIDs carry one byte.
constexpr uint8_t kEmptyMessagePlaceholder = 0;

int OnReceive(struct socket* /*sock*/, union sctp_sockstore /*address*/, void* data, size_t length,
              struct sctp_rcvinfo info, int flags, void* ulp_info) {
  SctpStackEvent event;
  if (data == nullptr) {
    event.kind = SctpStackEvent::Kind::kSocketClosed;
  } else {
    event.kind = SctpStackEvent::Kind::kReceived;
    const auto* bytes = static_cast<const uint8_t*>(data);
    event.bytes.assign(bytes, bytes + length);
    event.stream_id = info.rcv_sid;
    event.ppid = ntohl(info.rcv_ppid);
    event.flags = flags;
    // usrsctp allocates each delivery with malloc and hands ownership to the callback.
    std::free(data);
  }
  SctpStack::Get().Post(reinterpret_cast<uintptr_t>(ulp_info), std::move(event));
  return 1;
}

int OnSendSpace(struct socket* /*sock*/, uint32_t /*free_bytes*/, void* ulp_info) {
  SctpStackEvent event;
  event.kind = SctpStackEvent::Kind::kSendSpace;
  SctpStack::Get().Post(reinterpret_cast<uintptr_t>(ulp_info), std::move(event));
  return 0;
}

sockaddr_conn ConnAddress(uintptr_t id, uint16_t port) {
  sockaddr_conn address{};
  address.sconn_family = AF_CONN;
  address.sconn_port = htons(port);
  address.sconn_addr = reinterpret_cast<void*>(id);
  return address;
}

template <typename T>
Status SetOption(struct socket* sock, int level, int name, const T& value, const char* what) {
  if (usrsctp_setsockopt(sock, level, name, &value, sizeof(value)) != 0) {
    return Status::Error(std::string("usrsctp rejected ") + what + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// Copies a notification's fixed part out of the delivered bytes, which need not be aligned.
template <typename T>
bool ReadStruct(std::span<const uint8_t> bytes, T* out) {
  if (bytes.size() < sizeof(T)) return false;
  std::memcpy(out, bytes.data(), sizeof(T));
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<SctpAssociation>> SctpAssociation::Create(
    const SctpAssociationConfig& config, Callbacks callbacks) {
  if (config.local_port == 0 || config.remote_port == 0) {
    return Status::Error("SCTP ports must be non-zero");
  }
  if (config.streams < 2) return Status::Error("an SCTP association needs at least 2 streams");
  if (config.max_message_size == 0 || config.remote_max_message_size == 0) {
    return Status::Error("max message size must be positive");
  }
  if (config.mtu < 512 || config.mtu > 65535) return Status::Error("SCTP MTU out of range");
  if (config.send_buffer_bytes < 16 * 1024 || config.receive_buffer_bytes < 16 * 1024 ||
      config.send_buffer_bytes > (1u << 30) || config.receive_buffer_bytes > (1u << 30)) {
    return Status::Error("SCTP socket buffers must be between 16 KiB and 1 GiB");
  }
  std::unique_ptr<SctpAssociation> association(new SctpAssociation(config, std::move(callbacks)));
  AURALINK_RETURN_IF_ERROR(association->Configure());
  return association;
}

SctpAssociation::SctpAssociation(const SctpAssociationConfig& config, Callbacks callbacks)
    : config_(config), callbacks_(std::move(callbacks)) {}

SctpAssociation::~SctpAssociation() {
  *alive_ = false;
  SctpStack& stack = SctpStack::Get();
  // Unregistering first drops the ABORT that closing produces: the owner is tearing the peer
  // connection down, and nothing may call into this object from here on.
  stack.Unregister(address_id_);
  if (socket_ != nullptr) usrsctp_close(socket_);
  if (address_id_ != 0) usrsctp_deregister_address(reinterpret_cast<void*>(address_id_));
}

Status SctpAssociation::Configure() {
  SctpStack& stack = SctpStack::Get();
  address_id_ = stack.Register();
  usrsctp_register_address(reinterpret_cast<void*>(address_id_));
  socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &OnReceive, &OnSendSpace, 0,
                           reinterpret_cast<void*>(address_id_));
  if (socket_ == nullptr) {
    return Status::Error(std::string("usrsctp_socket failed: ") + std::strerror(errno));
  }
  if (usrsctp_set_non_blocking(socket_, 1) != 0) {
    return Status::Error("usrsctp_set_non_blocking failed");
  }
  // Closing aborts at once instead of lingering in a SHUTDOWN handshake nobody drives.
  linger no_linger{1, 0};
  AURALINK_RETURN_IF_ERROR(SetOption(socket_, SOL_SOCKET, SO_LINGER, no_linger, "SO_LINGER"));
  const int send_buffer = static_cast<int>(config_.send_buffer_bytes);
  const int receive_buffer = static_cast<int>(config_.receive_buffer_bytes);
  AURALINK_RETURN_IF_ERROR(SetOption(socket_, SOL_SOCKET, SO_SNDBUF, send_buffer, "SO_SNDBUF"));
  AURALINK_RETURN_IF_ERROR(SetOption(socket_, SOL_SOCKET, SO_RCVBUF, receive_buffer, "SO_RCVBUF"));
  const int on = 1;
  AURALINK_RETURN_IF_ERROR(SetOption(socket_, IPPROTO_SCTP, SCTP_NODELAY, on, "SCTP_NODELAY"));
  // Large messages are handed over in pieces as buffer space frees up (SCTP_EOR marks the end).
  AURALINK_RETURN_IF_ERROR(
      SetOption(socket_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, on, "SCTP_EXPLICIT_EOR"));
  AURALINK_RETURN_IF_ERROR(
      SetOption(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on, "SCTP_RECVRCVINFO"));
  // RFC 8831 §6.2: stream reset (RFC 6525) closes channels.
  sctp_assoc_value reset{SCTP_FUTURE_ASSOC, SCTP_ENABLE_RESET_STREAM_REQ};
  AURALINK_RETURN_IF_ERROR(
      SetOption(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset, "stream reset"));
  sctp_initmsg init{};
  init.sinit_num_ostreams = config_.streams;
  init.sinit_max_instreams = config_.streams;
  AURALINK_RETURN_IF_ERROR(SetOption(socket_, IPPROTO_SCTP, SCTP_INITMSG, init, "SCTP_INITMSG"));
  sctp_rtoinfo rto{};
  rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
  rto.srto_initial = config_.rto_initial_ms;
  rto.srto_min = config_.rto_min_ms;
  rto.srto_max = config_.rto_max_ms;
  AURALINK_RETURN_IF_ERROR(SetOption(socket_, IPPROTO_SCTP, SCTP_RTOINFO, rto, "SCTP_RTOINFO"));
  for (uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT,
                        SCTP_PARTIAL_DELIVERY_EVENT}) {
    sctp_event event{};
    event.se_assoc_id = SCTP_FUTURE_ASSOC;
    event.se_type = type;
    event.se_on = 1;
    AURALINK_RETURN_IF_ERROR(SetOption(socket_, IPPROTO_SCTP, SCTP_EVENT, event, "SCTP_EVENT"));
  }
  sockaddr_conn local = ConnAddress(address_id_, config_.local_port);
  if (usrsctp_bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    return Status::Error(std::string("usrsctp_bind failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Status SctpAssociation::Connect() {
  if (state_ != State::kNew) return Status::Ok();
  sockaddr_conn remote = ConnAddress(address_id_, config_.remote_port);
  if (usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0 &&
      errno != EINPROGRESS) {
    Status error = Status::Error(std::string("usrsctp_connect failed: ") + std::strerror(errno));
    Pump();
    return error;
  }
  state_ = State::kConnecting;
  // A fixed path MTU: the DTLS record and UDP datagram around each packet are not SCTP's to probe.
  sctp_paddrparams params{};
  std::memcpy(&params.spp_address, &remote, sizeof(remote));
  params.spp_flags = SPP_PMTUD_DISABLE;
  params.spp_pathmtu = config_.mtu;
  if (usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &params, sizeof(params)) !=
      0) {
    AURALINK_LOG(kWarning) << "SCTP: could not fix the path MTU: " << std::strerror(errno);
  }
  Pump();
  return Status::Ok();
}

void SctpAssociation::HandlePacket(std::span<const uint8_t> packet) {
  if (state_ == State::kClosed || socket_ == nullptr || packet.empty()) return;
  if (state_ == State::kNew) {
    // The peer's INIT reaches a socket that is neither listening nor connected otherwise.
    if (!Connect().ok()) return;
  }
  usrsctp_conninput(reinterpret_cast<void*>(address_id_), packet.data(), packet.size(), 0);
  Pump();
}

void SctpAssociation::Tick(int64_t now_ms) {
  SctpStack::Get().AdvanceTimers(now_ms);
  if (state_ == State::kConnected) {
    SendQueued();
    SendPendingResets();
  }
  Pump();
}

StatusOr<uint16_t> SctpAssociation::OpenChannel(const DataChannelOptions& options) {
  if (state_ == State::kClosed) return Status::Error("SCTP association is closed");
  auto type = DcepOpenMessage::ChannelTypeFor(options.ordered, options.max_retransmits,
                                              options.max_packet_lifetime_ms);
  if (!type.ok()) return type.status();
  if (options.label.size() > 0xffff || options.protocol.size() > 0xffff) {
    return Status::Error("data channel label or protocol longer than 65535 bytes");
  }
  auto id = AllocateStreamId();
  if (!id.ok()) return id.status();
  Channel& channel = channels_[*id];
  channel.info.id = *id;
  channel.info.label = options.label;
  channel.info.protocol = options.protocol;
  channel.info.ordered = options.ordered;
  channel.info.max_retransmits = options.max_retransmits;
  channel.info.max_packet_lifetime_ms = options.max_packet_lifetime_ms;
  channel.info.priority = options.priority;
  channel.info.opened_locally = true;
  if (state_ == State::kConnected) QueueOpen(channel);
  Pump();
  return *id;
}

Status SctpAssociation::Send(uint16_t channel_id, std::span<const uint8_t> bytes, bool binary) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return Status::Error("no data channel with this id");
  Channel& channel = it->second;
  if (channel.state != ChannelState::kOpen) return Status::Error("data channel is not open");
  if (bytes.size() > config_.remote_max_message_size) {
    return Status::Error("message larger than the peer's max message size");
  }
  if (queued_bytes_ + bytes.size() > config_.max_queued_bytes) {
    return Status::Error("SCTP send queue full");
  }
  OutgoingMessage message;
  message.stream_id = channel_id;
  if (bytes.empty()) {
    message.ppid = binary ? DataChannelPpid::kBinaryEmpty : DataChannelPpid::kStringEmpty;
    message.payload.assign(1, kEmptyMessagePlaceholder);
  } else {
    message.ppid = binary ? DataChannelPpid::kBinary : DataChannelPpid::kString;
    message.payload.assign(bytes.begin(), bytes.end());
  }
  message.unordered = !channel.info.ordered && channel.acknowledged;
  if (channel.info.max_retransmits) {
    message.pr_policy = SCTP_PR_SCTP_RTX;
    message.pr_value = *channel.info.max_retransmits;
  } else if (channel.info.max_packet_lifetime_ms) {
    message.pr_policy = SCTP_PR_SCTP_TTL;
    message.pr_value = *channel.info.max_packet_lifetime_ms;
  }
  message.counts_as_buffered = true;
  channel.queued_bytes += message.payload.size();
  queued_bytes_ += message.payload.size();
  send_queue_.push_back(std::move(message));
  SendQueued();
  Pump();
  return Status::Ok();
}

Status SctpAssociation::CloseChannel(uint16_t channel_id) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return Status::Error("no data channel with this id");
  Channel& channel = it->second;
  if (channel.state == ChannelState::kClosing) return Status::Ok();
  if (channel.state == ChannelState::kWaitingForAssociation) {
    // Nothing reached the peer yet, so there is no stream to reset.
    channels_.erase(it);
    notifications_.push_back([this, channel_id] {
      if (callbacks_.on_channel_closed) callbacks_.on_channel_closed(channel_id);
    });
    Pump();
    return Status::Ok();
  }
  channel.state = ChannelState::kClosing;
  QueueReset(channel_id);
  SendQueued();
  Pump();
  return Status::Ok();
}

void SctpAssociation::Abort() {
  if (socket_ == nullptr) return;
  usrsctp_close(socket_);  // SO_LINGER 0: ABORT, through OnConnOutput
  socket_ = nullptr;
  HandleAssociationEnded("SCTP association aborted locally");
  Pump();
}

size_t SctpAssociation::buffered_amount(uint16_t channel_id) const {
  auto it = channels_.find(channel_id);
  return it == channels_.end() ? 0 : it->second.queued_bytes;
}

void SctpAssociation::SetBufferedAmountLowThreshold(uint16_t channel_id, size_t bytes) {
  auto it = channels_.find(channel_id);
  if (it != channels_.end()) it->second.low_threshold = bytes;
}

const DataChannelInfo* SctpAssociation::channel(uint16_t channel_id) const {
  auto it = channels_.find(channel_id);
  return it == channels_.end() ? nullptr : &it->second.info;
}

std::vector<uint16_t> SctpAssociation::channel_ids() const {
  std::vector<uint16_t> ids;
  for (const auto& [id, channel] : channels_) ids.push_back(id);
  return ids;
}

StatusOr<uint16_t> SctpAssociation::AllocateStreamId() const {
  const uint16_t limit = negotiated_streams_ != 0 ? negotiated_streams_ : config_.streams;
  for (uint32_t id = config_.is_dtls_client ? 0 : 1; id < limit; id += 2) {
    if (!channels_.contains(static_cast<uint16_t>(id))) return static_cast<uint16_t>(id);
  }
  return Status::Error("no free SCTP stream for another data channel");
}

void SctpAssociation::Pump() {
  if (pumping_) return;
  pumping_ = true;
  const std::shared_ptr<bool> alive = alive_;
  SctpStack& stack = SctpStack::Get();
  while (true) {
    // Handling an event may call into usrsctp and so park new events; drain until quiet.
    while (stack.TakeEvents(address_id_, &stack_events_)) {
      std::vector<SctpStackEvent> events = std::move(stack_events_);
      for (SctpStackEvent& event : events) HandleStackEvent(event);
    }
    if (notifications_.empty()) break;
    std::vector<std::function<void()>> batch = std::move(notifications_);
    notifications_.clear();
    for (auto& notify : batch) {
      notify();
      if (!*alive) return;  // a callback destroyed the association
    }
  }
  pumping_ = false;
}

void SctpAssociation::HandleStackEvent(SctpStackEvent& event) {
  switch (event.kind) {
    case SctpStackEvent::Kind::kOutgoingPacket:
      notifications_.push_back([this, packet = std::move(event.bytes)] {
        if (callbacks_.on_packet) callbacks_.on_packet(packet);
      });
      break;
    case SctpStackEvent::Kind::kReceived:
      if (event.flags & MSG_NOTIFICATION) {
        HandleNotification(event.bytes);
        break;
      }
      {
        Reassembly& pending = reassembly_[event.stream_id];
        if (!pending.oversized) {
          if (pending.bytes.size() + event.bytes.size() > config_.max_message_size) {
            AURALINK_LOG(kWarning)
                << "SCTP: dropping a message above max-message-size on stream " << event.stream_id;
            pending.oversized = true;
            pending.bytes.clear();
            pending.bytes.shrink_to_fit();
          } else if (pending.bytes.empty()) {
            pending.bytes = std::move(event.bytes);
          } else {
            pending.bytes.insert(pending.bytes.end(), event.bytes.begin(), event.bytes.end());
          }
        }
        // usrsctp delivers a message in pieces only past its partial delivery point.
        if (!(event.flags & MSG_EOR)) break;
        Reassembly complete = std::move(pending);
        reassembly_.erase(event.stream_id);
        if (!complete.oversized) {
          HandleMessage(event.stream_id, event.ppid, std::move(complete.bytes));
        }
      }
      break;
    case SctpStackEvent::Kind::kSendSpace:
      if (state_ == State::kConnected) SendQueued();
      break;
    case SctpStackEvent::Kind::kSocketClosed:
      HandleAssociationEnded("SCTP connection closed");
      break;
  }
}

void SctpAssociation::HandleNotification(std::span<const uint8_t> bytes) {
  decltype(sctp_notification::sn_header) header{};
  if (!ReadStruct(bytes, &header)) return;
  switch (header.sn_type) {
    case SCTP_ASSOC_CHANGE:
      HandleAssociationChange(bytes);
      break;
    case SCTP_STREAM_RESET_EVENT:
      HandleStreamReset(bytes);
      break;
    case SCTP_PARTIAL_DELIVERY_EVENT: {
      sctp_pdapi_event event{};
      if (ReadStruct(bytes, &event) && event.pdapi_indication == SCTP_PARTIAL_DELIVERY_ABORTED) {
        reassembly_.erase(static_cast<uint16_t>(event.pdapi_stream));
      }
      break;
    }
    case SCTP_SEND_FAILED_EVENT:
      // Expected for partially reliable channels: abandoned messages (RFC 3758 §3.5).
      AURALINK_LOG(kDebug) << "SCTP: a message was abandoned";
      break;
    default:
      break;
  }
}

void SctpAssociation::HandleAssociationChange(std::span<const uint8_t> bytes) {
  sctp_assoc_change change{};
  if (!ReadStruct(bytes, &change)) return;
  switch (change.sac_state) {
    case SCTP_COMM_UP: {
      if (state_ == State::kConnected) break;
      state_ = State::kConnected;
      negotiated_streams_ = std::min(change.sac_outbound_streams, change.sac_inbound_streams);
      notifications_.push_back([this] {
        if (callbacks_.on_connected) callbacks_.on_connected();
      });
      std::vector<uint16_t> unusable;
      for (auto& [id, channel] : channels_) {
        if (channel.state != ChannelState::kWaitingForAssociation) continue;
        if (id >= negotiated_streams_) {
          unusable.push_back(id);
        } else {
          QueueOpen(channel);
        }
      }
      for (uint16_t id : unusable) {
        AURALINK_LOG(kWarning) << "SCTP: peer offered too few streams for data channel " << id;
        channels_.erase(id);
        notifications_.push_back([this, id] {
          if (callbacks_.on_channel_closed) callbacks_.on_channel_closed(id);
        });
      }
      SendQueued();
      break;
    }
    case SCTP_COMM_LOST:
      HandleAssociationEnded("SCTP association lost or aborted by the peer");
      break;
    case SCTP_SHUTDOWN_COMP:
      HandleAssociationEnded("SCTP association shut down");
      break;
    case SCTP_CANT_STR_ASSOC:
      HandleAssociationEnded("SCTP association could not be established");
      break;
    case SCTP_RESTART:
      AURALINK_LOG(kInfo) << "SCTP: peer restarted the association";
      break;
    default:
      break;
  }
}

void SctpAssociation::HandleStreamReset(std::span<const uint8_t> bytes) {
  sctp_stream_reset_event event{};
  if (!ReadStruct(bytes, &event)) return;
  const size_t length = std::min<size_t>(event.strreset_length, bytes.size());
  std::vector<uint16_t> streams;
  for (size_t at = sizeof(event); at + 2 <= length; at += 2) {
    uint16_t id;
    std::memcpy(&id, bytes.data() + at, sizeof(id));
    streams.push_back(id);
  }
  if (streams.empty()) {
    // An empty list means every stream (RFC 6525 §4.1).
    for (const auto& [id, channel] : channels_) streams.push_back(id);
  }
  const bool failed = event.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED);
  for (uint16_t id : streams) {
    auto it = channels_.find(id);
    if (event.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) {
      reassembly_.erase(id);
      if (it == channels_.end()) continue;
      Channel& channel = it->second;
      channel.incoming_reset_done = true;
      if (channel.state != ChannelState::kClosing) {
        // RFC 8831 §6.7: the peer closed the channel; reset our direction in turn.
        channel.state = ChannelState::kClosing;
        QueueReset(id);
      }
    }
    if ((event.strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN) && it != channels_.end()) {
      if (failed) {
        // The peer refused (e.g. its own request was in flight); ask again.
        if (std::find(resets_to_send_.begin(), resets_to_send_.end(), id) ==
            resets_to_send_.end()) {
          resets_to_send_.push_back(id);
        }
      } else {
        it->second.outgoing_reset_done = true;
      }
    }
    MaybeFinishClose(id);
  }
  SendQueued();
}

void SctpAssociation::HandleMessage(uint16_t stream_id, uint32_t ppid, std::vector<uint8_t> bytes) {
  if (ppid == static_cast<uint32_t>(DataChannelPpid::kDcep)) {
    HandleDcep(stream_id, bytes);
    return;
  }
  auto it = channels_.find(stream_id);
  if (it == channels_.end() || it->second.state == ChannelState::kWaitingForAssociation) {
    AURALINK_LOG(kDebug) << "SCTP: message on stream " << stream_id << " without a channel";
    return;
  }
  // RFC 8832 §6: a user message from the peer shows it has seen our OPEN.
  it->second.acknowledged = true;
  bool binary;
  switch (static_cast<DataChannelPpid>(ppid)) {
    case DataChannelPpid::kString:
      binary = false;
      break;
    case DataChannelPpid::kBinary:
      binary = true;
      break;
    case DataChannelPpid::kStringEmpty:
      binary = false;
      bytes.clear();
      break;
    case DataChannelPpid::kBinaryEmpty:
      binary = true;
      bytes.clear();
      break;
    default:
      AURALINK_LOG(kDebug) << "SCTP: ignoring a message with PPID " << ppid;
      return;
  }
  notifications_.push_back([this, stream_id, binary, message = std::move(bytes)] {
    if (callbacks_.on_message) callbacks_.on_message(stream_id, message, binary);
  });
}

void SctpAssociation::HandleDcep(uint16_t stream_id, std::span<const uint8_t> bytes) {
  auto type = ParseDcepMessageType(bytes);
  if (!type.ok()) {
    AURALINK_LOG(kDebug) << "SCTP: " << type.status().message();
    return;
  }
  if (*type == DcepMessageType::kAck) {
    auto it = channels_.find(stream_id);
    if (ParseDcepAck(bytes).ok() && it != channels_.end()) it->second.acknowledged = true;
    return;
  }
  auto open = DcepOpenMessage::Parse(bytes);
  if (!open.ok()) {
    AURALINK_LOG(kDebug) << "SCTP: " << open.status().message();
    return;
  }
  const bool ours = (stream_id % 2 == 0) == config_.is_dtls_client;
  if (ours || channels_.contains(stream_id) || stream_id >= negotiated_streams_) {
    // RFC 8832 §6: each side opens on its own parity, so this OPEN collides with our ids or an
    // open channel; the stream is left alone rather than taking over a channel.
    AURALINK_LOG(kWarning) << "SCTP: ignoring DATA_CHANNEL_OPEN on stream " << stream_id;
    return;
  }
  Channel& channel = channels_[stream_id];
  channel.info.id = stream_id;
  channel.info.label = std::move(open->label);
  channel.info.protocol = std::move(open->protocol);
  channel.info.ordered = open->ordered();
  channel.info.max_retransmits = open->max_retransmits();
  channel.info.max_packet_lifetime_ms = open->max_packet_lifetime_ms();
  channel.info.priority = open->priority;
  channel.info.opened_locally = false;
  channel.state = ChannelState::kOpen;
  channel.acknowledged = true;
  QueueDcep(stream_id, SerializeDcepAck());
  notifications_.push_back([this, info = channel.info] {
    if (callbacks_.on_channel_opened) callbacks_.on_channel_opened(info);
  });
  SendQueued();
}

void SctpAssociation::HandleAssociationEnded(const std::string& reason) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  std::vector<uint16_t> closed;
  for (const auto& [id, channel] : channels_) closed.push_back(id);
  channels_.clear();
  send_queue_.clear();
  queued_bytes_ = 0;
  resets_to_send_.clear();
  reassembly_.clear();
  for (uint16_t id : closed) {
    notifications_.push_back([this, id] {
      if (callbacks_.on_channel_closed) callbacks_.on_channel_closed(id);
    });
  }
  notifications_.push_back([this, reason] {
    if (callbacks_.on_closed) callbacks_.on_closed(Status::Error(reason));
  });
}

void SctpAssociation::QueueDcep(uint16_t stream_id, std::vector<uint8_t> bytes) {
  OutgoingMessage message;
  message.stream_id = stream_id;
  message.ppid = DataChannelPpid::kDcep;
  message.payload = std::move(bytes);
  send_queue_.push_back(std::move(message));
}

void SctpAssociation::QueueOpen(Channel& channel) {
  DcepOpenMessage open;
  // ChannelTypeFor succeeded when the channel was created.
  open.channel_type = *DcepOpenMessage::ChannelTypeFor(
      channel.info.ordered, channel.info.max_retransmits, channel.info.max_packet_lifetime_ms);
  open.priority = channel.info.priority;
  if (channel.info.max_retransmits) open.reliability_parameter = *channel.info.max_retransmits;
  if (channel.info.max_packet_lifetime_ms) {
    open.reliability_parameter = *channel.info.max_packet_lifetime_ms;
  }
  open.label = channel.info.label;
  open.protocol = channel.info.protocol;
  auto bytes = open.Serialize();
  if (!bytes.ok()) return;  // lengths were checked in OpenChannel
  QueueDcep(channel.info.id, std::move(*bytes));
  channel.state = ChannelState::kOpen;
  notifications_.push_back([this, info = channel.info] {
    if (callbacks_.on_channel_opened) callbacks_.on_channel_opened(info);
  });
}

void SctpAssociation::QueueReset(uint16_t stream_id) {
  OutgoingMessage marker;
  marker.stream_id = stream_id;
  marker.reset_marker = true;
  send_queue_.push_back(std::move(marker));
}

void SctpAssociation::SendQueued() {
  if (state_ != State::kConnected) return;
  while (!send_queue_.empty()) {
    OutgoingMessage& message = send_queue_.front();
    if (message.reset_marker) {
      resets_to_send_.push_back(message.stream_id);
      send_queue_.pop_front();
      continue;
    }
    sctp_sendv_spa spa{};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = message.stream_id;
    spa.sendv_sndinfo.snd_ppid = htonl(static_cast<uint32_t>(message.ppid));
    // Explicit EOR (RFC 6458 §8.1.26): a message goes over in pieces that each fit the send
    // buffer, and only the last piece carries SCTP_EOR.
    const size_t remaining = message.payload.size() - message.offset;
    const size_t piece = std::min(remaining, config_.send_buffer_bytes / 4);
    const bool last_piece = piece == remaining;
    spa.sendv_sndinfo.snd_flags =
        (last_piece ? SCTP_EOR : 0) | (message.unordered ? SCTP_UNORDERED : 0);
    if (message.pr_policy != 0) {
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = message.pr_policy;
      spa.sendv_prinfo.pr_value = message.pr_value;
    }
    const ssize_t sent = usrsctp_sendv(socket_, message.payload.data() + message.offset, piece,
                                       nullptr, 0, &spa, sizeof(spa), SCTP_SENDV_SPA, 0);
    if (sent < 0) {
      if (errno == EWOULDBLOCK || errno == EAGAIN) break;  // resumes on kSendSpace or Tick
      AURALINK_LOG(kWarning) << "SCTP: dropping a message on stream " << message.stream_id << ": "
                             << std::strerror(errno);
      if (message.offset > 0) {
        // usrsctp holds the start of this message; it cannot be completed, so end the
        // association (closing sends ABORT) rather than splice the next message onto it.
        usrsctp_close(socket_);
        socket_ = nullptr;
        HandleAssociationEnded("SCTP could not finish sending a message");
        return;
      }
      if (message.counts_as_buffered) ConsumeQueuedBytes(message.stream_id, remaining);
      send_queue_.pop_front();
      continue;
    }
    message.offset += static_cast<size_t>(sent);
    if (message.counts_as_buffered)
      ConsumeQueuedBytes(message.stream_id, static_cast<size_t>(sent));
    if (message.offset < message.payload.size()) break;  // the rest once space frees up
    send_queue_.pop_front();
  }
  SendPendingResets();
}

void SctpAssociation::ConsumeQueuedBytes(uint16_t stream_id, size_t bytes) {
  queued_bytes_ -= std::min(queued_bytes_, bytes);
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) return;
  Channel& channel = it->second;
  const bool was_above = channel.queued_bytes > channel.low_threshold;
  channel.queued_bytes -= std::min(channel.queued_bytes, bytes);
  if (was_above && channel.queued_bytes <= channel.low_threshold) {
    notifications_.push_back([this, stream_id] {
      if (callbacks_.on_buffered_amount_low) callbacks_.on_buffered_amount_low(stream_id);
    });
  }
}

void SctpAssociation::SendPendingResets() {
  if (resets_to_send_.empty() || state_ != State::kConnected) return;
  std::vector<uint8_t> request(sizeof(sctp_reset_streams) +
                               resets_to_send_.size() * sizeof(uint16_t));
  sctp_reset_streams header{};
  header.srs_assoc_id = SCTP_ALL_ASSOC;
  header.srs_flags = SCTP_STREAM_RESET_OUTGOING;
  header.srs_number_streams = static_cast<uint16_t>(resets_to_send_.size());
  std::memcpy(request.data(), &header, sizeof(header));
  std::memcpy(request.data() + sizeof(header), resets_to_send_.data(),
              resets_to_send_.size() * sizeof(uint16_t));
  if (usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, request.data(),
                         static_cast<socklen_t>(request.size())) != 0) {
    // EALREADY/EBUSY: one reset request may be outstanding at a time (RFC 6525 §5.1.1); retried
    // from Tick() and after the next reset event.
    AURALINK_LOG(kDebug) << "SCTP: stream reset deferred: " << std::strerror(errno);
    return;
  }
  resets_to_send_.clear();
}

void SctpAssociation::MaybeFinishClose(uint16_t stream_id) {
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) return;
  if (!it->second.incoming_reset_done || !it->second.outgoing_reset_done) return;
  channels_.erase(it);
  notifications_.push_back([this, stream_id] {
    if (callbacks_.on_channel_closed) callbacks_.on_channel_closed(stream_id);
  });
}

}  // namespace auralink::rtc
