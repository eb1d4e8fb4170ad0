#include "rtc/sdp/transport_parameters.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace auralink::rtc {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream file(std::string(AURALINK_SOURCE_DIR) + "/src/rtc/sdp/testdata/" + name,
                     std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

SessionDescription Parse(const std::string& text) {
  auto description = SessionDescription::Parse(text);
  EXPECT_TRUE(description.ok()) << description.status().message();
  return description.ok() ? *description : SessionDescription{};
}

TEST(TransportParametersTest, ReadsAChromiumOfferWithCandidates) {
  const SessionDescription offer = Parse(ReadFixture("chromium_sendrecv_gathered_offer.sdp"));
  auto transport = ReadTransportParameters(offer);
  ASSERT_TRUE(transport.ok()) << transport.status().message();
  ASSERT_FALSE(offer.media.empty());
  EXPECT_EQ(transport->ice_ufrag, offer.media[0].ice_ufrag.value_or(""));
  EXPECT_EQ(transport->ice_pwd, offer.media[0].ice_pwd.value_or(""));
  EXPECT_EQ(transport->fingerprint.algorithm, "sha-256");
  size_t candidates = 0;
  for (const MediaSection& section : offer.media) candidates += section.candidates.size();
  EXPECT_GT(candidates, 0u);
  EXPECT_EQ(transport->candidates.size(), candidates);
}

SessionDescription TwoSections() {
  SessionDescription description;
  MediaSection audio;
  audio.media = "audio";
  audio.protocol = "UDP/TLS/RTP/SAVPF";
  audio.ice_ufrag = "ufrag";
  audio.ice_pwd = "password-password-pw";
  audio.fingerprints = {{"sha-1", "AA:BB"}, {"SHA-256", "01:02"}};
  audio.candidates = {"candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host"};
  MediaSection data;
  data.media = "application";
  data.protocol = "UDP/DTLS/SCTP";
  data.sctp_port = 5000;
  data.max_message_size = 262144;
  description.media = {audio, data};
  return description;
}

TEST(TransportParametersTest, PrefersSha256AndReadsTheDataChannel) {
  auto transport = ReadTransportParameters(TwoSections());
  ASSERT_TRUE(transport.ok()) << transport.status().message();
  EXPECT_EQ(transport->fingerprint.value, "01:02");
  ASSERT_TRUE(transport->sctp_port.has_value());
  EXPECT_EQ(*transport->sctp_port, 5000);
  EXPECT_EQ(transport->max_message_size, 262144u);
  EXPECT_EQ(transport->candidates.size(), 1u);
}

TEST(TransportParametersTest, DeclinedSectionsGiveCredentialsButNoCandidatesOrDataChannel) {
  SessionDescription description = TwoSections();
  for (MediaSection& section : description.media) section.port = 0;
  auto transport = ReadTransportParameters(description);
  ASSERT_TRUE(transport.ok()) << transport.status().message();
  EXPECT_EQ(transport->ice_ufrag, "ufrag");
  EXPECT_TRUE(transport->candidates.empty());
  EXPECT_FALSE(transport->sctp_port.has_value());
}

TEST(TransportParametersTest, MissingCredentialsOrFingerprintAreErrors) {
  SessionDescription description = TwoSections();
  description.media[0].ice_pwd.reset();
  EXPECT_FALSE(ReadTransportParameters(description).ok());
  description = TwoSections();
  description.media[0].fingerprints.clear();
  EXPECT_FALSE(ReadTransportParameters(description).ok());
  EXPECT_FALSE(ReadTransportParameters(SessionDescription{}).ok());
}

}  // namespace
}  // namespace auralink::rtc
