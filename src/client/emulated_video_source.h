// A VP8-like video stream without an encoder: frames of the size the bitrate gives, key frames
// every N frames or on request (PLI), each split into packets of at most ~1100 payload bytes with a
// valid VP8 payload descriptor (RFC 7741 §4.2: 15-bit PictureID) and, on a frame's first packet, a
// valid VP8 frame tag and key frame header (RFC 6386 §9.1), so the SFU sees real key frames and
// dimensions. One layer, or three simulcast layers (rids q, h, f at 1/16, 1/4 and all of the
// bitrate, a quarter, half and all of the size) on their own SSRCs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "client/emulated_stream.h"

namespace auralink::client {

struct EmulatedVideoOptions {
  int bitrate_bps = 1'500'000;  // of the top layer
  int fps = 30;
  int key_frame_interval = 90;  // frames; 0: only the first frame and requested ones
  size_t max_payload_bytes = 1100;
  int width = 1280;  // of the top layer
  int height = 720;
};

// One layer's identity; `rid` empty for a single-layer stream.
struct EmulatedVideoLayer {
  uint32_t ssrc = 0;
  std::string rid;
};

class EmulatedVideoSource {
 public:
  // `layers` holds one layer, or three (lowest first) for simulcast. `stream` gives the payload
  // type, MID and extension ids; its ssrc and rid are taken per layer.
  EmulatedVideoSource(EmulatedStreamConfig stream, std::vector<EmulatedVideoLayer> layers,
                      EmulatedVideoOptions options, uint32_t seed);

  // The packets of the next frame of every layer; valid until the next call.
  std::span<EmulatedPacket> NextFrame(int64_t send_time_us);
  // The next frame of every layer is a key frame (RFC 4585 §6.3.1 PLI, RFC 5104 FIR).
  void RequestKeyFrame() { key_frame_requested_ = true; }

  int frame_interval_ms() const { return 1000 / options_.fps; }
  size_t layer_count() const { return layers_.size(); }
  // The bitrate of all layers together.
  int64_t total_bitrate_bps() const;
  uint64_t frames_produced() const { return frames_produced_; }
  uint64_t key_frames_produced() const { return key_frames_produced_; }
  uint64_t packets_produced() const { return packets_produced_; }
  // Bytes of payload in a delta frame of layer `index`.
  size_t FrameBytes(size_t index, bool key_frame) const;

 private:
  struct LayerState {
    EmulatedVideoLayer layer;
    int bitrate_bps = 0;
    int width = 0;
    int height = 0;
    uint16_t sequence_number = 0;
    uint16_t picture_id = 0;
  };
  void PacketizeFrame(LayerState& layer, bool key_frame, int64_t send_time_us);
  EmulatedPacket& NextBuffer();

  EmulatedStreamConfig stream_;
  EmulatedVideoOptions options_;
  std::vector<LayerState> layers_;
  uint32_t timestamp_;
  uint64_t frame_index_ = 0;
  bool key_frame_requested_ = true;
  uint64_t frames_produced_ = 0;
  uint64_t key_frames_produced_ = 0;
  uint64_t packets_produced_ = 0;
  std::vector<EmulatedPacket> packets_;  // reused; grows to the largest frame
  size_t packets_used_ = 0;
  std::vector<uint8_t> filler_;
};

}  // namespace auralink::client
