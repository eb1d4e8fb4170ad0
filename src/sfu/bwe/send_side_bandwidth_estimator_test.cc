#include "sfu/bwe/send_side_bandwidth_estimator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <random>
#include <vector>

namespace auralink::sfu {
namespace {

constexpr size_t kPacketBytes = 1200;

// A bottleneck link: a drop-tail FIFO drained at `capacity_bps`, then a fixed propagation delay,
// with optional random loss before the queue (a lossy radio hop, which queues nothing).
class LinkSimulator {
 public:
  struct Config {
    int64_t capacity_bps = 2'500'000;
    int64_t propagation_delay_us = 25'000;
    size_t queue_limit_bytes = 64'000;
    double random_loss = 0;
  };
  explicit LinkSimulator(const Config& config) : config_(config), random_(7) {}

  void set_capacity_bps(int64_t capacity_bps) { config_.capacity_bps = capacity_bps; }

  // The arrival time at the receiver, or nullopt when the packet is lost.
  std::optional<int64_t> Send(int64_t now_us, size_t size_bytes) {
    while (!queue_.empty() && queue_.front().departure_us <= now_us) {
      queued_bytes_ -= queue_.front().size_bytes;
      queue_.pop_front();
    }
    if (config_.random_loss > 0 && uniform_(random_) < config_.random_loss) return std::nullopt;
    if (queued_bytes_ + size_bytes > config_.queue_limit_bytes) return std::nullopt;
    const int64_t start_us = std::max(now_us, last_departure_us_);
    const int64_t departure_us =
        start_us + static_cast<int64_t>(size_bytes) * 8 * 1'000'000 / config_.capacity_bps;
    last_departure_us_ = departure_us;
    queue_.push_back({departure_us, size_bytes});
    queued_bytes_ += size_bytes;
    return departure_us + config_.propagation_delay_us;
  }

 private:
  struct Queued {
    int64_t departure_us;
    size_t size_bytes;
  };
  Config config_;
  std::deque<Queued> queue_;
  size_t queued_bytes_ = 0;
  int64_t last_departure_us_ = 0;
  std::mt19937 random_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

// A sender pacing 1200-byte packets at the estimator's target, the link, and a receiver that
// sends transport feedback every 50 ms, which reaches the sender after the return delay.
class CallSimulation {
 public:
  CallSimulation(const SendSideBandwidthEstimator::Config& bwe_config,
                 const LinkSimulator::Config& link_config)
      : link_(link_config), return_delay_us_(link_config.propagation_delay_us) {
    auto estimator = SendSideBandwidthEstimator::Create(bwe_config);
    EXPECT_TRUE(estimator.ok());
    estimator_ = std::move(estimator).value();
  }

  LinkSimulator& link() { return link_; }
  const SendSideBandwidthEstimator& estimator() const { return *estimator_; }
  int64_t now_ms() const { return now_us_ / 1000; }

  // Runs for `duration_ms`; returns the target sampled every 100 ms.
  std::vector<int64_t> Run(int64_t duration_ms) {
    std::vector<int64_t> samples;
    const int64_t end_us = now_us_ + duration_ms * 1000;
    for (; now_us_ < end_us; now_us_ += 1000) {
      while (next_send_us_ <= now_us_) SendPacket();
      if (now_us_ % kFeedbackIntervalUs == 0) SendFeedback();
      while (!in_transit_feedback_.empty() && in_transit_feedback_.front().first <= now_us_) {
        estimator_->OnTransportFeedback(in_transit_feedback_.front().second, now_us_);
        in_transit_feedback_.pop_front();
      }
      if (now_us_ % 100'000 == 0) samples.push_back(estimator_->target_bitrate_bps());
    }
    return samples;
  }

 private:
  static constexpr int64_t kFeedbackIntervalUs = 50'000;

  void SendPacket() {
    const auto sequence = static_cast<uint16_t>(next_sequence_++);
    estimator_->OnPacketSent({sequence, kPacketBytes, next_send_us_});
    receiver_.push_back({sequence, link_.Send(next_send_us_, kPacketBytes)});
    next_send_us_ +=
        static_cast<int64_t>(kPacketBytes) * 8 * 1'000'000 / estimator_->target_bitrate_bps();
  }

  // Reports every packet up to the newest that has arrived; those before it that never
  // arrived are lost (the link is FIFO, so nothing older is still in flight).
  void SendFeedback() {
    size_t newest = receiver_.size();
    for (size_t i = 0; i < receiver_.size(); ++i) {
      if (receiver_[i].arrival_us && *receiver_[i].arrival_us <= now_us_) newest = i;
    }
    if (newest == receiver_.size()) return;
    std::vector<TransportFeedbackEntry> entries;
    for (size_t i = 0; i <= newest; ++i) {
      const bool received = receiver_[i].arrival_us.has_value();
      entries.push_back({receiver_[i].sequence, received, received ? *receiver_[i].arrival_us : 0});
    }
    receiver_.erase(receiver_.begin(), receiver_.begin() + static_cast<std::ptrdiff_t>(newest + 1));
    in_transit_feedback_.push_back({now_us_ + return_delay_us_, std::move(entries)});
  }

  struct Sent {
    uint16_t sequence;
    std::optional<int64_t> arrival_us;
  };
  LinkSimulator link_;
  int64_t return_delay_us_;
  std::unique_ptr<SendSideBandwidthEstimator> estimator_;
  int64_t now_us_ = 0;
  int64_t next_send_us_ = 0;
  int64_t next_sequence_ = 65'000;  // wraps early in every run
  std::deque<Sent> receiver_;
  std::deque<std::pair<int64_t, std::vector<TransportFeedbackEntry>>> in_transit_feedback_;
};

double Mean(const std::vector<int64_t>& samples, size_t from) {
  double sum = 0;
  for (size_t i = from; i < samples.size(); ++i) sum += static_cast<double>(samples[i]);
  return sum / static_cast<double>(samples.size() - from);
}

TEST(SendSideBandwidthEstimatorTest, RejectsInvalidBounds) {
  EXPECT_FALSE(SendSideBandwidthEstimator::Create({.min_bitrate_bps = 0}).ok());
  EXPECT_FALSE(
      SendSideBandwidthEstimator::Create({.min_bitrate_bps = 100'000, .max_bitrate_bps = 50'000})
          .ok());
  EXPECT_FALSE(
      SendSideBandwidthEstimator::Create(
          {.min_bitrate_bps = 100'000, .max_bitrate_bps = 500'000, .start_bitrate_bps = 600'000})
          .ok());
}

TEST(SendSideBandwidthEstimatorTest, ApproachesLinkCapacity) {
  CallSimulation call({.start_bitrate_bps = 300'000}, {.capacity_bps = 2'500'000});
  const std::vector<int64_t> samples = call.Run(60'000);
  const double tail_mean = Mean(samples, samples.size() - 150);  // the last 15 s
  EXPECT_GT(tail_mean, 0.75 * 2'500'000);
  EXPECT_LT(tail_mean, 1.1 * 2'500'000);
  RecordProperty("tail_mean_bps", static_cast<int>(tail_mean));
}

TEST(SendSideBandwidthEstimatorTest, FollowsCapacityDownAndUpAgain) {
  CallSimulation call({.start_bitrate_bps = 1'000'000}, {.capacity_bps = 2'500'000});
  call.Run(40'000);
  ASSERT_GT(call.estimator().target_bitrate_bps(), 1'500'000);

  call.link().set_capacity_bps(500'000);
  const std::vector<int64_t> after_drop = call.Run(10'000);
  const auto below =
      std::find_if(after_drop.begin(), after_drop.end(), [](int64_t bps) { return bps < 500'000; });
  ASSERT_NE(below, after_drop.end()) << "never went below the new capacity";
  const auto samples_to_react = below - after_drop.begin();
  EXPECT_LE(samples_to_react, 20) << "took " << samples_to_react * 100 << " ms";
  const double low_mean = Mean(after_drop, after_drop.size() - 50);
  EXPECT_LT(low_mean, 550'000);
  EXPECT_GT(low_mean, 250'000);

  call.link().set_capacity_bps(2'500'000);
  const std::vector<int64_t> after_recovery = call.Run(40'000);
  EXPECT_GT(Mean(after_recovery, after_recovery.size() - 50), 2 * low_mean);
}

TEST(SendSideBandwidthEstimatorTest, RandomLossWithoutQueueingDoesNotCollapse) {
  CallSimulation call({.max_bitrate_bps = 2'500'000, .start_bitrate_bps = 500'000},
                      {.capacity_bps = 100'000'000, .random_loss = 0.05});
  const std::vector<int64_t> samples = call.Run(40'000);
  const int64_t lowest = *std::min_element(samples.begin(), samples.end());
  EXPECT_GE(lowest, 500'000 * 9 / 10);
  EXPECT_GT(Mean(samples, samples.size() - 50), 1'000'000);
}

TEST(SendSideBandwidthEstimatorTest, HeavyRandomLossCutsTheRate) {
  CallSimulation call({.start_bitrate_bps = 1'000'000},
                      {.capacity_bps = 100'000'000, .random_loss = 0.25});
  const std::vector<int64_t> samples = call.Run(10'000);
  EXPECT_LT(samples.back(), 500'000);
  EXPECT_EQ(call.estimator().delay_state(), BandwidthUsage::kNormal);
}

}  // namespace
}  // namespace auralink::sfu
