// The neural speech codec: SoundStream graphs (Lyra v2 weights) run by AuraLink's own inference
// engine (src/nn). 20 ms frames at 16 kHz internally; any supported rate at the boundary.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "aic/speech/comfort_noise_generator.h"
#include "aic/speech/soundstream_packet.h"
#include "aic/speech/speech_codec.h"
#include "aic/speech/voice_activity_detector.h"
#include "audio/resampler.h"
#include "nn/interpreter.h"
#include "nn/model.h"

namespace auralink::speech {

// The three graphs, loaded and validated once; shared by every encoder and decoder made from them.
struct SoundStreamModels {
  static StatusOr<std::shared_ptr<const SoundStreamModels>> Load(const std::string& directory);

  std::shared_ptr<const nn::Model> encoder;    // soundstream_encoder.tflite
  std::shared_ptr<const nn::Model> quantizer;  // quantizer.tflite: signatures encode, decode
  std::shared_ptr<const nn::Model> decoder;    // lyragan.tflite
};

class SoundStreamEncoder final : public SpeechEncoder {
 public:
  static StatusOr<std::unique_ptr<SoundStreamEncoder>> Create(
      const EncoderOptions& options, std::shared_ptr<const SoundStreamModels> models);

  CodecType codec() const override { return CodecType::kSoundStream; }
  int bitrate_bps() const override { return bitrate_bps_; }
  int frame_size() const override { return frame_size_; }
  Status Encode(std::span<const float> interleaved_frame, std::vector<uint8_t>* packet) override;
  Status SetBitrate(int bitrate_bps) override;

  // The 64 features of the last encoded frame (for tests and the reference check).
  std::span<const float> last_features() const { return features_; }

 private:
  SoundStreamEncoder() = default;

  std::shared_ptr<const SoundStreamModels> models_;
  std::unique_ptr<nn::Interpreter> encoder_;
  std::unique_ptr<nn::Interpreter> quantizer_;
  std::unique_ptr<audio::StreamingResampler> resampler_;  // null at 16 kHz input
  std::unique_ptr<VoiceActivityDetector> voice_activity_;  // null without DTX
  int input_channels_ = 1;
  int frame_size_ = 0;
  int bitrate_bps_ = 0;
  int quantizers_ = 0;
  int num_quantizers_input_ = 0;
  int indices_output_ = 0;
  std::vector<float> mono_;
  std::vector<float> frame_16k_;
  std::vector<float> features_;
};

class SoundStreamDecoder final : public SpeechDecoder {
 public:
  static StatusOr<std::unique_ptr<SoundStreamDecoder>> Create(
      const DecoderOptions& options, std::shared_ptr<const SoundStreamModels> models);

  CodecType codec() const override { return CodecType::kSoundStream; }
  int frame_size() const override { return frame_size_; }
  Status Decode(std::span<const uint8_t> packet, std::vector<float>* frame) override;
  void Conceal(std::span<const uint8_t> next_packet, std::vector<float>* frame) override;

  // Concealment timing of the reference implementation: the generative model runs on zero features
  // for 80 ms, then cross-fades over 40 ms into comfort noise; a resumed packet fades back in.
  static constexpr int kModelConcealmentFrames = 4;
  static constexpr int kCrossFadeFrames = 2;

 private:
  SoundStreamDecoder() = default;
  // Runs quantizer decode (when indices are given) and the generator into frame_16k_.
  Status Synthesize(const std::array<int32_t, kSoundStreamMaxQuantizers>* indices);
  void Emit(std::vector<float>* frame);

  std::shared_ptr<const SoundStreamModels> models_;
  std::unique_ptr<nn::Interpreter> dequantizer_;
  std::unique_ptr<nn::Interpreter> generator_;
  std::unique_ptr<audio::StreamingResampler> resampler_;  // null at 16 kHz output
  std::unique_ptr<ComfortNoiseGenerator> comfort_noise_;
  int frame_size_ = 0;
  int lost_frames_ = 0;  // consecutive frames without a packet
  std::vector<float> frame_16k_;
  std::vector<float> noise_16k_;
};

}  // namespace auralink::speech
