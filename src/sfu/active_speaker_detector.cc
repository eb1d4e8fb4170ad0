#include "sfu/active_speaker_detector.h"

#include <algorithm>
#include <cmath>

namespace auralink::sfu {

ActiveSpeakerDetector::ActiveSpeakerDetector(ActiveSpeakerConfig config) : config_(config) {
  config_.interval_ms = std::max<int64_t>(1, config_.interval_ms);
  config_.smoothing_intervals = std::max(1, config_.smoothing_intervals);
}

void ActiveSpeakerDetector::OnAudioLevel(const std::string& participant, int level_dbov,
                                         int64_t now_ms) {
  if (last_tick_ms_ < 0) last_tick_ms_ = now_ms;
  const int level = std::clamp(level_dbov, 0, 127);
  ParticipantLevels& levels = levels_[participant];
  ++levels.packets;
  if (level <= config_.active_level_dbov) {
    ++levels.active_packets;
    levels.active_amplitude_sum += std::pow(10.0, -level / 20.0);
  }
}

void ActiveSpeakerDetector::RemoveParticipant(const std::string& participant) {
  levels_.erase(participant);
}

bool ActiveSpeakerDetector::Tick(int64_t now_ms, std::vector<SpeakerLevel>* changed) {
  changed->clear();
  if (last_tick_ms_ < 0) last_tick_ms_ = now_ms;
  if (now_ms - last_tick_ms_ < config_.interval_ms) {
    // A participant who left still has to be announced as silent.
    bool removed = false;
    for (const SpeakerLevel& speaker : speakers_)
      removed |= levels_.count(speaker.participant) == 0;
    if (!removed) return false;
  } else {
    last_tick_ms_ = now_ms;
    const double alpha = 2.0 / (config_.smoothing_intervals + 1.0);
    for (auto& [participant, levels] : levels_) {
      double loudness = 0.0;
      if (levels.packets > 0) {
        const double fraction = static_cast<double>(levels.active_packets) / levels.packets;
        if (fraction >= config_.min_active_fraction) {
          loudness = levels.active_amplitude_sum / levels.active_packets * fraction;
        }
      }
      levels.smoothed += alpha * (loudness - levels.smoothed);
      levels.packets = levels.active_packets = 0;
      levels.active_amplitude_sum = 0.0;
    }
  }

  std::vector<SpeakerLevel> now;
  for (const auto& [participant, levels] : levels_) {
    if (levels.smoothed >= config_.silence_loudness)
      now.push_back({participant, std::min(1.0, levels.smoothed), true});
  }
  std::sort(now.begin(), now.end(), [](const SpeakerLevel& a, const SpeakerLevel& b) {
    return a.level != b.level ? a.level > b.level : a.participant < b.participant;
  });

  bool order_changed = now.size() != speakers_.size();
  for (size_t i = 0; !order_changed && i < now.size(); ++i)
    order_changed = now[i].participant != speakers_[i].participant;
  for (const SpeakerLevel& speaker : now) {
    auto before = std::find_if(speakers_.begin(), speakers_.end(), [&](const SpeakerLevel& s) {
      return s.participant == speaker.participant;
    });
    // Level changes alone are not news unless the order moved too (LiveKit sends on set changes).
    if (before == speakers_.end() || order_changed) changed->push_back(speaker);
  }
  for (const SpeakerLevel& speaker : speakers_) {
    const bool still = std::any_of(now.begin(), now.end(), [&](const SpeakerLevel& s) {
      return s.participant == speaker.participant;
    });
    if (!still) changed->push_back({speaker.participant, 0.0, false});
  }
  speakers_ = std::move(now);
  return !changed->empty();
}

}  // namespace auralink::sfu
