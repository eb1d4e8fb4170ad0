// WAV and FLAC files in, 16-bit PCM WAV out. Reading accepts any sample rate and up to 8 channels;
// whether a rate suits a codec is the caller's decision.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "audio/audio_buffer.h"
#include "common/status.h"

namespace auralink::audio {

// WAV (PCM 8/16/24/32-bit, float32/64) and FLAC (8/16/24-bit), via libsndfile. Errors are one line
// naming the file: "x.wav: file not found", "x.wav: empty file", "x.wav: truncated or not a
// WAV/FLAC file (<libsndfile's reason>)", "x.wav: truncated (...)" when the data is shorter than
// the header declares. Non-finite samples read as 0 and float files are clipped to [-1, 1].
StatusOr<AudioBuffer> ReadAudioFile(const std::string& path);

// The same checks on bytes already in memory (messages are prefixed with "audio data").
StatusOr<AudioBuffer> ReadAudioFromMemory(std::span<const uint8_t> bytes);

// 16-bit PCM WAV, samples clipped to [-1, 1] and rounded to the nearest step (x * 32768). Written
// atomically: a failure never leaves a partial file at `path`.
Status WriteWavFile(const std::string& path, const AudioBuffer& audio);

// The bytes WriteWavFile() would write.
StatusOr<std::vector<uint8_t>> EncodeWav16(const AudioBuffer& audio);

}  // namespace auralink::audio
