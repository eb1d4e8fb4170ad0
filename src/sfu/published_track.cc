#include "sfu/published_track.h"

#include <algorithm>

namespace auralink::sfu {
namespace {

constexpr int64_t kBitrateWindowMs = 1000;
constexpr int64_t kLayerInactiveMs = 1500;
constexpr int64_t kKeyFrameRequestIntervalMs = 500;

int QualityOfRid(std::string_view rid, size_t index, size_t count) {
  // livekit-client names its layers q (low), h (medium), f (full), in that order.
  if (rid == "q") return 0;
  if (rid == "h") return 1;
  if (rid == "f") return 2;
  if (count <= 1) return 2;
  return static_cast<int>(std::min<size_t>(2, index));
}

}  // namespace

PublishedTrack::PublishedTrack(TrackDescription description, const PublishedMedia& media)
    : description_(std::move(description)), media_(media) {
  if (!media.codecs.empty()) {
    clock_rate_ = media.codecs[0].clock_rate;
    if (media.kind == MediaKind::kVideo) codec_ = VideoCodecIdFromName(media.codecs[0].name);
  }
  for (const auto& [uri, id] : media.extensions)
    extension_ids_.Register(static_cast<uint8_t>(id), uri);
  const size_t count = std::max<size_t>(1, media.rids.size());
  for (size_t i = 0; i < count; ++i) {
    PublishedLayer layer;
    if (!media.rids.empty()) layer.rid = media.rids[i];
    layer.quality = QualityOfRid(layer.rid, i, count);
    if (media.kind == MediaKind::kVideo) {
      rtc::RtpPacketCacheConfig store;
      store.slot_count = kStoredPacketsPerLayer;
      store.max_age_ms = DownTrack::kHistoryMaxAgeMs;
      auto created = rtc::RtpPacketCache::Create(store);
      if (created.ok()) layer.store = std::move(*created);
    }
    layers_.push_back(std::move(layer));
  }
  std::sort(layers_.begin(), layers_.end(),
            [](const PublishedLayer& a, const PublishedLayer& b) { return a.quality < b.quality; });
  // Signalled SSRCs (no simulcast, or simulcast with ssrc-group:SIM) bind at once.
  if (media.rids.empty() && !media.ssrcs.empty()) {
    layers_[0].ssrc = media.ssrcs[0];
    auto rtx = media.rtx_ssrc_of.find(media.ssrcs[0]);
    if (rtx != media.rtx_ssrc_of.end()) layers_[0].rtx_ssrc = rtx->second;
  }
  description_.simulcast = layers_.size() > 1;
}

int PublishedTrack::ResolveLayer(uint32_t ssrc, std::string_view rid, std::string_view repaired_rid,
                                 bool* is_rtx) {
  *is_rtx = false;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].ssrc == ssrc && ssrc != 0) return static_cast<int>(i);
    if (layers_[i].rtx_ssrc == ssrc && ssrc != 0) {
      *is_rtx = true;
      return static_cast<int>(i);
    }
  }
  const std::string_view name = !repaired_rid.empty() ? repaired_rid : rid;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const bool matches = layers_.size() == 1 ? (name.empty() || name == layers_[i].rid)
                                             : (!name.empty() && name == layers_[i].rid);
    if (!matches) continue;
    if (!repaired_rid.empty()) {
      layers_[i].rtx_ssrc = ssrc;
      *is_rtx = true;
    } else if (layers_[i].ssrc == 0) {
      layers_[i].ssrc = ssrc;
    } else {
      continue;  // another SSRC already owns this layer
    }
    return static_cast<int>(i);
  }
  return -1;
}

std::span<const uint16_t> PublishedTrack::OnRtp(const rtc::RtpPacket& packet, int layer_index,
                                                bool recovered, int64_t now_ms,
                                                int64_t arrival_us) {
  PublishedLayer& layer = layers_[static_cast<size_t>(layer_index)];
  ++layer.packets;
  // The report is about the media SSRC as it arrived (RFC 4588: repairs travel as a stream of their
  // own): what RTX recovered was lost on the path, and the publisher's loss-based rate control
  // wants that. Chromium also resends delivered packets over RTX to probe, which would otherwise
  // count as duplicates and drive the loss negative.
  if (!recovered) {
    if (!layer.statistics || layer.statistics->ssrc() != packet.ssrc())
      layer.statistics.emplace(packet.ssrc(), clock_rate_);
    layer.statistics->OnPacket(packet.sequence_number(), packet.timestamp(), arrival_us);
  }
  layer.last_packet_ms = now_ms;
  if (layer.window_start_ms < 0) layer.window_start_ms = now_ms;
  layer.window_bytes += packet.size();
  if (now_ms - layer.window_start_ms >= kBitrateWindowMs) {
    layer.bitrate_bps = static_cast<int64_t>(layer.window_bytes * 8 * 1000 /
                                             static_cast<uint64_t>(now_ms - layer.window_start_ms));
    layer.window_start_ms = now_ms;
    layer.window_bytes = 0;
  }
  VideoPayloadInfo info;
  if (media_.kind == MediaKind::kVideo) {
    info = ParseVideoPayload(codec_, packet.payload());
    if (info.width > 0) {
      layer.width = info.width;
      layer.height = info.height;
    }
  }
  std::span<const uint16_t> nacks;
  if (media_.kind == MediaKind::kVideo)
    nacks = layer.nack.OnPacket(packet.sequence_number(), now_ms, info.key_frame);
  if (layer.store) layer.store->Insert(packet, now_ms);
  if (!description_.muted) {
    ForwardSource source(packet, layer_index, info, extension_ids_);
    const size_t count = forward_to_.size();
    for (size_t i = 0; i < count; ++i) {
      // Subscriber i + s gets prefetch step kPrefetchSteps - s: the deeper steps for the nearer.
      for (int step = 0; step < DownTrack::kPrefetchSteps; ++step) {
        const size_t ahead = i + static_cast<size_t>(DownTrack::kPrefetchSteps - step);
        if (ahead < count) forward_to_[ahead]->Prefetch(step);
      }
      forward_to_[i]->Forward(source, now_ms);
    }
  }
  return nacks;
}

std::span<const uint8_t> PublishedTrack::FindSourcePacket(int layer, uint16_t sequence_number,
                                                          int64_t now_ms) {
  if (layer < 0 || layer >= static_cast<int>(layers_.size())) return {};
  PublishedLayer& found = layers_[static_cast<size_t>(layer)];
  if (!found.store) return {};
  return found.store->Find(sequence_number, now_ms);
}

void PublishedTrack::OnSenderReport(int layer_index, const rtc::SenderReport& report,
                                    int64_t now_ms, int64_t now_us) {
  if (layer_index < 0 || layer_index >= static_cast<int>(layers_.size())) return;
  PublishedLayer& layer = layers_[static_cast<size_t>(layer_index)];
  if (layer.statistics && layer.statistics->ssrc() == report.sender_ssrc)
    layer.statistics->OnSenderReport(report.ntp_timestamp, now_us);
  PublisherSenderReport received;
  received.ntp_timestamp = report.ntp_timestamp;
  received.rtp_timestamp = report.rtp_timestamp;
  received.arrival_ms = now_ms;
  received.sequence = layer.sender_report ? layer.sender_report->sequence + 1 : 1;
  layer.sender_report = received;
}

bool PublishedTrack::AddReportBlocks(rtc::ReceiverReport* report, int64_t now_us) {
  for (PublishedLayer& layer : layers_) {
    if (!layer.statistics || !layer.statistics->has_packets()) continue;
    if (!report->AddReportBlock(layer.statistics->MakeReportBlock(now_us))) return false;
  }
  return true;
}

std::span<const uint16_t> PublishedTrack::TickNack(int layer, int64_t now_ms) {
  return layers_[static_cast<size_t>(layer)].nack.Tick(now_ms);
}

void PublishedTrack::AddDownTrack(const std::string& subscriber_sid, DownTrack* track) {
  down_tracks_[subscriber_sid] = track;
  RebuildForwardList();
}

void PublishedTrack::RemoveDownTrack(const std::string& subscriber_sid) {
  down_tracks_.erase(subscriber_sid);
  RebuildForwardList();
}

void PublishedTrack::RebuildForwardList() {
  forward_to_.clear();
  for (const auto& [subscriber, down] : down_tracks_) forward_to_.push_back(down);
}

std::vector<SimulcastLayerInfo> PublishedTrack::LayerInfos(int64_t now_ms) const {
  std::vector<SimulcastLayerInfo> infos;
  for (const PublishedLayer& layer : layers_) {
    SimulcastLayerInfo info;
    info.width = layer.width;
    info.height = layer.height;
    info.bitrate_bps = layer.bitrate_bps;
    info.active = layer.last_packet_ms >= 0 && now_ms - layer.last_packet_ms < kLayerInactiveMs;
    infos.push_back(info);
  }
  return infos;
}

std::optional<uint32_t> PublishedTrack::TakeKeyFrameRequestSsrc(int64_t now_ms) {
  for (DownTrack* down : forward_to_) {
    if (!down->NeedsKeyFrame()) continue;
    const std::optional<int> target = down->target_layer();
    if (!target || *target < 0 || *target >= static_cast<int>(layers_.size())) continue;
    PublishedLayer& layer = layers_[static_cast<size_t>(*target)];
    if (layer.ssrc == 0 || now_ms - layer.last_key_frame_request_ms < kKeyFrameRequestIntervalMs)
      continue;
    layer.last_key_frame_request_ms = now_ms;
    return layer.ssrc;
  }
  for (PublishedLayer& layer : layers_) {
    if (layer.nack.TakeKeyFrameRequest() && layer.ssrc != 0 &&
        now_ms - layer.last_key_frame_request_ms >= kKeyFrameRequestIntervalMs) {
      layer.last_key_frame_request_ms = now_ms;
      return layer.ssrc;
    }
  }
  return std::nullopt;
}

uint32_t PublishedTrack::LayerSsrc(int layer) const {
  if (layer < 0 || layer >= static_cast<int>(layers_.size())) return 0;
  return layers_[static_cast<size_t>(layer)].ssrc;
}

bool PublishedTrack::UpdateWantedQualities(std::vector<bool>* wanted) {
  wanted->assign(3, false);
  if (media_.kind != MediaKind::kVideo || layers_.size() < 2) return false;
  for (const auto& [subscriber, down] : down_tracks_) {
    if (down->paused()) continue;
    // The smallest layer at least as wide as the subscriber's view, else the largest.
    int quality = layers_.back().quality;
    if (down->requested_width() > 0) {
      for (const PublishedLayer& layer : layers_) {
        if (layer.width >= down->requested_width()) {
          quality = layer.quality;
          break;
        }
      }
    }
    for (int q = 0; q <= std::min(quality, 2); ++q) (*wanted)[static_cast<size_t>(q)] = true;
  }
  if (*wanted == last_wanted_) return false;
  last_wanted_ = *wanted;
  return true;
}

void PublishedTrack::SetMuted(bool muted) { description_.muted = muted; }

}  // namespace auralink::sfu
