// Active speakers from the audio-level header extension (RFC 6464): no decoding. Each audio packet
// reports its level in -dBov (0 loudest, 127 silence); a participant is speaking in an interval
// when enough of its packets are louder than a threshold, and its loudness is smoothed over a few
// intervals so that a cough does not take the floor. Pure: time is passed in.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace auralink::sfu {

struct ActiveSpeakerConfig {
  int active_level_dbov = 35;        // packets at or louder than -35 dBov count as voice
  double min_active_fraction = 0.4;  // of an interval's packets, to count as speaking
  int64_t interval_ms = 500;         // how often the speaker list is re-evaluated
  int smoothing_intervals = 2;       // exponential smoothing span of the loudness
  double silence_loudness = 0.001;   // smoothed loudness below this is not a speaker
};

struct SpeakerLevel {
  std::string participant;  // the participant's sid
  double level = 0.0;       // 0..1, linear amplitude (LiveKit's SpeakerInfo.level)
  bool active = false;
};

class ActiveSpeakerDetector {
 public:
  explicit ActiveSpeakerDetector(ActiveSpeakerConfig config = {});

  // One audio packet's level (0..127 -dBov, as carried by the extension; larger values clamp).
  void OnAudioLevel(const std::string& participant, int level_dbov, int64_t now_ms);
  void RemoveParticipant(const std::string& participant);

  // Re-evaluates when an interval has passed. Returns true when the speaker set or order changed;
  // `changed` then holds the speakers whose state changed (stopped speakers with active=false, as
  // LiveKit's SpeakersChanged sends them).
  bool Tick(int64_t now_ms, std::vector<SpeakerLevel>* changed);

  // Current speakers, loudest first.
  const std::vector<SpeakerLevel>& speakers() const { return speakers_; }

 private:
  struct ParticipantLevels {
    int packets = 0;
    int active_packets = 0;
    double active_amplitude_sum = 0.0;
    double smoothed = 0.0;
  };

  ActiveSpeakerConfig config_;
  std::unordered_map<std::string, ParticipantLevels> levels_;
  std::vector<SpeakerLevel> speakers_;
  int64_t last_tick_ms_ = -1;
};

}  // namespace auralink::sfu
