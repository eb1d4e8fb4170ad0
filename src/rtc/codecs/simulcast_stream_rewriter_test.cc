#include "rtc/codecs/simulcast_stream_rewriter.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

constexpr uint32_t kTicksPerFrame = 3000;  // 30 fps at 90 kHz
constexpr int64_t kFrameIntervalMs = 33;

// One simulcast encoding as a publisher sends it: its own sequence numbers, timestamps and VP8
// PictureID / TL0PICIDX spaces.
struct LayerSource {
  int layer = 0;
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint16_t picture_id = 0;
  uint8_t tl0_pic_idx = 0;

  std::vector<SimulcastSourcePacket> Frame(bool key, int packets, int64_t arrival_ms,
                                           uint8_t temporal_id = 0, bool layer_sync = false) {
    if (temporal_id == 0) ++tl0_pic_idx;
    std::vector<SimulcastSourcePacket> frame;
    for (int i = 0; i < packets; ++i) {
      SimulcastSourcePacket p;
      p.layer = layer;
      p.sequence_number = sequence_number++;
      p.timestamp = timestamp;
      p.marker = i == packets - 1;
      p.start_of_frame = i == 0;
      p.key_frame = key && i == 0;
      p.temporal_id = temporal_id;
      p.layer_sync = layer_sync;
      p.picture_id = picture_id;
      p.tl0_pic_idx = tl0_pic_idx;
      p.arrival_time_ms = arrival_ms;
      frame.push_back(p);
    }
    timestamp += kTicksPerFrame;
    picture_id = static_cast<uint16_t>((picture_id + 1) & 0x7FFF);
    return frame;
  }
};

// What the subscriber receives, checked for continuity as it arrives.
struct Subscriber {
  std::vector<SimulcastRewrittenPacket> packets;
  std::vector<int> layers;

  void Receive(const SimulcastRewrittenPacket& p, int layer) {
    if (!packets.empty()) {
      const SimulcastRewrittenPacket& last = packets.back();
      EXPECT_EQ(p.sequence_number, static_cast<uint16_t>(last.sequence_number + 1))
          << "gap or reuse after " << last.sequence_number;
      if (last.marker) {  // a new frame
        EXPECT_GT(static_cast<int32_t>(p.timestamp - last.timestamp), 0);
        ASSERT_TRUE(p.picture_id && last.picture_id);
        EXPECT_EQ(*p.picture_id, (*last.picture_id + 1) & 0x7FFF);
      } else {
        EXPECT_EQ(p.timestamp, last.timestamp);
        EXPECT_EQ(p.picture_id, last.picture_id);
      }
    }
    packets.push_back(p);
    layers.push_back(layer);
  }
};

std::unique_ptr<SimulcastStreamRewriter> NewRewriter() {
  auto rewriter = SimulcastStreamRewriter::Create({});
  EXPECT_TRUE(rewriter.ok());
  return std::move(rewriter).value();
}

// Feeds a frame; returns how many of its packets were forwarded.
int Feed(SimulcastStreamRewriter* rewriter, const std::vector<SimulcastSourcePacket>& frame,
         Subscriber* subscriber) {
  int forwarded = 0;
  for (const auto& packet : frame) {
    auto out = rewriter->Rewrite(packet);
    if (!out) continue;
    ++forwarded;
    subscriber->Receive(*out, packet.layer);
  }
  return forwarded;
}

TEST(SimulcastStreamRewriterTest, RejectsBadConfigAndLayers) {
  EXPECT_FALSE(SimulcastStreamRewriter::Create({.clock_rate_hz = 0}).ok());
  auto rewriter = NewRewriter();
  EXPECT_FALSE(rewriter->SetTargetLayer(kMaxSimulcastLayers).ok());
  EXPECT_FALSE(rewriter->SetTargetLayer(-1).ok());
  SimulcastSourcePacket stray;
  stray.layer = 9;
  stray.key_frame = true;
  EXPECT_FALSE(rewriter->Rewrite(stray).has_value());
}

TEST(SimulcastStreamRewriterTest, StartsOnlyAtAKeyFrameOfTheTarget) {
  auto rewriter = NewRewriter();
  LayerSource low{.layer = 0, .sequence_number = 1000, .timestamp = 5000};
  Subscriber subscriber;
  int64_t now = 0;
  EXPECT_EQ(Feed(rewriter.get(), low.Frame(true, 2, now), &subscriber), 0);  // no target yet
  ASSERT_TRUE(rewriter->SetTargetLayer(0).ok());
  EXPECT_TRUE(rewriter->WaitingForKeyFrame());
  EXPECT_EQ(Feed(rewriter.get(), low.Frame(false, 2, now += kFrameIntervalMs), &subscriber), 0);
  EXPECT_EQ(Feed(rewriter.get(), low.Frame(true, 3, now += kFrameIntervalMs), &subscriber), 3);
  EXPECT_FALSE(rewriter->WaitingForKeyFrame());
  EXPECT_EQ(rewriter->current_layer(), 0);
  EXPECT_TRUE(subscriber.packets.front().first_after_switch);
  EXPECT_EQ(Feed(rewriter.get(), low.Frame(false, 2, now += kFrameIntervalMs), &subscriber), 2);
}

TEST(SimulcastStreamRewriterTest, SwitchesUpAndDownOnlyAtKeyFramesKeepingContinuity) {
  auto rewriter = NewRewriter();
  // Independent spaces per layer; the low layer wraps its sequence number on the way.
  LayerSource low{.layer = 0,
                  .sequence_number = 65530,
                  .timestamp = 4'294'960'000u,
                  .picture_id = 32760,
                  .tl0_pic_idx = 250};
  LayerSource high{
      .layer = 1, .sequence_number = 17, .timestamp = 900'000, .picture_id = 5, .tl0_pic_idx = 9};
  Subscriber subscriber;
  ASSERT_TRUE(rewriter->SetTargetLayer(0).ok());
  int64_t now = 1'000;
  auto step = [&](bool low_key, bool high_key) {
    now += kFrameIntervalMs;
    Feed(rewriter.get(), low.Frame(low_key, 3, now), &subscriber);
    Feed(rewriter.get(), high.Frame(high_key, 5, now + 2), &subscriber);
  };
  step(true, false);
  for (int i = 0; i < 5; ++i) step(false, false);
  ASSERT_TRUE(rewriter->SetTargetLayer(1).ok());
  for (int i = 0; i < 3; ++i) step(false, false);  // no key frame on layer 1 yet: stay low
  EXPECT_EQ(rewriter->current_layer(), 0);
  EXPECT_TRUE(rewriter->WaitingForKeyFrame());

  const SimulcastRewrittenPacket before_up = subscriber.packets.back();
  step(false, true);  // the low frame still goes out, then the high key frame switches
  EXPECT_EQ(rewriter->current_layer(), 1);
  ASSERT_GE(subscriber.packets.size(), 8u);
  const SimulcastRewrittenPacket& first_high = subscriber.packets[subscriber.packets.size() - 5];
  EXPECT_TRUE(first_high.first_after_switch);
  // The high key frame arrives 2 ms after the last low frame sent: its timestamp is that frame's
  // plus 2 ms at 90 kHz.
  const uint32_t last_low_timestamp = before_up.timestamp + kTicksPerFrame;
  EXPECT_EQ(first_high.timestamp, last_low_timestamp + 2 * 90);
  for (int i = 0; i < 6; ++i) step(false, false);
  EXPECT_EQ(subscriber.layers.back(), 1);

  // Down again at a key frame of the low layer.
  ASSERT_TRUE(rewriter->SetTargetLayer(0).ok());
  step(false, false);
  EXPECT_EQ(subscriber.layers.back(), 1);
  step(true, false);
  EXPECT_EQ(rewriter->current_layer(), 0);
  for (int i = 0; i < 4; ++i) step(false, false);
  EXPECT_EQ(subscriber.layers.back(), 0);
  EXPECT_GT(subscriber.packets.size(), 50u);

  // TL0PICIDX advances by one per frame (every frame here is TL0) across both switches.
  for (size_t i = 1; i < subscriber.packets.size(); ++i) {
    const auto& a = subscriber.packets[i - 1];
    const auto& b = subscriber.packets[i];
    const uint8_t expected = a.marker ? static_cast<uint8_t>(*a.tl0_pic_idx + 1) : *a.tl0_pic_idx;
    EXPECT_EQ(*b.tl0_pic_idx, expected) << "packet " << i;
  }
}

TEST(SimulcastStreamRewriterTest, DropsTemporalLayersWithoutGaps) {
  auto rewriter = NewRewriter();
  LayerSource source{.layer = 0, .sequence_number = 65500};
  Subscriber subscriber;
  ASSERT_TRUE(rewriter->SetTargetLayer(0).ok());
  rewriter->SetMaxTemporalLayer(1);
  // L1T3 pattern: TIDs 0 2 1 2, repeating; the TID 2 frames carry the layer sync bit.
  const uint8_t pattern[] = {0, 2, 1, 2};
  int64_t now = 0;
  int sent_frames = 0;
  int forwarded_frames = 0;
  for (int i = 0; i < 40; ++i) {
    const uint8_t tid = pattern[i % 4];
    const int forwarded = Feed(rewriter.get(),
                               source.Frame(i == 0, 1 + i % 3, now += kFrameIntervalMs, tid,
                                            /*layer_sync=*/tid == 2),
                               &subscriber);
    ++sent_frames;
    if (forwarded > 0) ++forwarded_frames;
    if (tid == 2) {
      EXPECT_EQ(forwarded, 0);
    }
  }
  EXPECT_EQ(forwarded_frames, sent_frames / 2);

  // Raising the limit adds TID 2 at its next layer sync frame.
  rewriter->SetMaxTemporalLayer(SimulcastStreamRewriter::kAllTemporalLayers);
  EXPECT_EQ(Feed(rewriter.get(), source.Frame(false, 1, now += kFrameIntervalMs, 0), &subscriber),
            1);
  EXPECT_EQ(
      Feed(rewriter.get(), source.Frame(false, 2, now += kFrameIntervalMs, 2, false), &subscriber),
      0);  // no sync bit: not yet
  EXPECT_EQ(Feed(rewriter.get(), source.Frame(false, 1, now += kFrameIntervalMs, 1), &subscriber),
            1);
  EXPECT_EQ(
      Feed(rewriter.get(), source.Frame(false, 2, now += kFrameIntervalMs, 2, true), &subscriber),
      2);
}

TEST(SimulcastStreamRewriterTest, LatePacketsKeepTheirNumbersAcrossDrops) {
  auto rewriter = NewRewriter();
  ASSERT_TRUE(rewriter->SetTargetLayer(0).ok());
  rewriter->SetMaxTemporalLayer(0);
  auto packet = [](uint16_t seq, uint32_t ts, uint8_t tid, bool key = false) {
    SimulcastSourcePacket p;
    p.sequence_number = seq;
    p.timestamp = ts;
    p.temporal_id = tid;
    p.start_of_frame = true;
    p.marker = true;
    p.key_frame = key;
    return p;
  };
  auto a = rewriter->Rewrite(packet(10, 0, 0, true));
  ASSERT_TRUE(a);
  auto c = rewriter->Rewrite(packet(12, 6000, 0));  // 11 is late
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sequence_number, static_cast<uint16_t>(a->sequence_number + 2));
  EXPECT_FALSE(rewriter->Rewrite(packet(13, 9000, 1)));  // dropped: above the limit
  auto e = rewriter->Rewrite(packet(14, 12000, 0));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->sequence_number, static_cast<uint16_t>(a->sequence_number + 3));
  auto late = rewriter->Rewrite(packet(11, 3000, 0));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->sequence_number, static_cast<uint16_t>(a->sequence_number + 1));
  EXPECT_EQ(late->timestamp, 3000u);
  // A retransmitted duplicate maps to the same number; a packet from before the start does not.
  auto again = rewriter->Rewrite(packet(12, 6000, 0));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sequence_number, c->sequence_number);
  EXPECT_FALSE(rewriter->Rewrite(packet(9, 0, 0)));
}

TEST(SimulcastStreamRewriterTest, PauseAndResumeContinueTheSequence) {
  auto rewriter = NewRewriter();
  LayerSource source{.layer = 2, .sequence_number = 300};
  Subscriber subscriber;
  ASSERT_TRUE(rewriter->SetTargetLayer(2).ok());
  int64_t now = 0;
  Feed(rewriter.get(), source.Frame(true, 2, now += kFrameIntervalMs), &subscriber);
  Feed(rewriter.get(), source.Frame(false, 2, now += kFrameIntervalMs), &subscriber);
  ASSERT_TRUE(rewriter->SetTargetLayer(std::nullopt).ok());
  EXPECT_FALSE(rewriter->WaitingForKeyFrame());
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(Feed(rewriter.get(), source.Frame(i == 10, 2, now += kFrameIntervalMs), &subscriber),
              0);
  }
  ASSERT_TRUE(rewriter->SetTargetLayer(2).ok());
  EXPECT_EQ(Feed(rewriter.get(), source.Frame(false, 2, now += kFrameIntervalMs), &subscriber), 0);
  EXPECT_EQ(Feed(rewriter.get(), source.Frame(true, 2, now += kFrameIntervalMs), &subscriber), 2);
  // Continuity is checked by Subscriber; the paused second or so shows in the timestamp.
  const auto& resumed = subscriber.packets[4];
  EXPECT_GE(resumed.timestamp - subscriber.packets[3].timestamp, 32u * kFrameIntervalMs * 90);
}

}  // namespace
}  // namespace auralink::rtc
