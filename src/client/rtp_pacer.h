// Spreads a publisher's video packets over time as libwebrtc's pacer does (modules/pacing): a
// frame's packets are queued and leave at a pacing rate of 2.5 times the stream's bitrate, in
// bursts every 5 ms, instead of all at once. A key frame of 40 packets thus reaches the server
// over tens of milliseconds, as it does from a browser, and the server's latency is measured
// against the traffic it meets in practice rather than against a burst no WebRTC sender makes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "client/emulated_stream.h"

namespace auralink::client {

struct RtpPacerOptions {
  int64_t rate_bps = 0;             // the pacing rate; 0 sends everything at once
  int64_t interval_us = 5000;       // how often Process() is expected to be called
  size_t max_queue_packets = 4096;  // beyond this the oldest are sent at once (no memory blow-up)
};

class RtpPacer {
 public:
  explicit RtpPacer(RtpPacerOptions options);

  // Copies `packet` into the queue.
  void Enqueue(const EmulatedPacket& packet);
  // Sends, through `send`, what the budget allows at `now_us`: the rate times the time since the
  // last call (at most two intervals' worth, so an idle pacer does not save up a burst), and a
  // packet may take the budget below zero, as libwebrtc's IntervalBudget does.
  void Process(int64_t now_us, const std::function<void(EmulatedPacket&)>& send);

  size_t queued_packets() const { return queue_.size(); }
  uint64_t packets_sent() const { return packets_sent_; }

 private:
  RtpPacerOptions options_;
  std::deque<EmulatedPacket> queue_;
  std::vector<EmulatedPacket> free_;  // buffers of sent packets, reused
  int64_t budget_bytes_ = 0;
  int64_t last_process_us_ = -1;
  uint64_t packets_sent_ = 0;
};

}  // namespace auralink::client
