// One published track as one subscriber receives it: the chosen simulcast layer spliced into one
// continuous stream (rtc::SimulcastStreamRewriter), the subscriber's SSRC, payload types and
// extension ids written in, sent packets kept for NACK and resent over RTX (RFC 4588).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/status.h"
#include "rtc/codecs/simulcast_stream_rewriter.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/rtp_packet_cache.h"
#include "sfu/sdp_negotiation.h"
#include "sfu/sender_report_rewriter.h"
#include "sfu/subscriber_sender.h"
#include "sfu/video_payload_info.h"

namespace auralink::sfu {

struct DownTrackConfig {
  MediaKind kind = MediaKind::kAudio;
  VideoCodecId codec = VideoCodecId::kUnknown;
  uint32_t clock_rate = 90000;
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;  // 0: no RTX
  // A subscriber connection of its own is offered the publisher's payload types, so they pass
  // unchanged; a single peer connection (/rtc/v1) answers with the browser's, so each forwarded
  // packet's type is mapped (-1: unchanged). RTX uses the RTX type that repairs the type as sent
  // (-1: none).
  std::array<int16_t, 128> payload_type_of = MakeNoRtxMap();
  std::array<int16_t, 128> rtx_payload_type_of = MakeNoRtxMap();
  static std::array<int16_t, 128> MakeNoRtxMap() {
    std::array<int16_t, 128> map{};
    map.fill(-1);
    return map;
  }
  std::string mid;  // in the subscriber connection
};

class DownTrack {
 public:
  static constexpr size_t kBufferSize = 1500 + 64;

  static StatusOr<std::unique_ptr<DownTrack>> Create(const DownTrackConfig& config,
                                                     SubscriberSender* sender,
                                                     const rtc::RtpExtensionIdMap* publisher_ids);

  // One packet of the published track (any layer); `info` is parsed once by the track.
  void Forward(const rtc::RtpPacket& packet, int layer, const VideoPayloadInfo& info,
               int64_t now_ms);
  // Sequence numbers the subscriber reported lost, in our numbering.
  void OnNack(std::span<const uint16_t> sequence_numbers, int64_t now_ms);
  // Padding-only RTX packets (RFC 4588 §8.2) worth about `bytes`, to probe the subscriber's path;
  // returns what was sent. Needs RTX.
  size_t SendPadding(size_t bytes, int64_t now_ms);

  // nullopt pauses the video; audio ignores layers.
  void SetTargetLayer(std::optional<int> layer);
  std::optional<int> target_layer() const;
  std::optional<int> current_layer() const;
  // The subscriber waits for a key frame of the target layer: the track should ask for one.
  bool NeedsKeyFrame() const;

  // Muted by the publisher, disabled by the subscriber (UpdateTrackSettings), or unsubscribed.
  void SetPaused(bool paused) { paused_ = paused; }
  bool paused() const { return paused_; }
  void SetRequestedSize(int width, int height) {
    requested_width_ = width;
    requested_height_ = height;
  }
  int requested_width() const { return requested_width_; }
  int requested_height() const { return requested_height_; }

  // The payload types a single peer connection's answer settled (DownTrackConfig).
  void SetPayloadTypes(const std::array<int16_t, 128>& payload_type_of,
                       const std::array<int16_t, 128>& rtx_payload_type_of) {
    config_.payload_type_of = payload_type_of;
    config_.rtx_payload_type_of = rtx_payload_type_of;
  }

  const DownTrackConfig& config() const { return config_; }
  uint64_t packets_sent() const { return packets_sent_; }
  uint64_t packets_retransmitted() const { return packets_retransmitted_; }
  // NACKed packets not repaired because a layer switch (a key frame) came after them.
  uint64_t nacks_before_switch() const { return nacks_before_switch_; }
  // Our sequence number of the first packet after the last layer switch (or the first sent).
  std::optional<uint16_t> repair_floor() const { return repair_floor_; }
  uint64_t bytes_sent() const { return bytes_sent_; }
  // For the sender reports this down track forwards (sfu/sender_report_rewriter.h).
  const DownTrackTimestampMapping& timestamp_mapping() const { return timestamp_mapping_; }
  uint64_t payload_bytes_sent() const { return payload_bytes_sent_; }

 private:
  DownTrack(const DownTrackConfig& config, SubscriberSender* sender,
            const rtc::RtpExtensionIdMap* publisher_ids);

  DownTrackConfig config_;
  SubscriberSender* sender_;
  const rtc::RtpExtensionIdMap* publisher_ids_;
  // The sender's: the connection's ids, which a single peer connection takes from the browser.
  const rtc::RtpExtensionIdMap& subscriber_ids_;
  std::unique_ptr<rtc::SimulcastStreamRewriter> rewriter_;
  std::unique_ptr<rtc::RtpPacketCache> cache_;
  uint16_t rtx_sequence_ = 0;
  uint32_t last_timestamp_ = 0;
  bool paused_ = false;
  int requested_width_ = 0;
  int requested_height_ = 0;
  uint64_t packets_sent_ = 0;
  uint64_t packets_retransmitted_ = 0;
  uint64_t nacks_before_switch_ = 0;
  // Our sequence number of the first packet after the last layer switch.
  std::optional<uint16_t> repair_floor_;
  uint64_t bytes_sent_ = 0;
  uint64_t payload_bytes_sent_ = 0;
  DownTrackTimestampMapping timestamp_mapping_;
};

}  // namespace auralink::sfu
