// Opus (RFC 6716) behind the SpeechEncoder / SpeechDecoder interface: the baseline AuraLink
// compares SoundStream against and the fallback it switches to. libopus in VoIP mode, 20 ms frames,
// mono.
#pragma once

#include <memory>
#include <vector>

#include "aic/speech/speech_codec.h"
#include "audio/resampler.h"

struct OpusEncoder;
struct OpusDecoder;

namespace auralink::speech {

inline constexpr int kOpusMinBitrateBps = 6000;
inline constexpr int kOpusMaxBitrateBps = 510000;

// libopus runs at 8, 12, 16, 24 or 48 kHz. Input at those rates goes straight in; 32 and 44.1 kHz
// are resampled to 48 kHz first. Stereo input is down-mixed to mono.
class OpusSpeechEncoder final : public SpeechEncoder {
 public:
  static StatusOr<std::unique_ptr<OpusSpeechEncoder>> Create(const EncoderOptions& options);
  ~OpusSpeechEncoder() override;

  CodecType codec() const override { return CodecType::kOpus; }
  int bitrate_bps() const override { return bitrate_bps_; }
  int frame_size() const override { return frame_size_; }
  // With DTX, the 1-2 byte packets Opus emits for silence (RFC 6716 s2.1.9) become empty packets,
  // so a DTX frame is "send nothing" as for every codec; the decoder conceals it as Opus would.
  Status Encode(std::span<const float> interleaved_frame, std::vector<uint8_t>* packet) override;
  Status SetBitrate(int bitrate_bps) override;

  // The rate libopus runs at: the input rate, or 48 kHz when the input is resampled.
  int opus_sample_rate_hz() const { return opus_rate_hz_; }

 private:
  OpusSpeechEncoder() = default;

  OpusEncoder* encoder_ = nullptr;
  std::unique_ptr<audio::StreamingResampler> resampler_;  // null when Opus takes the input rate
  int input_channels_ = 1;
  int frame_size_ = 0;
  int opus_rate_hz_ = 0;
  int bitrate_bps_ = 0;
  bool dtx_ = false;
  std::vector<float> mono_;
  std::vector<float> resampled_;
  std::vector<uint8_t> buffer_;
};

// Decodes at the output rate when libopus supports it, else at 48 kHz followed by a resampler.
class OpusSpeechDecoder final : public SpeechDecoder {
 public:
  static StatusOr<std::unique_ptr<OpusSpeechDecoder>> Create(const DecoderOptions& options);
  ~OpusSpeechDecoder() override;

  CodecType codec() const override { return CodecType::kOpus; }
  int frame_size() const override { return frame_size_; }
  // Accepts one 20 ms Opus packet. Anything else (malformed, another duration, over 1275 bytes) is
  // an error that leaves the decoder state untouched. An empty packet is concealed as lost.
  Status Decode(std::span<const uint8_t> packet, std::vector<float>* frame) override;
  // Recovers the frame from the in-band FEC (LBRR) data of `next_packet` when it carries any, else
  // runs Opus's own loss concealment (RFC 6716 s4.4), which also produces its comfort noise in DTX.
  void Conceal(std::span<const uint8_t> next_packet, std::vector<float>* frame) override;

 private:
  OpusSpeechDecoder() = default;
  bool IsTwentyMillisecondPacket(std::span<const uint8_t> packet) const;
  void Emit(std::vector<float>* frame);

  OpusDecoder* decoder_ = nullptr;
  std::unique_ptr<audio::StreamingResampler>
      resampler_;  // null when Opus decodes at the output rate
  int frame_size_ = 0;
  int opus_rate_hz_ = 0;
  std::vector<float> opus_frame_;
};

}  // namespace auralink::speech
