// Everything a subscriber connection sends goes through here: transport-wide sequence numbers
// and abs-send-time are stamped per connection (the subscriber's browser reports on them in
// transport-wide CC feedback), each send is recorded for the send-side bandwidth estimate, and a
// test cap can emulate a narrow downlink by dropping what exceeds it, as a congested link would.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/media_path_memory.h"
#include "rtc/rtcp/twcc_feedback.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "sfu/bwe/send_side_bandwidth_estimator.h"
#include "sfu/webrtc_transport.h"

namespace auralink::sfu {

// Where the per-connection extension values sit in a packet, as offsets from its first byte (0:
// absent), so a caller that has just rewritten the packet spares the sender a second parse.
struct TransportFieldOffsets {
  uint16_t transport_sequence_number = 0;
  uint16_t abs_send_time = 0;
  // Of `packet` (viewing the buffer that will be sent), by the subscriber's extension ids.
  static TransportFieldOffsets Find(rtc::RtpPacket& packet, const rtc::RtpExtensionIdMap& ids);
};

class SubscriberSender : public MediaPathAllocated {
 public:
  // `extension_ids` (uri -> id): what the connection negotiated, SubscriberExtensionIds() on a
  // subscriber connection of its own.
  SubscriberSender(WebRtcTransport* transport, const std::map<std::string, int>& extension_ids);

  // A single peer connection's browser named its ids in a later offer. Down tracks read them from
  // here, so they follow.
  void SetExtensionIds(const std::map<std::string, int>& extension_ids);
  const rtc::RtpExtensionIdMap& extension_ids() const { return ids_; }

  // `buffer` holds a plain RTP packet whose extensions use SubscriberExtensionIds(); `capacity`
  // leaves room for the SRTP tag. Returns false when the packet was not sent.
  bool SendRtp(uint8_t* buffer, size_t length, size_t capacity, int64_t now_ms);
  // The same with the extension offsets already known (TransportFieldOffsets::Find).
  bool SendRtp(uint8_t* buffer, size_t length, size_t capacity, int64_t now_ms,
               TransportFieldOffsets offsets);
  bool SendRtcp(uint8_t* buffer, size_t length, size_t capacity);

  void OnTransportFeedback(const rtc::TwccFeedback& feedback, int64_t now_ms);
  // What the estimator allows towards this subscriber.
  int64_t available_bps() const;
  // For probing: the receive rate the browser acknowledges, whether the path shows congestion, and
  // the result of a probe.
  std::optional<int64_t> acknowledged_bps() const;
  bool congested() const;
  // The loss fraction of the estimator's last evaluation (0 before the first).
  double recent_loss_fraction() const;
  void OnProbeResult(int64_t bps, int64_t now_ms);
  void SetBandwidthCap(int kbps);  // 0: no cap
  // Retransmissions share the estimate with the media they repair: at most kRetransmitShare of it,
  // so that repairing a burst of losses cannot crowd out the new packets on a path that is
  // already losing them (libwebrtc bounds RTX with a rate limiter and its pacer). Returns false
  // when this retransmission of `bytes` is over that budget.
  bool AdmitRetransmission(size_t bytes, int64_t now_ms);
  static constexpr double kRetransmitShare = 0.3;

  uint64_t packets_sent() const { return packets_sent_; }
  // Transport-wide feedback packets received from this subscriber.
  uint64_t transport_feedbacks() const { return transport_feedbacks_; }
  uint64_t packets_dropped_by_cap() const { return dropped_by_cap_; }
  uint64_t retransmissions_refused() const { return retransmissions_refused_; }
  WebRtcTransport* transport() const { return transport_; }

  // Asks the CPU to fetch what SendRtp() touches, in steps a fan-out runs a subscriber or more
  // apart (DownTrack::Prefetch): each reads only what the one before fetched.
  void Prefetch(int step) const;

 private:
  // A token bucket: it fills at `rate_bytes_per_ms` up to `capacity_bytes`, and Take() spends
  // `bytes` from it when they are there. One for the test cap, one for retransmissions.
  struct TokenBucket {
    double tokens_bytes = 0.0;
    int64_t last_ms = -1;  // -1: never used, so full at its first use
    bool Take(double bytes, double rate_bytes_per_ms, double capacity_bytes, int64_t now_ms);
  };

  bool AdmitByCap(size_t bytes, int64_t now_ms);

  WebRtcTransport* transport_;
  rtc::RtpExtensionIdMap ids_;
  std::unique_ptr<SendSideBandwidthEstimator> estimator_;
  uint16_t next_transport_sequence_ = 1;
  int64_t feedback_base_ = -1;
  uint64_t packets_sent_ = 0;
  uint64_t transport_feedbacks_ = 0;
  uint64_t dropped_by_cap_ = 0;
  int cap_kbps_ = 0;
  TokenBucket cap_bucket_{0.0, 0};  // fills from time 0, as a link that was always there
  TokenBucket retransmit_bucket_;
  uint64_t retransmissions_refused_ = 0;
};

}  // namespace auralink::sfu
