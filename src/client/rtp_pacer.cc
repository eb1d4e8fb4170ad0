#include "client/rtp_pacer.h"

#include <algorithm>
#include <utility>

namespace auralink::client {

RtpPacer::RtpPacer(RtpPacerOptions options) : options_(options) {}

void RtpPacer::Enqueue(const EmulatedPacket& packet) {
  if (free_.empty()) {
    queue_.push_back(packet);
  } else {
    queue_.push_back(std::move(free_.back()));
    free_.pop_back();
    EmulatedPacket& copy = queue_.back();
    std::copy(packet.buffer.begin(), packet.buffer.begin() + packet.size, copy.buffer.begin());
    copy.size = packet.size;
    copy.transport_cc_offset = packet.transport_cc_offset;
  }
}

void RtpPacer::Process(int64_t now_us, const std::function<void(EmulatedPacket&)>& send) {
  if (options_.rate_bps <= 0) {
    budget_bytes_ = INT64_MAX / 2;
  } else {
    const int64_t elapsed_us =
        last_process_us_ < 0
            ? options_.interval_us
            : std::clamp<int64_t>(now_us - last_process_us_, 0, 2 * options_.interval_us);
    const int64_t earned = options_.rate_bps * elapsed_us / 8'000'000;
    const int64_t cap = options_.rate_bps * 2 * options_.interval_us / 8'000'000;
    budget_bytes_ = std::min(budget_bytes_ + earned, cap);
  }
  last_process_us_ = now_us;
  while (!queue_.empty() && (budget_bytes_ > 0 || queue_.size() > options_.max_queue_packets)) {
    EmulatedPacket& packet = queue_.front();
    budget_bytes_ -= static_cast<int64_t>(packet.size);
    send(packet);
    ++packets_sent_;
    free_.push_back(std::move(packet));
    queue_.pop_front();
  }
}

}  // namespace auralink::client
