// One published track as one subscriber receives it: the chosen simulcast layer spliced into one
// continuous stream (rtc::SimulcastStreamRewriter), the subscriber's SSRC, payload types and
// extension ids written in, and what was sent remembered for NACK and resent over RTX (RFC 4588).
//
// A down track keeps no copy of the packets it sent: only how it rewrote each one (a few bytes).
// On a NACK it finds the publisher's packet again in the published track's store, which holds one
// copy for every subscriber, and rewrites it the same way (LiveKit's sequencer does the same). A
// fan-out then costs no per-subscriber packet copy into cold memory.
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/media_path_memory.h"
#include "common/status.h"
#include "rtc/codecs/simulcast_stream_rewriter.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/sequence_number.h"
#include "sfu/sdp_negotiation.h"
#include "sfu/sender_report_rewriter.h"
#include "sfu/subscriber_sender.h"
#include "sfu/video_payload_info.h"

namespace auralink::sfu {

// Where a down track finds the publisher's packets again to resend them: the published track keeps
// one copy of each (sfu::PublishedTrack).
class SourcePacketStore {
 public:
  virtual ~SourcePacketStore() = default;
  // The packet of `layer` with the publisher's `sequence_number`, as it arrived (RTX unwrapped);
  // empty when it is no longer kept.
  virtual std::span<const uint8_t> FindSourcePacket(int layer, uint16_t sequence_number,
                                                    int64_t now_ms) = 0;
};

// One packet of a published track on its way to its down tracks. Renumbering its header extensions
// to a subscriber's ids, and finding where the transport fields lie, is done once for every
// subscriber that negotiated the same ids (the server's own subscriber offers all do), not once per
// copy.
class ForwardSource {
 public:
  static constexpr size_t kBufferSize = 1500 + 64;  // a packet and room for the SRTP tag

  ForwardSource(const rtc::RtpPacket& packet, int layer, const VideoPayloadInfo& info,
                const rtc::RtpExtensionIdMap& publisher_ids)
      : packet_(packet), layer_(layer), info_(info), publisher_ids_(publisher_ids) {}
  ForwardSource(const ForwardSource&) = delete;
  ForwardSource& operator=(const ForwardSource&) = delete;

  const rtc::RtpPacket& packet() const { return packet_; }
  int layer() const { return layer_; }
  const VideoPayloadInfo& info() const { return info_; }

  // The packet with `ids`' extension ids and without a MID; null when it does not fit a buffer.
  struct Prepared {
    std::array<uint8_t, kBufferSize> bytes;
    size_t length = 0;
    size_t payload_offset = 0;
    size_t payload_size = 0;
    TransportFieldOffsets offsets;
  };
  const Prepared* PrepareFor(const rtc::RtpExtensionIdMap& ids);

 private:
  const rtc::RtpPacket& packet_;
  const int layer_;
  const VideoPayloadInfo& info_;
  const rtc::RtpExtensionIdMap& publisher_ids_;
  // The ids `prepared_` was made for (a subscriber's map, alive through the fan-out).
  const rtc::RtpExtensionIdMap* prepared_ids_ = nullptr;
  bool prepared_ok_ = false;
  Prepared prepared_;
};

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

class DownTrack : public MediaPathAllocated {
 public:
  static constexpr size_t kBufferSize = ForwardSource::kBufferSize;
  // Sent packets remembered for NACK: our sequence numbers of the last second or so.
  static constexpr size_t kHistorySize = 512;
  static constexpr int64_t kHistoryMaxAgeMs = 1000;

  // `store` (null: nothing is resent) and `publisher_ids` must outlive the down track. RTX needs
  // a store and config.rtx_ssrc.
  static StatusOr<std::unique_ptr<DownTrack>> Create(const DownTrackConfig& config,
                                                     SubscriberSender* sender,
                                                     const rtc::RtpExtensionIdMap* publisher_ids,
                                                     SourcePacketStore* store = nullptr);

  // One packet of the published track (any layer); its video info is parsed once by the track.
  void Forward(ForwardSource& source, int64_t now_ms);
  // Asks the CPU to fetch what Forward() touches: each subscriber's state is cold in a fan-out to
  // hundreds. Step 0 fetches the down track's own fields, and each later step (up to
  // kPrefetchSteps - 1) what the step before fetched points to: the rewriter and history, the
  // sender, its transport and bandwidth estimator, the SRTP session. The fan-out runs the steps a
  // subscriber apart, so each finds its pointers in cache.
  static constexpr int kPrefetchSteps = 4;
  void Prefetch(int step) const;
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
  // How one sent packet was made from the publisher's: enough to make it again.
  struct SentPacket {
    int64_t sequence = kNoSequence;  // ours, unwrapped
    int64_t sent_ms = 0;
    int64_t resent_ms = -1;
    uint32_t timestamp = 0;
    uint16_t source_sequence = 0;
    uint16_t picture_id = 0;
    uint8_t tl0_pic_idx = 0;
    uint8_t layer = 0;
    bool marker = false;
    bool has_picture_id = false;
    bool has_tl0_pic_idx = false;
  };
  static constexpr int64_t kNoSequence = INT64_MIN;

  DownTrack(const DownTrackConfig& config, SubscriberSender* sender,
            const rtc::RtpExtensionIdMap* publisher_ids, SourcePacketStore* store);
  // Writes the subscriber's copy of `prepared` as `sent` describes it into `out` (at least
  // kBufferSize); returns its length.
  size_t WriteCopy(const ForwardSource::Prepared& prepared, const SentPacket& sent,
                   uint8_t* out) const;
  void Remember(const SentPacket& sent);
  SentPacket* FindSent(uint16_t sequence, int64_t now_ms);

  DownTrackConfig config_;
  SubscriberSender* sender_;
  const rtc::RtpExtensionIdMap* publisher_ids_;
  SourcePacketStore* store_;
  // The sender's: the connection's ids, which a single peer connection takes from the browser.
  const rtc::RtpExtensionIdMap& subscriber_ids_;
  std::unique_ptr<rtc::SimulcastStreamRewriter> rewriter_;
  // kHistorySize entries by our sequence number; empty without RTX.
  std::vector<SentPacket> history_;
  rtc::SequenceNumberUnwrapper history_unwrapper_;
  int64_t history_highest_ = kNoSequence;
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
