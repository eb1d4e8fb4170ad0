#include "client/client_session_description.h"

#include <gtest/gtest.h>

#include "rtc/dtls/dtls_certificate.h"
#include "sfu/sdp_negotiation.h"

namespace auralink::client {
namespace {

class ClientSessionDescriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto certificate = rtc::DtlsCertificate::Create();
    ASSERT_TRUE(certificate.ok());
    local_.ufrag = "cliU";
    local_.pwd = "clientpassword0123456789";
    local_.fingerprint = (*certificate)->fingerprint();
    auto server_certificate = rtc::DtlsCertificate::Create();
    ASSERT_TRUE(server_certificate.ok());
    server_.ice_ufrag = "srvU";
    server_.ice_pwd = "serverpassword0123456789";
    server_.fingerprint = (*server_certificate)->fingerprint().ToSdp();
    server_.candidates = {"candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host"};
  }

  // Through text and our parser, as the server receives it.
  static rtc::SessionDescription Reparse(const rtc::SessionDescription& description) {
    auto parsed = rtc::SessionDescription::Parse(description.ToString());
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    return parsed.ok() ? *parsed : rtc::SessionDescription{};
  }

  LocalIceParameters local_;
  sfu::LocalTransportDescription server_;
};

TEST_F(ClientSessionDescriptionTest, PublisherOfferIsAcceptedBySfu) {
  std::vector<PublishedSection> sections(2);
  sections[0].kind = PublishedKind::kAudio;
  sections[0].mid = "0";
  sections[0].track_id = "audio-cid";
  sections[0].ssrc = 1111;
  sections[1].kind = PublishedKind::kVideo;
  sections[1].mid = "1";
  sections[1].track_id = "video-cid";
  sections[1].ssrc = 2222;
  const rtc::SessionDescription offer =
      Reparse(BuildPublisherOffer(local_, sections, "stream", PublisherExtensionIds{}, 1));

  auto negotiation = sfu::AnswerPublisherOffer(offer, server_);
  ASSERT_TRUE(negotiation.ok()) << negotiation.status().message();
  EXPECT_EQ(negotiation->remote.ice_ufrag, "cliU");
  EXPECT_EQ(negotiation->remote.ice_pwd, "clientpassword0123456789");
  EXPECT_EQ(negotiation->remote.fingerprint, local_.fingerprint);
  ASSERT_EQ(negotiation->media.size(), 2u);
  const sfu::PublishedMedia& audio = negotiation->media[0];
  EXPECT_EQ(audio.kind, sfu::MediaKind::kAudio);
  EXPECT_TRUE(audio.sending);
  EXPECT_EQ(audio.track_id, "audio-cid");
  ASSERT_FALSE(audio.codecs.empty());
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.ssrcs, std::vector<uint32_t>{1111});
  EXPECT_EQ(audio.extensions.at(sfu::rtp_extension_uri::kAudioLevel), 1);
  EXPECT_EQ(audio.extensions.at(sfu::rtp_extension_uri::kMid), 4);
  EXPECT_EQ(audio.extensions.at(sfu::rtp_extension_uri::kTransportWideCc), 3);
  const sfu::PublishedMedia& video = negotiation->media[1];
  EXPECT_EQ(video.kind, sfu::MediaKind::kVideo);
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[0].rtx_payload_type, kVp8RtxPayloadType);
  EXPECT_EQ(video.track_id, "video-cid");
  EXPECT_EQ(video.ssrcs, std::vector<uint32_t>{2222});

  // And we read the SFU's answer back: ICE-lite credentials, its candidate and fingerprint.
  const rtc::SessionDescription answer = Reparse(negotiation->answer);
  EXPECT_EQ(answer.media[0].setup, "passive");
  auto transport = ReadServerTransport(answer);
  ASSERT_TRUE(transport.ok()) << transport.status().message();
  EXPECT_EQ(transport->ice_ufrag, "srvU");
  EXPECT_EQ(transport->ice_pwd, "serverpassword0123456789");
  EXPECT_EQ(transport->fingerprint.ToSdp(), server_.fingerprint);
  ASSERT_TRUE(transport->candidate.has_value());
  EXPECT_EQ(transport->candidate->ToString(), "127.0.0.1:7882");
}

TEST_F(ClientSessionDescriptionTest, SimulcastOfferDeclaresRids) {
  std::vector<PublishedSection> sections(1);
  sections[0].kind = PublishedKind::kVideo;
  sections[0].mid = "1";
  sections[0].track_id = "video-cid";
  sections[0].rids = {"q", "h", "f"};
  const rtc::SessionDescription offer =
      Reparse(BuildPublisherOffer(local_, sections, "stream", PublisherExtensionIds{}, 1));
  EXPECT_NE(offer.ToString().find("a=simulcast:send q;h;f"), std::string::npos);
  auto negotiation = sfu::AnswerPublisherOffer(offer, server_);
  ASSERT_TRUE(negotiation.ok()) << negotiation.status().message();
  ASSERT_EQ(negotiation->media.size(), 1u);
  EXPECT_EQ(negotiation->media[0].rids, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_EQ(negotiation->media[0].extensions.at(sfu::rtp_extension_uri::kRid), 10);
  EXPECT_TRUE(negotiation->media[0].ssrcs.empty());
}

TEST_F(ClientSessionDescriptionTest, AnswersSubscriberOfferTheSfuReads) {
  sfu::SubscribedMedia audio;
  audio.mid = "0";
  audio.kind = sfu::MediaKind::kAudio;
  audio.codecs = {{111, "opus", 48000, 2, "minptime=10", {"transport-cc"}, -1}};
  audio.ssrc = 5555;
  audio.stream_id = "PA_pub|TR_audio";
  audio.track_id = "TR_audio";
  audio.cname = "PA_pub";
  sfu::SubscribedMedia video = audio;
  video.mid = "1";
  video.kind = sfu::MediaKind::kVideo;
  video.codecs = {{96, "VP8", 90000, 0, "", {"nack", "nack pli"}, 97}};
  video.ssrc = 6666;
  video.rtx_ssrc = 6667;
  video.stream_id = "PA_pub|TR_video";
  video.track_id = "TR_video";
  const rtc::SessionDescription offer =
      Reparse(sfu::BuildSubscriberOffer(server_, {audio, video}, /*data_channel=*/true, 3));

  auto answered = AnswerSubscriberOffer(offer, local_);
  ASSERT_TRUE(answered.ok()) << answered.status().message();
  ASSERT_EQ(answered->tracks.size(), 2u);
  EXPECT_EQ(answered->tracks[0].ssrc, 5555u);
  EXPECT_FALSE(answered->tracks[0].video);
  EXPECT_EQ(answered->tracks[0].clock_rate, 48000u);
  EXPECT_EQ(answered->tracks[0].participant_sid, "PA_pub");
  EXPECT_EQ(answered->tracks[0].track_sid, "TR_audio");
  EXPECT_EQ(answered->tracks[1].ssrc, 6666u);
  EXPECT_EQ(answered->tracks[1].rtx_ssrc, 6667u);
  EXPECT_TRUE(answered->tracks[1].video);
  ASSERT_TRUE(answered->server.candidate.has_value());
  EXPECT_EQ(answered->server.ice_ufrag, "srvU");

  const rtc::SessionDescription answer = Reparse(answered->answer);
  ASSERT_EQ(answer.media.size(), 3u);
  EXPECT_EQ(answer.media[0].port, 0);  // the data channel, declined
  EXPECT_EQ(answer.media[1].setup, "active");
  EXPECT_EQ(answer.media[1].direction, rtc::MediaDirection::kRecvOnly);
  auto read = sfu::ReadSubscriberAnswer(answer);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->remote.ice_ufrag, "cliU");
  EXPECT_EQ(read->remote.fingerprint, local_.fingerprint);
  EXPECT_FALSE(read->remote.data_channel);
  EXPECT_EQ(read->accepted_mids, (std::vector<std::string>{"0", "1"}));
}

TEST_F(ClientSessionDescriptionTest, DataChannelOnlyOfferStillGivesTheSfuOurCredentials) {
  // The first subscriber offer of a join carries only the data channel, which we decline.
  const rtc::SessionDescription offer =
      Reparse(sfu::BuildSubscriberOffer(server_, {}, /*data_channel=*/true, 1));
  auto answered = AnswerSubscriberOffer(offer, local_);
  ASSERT_TRUE(answered.ok()) << answered.status().message();
  EXPECT_TRUE(answered->tracks.empty());
  const rtc::SessionDescription answer = Reparse(answered->answer);
  ASSERT_EQ(answer.media.size(), 1u);
  EXPECT_EQ(answer.media[0].port, 0);
  auto read = sfu::ReadSubscriberAnswer(answer);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->remote.ice_ufrag, "cliU");
  EXPECT_EQ(read->remote.fingerprint, local_.fingerprint);
  EXPECT_TRUE(read->accepted_mids.empty());
}

TEST_F(ClientSessionDescriptionTest, RejectsDescriptionsWithoutCredentials) {
  rtc::SessionDescription empty;
  EXPECT_FALSE(ReadServerTransport(empty).ok());
  EXPECT_FALSE(AnswerSubscriberOffer(empty, local_).ok());
}

}  // namespace
}  // namespace auralink::client
