#include "client/emulated_video_source.h"

#include <algorithm>
#include <array>

#include "client/send_timestamp.h"
#include "rtc/rtp/rtp_packet.h"

namespace auralink::client {
namespace {

constexpr size_t kDescriptorBytes = 4;       // X|S|PID, I, 15-bit PictureID (RFC 7741 §4.2)
constexpr size_t kKeyFrameHeaderBytes = 10;  // frame tag, start code, dimensions (RFC 6386 §9.1)
constexpr size_t kMinimumFrameBytes = kKeyFrameHeaderBytes + kSendTimestampSize + 8;

}  // namespace

EmulatedVideoSource::EmulatedVideoSource(EmulatedStreamConfig stream,
                                         std::vector<EmulatedVideoLayer> layers,
                                         EmulatedVideoOptions options, uint32_t seed)
    : stream_(std::move(stream)), options_(options), timestamp_(seed * 2246822519u) {
  options_.fps = std::clamp(options_.fps, 1, 240);
  options_.max_payload_bytes =
      std::clamp<size_t>(options_.max_payload_bytes, kDescriptorBytes + kMinimumFrameBytes, 1200);
  options_.bitrate_bps = std::max(options_.bitrate_bps, 10'000);
  if (layers.empty()) layers.push_back({stream_.ssrc, ""});
  // Lowest layer first: a quarter, half and all of the size; 1/16, 1/4 and all of the bitrate.
  const size_t count = layers.size();
  for (size_t i = 0; i < count; ++i) {
    LayerState state;
    state.layer = layers[i];
    const int steps_down = static_cast<int>(count - 1 - i);
    state.bitrate_bps = options_.bitrate_bps >> (2 * steps_down);
    state.width = std::max(16, options_.width >> steps_down);
    state.height = std::max(16, options_.height >> steps_down);
    state.sequence_number = static_cast<uint16_t>(seed + 1000 * i);
    state.picture_id = static_cast<uint16_t>((seed >> 3) + 77 * i) & 0x7FFF;
    layers_.push_back(state);
  }
  filler_.resize(1200);
  for (size_t i = 0; i < filler_.size(); ++i) filler_[i] = static_cast<uint8_t>(i * 131 + 7);
}

size_t EmulatedVideoSource::FrameBytes(size_t index, bool key_frame) const {
  if (index >= layers_.size()) return 0;
  const size_t delta = static_cast<size_t>(layers_[index].bitrate_bps / 8 / options_.fps);
  // Key frames cost several delta frames; encoders spend about that much more on them.
  return std::max(kMinimumFrameBytes, key_frame ? delta * 4 : delta);
}

int64_t EmulatedVideoSource::total_bitrate_bps() const {
  int64_t total = 0;
  for (const LayerState& layer : layers_) total += layer.bitrate_bps;
  return total;
}

EmulatedPacket& EmulatedVideoSource::NextBuffer() {
  if (packets_used_ == packets_.size()) packets_.emplace_back();
  return packets_[packets_used_++];
}

std::span<EmulatedPacket> EmulatedVideoSource::NextFrame(int64_t send_time_us) {
  packets_used_ = 0;
  const bool key_frame = key_frame_requested_ ||
                         (options_.key_frame_interval > 0 &&
                          frame_index_ % static_cast<uint64_t>(options_.key_frame_interval) == 0);
  key_frame_requested_ = false;
  for (LayerState& layer : layers_) PacketizeFrame(layer, key_frame, send_time_us);
  timestamp_ += static_cast<uint32_t>(90000 / options_.fps);
  ++frame_index_;
  ++frames_produced_;
  if (key_frame) ++key_frames_produced_;
  packets_produced_ += packets_used_;
  return {packets_.data(), packets_used_};
}

void EmulatedVideoSource::PacketizeFrame(LayerState& layer, bool key_frame, int64_t send_time_us) {
  const size_t index = static_cast<size_t>(&layer - layers_.data());
  const size_t frame_bytes = FrameBytes(index, key_frame);
  const size_t per_packet = options_.max_payload_bytes - kDescriptorBytes;
  const size_t packet_count = (frame_bytes + per_packet - 1) / per_packet;
  // Equal shares (the last may be shorter by less than one byte per packet), as libwebrtc's VP8
  // packetizer balances sizes.
  const size_t share = (frame_bytes + packet_count - 1) / packet_count;
  const PublisherExtensionIds& ids = stream_.extension_ids;
  const uint8_t transport_cc[2] = {0, 0};
  size_t written = 0;
  for (size_t i = 0; i < packet_count; ++i) {
    const size_t bytes = std::max(std::min(share, frame_bytes - written), kSendTimestampSize);
    std::array<uint8_t, 1200> payload;
    // RFC 7741 §4.2: X=1, S on the frame's first packet, PID 0; I=1; M=1 with a 15-bit PictureID.
    payload[0] = static_cast<uint8_t>(0x80 | (i == 0 ? 0x10 : 0));
    payload[1] = 0x80;
    payload[2] = static_cast<uint8_t>(0x80 | (layer.picture_id >> 8));
    payload[3] = static_cast<uint8_t>(layer.picture_id);
    uint8_t* body = payload.data() + kDescriptorBytes;
    std::copy(filler_.begin(), filler_.begin() + static_cast<ptrdiff_t>(bytes), body);
    if (i == 0) {
      // RFC 6386 §9.1 frame tag: P (0 = key frame), version 0, show_frame 1, first partition size.
      const uint32_t first_partition =
          static_cast<uint32_t>(std::min<size_t>(frame_bytes / 4, 0x7FFFF));
      const uint32_t tag = (key_frame ? 0u : 1u) | (1u << 4) | (first_partition << 5);
      body[0] = static_cast<uint8_t>(tag);
      body[1] = static_cast<uint8_t>(tag >> 8);
      body[2] = static_cast<uint8_t>(tag >> 16);
      if (key_frame) {
        body[3] = 0x9d;
        body[4] = 0x01;
        body[5] = 0x2a;
        body[6] = static_cast<uint8_t>(layer.width);
        body[7] = static_cast<uint8_t>((layer.width >> 8) & 0x3F);
        body[8] = static_cast<uint8_t>(layer.height);
        body[9] = static_cast<uint8_t>((layer.height >> 8) & 0x3F);
      }
    }
    std::span<uint8_t> whole(payload.data(), kDescriptorBytes + bytes);
    WriteSendTimestamp(whole, send_time_us);

    EmulatedPacket& packet = NextBuffer();
    rtc::RtpPacketBuilder builder(packet.buffer);
    builder.SetPayloadType(stream_.payload_type)
        .SetSequenceNumber(layer.sequence_number++)
        .SetTimestamp(timestamp_)
        .SetSsrc(layer.layer.ssrc)
        .SetMarker(i + 1 == packet_count)
        .AddExtension(ids.transport_cc, transport_cc);
    if (!stream_.mid.empty()) {
      builder.AddExtension(
          ids.mid, {reinterpret_cast<const uint8_t*>(stream_.mid.data()), stream_.mid.size()});
    }
    if (!layer.layer.rid.empty()) {
      builder.AddExtension(ids.rid, {reinterpret_cast<const uint8_t*>(layer.layer.rid.data()),
                                     layer.layer.rid.size()});
    }
    builder.SetPayload(whole);
    packet.size = builder.Finish().value_or(0);
    packet.transport_cc_offset = 0;
    rtc::RtpPacket parsed;
    if (packet.size > 0 && rtc::RtpPacket::Parse({packet.buffer.data(), packet.size}, &parsed) ==
                               rtc::RtpParseError::kOk) {
      if (auto value = parsed.FindExtension(ids.transport_cc))
        packet.transport_cc_offset = static_cast<size_t>(value->data() - packet.buffer.data());
    }
    written += bytes;
  }
  layer.picture_id = static_cast<uint16_t>((layer.picture_id + 1) & 0x7FFF);
}

}  // namespace auralink::client
