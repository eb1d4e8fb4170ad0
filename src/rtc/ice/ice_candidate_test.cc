#include "rtc/ice/ice_candidate.h"

#include <gtest/gtest.h>

namespace auralink::rtc {
namespace {

TEST(IceCandidateTest, ParsesChromiumMdnsHostCandidate) {
  // As captured from Chromium 156 (src/rtc/sdp/testdata/chromium_sendrecv_gathered_offer.sdp).
  const std::string line =
      "a=candidate:670425540 1 udp 2113937151 1b153760-09bc-45cd-9240-91e16566ddf5.local 55953 "
      "typ host generation 0 network-cost 999\r\n";
  auto candidate = IceCandidate::Parse(line);
  ASSERT_TRUE(candidate.ok()) << candidate.status().message();
  EXPECT_EQ(candidate->foundation, "670425540");
  EXPECT_EQ(candidate->component, 1);
  EXPECT_EQ(candidate->protocol, IceTransportProtocol::kUdp);
  EXPECT_EQ(candidate->priority, 2113937151u);
  EXPECT_EQ(candidate->address, "1b153760-09bc-45cd-9240-91e16566ddf5.local");
  EXPECT_EQ(candidate->port, 55953);
  EXPECT_EQ(candidate->type, IceCandidateType::kHost);
  ASSERT_EQ(candidate->extensions.size(), 2u);
  EXPECT_EQ(candidate->extensions[1], (std::pair<std::string, std::string>{"network-cost", "999"}));
  EXPECT_EQ("a=" + candidate->ToString() + "\r\n", line);
}

TEST(IceCandidateTest, ParsesAndWritesTcpPassiveAndReflexive) {
  const std::string tcp = "candidate:2 1 tcp 1518280447 192.0.2.5 7881 typ host tcptype passive";
  auto parsed = IceCandidate::Parse(tcp);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->protocol, IceTransportProtocol::kTcp);
  EXPECT_EQ(parsed->tcp_type, IceTcpType::kPassive);
  EXPECT_EQ(parsed->ToString(), tcp);

  const std::string srflx =
      "candidate:3 1 UDP 1677729535 203.0.113.7 61000 typ srflx raddr 10.0.0.2 rport 50000";
  parsed = IceCandidate::Parse(srflx);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->type, IceCandidateType::kServerReflexive);
  EXPECT_EQ(parsed->related_address, "10.0.0.2");
  EXPECT_EQ(parsed->related_port, 50000);
}

TEST(IceCandidateTest, RejectsMalformedLines) {
  for (const char* line : {
           "",
           "candidate:1 1 udp 100 1.2.3.4 5",
           "candidate:1 0 udp 100 1.2.3.4 5 typ host",
           "candidate:1 1 sctp 100 1.2.3.4 5 typ host",
           "candidate:1 1 udp 4294967296 1.2.3.4 5 typ host",
           "candidate:1 1 udp 100 1.2.3.4 65536 typ host",
           "candidate:1 1 udp 100 1.2.3.4 5 type host",
           "candidate:1 1 udp 100 1.2.3.4 5 typ nat",
           "candidate:1 1 udp 100 1.2.3.4 5 typ host generation",
           "candidate:1 1 tcp 100 1.2.3.4 5 typ host",
           "candidate:1 1 tcp 100 1.2.3.4 5 typ host tcptype sideways",
       }) {
    EXPECT_FALSE(IceCandidate::Parse(line).ok()) << line;
  }
}

TEST(IceCandidateTest, PriorityFollowsRfc8445Formula) {
  // Chromium's host UDP candidate above: type 126, local preference 0xFFFF-ish, component 1.
  EXPECT_EQ(ComputeIcePriority(IceTypePreference(IceCandidateType::kHost), 65535, 1),
            (126u << 24) + (65535u << 8) + 255u);
  EXPECT_EQ(ComputeIcePriority(126, 65535, 1), 2130706431u);
  EXPECT_EQ(ComputeIcePriority(0, 0, 256), 0u);
  EXPECT_GT(ComputeIcePriority(IceTypePreference(IceCandidateType::kHost), 1, 1),
            ComputeIcePriority(IceTypePreference(IceCandidateType::kPeerReflexive), 65535, 1));
  EXPECT_GT(IceTypePreference(IceCandidateType::kServerReflexive),
            IceTypePreference(IceCandidateType::kRelay));
  // RFC 6544 §4.2: a passive host TCP candidate with other-preference 8191 -> 4*8192+8191.
  EXPECT_EQ(IceTcpLocalPreference(IceTcpType::kPassive, 8191), 40959);
}

}  // namespace
}  // namespace auralink::rtc
