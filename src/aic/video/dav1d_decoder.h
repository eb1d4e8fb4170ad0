// AV1 decoding with dav1d, set for real time: one thread and a frame delay of 1, so each temporal
// unit in gives its picture out at once.
#pragma once

#include <memory>

#include "aic/video/video_codec.h"

namespace auralink::video {

class Dav1dDecoder final : public VideoDecoder {
 public:
  static StatusOr<std::unique_ptr<Dav1dDecoder>> Create();
  ~Dav1dDecoder() override;

  VideoCodecType codec() const override { return VideoCodecType::kAv1; }
  // Takes one temporal unit (the OBUs of one frame, as AomEncoder emits them). After a corrupt
  // unit, pictures are withheld (an error) until a key frame decodes. A decoded frame's pts
  // counts the pictures this decoder has put out.
  Status Decode(std::span<const uint8_t> data, std::vector<VideoFrame>* out) override;

 private:
  struct State;
  explicit Dav1dDecoder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace auralink::video
