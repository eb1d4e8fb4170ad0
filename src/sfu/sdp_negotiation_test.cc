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

namespace auralink::sfu {
namespace {

// A track as the SFU forwards it, with payload types other than the receiving browser's, so the
// answer must map them.
SubscribedMedia ForwardedVideo(const std::string& mid) {
  SubscribedMedia media;
  media.mid = mid;
  media.kind = MediaKind::kVideo;
  media.codecs = {{120, "VP8", 90000, 0, "", {"nack", "nack pli", "goog-remb"}, 121}};
  media.ssrc = 1111;
  media.rtx_ssrc = 2222;
  media.stream_id = "PA_alice|TR_camera";
  media.track_id = "TR_camera";
  media.cname = "PA_alice";
  return media;
}

SubscribedMedia ForwardedAudio(const std::string& mid) {
  SubscribedMedia media;
  media.mid = mid;
  media.kind = MediaKind::kAudio;
  media.codecs = {{109, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}, -1}};
  media.ssrc = 3333;
  media.stream_id = "PA_alice|TR_mic";
  media.track_id = "TR_mic";
  media.cname = "PA_alice";
  return media;
}

const rtc::MediaSection& SectionOf(const rtc::SessionDescription& description,
                                   const std::string& mid) {
  for (const rtc::MediaSection& section : description.media) {
    if (section.mid == mid) return section;
  }
  ADD_FAILURE() << "no section " << mid;
  return description.media.front();
}

// /rtc/v1: the browser's recvonly sections (Chromium's own offer) carry the subscribed tracks.
TEST(SinglePeerConnectionAnswerTest, MapsSubscribedTracksOntoTheBrowsersReceiveSections) {
  const rtc::SessionDescription offer = ChromiumOffer("chromium_recvonly_offer.sdp");
  auto negotiation = AnswerPublisherOffer(offer, Local());
  ASSERT_TRUE(negotiation.ok()) << negotiation.status().message();
  for (const PublishedMedia& media : negotiation->media) {
    EXPECT_TRUE(media.receiving);
    EXPECT_FALSE(media.sending);
  }
  rtc::SessionDescription answer = negotiation->answer;
  const std::vector<SentSection> sent =
      AnswerReceiveSections(offer, {ForwardedAudio("0"), ForwardedVideo("1")}, &answer);
  ASSERT_EQ(sent.size(), 2u);

  // Audio: opus under the browser's type 111, no RTX.
  EXPECT_EQ(sent[0].mid, "0");
  EXPECT_EQ(sent[0].payload_type_of, (std::map<int, int>{{109, 111}}));
  EXPECT_TRUE(sent[0].rtx_payload_type_of.empty());
  const rtc::MediaSection& audio = SectionOf(answer, "0");
  EXPECT_EQ(audio.direction, rtc::MediaDirection::kSendOnly);
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"111"}));
  ASSERT_EQ(audio.msids.size(), 1u);
  EXPECT_EQ(audio.msids[0].stream_id, "PA_alice|TR_mic");
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 3333u);
  EXPECT_EQ(audio.setup, "passive");

  // Video: VP8 120 -> the browser's 96, RTX on the browser's 97 (apt=96), FID group, and the
  // extensions the SFU writes, under the ids the browser offered, plus RID and repaired RID, which
  // Chromium needs kept to publish simulcast on later sections.
  EXPECT_EQ(sent[1].payload_type_of, (std::map<int, int>{{120, 96}}));
  EXPECT_EQ(sent[1].rtx_payload_type_of, (std::map<int, int>{{96, 97}}));
  const rtc::MediaSection& video = SectionOf(answer, "1");
  EXPECT_EQ(video.direction, rtc::MediaDirection::kSendOnly);
  EXPECT_EQ(video.formats, (std::vector<std::string>{"96", "97"}));
  ASSERT_EQ(video.ssrc_groups.size(), 1u);
  EXPECT_EQ(video.ssrc_groups[0].ssrcs, (std::vector<uint32_t>{1111, 2222}));
  std::map<std::string, int> extensions;
  for (const rtc::HeaderExtension& extension : video.header_extensions)
    extensions[extension.uri] = extension.id;
  EXPECT_EQ(extensions, (std::map<std::string, int>{{rtp_extension_uri::kAbsSendTime, 2},
                                                    {rtp_extension_uri::kTransportWideCc, 3},
                                                    {rtp_extension_uri::kMid, 4},
                                                    {rtp_extension_uri::kRid, 10},
                                                    {rtp_extension_uri::kRepairedRid, 11}}));
  for (const rtc::RtpCodec& codec : video.codecs) {
    for (const std::string& feedback : codec.rtcp_feedback) EXPECT_NE(feedback, "goog-remb");
  }

  // The browser's ids for what the SFU writes, from its receive sections.
  EXPECT_EQ(ReceiveExtensionIds(negotiation->media),
            (std::map<std::string, int>{{rtp_extension_uri::kAudioLevel, 1},
                                        {rtp_extension_uri::kAbsSendTime, 2},
                                        {rtp_extension_uri::kTransportWideCc, 3},
                                        {rtp_extension_uri::kMid, 4}}));
  auto reparsed = rtc::SessionDescription::Parse(answer.ToString());
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_EQ(*reparsed, answer);
}

TEST(SinglePeerConnectionAnswerTest, LeavesSectionsInactiveWhenKindOrCodecDoNotMatch) {
  const rtc::SessionDescription offer = ChromiumOffer("chromium_recvonly_offer.sdp");
  auto negotiation = AnswerPublisherOffer(offer, Local());
  ASSERT_TRUE(negotiation.ok()) << negotiation.status().message();
  rtc::SessionDescription answer = negotiation->answer;
  SubscribedMedia unknown_codec = ForwardedVideo("1");
  unknown_codec.codecs[0].name = "H265";
  const std::vector<SentSection> sent = AnswerReceiveSections(
      offer, {ForwardedVideo("0"), unknown_codec, ForwardedAudio("no-such-mid")}, &answer);
  EXPECT_TRUE(sent.empty());
  for (const rtc::MediaSection& section : answer.media) {
    if (section.media == "application") continue;
    EXPECT_EQ(section.direction, rtc::MediaDirection::kInactive);
    // Not rejected: the browser can be given a track on it by a later answer.
    EXPECT_NE(section.port, 0);
    EXPECT_TRUE(section.msids.empty());
  }
}

}  // namespace
}  // namespace auralink::sfu
