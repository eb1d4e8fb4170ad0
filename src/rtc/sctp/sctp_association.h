// WebRTC data channels (RFC 8831) over one SCTP association carried inside DTLS, with channels
// opened in-band by DCEP (RFC 8832). The association owns no socket and no clock: packets for the
// peer leave through Callbacks::on_packet (the owner encrypts them with DTLS), packets from the
// peer enter through HandlePacket(), and Tick(now_ms) drives retransmission and other timers.
//
// Threading: an association belongs to one event loop; call it only from there. Several
// associations (one per peer connection) live side by side, also on different workers, and any
// one may be destroyed while the others go on. Callbacks never run inside a call into usrsctp:
// they are delivered at the end of the public method that produced them (or of a later Tick()),
// so they may call back into the association, and may even destroy it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "rtc/sctp/dcep_message.h"

struct socket;

namespace auralink::rtc {

struct SctpStackEvent;

// Payload Protocol Identifiers of RFC 8831 §8 (network byte order on the wire).
enum class DataChannelPpid : uint32_t {
  kDcep = 50,
  kString = 51,
  kBinary = 53,
  kStringEmpty = 56,
  kBinaryEmpty = 57,
};

struct SctpAssociationConfig {
  uint16_t local_port = 5000;
  // The peer's a=sctp-port (RFC 8841 §5).
  uint16_t remote_port = 5000;
  // RFC 8832 §6: the DTLS client opens channels on even stream ids, the DTLS server on odd ones.
  bool is_dtls_client = false;
  // Largest incoming message we accept: the a=max-message-size we advertise (RFC 8841 §6).
  size_t max_message_size = 256 * 1024;
  // The peer's a=max-message-size; 65536 is what RFC 8841 §6.1 implies when it is absent.
  size_t remote_max_message_size = 64 * 1024;
  // Streams offered in each direction; each one costs usrsctp memory per association, so this is
  // far below the 65535 the protocol allows yet well above the two channels LiveKit opens.
  uint16_t streams = 1024;
  // SCTP packets must fit one DTLS record inside one UDP datagram on any path (RFC 8831 §5).
  uint32_t mtu = 1200;
  size_t send_buffer_bytes = 1024 * 1024;
  size_t receive_buffer_bytes = 1024 * 1024;
  // Bytes that Send() may queue before usrsctp takes them; past this, Send() fails.
  size_t max_queued_bytes = 16 * 1024 * 1024;
  // Retransmission timeout bounds (RFC 4960 §6.3.1 allows tuning; these suit interactive use).
  uint32_t rto_initial_ms = 1000;
  uint32_t rto_min_ms = 400;
  uint32_t rto_max_ms = 10000;
};

struct DataChannelOptions {
  std::string label;
  bool ordered = true;
  // At most one of the two limits; neither means reliable (RFC 8831 §6.1).
  std::optional<uint16_t> max_retransmits;
  std::optional<uint32_t> max_packet_lifetime_ms;
  std::string protocol;
  uint16_t priority = kDcepPriorityNormal;
};

struct DataChannelInfo {
  uint16_t id = 0;  // the SCTP stream id, the same in both directions
  std::string label;
  std::string protocol;
  bool ordered = true;
  std::optional<uint16_t> max_retransmits;
  std::optional<uint32_t> max_packet_lifetime_ms;
  uint16_t priority = kDcepPriorityNormal;
  bool opened_locally = false;
};

class SctpAssociation {
 public:
  enum class State { kNew, kConnecting, kConnected, kClosed };

  struct Callbacks {
    // An SCTP packet to send to the peer inside DTLS.
    std::function<void(std::span<const uint8_t> packet)> on_packet;
    std::function<void()> on_connected;
    // A channel became usable: one we opened (once the association is up and its
    // DATA_CHANNEL_OPEN is on its way) or one the peer opened.
    std::function<void(const DataChannelInfo& channel)> on_channel_opened;
    std::function<void(uint16_t channel_id, std::span<const uint8_t> bytes, bool binary)>
        on_message;
    // Both directions of the channel's stream are reset (RFC 8831 §6.7), or the association
    // ended; the id may be reused afterwards.
    std::function<void(uint16_t channel_id)> on_channel_closed;
    // The bytes queued on a channel fell to its low threshold (default 0) after being above it.
    std::function<void(uint16_t channel_id)> on_buffered_amount_low;
    // The association ended (ABORT, SHUTDOWN or lost peer); every channel was reported closed.
    std::function<void(const Status& reason)> on_closed;
  };

  static StatusOr<std::unique_ptr<SctpAssociation>> Create(const SctpAssociationConfig& config,
                                                           Callbacks callbacks);
  ~SctpAssociation();
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Sends INIT. Both sides may call it (SCTP resolves the collision, RFC 4960 §5.2.4); a side
  // that has not called it yet does so itself when the peer's first packet arrives.
  Status Connect();
  // A packet from the peer (the DTLS plaintext). Malformed packets are dropped by usrsctp.
  void HandlePacket(std::span<const uint8_t> packet);
  // Advances the timers of every association in the process to now_ms (see SctpStack) and
  // delivers what they produced for this one. Call it every 10-50 ms from the owner's clock.
  void Tick(int64_t now_ms);

  // Picks a free stream id of our parity and sends DATA_CHANNEL_OPEN once connected.
  StatusOr<uint16_t> OpenChannel(const DataChannelOptions& options);
  // Queues one message. Empty messages are sent as PPID 56/57 (RFC 8831 §6.6); messages above
  // the peer's max message size are refused.
  Status Send(uint16_t channel_id, std::span<const uint8_t> bytes, bool binary);
  // Resets the channel's outgoing stream after the messages already queued on it; the peer
  // answers by resetting its own, and then on_channel_closed fires.
  Status CloseChannel(uint16_t channel_id);

  // Ends the association with ABORT (RFC 4960 §9.1), which leaves through on_packet; every
  // channel is reported closed and then on_closed fires. Destroying without Abort() sends nothing.
  void Abort();

  // Bytes queued on the channel that usrsctp has not taken yet (0 for unknown channels).
  size_t buffered_amount(uint16_t channel_id) const;
  void SetBufferedAmountLowThreshold(uint16_t channel_id, size_t bytes);
  const DataChannelInfo* channel(uint16_t channel_id) const;
  std::vector<uint16_t> channel_ids() const;
  State state() const { return state_; }

 private:
  enum class ChannelState { kWaitingForAssociation, kOpen, kClosing };
  struct Channel {
    DataChannelInfo info;
    ChannelState state = ChannelState::kWaitingForAssociation;
    // RFC 8832 §6: until the peer acknowledges the OPEN, messages go ordered so none overtakes it.
    bool acknowledged = false;
    bool outgoing_reset_done = false;
    bool incoming_reset_done = false;
    size_t queued_bytes = 0;
    size_t low_threshold = 0;
  };
  struct OutgoingMessage {
    uint16_t stream_id = 0;
    DataChannelPpid ppid = DataChannelPpid::kBinary;
    bool unordered = false;
    uint16_t pr_policy = 0;  // SCTP_PR_SCTP_NONE / _RTX / _TTL
    uint32_t pr_value = 0;
    bool counts_as_buffered = false;
    bool reset_marker = false;  // reset the stream once everything before it was handed over
    std::vector<uint8_t> payload;
    size_t offset = 0;  // bytes usrsctp already took (explicit-EOR partial sends)
  };
  struct Reassembly {
    std::vector<uint8_t> bytes;
    bool oversized = false;
  };

  SctpAssociation(const SctpAssociationConfig& config, Callbacks callbacks);
  Status Configure();

  void Pump();
  void HandleStackEvent(SctpStackEvent& event);
  void HandleNotification(std::span<const uint8_t> bytes);
  void HandleAssociationChange(std::span<const uint8_t> bytes);
  void HandleStreamReset(std::span<const uint8_t> bytes);
  void HandleMessage(uint16_t stream_id, uint32_t ppid, std::vector<uint8_t> bytes);
  void HandleDcep(uint16_t stream_id, std::span<const uint8_t> bytes);
  void HandleAssociationEnded(const std::string& reason);

  void QueueDcep(uint16_t stream_id, std::vector<uint8_t> bytes);
  void QueueOpen(Channel& channel);
  void QueueReset(uint16_t stream_id);
  void SendQueued();
  void SendPendingResets();
  void MaybeFinishClose(uint16_t stream_id);
  void ConsumeQueuedBytes(uint16_t stream_id, size_t bytes);
  StatusOr<uint16_t> AllocateStreamId() const;

  SctpAssociationConfig config_;
  Callbacks callbacks_;
  uintptr_t address_id_ = 0;
  struct socket* socket_ = nullptr;
  State state_ = State::kNew;
  uint16_t negotiated_streams_ = 0;

  std::map<uint16_t, Channel> channels_;
  std::map<uint16_t, Reassembly> reassembly_;
  std::deque<OutgoingMessage> send_queue_;
  size_t queued_bytes_ = 0;
  std::vector<uint16_t> resets_to_send_;

  // User callbacks wait here until Pump() runs them outside every internal call.
  std::vector<std::function<void()>> notifications_;
  std::vector<SctpStackEvent> stack_events_;
  bool pumping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace auralink::rtc
