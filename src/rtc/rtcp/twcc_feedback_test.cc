// Transport-wide CC feedback against bytes laid out by hand from
// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, and builder -> writer -> parser round
// trips.
#include "rtc/rtcp/twcc_feedback.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

RtcpPacketView ViewOf(std::span<const uint8_t> bytes) {
  RtcpPacketView view;
  size_t consumed = 0;
  EXPECT_EQ(ParseRtcpPacket(bytes, &view, &consumed), RtcpParseError::kOk);
  return view;
}

TwccFeedback ParseBytes(const Bytes& bytes) {
  TwccFeedback feedback;
  EXPECT_EQ(TwccFeedback::Parse(ViewOf(bytes), &feedback), RtcpParseError::kOk);
  return feedback;
}

// Base 65534, 10 statuses, reference time -1 (-64 ms), feedback count 9.
// Chunks: run-length "received, small" x2 = 0 01 0000000000010 = 0x2002; two-bit vector
// [large, none, large, small, none, none, none] = 11 10 00 10 01 00 00 00 = 0xE240; run-length
// "not received" x1 = 0x0001. Deltas: +16 ticks, 0, -8 (0xFFF8), +1024 (0x0400), +255 (0xFF).
// 20 + 6 + 7 = 33 bytes, padded to 36 -> length 8.
const Bytes kHandMade = {0x8F, 205,  0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                         0xFF, 0xFE, 0x00, 0x0A, 0xFF, 0xFF, 0xFF, 0x09, 0x20, 0x02, 0xE2, 0x40,
                         0x00, 0x01, 0x10, 0x00, 0xFF, 0xF8, 0x04, 0x00, 0xFF, 0x00, 0x00, 0x00};

TEST(TwccFeedbackTest, ParsesAllChunkKindsAndDeltaSizes) {
  const TwccFeedback feedback = ParseBytes(kHandMade);
  EXPECT_EQ(feedback.header.sender_ssrc, 0x01020304u);
  EXPECT_EQ(feedback.header.media_ssrc, 0x05060708u);
  EXPECT_EQ(feedback.base_sequence_number, 65534);
  EXPECT_EQ(feedback.packet_status_count, 10);
  EXPECT_EQ(feedback.reference_time, -1);
  EXPECT_EQ(feedback.feedback_count, 9);
  // Arrival times: -64000 + 4000; +0; -2000; +256000; +63750 us.
  const std::vector<TwccFeedback::ReceivedPacket> expected = {{65534, 16, -60'000},
                                                              {65535, 0, -60'000},
                                                              {0, -8, -62'000},
                                                              {2, 1024, 194'000},
                                                              {3, 255, 257'750}};
  EXPECT_EQ(feedback.received, expected);
}

TEST(TwccFeedbackTest, WritesOneBitVectorForMixedSmallDeltas) {
  TwccFeedback feedback;
  feedback.header = {0x01020304, 0x05060708};
  feedback.base_sequence_number = 100;
  feedback.packet_status_count = 4;
  feedback.reference_time = 1;
  feedback.feedback_count = 0;
  feedback.received = {{100, 4, 0}, {101, 4, 0}, {103, 16, 0}};
  // Symbols 1 1 0 1 fit one status vector chunk with 1-bit symbols: T=1 S=0 then 1101 and zeros:
  // 1 0 1101 00000000 00 = 0xB400. Deltas 04 04 10. 20 + 2 + 3 = 25 -> 28 bytes, length 6.
  const Bytes expected = {0x8F, 205,  0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                          0x07, 0x08, 0x00, 0x64, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00,
                          0xB4, 0x00, 0x04, 0x04, 0x10, 0x00, 0x00, 0x00};
  ASSERT_EQ(feedback.Size(), expected.size());
  Bytes out(feedback.Size());
  ASSERT_EQ(feedback.Write(out), expected.size());
  EXPECT_EQ(out, expected);
}

TEST(TwccFeedbackTest, RewritesHandMadePacketToTheSameContent) {
  const TwccFeedback parsed = ParseBytes(kHandMade);
  Bytes out(parsed.Size());
  ASSERT_GT(out.size(), 0u);
  ASSERT_EQ(parsed.Write(out), out.size());
  const TwccFeedback again = ParseBytes(out);
  EXPECT_EQ(again.received, parsed.received);
  EXPECT_EQ(again.packet_status_count, parsed.packet_status_count);
  EXPECT_EQ(again.base_sequence_number, parsed.base_sequence_number);
  EXPECT_EQ(again.reference_time, parsed.reference_time);
}

TEST(TwccFeedbackTest, RejectsMalformedPackets) {
  TwccFeedback feedback;
  Bytes truncated_deltas = kHandMade;
  truncated_deltas.resize(28);
  truncated_deltas[3] = 6;  // length now ends inside the deltas
  EXPECT_EQ(TwccFeedback::Parse(ViewOf(truncated_deltas), &feedback), RtcpParseError::kTruncated);

  Bytes reserved_symbol = kHandMade;
  reserved_symbol[22] = 0xF2;  // two-bit vector starting with symbol 11
  EXPECT_EQ(TwccFeedback::Parse(ViewOf(reserved_symbol), &feedback), RtcpParseError::kMalformed);

  Bytes zero_run = kHandMade;
  zero_run[20] = 0x20;
  zero_run[21] = 0x00;  // run length 0
  EXPECT_EQ(TwccFeedback::Parse(ViewOf(zero_run), &feedback), RtcpParseError::kMalformed);

  Bytes zero_count = kHandMade;
  zero_count[15] = 0;
  EXPECT_EQ(TwccFeedback::Parse(ViewOf(zero_count), &feedback), RtcpParseError::kMalformed);

  // A run of 8191 received packets claimed by 2 bytes, with 14 bytes behind it.
  Bytes greedy = kHandMade;
  greedy[14] = 0x1F;
  greedy[15] = 0xFF;
  greedy[20] = 0x3F;
  greedy[21] = 0xFF;
  EXPECT_EQ(TwccFeedback::Parse(ViewOf(greedy), &feedback), RtcpParseError::kTruncated);
  EXPECT_LE(feedback.received.size(), 16u);
}

std::vector<TwccFeedback> BuildAndReparse(TwccFeedbackBuilder* builder, int64_t begin,
                                          const std::vector<TwccArrival>& arrivals,
                                          size_t max_size = 1200) {
  std::vector<TwccFeedback> built;
  builder->Build(begin, arrivals, &built);
  std::vector<TwccFeedback> parsed;
  for (const TwccFeedback& feedback : built) {
    Bytes out(feedback.Size());
    EXPECT_GT(out.size(), 0u);
    EXPECT_LE(out.size(), max_size);
    EXPECT_EQ(feedback.Write(out), out.size());
    parsed.push_back(ParseBytes(out));
    EXPECT_EQ(parsed.back().received, feedback.received);
  }
  return parsed;
}

// Received (sequence, arrival) pairs in all packets, sequence numbers in 16 bits.
std::vector<std::pair<uint16_t, int64_t>> Flatten(const std::vector<TwccFeedback>& packets) {
  std::vector<std::pair<uint16_t, int64_t>> out;
  for (const auto& packet : packets) {
    for (const auto& received : packet.received) {
      out.emplace_back(received.sequence_number, received.arrival_time_us);
    }
  }
  return out;
}

std::vector<std::pair<uint16_t, int64_t>> Expected(const std::vector<TwccArrival>& arrivals) {
  std::vector<std::pair<uint16_t, int64_t>> out;
  for (const auto& arrival : arrivals) {
    out.emplace_back(static_cast<uint16_t>(arrival.sequence_number), arrival.arrival_time_us);
  }
  return out;
}

TEST(TwccFeedbackTest, RoundTripAcrossSequenceWrapWithMissingPackets) {
  TwccFeedbackBuilder builder(1, 2);
  // Unwrapped 65530..65545 with 65533, 65536 (wire 0) and 65540 missing; 1 ms apart on 250 us
  // ticks.
  std::vector<TwccArrival> arrivals;
  for (int64_t seq = 65530; seq < 65546; ++seq) {
    if (seq == 65533 || seq == 65536 || seq == 65540) continue;
    arrivals.push_back({seq, 1'000'000 + (seq - 65530) * 1000});
  }
  const auto packets = BuildAndReparse(&builder, 65530, arrivals);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].base_sequence_number, 65530);
  EXPECT_EQ(packets[0].packet_status_count, 16);
  // Reference time: floor(1 s / 64 ms) = 15 -> 960 ms.
  EXPECT_EQ(packets[0].reference_time, 15);
  EXPECT_EQ(Flatten(packets), Expected(arrivals));
  EXPECT_EQ(builder.next_feedback_count(), 1);
}

TEST(TwccFeedbackTest, LeadingLossAndLongGapUseRunLength) {
  TwccFeedbackBuilder builder(1, 2);
  const std::vector<TwccArrival> arrivals = {{10, 64'000}, {2000, 70'000}, {2001, 69'000}};
  const auto packets = BuildAndReparse(&builder, 5, arrivals);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].base_sequence_number, 5);
  EXPECT_EQ(packets[0].packet_status_count, 2001 - 5 + 1);
  EXPECT_EQ(Flatten(packets), Expected(arrivals));
  EXPECT_EQ(packets[0].received[2].delta_ticks, -4);  // arrived 1 ms before its predecessor
  // 5 statuses before 10, 1989 between 10 and 2000: a few run-length chunks, not hundreds.
  EXPECT_LT(packets[0].Size(), 48u);
}

TEST(TwccFeedbackTest, DeltaBeyondSixteenBitsStartsANewPacket) {
  TwccFeedbackBuilder builder(1, 2);
  // 10 s between packets exceeds the 8.19 s a signed 16-bit delta of 250 us can say.
  const std::vector<TwccArrival> arrivals = {{0, 0}, {1, 10'000'000}, {2, 10'001'000}};
  const auto packets = BuildAndReparse(&builder, 0, arrivals);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].packet_status_count, 1);
  EXPECT_EQ(packets[1].base_sequence_number, 1);
  EXPECT_EQ(packets[0].feedback_count, 0);
  EXPECT_EQ(packets[1].feedback_count, 1);
  EXPECT_EQ(Flatten(packets), Expected(arrivals));
}

TEST(TwccFeedbackTest, SplitsIntoPacketsWithinTheSizeLimit) {
  constexpr size_t kMaxSize = 200;
  TwccFeedbackBuilder builder(1, 2, kMaxSize);
  std::mt19937 rng(7);
  std::vector<TwccArrival> arrivals;
  int64_t time_us = 5'000'000;
  for (int64_t seq = 60000; seq < 62000; ++seq) {
    if (rng() % 10 == 0) continue;  // 10% loss
    // Mostly small deltas, sometimes a large or negative one.
    const int pick = static_cast<int>(rng() % 20);
    time_us += pick == 0 ? 80'000 : pick == 1 ? -750 : 250 * static_cast<int>(rng() % 8);
    arrivals.push_back({seq, time_us});
  }
  const auto packets = BuildAndReparse(&builder, 60000, arrivals, kMaxSize);
  ASSERT_GT(packets.size(), 5u);
  EXPECT_EQ(Flatten(packets), Expected(arrivals));
  // Packets cover consecutive ranges and count up.
  for (size_t i = 1; i < packets.size(); ++i) {
    EXPECT_EQ(static_cast<uint16_t>(packets[i - 1].base_sequence_number +
                                    packets[i - 1].packet_status_count),
              packets[i].base_sequence_number);
    EXPECT_EQ(packets[i].feedback_count, static_cast<uint8_t>(packets[i - 1].feedback_count + 1));
  }
}

TEST(TwccFeedbackTest, RandomPatternsRoundTrip) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 200; ++trial) {
    TwccFeedbackBuilder builder(1, 2);
    std::vector<TwccArrival> arrivals;
    int64_t seq = rng() % 70000;
    const int64_t begin = seq;
    int64_t time_us = static_cast<int64_t>(rng() % 1'000'000) * 250;
    const int count = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < count; ++i) {
      seq += 1 + (rng() % 4 == 0 ? rng() % 30 : 0);
      const int kind = static_cast<int>(rng() % 10);
      time_us += 250 * (kind < 6   ? static_cast<int>(rng() % 256)
                        : kind < 8 ? -static_cast<int>(rng() % 100)
                                   : static_cast<int>(rng() % 5000));
      arrivals.push_back({seq, time_us});
    }
    const auto packets = BuildAndReparse(&builder, begin, arrivals);
    ASSERT_EQ(Flatten(packets), Expected(arrivals)) << "trial " << trial;
  }
}

// A receiver's record between feedbacks: numbers unwrap across 65535 -> 0, reordered arrivals
// are sorted, a duplicate is reported once, a missing packet is reported lost, and the next
// feedback starts where the last one ended.
TEST(TwccFeedbackRecorderTest, ReportsEachPacketOnceAcrossWrapReorderAndDuplicates) {
  TwccFeedbackRecorder recorder;
  std::vector<TwccFeedback> feedback;
  recorder.TakeFeedback(7, &feedback);
  EXPECT_TRUE(feedback.empty());  // nothing arrived yet

  recorder.OnPacket(65534, 1'000'000, 0x1111);
  recorder.OnPacket(0, 1'002'000, 0x2222);  // arrived before 65535
  recorder.OnPacket(65535, 1'001'000, 0x2222);
  recorder.OnPacket(2, 1'004'000, 0x1111);  // 1 never arrives
  recorder.OnPacket(2, 1'004'500, 0x1111);  // a duplicate
  EXPECT_FALSE(recorder.empty());
  recorder.TakeFeedback(7, &feedback);
  ASSERT_EQ(feedback.size(), 1u);
  EXPECT_EQ(feedback[0].header.sender_ssrc, 7u);
  EXPECT_EQ(feedback[0].header.media_ssrc, 0x1111u);  // the first packet's
  EXPECT_EQ(feedback[0].base_sequence_number, 65534);
  EXPECT_EQ(feedback[0].packet_status_count, 5);  // 65534, 65535, 0, 1 (lost), 2
  std::vector<uint16_t> received;
  for (const auto& packet : feedback[0].received) received.push_back(packet.sequence_number);
  EXPECT_EQ(received, (std::vector<uint16_t>{65534, 65535, 0, 2}));
  EXPECT_EQ(feedback[0].received[2].arrival_time_us - feedback[0].received[0].arrival_time_us,
            2'000);
  EXPECT_TRUE(recorder.empty());

  recorder.TakeFeedback(7, &feedback);
  EXPECT_TRUE(feedback.empty());

  recorder.OnPacket(1, 1'005'000, 0x1111);  // too late: already reported lost
  recorder.OnPacket(4, 1'006'000, 0x1111);
  recorder.TakeFeedback(7, &feedback);
  ASSERT_EQ(feedback.size(), 1u);
  EXPECT_EQ(feedback[0].base_sequence_number, 3);  // after the last feedback's end: 3 was lost
  EXPECT_EQ(feedback[0].packet_status_count, 2);
  ASSERT_EQ(feedback[0].received.size(), 1u);
  EXPECT_EQ(feedback[0].received[0].sequence_number, 4);
  EXPECT_EQ(feedback[0].feedback_count, 1);  // counts on from the first feedback
}

}  // namespace
}  // namespace auralink::rtc
