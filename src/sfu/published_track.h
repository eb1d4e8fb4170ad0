// A track a participant publishes, as the SFU receives it: up to three simulcast layers (each its
// own SSRC, found by RID), loss repair towards the publisher (NACK), per-layer bitrate and size
// measured from what arrives, and the down tracks that forward it to subscribers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtc/rtcp/receiver_report.h"
#include "rtc/rtcp/sender_report.h"
#include "rtc/rtp/nack_generator.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/rtp_packet_cache.h"
#include "rtc/rtp/rtp_receive_statistics.h"
#include "sfu/bwe/simulcast_layer_selector.h"
#include "sfu/down_track.h"
#include "sfu/room_control.h"
#include "sfu/sdp_negotiation.h"
#include "sfu/sender_report_rewriter.h"
#include "sfu/video_payload_info.h"

namespace auralink::sfu {

struct PublishedLayer {
  std::string rid;    // empty without simulcast
  int quality = 0;    // LiveKit VideoQuality: 0 low, 1 medium, 2 high
  uint32_t ssrc = 0;  // learned from the first packet
  uint32_t rtx_ssrc = 0;
  rtc::NackGenerator nack;
  int width = 0;
  int height = 0;
  int64_t bitrate_bps = 0;
  int64_t window_start_ms = -1;
  uint64_t window_bytes = 0;
  int64_t last_packet_ms = -1;
  int64_t last_key_frame_request_ms = -100000;
  uint64_t packets = 0;
  // RFC 3550 reception statistics for the receiver reports to the publisher, from the packets
  // that arrived on the media SSRC (not those RTX recovered).
  std::optional<rtc::RtpReceiveStatistics> statistics;
  // The publisher's newest sender report, forwarded to subscribers of this layer.
  std::optional<PublisherSenderReport> sender_report;
  // The packets of the last second, as they arrived, for every subscriber's retransmissions
  // (video only).
  std::unique_ptr<rtc::RtpPacketCache> store;
};

class PublishedTrack : public SourcePacketStore {
 public:
  PublishedTrack(TrackDescription description, const PublishedMedia& media);
  // Slots of each video layer's packet store: a second at up to ~6 Mbps in 1,200-byte packets.
  static constexpr size_t kStoredPacketsPerLayer = 512;

  const TrackDescription& description() const { return description_; }
  TrackDescription& mutable_description() { return description_; }
  const PublishedMedia& media() const { return media_; }
  const std::string& sid() const { return description_.sid; }
  MediaKind kind() const { return media_.kind; }
  VideoCodecId codec() const { return codec_; }
  uint32_t clock_rate() const { return clock_rate_; }
  const rtc::RtpExtensionIdMap& extension_ids() const { return extension_ids_; }

  // The layer a packet belongs to: by SSRC once known, else by its RID (RTP stream id) or, for
  // tracks without simulcast, layer 0. -1 when it does not belong to this track.
  int ResolveLayer(uint32_t ssrc, std::string_view rid, std::string_view repaired_rid,
                   bool* is_rtx);
  // A media packet of `layer` (RTX already unwrapped, `recovered`), arrived at `arrival_us`.
  // Returns the sequence numbers to NACK.
  std::span<const uint16_t> OnRtp(const rtc::RtpPacket& packet, int layer, bool recovered,
                                  int64_t now_ms, int64_t arrival_us);
  // The publisher's sender report for `layer` (RFC 3550 §6.4.1).
  void OnSenderReport(int layer, const rtc::SenderReport& report, int64_t now_ms, int64_t now_us);
  // One report block per layer that has received packets (RFC 3550 §6.4.2), each starting a new
  // fraction-lost interval; false when `report` ran out of room.
  bool AddReportBlocks(rtc::ReceiverReport* report, int64_t now_us);
  std::span<const uint16_t> TickNack(int layer, int64_t now_ms);

  void AddDownTrack(const std::string& subscriber_sid, DownTrack* track);
  void RemoveDownTrack(const std::string& subscriber_sid);
  const std::map<std::string, DownTrack*>& down_tracks() const { return down_tracks_; }

  // Layers as the layer selector sees them (measured bitrates; inactive when nothing arrived for
  // a second).
  std::vector<SimulcastLayerInfo> LayerInfos(int64_t now_ms) const;
  std::vector<PublishedLayer>& layers() { return layers_; }
  // A layer whose key frame some subscriber waits for, at most every 500 ms per layer.
  std::optional<uint32_t> TakeKeyFrameRequestSsrc(int64_t now_ms);
  // The SSRC of a layer, for PLI from a subscriber (0 when unknown).
  uint32_t LayerSsrc(int layer) const;

  // Dynacast: which qualities (LiveKit VideoQuality 0..2) some subscriber can use, from the sizes
  // they asked for. Returns true, with `wanted` filled, when that changed since the last call.
  bool UpdateWantedQualities(std::vector<bool>* wanted);

  void SetMuted(bool muted);
  bool muted() const { return description_.muted; }

  // SourcePacketStore
  std::span<const uint8_t> FindSourcePacket(int layer, uint16_t sequence_number,
                                            int64_t now_ms) override;

 private:
  void RebuildForwardList();

  TrackDescription description_;
  PublishedMedia media_;
  VideoCodecId codec_ = VideoCodecId::kUnknown;
  uint32_t clock_rate_ = 90000;
  rtc::RtpExtensionIdMap extension_ids_;
  std::vector<PublishedLayer> layers_;
  std::map<std::string, DownTrack*> down_tracks_;
  // The same down tracks in a flat array: every packet walks all of them.
  std::vector<DownTrack*> forward_to_;
  std::vector<bool> last_wanted_;
};

}  // namespace auralink::sfu
