// Test-only video: the shared talking-head clip scaled to the size a test wants, or, when the
// shared media is absent, a deterministic synthetic scene (textured background, a moving
// face-sized ellipse with detail, a slow pan) so codec tests run anywhere; and a PSNR to judge
// decoded frames with (the real measures live in src/quality).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/shared_test_data.h"
#include "video/frame_scaler.h"
#include "video/video_frame.h"
#include "video/y4m.h"

namespace auralink::video::testing {

inline constexpr const char* kTalkingHeadClip =
    "media/video/talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m";

inline VideoFrame SyntheticFrame(int width, int height, int index) {
  VideoFrame frame = VideoFrame::Allocate(width, height);
  std::mt19937 random(1234);  // the same texture every frame; motion comes from the offsets
  std::uniform_int_distribution<int> noise(-2, 2);
  const double center_x = width * (0.5 + 0.15 * std::sin(index * 0.21));
  const double center_y = height * (0.45 + 0.05 * std::cos(index * 0.17));
  const int pan = index;  // background moves one pixel a frame
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int bx = x + pan;
      int value = 70 + static_cast<int>(30 * std::sin(bx * 0.07) * std::cos(y * 0.05)) +
                  ((bx / 16 + y / 16) % 2) * 30 + noise(random);
      const double dx = (x - center_x) / (width * 0.22);
      const double dy = (y - center_y) / (height * 0.3);
      if (dx * dx + dy * dy < 1.0) {
        value =
            150 + static_cast<int>(25 * std::sin(x * 0.15) * std::cos(y * 0.12)) + noise(random);
      }
      frame.y()[static_cast<size_t>(y) * width + x] =
          static_cast<uint8_t>(std::clamp(value, 0, 255));
    }
  }
  for (int y = 0; y < frame.chroma_height(); ++y) {
    for (int x = 0; x < frame.chroma_width(); ++x) {
      const size_t i = static_cast<size_t>(y) * frame.chroma_width() + x;
      frame.u()[i] = static_cast<uint8_t>(110 + (x + pan / 2) % 20);
      frame.v()[i] = static_cast<uint8_t>(140 + y % 16);
    }
  }
  frame.pts = index;
  return frame;
}

// `count` frames at width x height, pts 0..count-1. The shared clip (75 frames) plays forwards
// then backwards when more frames are asked for.
inline std::vector<VideoFrame> LoadTestClip(int width, int height, int count) {
  std::vector<VideoFrame> source;
  const std::string path = SharedTestFile(kTalkingHeadClip);
  if (!path.empty()) {
    auto reader = Y4mReader::Create(path);
    VideoFrame frame;
    while (reader.ok() && static_cast<int>(source.size()) < count) {
      auto more = (*reader)->ReadFrame(&frame);
      if (!more.ok() || !*more) break;
      auto scaled = ScaleFrame(frame, width, height);
      if (!scaled.ok()) break;
      source.push_back(std::move(*scaled));
    }
  }
  std::vector<VideoFrame> frames;
  for (int i = 0; i < count; ++i) {
    if (source.empty()) {
      frames.push_back(SyntheticFrame(width, height, i));
      continue;
    }
    const int period = 2 * static_cast<int>(source.size()) - 2;
    int index = period > 0 ? i % period : 0;
    if (index >= static_cast<int>(source.size())) index = period - index;
    frames.push_back(source[static_cast<size_t>(index)]);
    frames.back().pts = i;
  }
  return frames;
}

// PSNR of the luma rectangle (x, y, w, h), capped at 100 dB for identical pictures.
inline double RegionPsnrY(const VideoFrame& reference, const VideoFrame& decoded, int x, int y,
                          int w, int h) {
  double squared = 0;
  for (int row = y; row < y + h; ++row) {
    for (int column = x; column < x + w; ++column) {
      const size_t i = static_cast<size_t>(row) * reference.width + column;
      const double difference = double(reference.y()[i]) - double(decoded.y()[i]);
      squared += difference * difference;
    }
  }
  const double mse = squared / (static_cast<double>(w) * h);
  return mse <= 1e-10 ? 100.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

inline double PsnrY(const VideoFrame& reference, const VideoFrame& decoded) {
  return RegionPsnrY(reference, decoded, 0, 0, reference.width, reference.height);
}

}  // namespace auralink::video::testing
