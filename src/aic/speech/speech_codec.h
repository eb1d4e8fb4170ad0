// One interface for every speech codec AuraLink runs: the neural SoundStream codec and Opus, its
// baseline and fallback. Audio crosses this boundary as float samples in [-1, 1], 20 ms at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace auralink::speech {

inline constexpr int kFrameDurationMs = 20;

// Values are stored in .aus files (docs/aus-format.md): never renumber.
enum class CodecType : uint8_t { kSoundStream = 1, kOpus = 2 };

const char* CodecName(CodecType codec);  // "soundstream", "opus"
std::optional<CodecType> ParseCodecName(std::string_view name);

// Sample rates accepted at the codec boundary (input and output).
bool IsSupportedSampleRate(int sample_rate_hz);  // 8000, 16000, 32000, 44100, 48000
inline int SamplesPerFrame(int sample_rate_hz) { return sample_rate_hz * kFrameDurationMs / 1000; }

struct EncoderOptions {
  CodecType codec = CodecType::kSoundStream;
  int bitrate_bps = 6000;             // soundstream: 3200, 6000, 9200; opus: 6000..510000
  int input_sample_rate_hz = 16000;   // any IsSupportedSampleRate()
  int input_channels = 1;             // 1 or 2; stereo is down-mixed
  bool dtx = false;                   // empty packets for noise-only frames
  bool opus_inband_fec = false;       // opus only
  int opus_expected_loss_percent = 0;  // opus only: tunes in-band FEC
  std::string model_directory;        // soundstream only: holds the three .tflite graphs
};

class SpeechEncoder {
 public:
  virtual ~SpeechEncoder() = default;

  virtual CodecType codec() const = 0;
  virtual int bitrate_bps() const = 0;
  // Interleaved samples per call: SamplesPerFrame(input rate) * channels.
  virtual int frame_size() const = 0;
  // Encodes one 20 ms frame. `packet` is replaced; an empty packet means "send nothing" (DTX).
  virtual Status Encode(std::span<const float> interleaved_frame, std::vector<uint8_t>* packet) = 0;
  // Takes effect from the next frame, without a reset.
  virtual Status SetBitrate(int bitrate_bps) = 0;
};

struct DecoderOptions {
  CodecType codec = CodecType::kSoundStream;
  int output_sample_rate_hz = 16000;  // any IsSupportedSampleRate()
  std::string model_directory;        // soundstream only
};

class SpeechDecoder {
 public:
  virtual ~SpeechDecoder() = default;

  virtual CodecType codec() const = 0;
  // Mono samples per frame at the output rate: SamplesPerFrame(output rate).
  virtual int frame_size() const = 0;
  // Decodes one received packet into exactly frame_size() samples (`frame` is replaced). A malformed
  // packet is an error and leaves the decoder usable; the caller may conceal that frame instead.
  virtual Status Decode(std::span<const uint8_t> packet, std::vector<float>* frame) = 0;
  // No packet for this frame (lost, or not sent under DTX): produce frame_size() samples of
  // concealment, fading to comfort noise. `next_packet`, when known, lets a codec with in-band FEC
  // (Opus) recover the frame from the following packet.
  virtual void Conceal(std::span<const uint8_t> next_packet, std::vector<float>* frame) = 0;
};

StatusOr<std::unique_ptr<SpeechEncoder>> CreateSpeechEncoder(const EncoderOptions& options);
StatusOr<std::unique_ptr<SpeechDecoder>> CreateSpeechDecoder(const DecoderOptions& options);

}  // namespace auralink::speech
