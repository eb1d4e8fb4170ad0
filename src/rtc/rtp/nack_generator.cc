#include "rtc/rtp/nack_generator.h"

#include <algorithm>

#include "rtc/rtp/sequence_number.h"

namespace auralink::rtc {

NackGenerator::NackGenerator(const NackGeneratorConfig& config)
    : config_(config), rtt_ms_(config.initial_rtt_ms) {
  config_.max_list_size = std::max<size_t>(config_.max_list_size, 1);
  entries_.reserve(config_.max_list_size);
  batch_.reserve(config_.max_list_size);
}

bool NackGenerator::TakeKeyFrameRequest() {
  const bool pending = key_frame_pending_;
  key_frame_pending_ = false;
  return pending;
}

void NackGenerator::RequestKeyFrame() {
  key_frame_pending_ = true;
  ++key_frame_requests_;
}

void NackGenerator::AddMissing(int64_t first, int64_t end, int64_t now_ms) {
  const size_t count = static_cast<size_t>(end - first);
  if (count == 0) return;
  if (entries_.size() + count > config_.max_list_size && has_key_frame_) {
    // Packets before the newest key frame are not needed to decode what follows it.
    auto keep =
        std::lower_bound(entries_.begin(), entries_.end(), last_key_frame_,
                         [](const Entry& e, int64_t seq) { return e.sequence_number < seq; });
    entries_.erase(entries_.begin(), keep);
  }
  if (entries_.size() + count > config_.max_list_size) {
    entries_.clear();
    RequestKeyFrame();
    return;
  }
  for (int64_t seq = first; seq < end; ++seq) entries_.push_back({seq, now_ms, -1, 0});
}

std::span<const uint16_t> NackGenerator::OnPacket(uint16_t sequence_number, int64_t now_ms,
                                                  bool is_key_frame) {
  batch_.clear();
  if (!started_) {
    started_ = true;
    newest_ = sequence_number;
    if (is_key_frame) {
      last_key_frame_ = newest_;
      has_key_frame_ = true;
    }
    return {};
  }
  const int64_t seq =
      newest_ + SequenceNumberDelta(sequence_number, static_cast<uint16_t>(newest_));
  if (is_key_frame && (!has_key_frame_ || seq > last_key_frame_)) {
    last_key_frame_ = seq;
    has_key_frame_ = true;
  }
  if (seq <= newest_) {
    // Late or retransmitted: no longer missing. Older than anything tracked: ignored.
    auto it = std::lower_bound(entries_.begin(), entries_.end(), seq,
                               [](const Entry& e, int64_t s) { return e.sequence_number < s; });
    if (it != entries_.end() && it->sequence_number == seq) {
      entries_.erase(it);
      ++recovered_packets_;
    }
    return {};
  }
  if (seq - newest_ > config_.reset_jump) {
    entries_.clear();
    newest_ = seq;
    if (!is_key_frame) RequestKeyFrame();
    return {};
  }
  AddMissing(newest_ + 1, seq, now_ms);
  newest_ = seq;
  // Entries that fell out of the window behind the newest packet cannot be recovered in time.
  const int64_t oldest_allowed = newest_ - config_.max_packet_age;
  auto keep = std::lower_bound(entries_.begin(), entries_.end(), oldest_allowed,
                               [](const Entry& e, int64_t s) { return e.sequence_number < s; });
  entries_.erase(entries_.begin(), keep);
  return Collect(now_ms, /*first_requests_only=*/true);
}

std::span<const uint16_t> NackGenerator::Tick(int64_t now_ms) {
  batch_.clear();
  return Collect(now_ms, /*first_requests_only=*/false);
}

std::span<const uint16_t> NackGenerator::Collect(int64_t now_ms, bool first_requests_only) {
  const int64_t interval = std::max(rtt_ms_, config_.min_resend_interval_ms);
  size_t kept = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry e = entries_[i];
    if (now_ms - e.created_ms > config_.max_age_ms) {
      ++abandoned_packets_;
      continue;
    }
    const bool due =
        e.retries == 0 ? true : (!first_requests_only && now_ms - e.sent_ms >= interval);
    if (due) {
      if (e.retries >= config_.max_retries) {
        ++abandoned_packets_;
        continue;
      }
      ++e.retries;
      e.sent_ms = now_ms;
      batch_.push_back(static_cast<uint16_t>(e.sequence_number));
    }
    entries_[kept++] = e;
  }
  entries_.resize(kept);
  return batch_;
}

}  // namespace auralink::rtc
