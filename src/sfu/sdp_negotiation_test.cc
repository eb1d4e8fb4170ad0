#include "sfu/sdp_negotiation.h"

#include <gtest/gtest.h>

#include "common/whole_file.h"

namespace auralink::sfu {
namespace {

LocalTransportDescription Local() {
  LocalTransportDescription local;
  local.ice_ufrag = "srvU";
  local.ice_pwd = "serverpassword0123456789";
  local.fingerprint =
      "sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:"
      "1C:1D:1E:1F:20";
  local.candidates = {"candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host"};
  return local;
}

rtc::SessionDescription ChromiumOffer(const char* name) {
  auto text = ReadWholeFile(std::string(AURALINK_SOURCE_DIR) + "/src/rtc/sdp/testdata/" + name);
  EXPECT_TRUE(text.ok());
  auto offer = rtc::SessionDescription::Parse(
      std::string(reinterpret_cast<const char*>(text->data()), text->size()));
  EXPECT_TRUE(offer.ok()) << offer.status().message();
  return *offer;
}

TEST(SdpNegotiationTest, AnswersChromiumSimulcastOffer) {
  auto negotiation = AnswerPublisherOffer(ChromiumOffer("chromium_simulcast_offer.sdp"), Local());
  ASSERT_TRUE(negotiation.ok()) << negotiation.status().message();
  const rtc::SessionDescription& answer = negotiation->answer;
  EXPECT_TRUE(answer.ice_lite);
  EXPECT_TRUE(negotiation->remote.data_channel);
  ASSERT_EQ(answer.media.size(), 3u);
  for (const rtc::MediaSection& section : answer.media) {
    EXPECT_EQ(section.setup, "passive");
    EXPECT_EQ(section.ice_ufrag, "srvU");
  }
  ASSERT_EQ(negotiation->media.size(), 2u);
  const PublishedMedia& audio = negotiation->media[0];
  EXPECT_EQ(audio.kind, MediaKind::kAudio);
  ASSERT_FALSE(audio.codecs.empty());
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_TRUE(audio.extensions.count(rtp_extension_uri::kAudioLevel));
  for (const NegotiatedCodec& codec : audio.codecs) EXPECT_NE(codec.name, "PCMU");

  const PublishedMedia& video = negotiation->media[1];
  EXPECT_EQ(video.kind, MediaKind::kVideo);
  EXPECT_EQ(video.rids, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_TRUE(video.extensions.count(rtp_extension_uri::kRid));
  EXPECT_TRUE(video.extensions.count(rtp_extension_uri::kTransportWideCc));
  EXPECT_FALSE(video.extensions.count("urn:ietf:params:rtp-hdrext:toffset"));
  bool vp8_with_rtx = false;
  for (const NegotiatedCodec& codec : video.codecs) {
    vp8_with_rtx |= codec.name == "VP8" && codec.rtx_payload_type >= 0;
    EXPECT_NE(codec.name, "ulpfec");
  }
  EXPECT_TRUE(vp8_with_rtx);
  const rtc::MediaSection& video_section = answer.media[1];
  EXPECT_EQ(video_section.direction, rtc::MediaDirection::kRecvOnly);
  ASSERT_TRUE(video_section.simulcast.has_value());
  ASSERT_EQ(video_section.rids.size(), 3u);
  EXPECT_EQ(video_section.rids[0].direction, rtc::RidDirection::kRecv);

  // What we write parses back to the same description.
  auto reparsed = rtc::SessionDescription::Parse(answer.ToString());
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_EQ(*reparsed, answer);
}

TEST(SdpNegotiationTest, RecvOnlyOfferGivesInactiveSections) {
  auto negotiation = AnswerPublisherOffer(ChromiumOffer("chromium_recvonly_offer.sdp"), Local());
  ASSERT_TRUE(negotiation.ok()) << negotiation.status().message();
  for (const PublishedMedia& media : negotiation->media) EXPECT_FALSE(media.sending);
}

TEST(SdpNegotiationTest, OfferWithoutCredentialsIsRefused) {
  auto offer = rtc::SessionDescription::Parse(
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n");
  ASSERT_TRUE(offer.ok());
  EXPECT_FALSE(AnswerPublisherOffer(*offer, Local()).ok());
}

TEST(SdpNegotiationTest, SubscriberOfferRoundTrip) {
  SubscribedMedia video;
  video.mid = "1";
  video.kind = MediaKind::kVideo;
  video.codecs = {{96, "VP8", 90000, 0, "", {"nack", "nack pli", "transport-cc"}, 97}};
  video.ssrc = 1111;
  video.rtx_ssrc = 2222;
  video.stream_id = "PA_abc|TR_def";
  video.track_id = "TR_def";
  video.cname = "PA_abc";
  SubscribedMedia audio;
  audio.mid = "2";
  audio.kind = MediaKind::kAudio;
  audio.codecs = {{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}, -1}};
  audio.ssrc = 3333;
  audio.stream_id = "PA_abc|TR_aud";
  audio.track_id = "TR_aud";
  audio.cname = "PA_abc";
  const rtc::SessionDescription offer = BuildSubscriberOffer(Local(), {video, audio}, true, 3);
  auto parsed = rtc::SessionDescription::Parse(offer.ToString());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->media.size(), 3u);
  EXPECT_EQ(parsed->media[0].media, "application");
  const rtc::MediaSection& v = parsed->media[1];
  EXPECT_EQ(v.direction, rtc::MediaDirection::kSendOnly);
  ASSERT_EQ(v.ssrc_groups.size(), 1u);
  EXPECT_EQ(v.ssrc_groups[0].ssrcs, (std::vector<uint32_t>{1111, 2222}));
  ASSERT_EQ(v.msids.size(), 1u);
  EXPECT_EQ(v.msids[0].stream_id, "PA_abc|TR_def");
  EXPECT_EQ(v.FindCodec(97)->FmtpParameter("apt"), "96");
  EXPECT_EQ(parsed->media[2].HeaderExtensionId(rtp_extension_uri::kAudioLevel), 1);

  // The browser's answer (reversed directions, its own credentials) is read back.
  rtc::SessionDescription answer = *parsed;
  for (rtc::MediaSection& section : answer.media) {
    section.ice_ufrag = "brwU";
    section.ice_pwd = "browserpassword0123456789";
    section.setup = "active";
    if (section.media != "application") section.direction = rtc::MediaDirection::kRecvOnly;
  }
  answer.media[2].port = 0;
  auto read = ReadSubscriberAnswer(answer);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->remote.ice_ufrag, "brwU");
  EXPECT_EQ(read->accepted_mids, (std::vector<std::string>{"dc", "1"}));
}

}  // namespace
}  // namespace auralink::sfu
