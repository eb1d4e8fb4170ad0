#include "rtc/sdp/session_description.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace auralink::rtc {
namespace {

// Offers captured from Chromium 156 by testdata/capture_chromium_offers.sh. The tests look codecs
// up by name and relations (rtx apt) rather than by the payload numbers of one capture.
std::string ReadFixture(const std::string& name) {
  std::ifstream file(std::string(AURALINK_SOURCE_DIR) + "/src/rtc/sdp/testdata/" + name,
                     std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

const RtpCodec* FindCodecByName(const MediaSection& section, std::string_view name,
                                std::string_view fmtp_contains = {}) {
  for (const auto& codec : section.codecs) {
    if (codec.name == name && codec.fmtp.find(fmtp_contains) != std::string::npos) return &codec;
  }
  return nullptr;
}

const RtpCodec* RtxFor(const MediaSection& section, int payload_type) {
  for (const auto& codec : section.codecs) {
    if (codec.name == "rtx" && codec.FmtpParameter("apt") == std::to_string(payload_type)) {
      return &codec;
    }
  }
  return nullptr;
}

TEST(SessionDescriptionTest, ParsesChromiumSimulcastOffer) {
  const std::string text = ReadFixture("chromium_simulcast_offer.sdp");
  ASSERT_FALSE(text.empty()) << "fixture missing";
  auto parsed = SessionDescription::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const SessionDescription& sdp = *parsed;

  EXPECT_EQ(sdp.origin.username, "-");
  EXPECT_EQ(sdp.timing, "0 0");
  ASSERT_NE(sdp.FindGroup("BUNDLE"), nullptr);
  EXPECT_EQ(sdp.FindGroup("BUNDLE")->mids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_TRUE(sdp.extmap_allow_mixed);
  EXPECT_EQ(sdp.msid_semantic, "WMS");
  EXPECT_FALSE(sdp.ice_lite);
  ASSERT_EQ(sdp.media.size(), 3u);

  for (const auto& section : sdp.media) {
    ASSERT_TRUE(section.ice_ufrag && section.ice_pwd);
    EXPECT_EQ(section.ice_ufrag, sdp.media[0].ice_ufrag);
    EXPECT_GE(section.ice_pwd->size(), 22u);
    EXPECT_EQ(section.ice_options, std::vector<std::string>{"trickle"});
    ASSERT_EQ(section.fingerprints.size(), 1u);
    EXPECT_EQ(section.fingerprints[0].algorithm, "sha-256");
    EXPECT_EQ(section.fingerprints[0].value.size(), 32u * 3 - 1);
    EXPECT_EQ(section.setup, "actpass");
    EXPECT_EQ(section.connection, "IN IP4 0.0.0.0");
  }

  const MediaSection& audio = *sdp.FindMedia("0");
  EXPECT_EQ(audio.media, "audio");
  EXPECT_EQ(audio.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_TRUE(audio.is_rtp());
  EXPECT_EQ(audio.direction, MediaDirection::kSendRecv);
  EXPECT_TRUE(audio.rtcp_mux);
  EXPECT_TRUE(audio.rtcp_rsize);
  const RtpCodec* opus = FindCodecByName(audio, "opus");
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->clock_rate, 48000u);
  EXPECT_EQ(opus->channels, 2u);
  EXPECT_EQ(opus->FmtpParameter("useinbandfec"), "1");
  EXPECT_EQ(opus->FmtpParameter("minptime"), "10");
  EXPECT_TRUE(opus->HasFeedback("transport-cc"));
  const RtpCodec* red = FindCodecByName(audio, "red");
  ASSERT_NE(red, nullptr);
  // RED carries redundant Opus: its fmtp names the Opus payload type twice (RFC 2198 §5).
  const std::string opus_pt = std::to_string(opus->payload_type);
  EXPECT_EQ(red->fmtp, opus_pt + "/" + opus_pt);
  EXPECT_TRUE(audio.HeaderExtensionId("urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
  EXPECT_EQ(audio.formats.size(), audio.codecs.size());
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_TRUE(audio.ssrcs[0].cname());
  ASSERT_EQ(audio.msids.size(), 1u);
  EXPECT_EQ(audio.msids[0].stream_id, "-");
  EXPECT_EQ(audio.ssrcs[0].msid(), "- " + audio.msids[0].track_id);

  const MediaSection& video = *sdp.FindMedia("1");
  EXPECT_EQ(video.media, "video");
  for (const char* name : {"VP8", "VP9", "AV1", "H264", "red", "ulpfec"}) {
    EXPECT_NE(FindCodecByName(video, name), nullptr) << name;
  }
  const RtpCodec* vp8 = FindCodecByName(video, "VP8");
  EXPECT_EQ(vp8->clock_rate, 90000u);
  EXPECT_EQ(vp8->channels, 0u);
  for (const char* feedback : {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}) {
    EXPECT_TRUE(vp8->HasFeedback(feedback)) << feedback;
  }
  EXPECT_NE(RtxFor(video, vp8->payload_type), nullptr);
  const RtpCodec* h264 = FindCodecByName(video, "H264", "packetization-mode=1");
  ASSERT_NE(h264, nullptr);
  EXPECT_TRUE(h264->FmtpParameter("profile-level-id"));
  EXPECT_NE(RtxFor(video, h264->payload_type), nullptr);
  EXPECT_NE(FindCodecByName(video, "VP9", "profile-id=0"), nullptr);
  EXPECT_NE(FindCodecByName(video, "AV1"), nullptr);

  for (const char* uri : {
           "urn:ietf:params:rtp-hdrext:sdes:mid",
           "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
           "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
           "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
           "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
           "https://aomediacodec.github.io/av1-rtp-spec/"
           "#dependency-descriptor-rtp-header-extension",
       }) {
    EXPECT_TRUE(video.HeaderExtensionId(uri)) << uri;
  }
  // BUNDLE: one id per URI across sections (RFC 8843 §9.2).
  EXPECT_EQ(video.HeaderExtensionId("urn:ietf:params:rtp-hdrext:sdes:mid"),
            audio.HeaderExtensionId("urn:ietf:params:rtp-hdrext:sdes:mid"));

  ASSERT_EQ(video.rids.size(), 3u);
  std::vector<std::string> rid_ids;
  for (const auto& rid : video.rids) {
    EXPECT_EQ(rid.direction, RidDirection::kSend);
    rid_ids.push_back(rid.id);
  }
  EXPECT_EQ(rid_ids, (std::vector<std::string>{"q", "h", "f"}));
  ASSERT_TRUE(video.simulcast);
  ASSERT_EQ(video.simulcast->send.size(), 3u);
  EXPECT_TRUE(video.simulcast->recv.empty());
  EXPECT_EQ(video.simulcast->send[0], (SimulcastStream{{"q", false}}));
  EXPECT_EQ(video.simulcast->send[2], (SimulcastStream{{"f", false}}));

  const MediaSection& data = *sdp.FindMedia("2");
  EXPECT_EQ(data.media, "application");
  EXPECT_EQ(data.protocol, "UDP/DTLS/SCTP");
  EXPECT_FALSE(data.is_rtp());
  EXPECT_EQ(data.formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(data.sctp_port, 5000);
  EXPECT_EQ(data.max_message_size, 262144u);
  EXPECT_TRUE(data.codecs.empty());
}

TEST(SessionDescriptionTest, ParsesChromiumRecvonlyOffer) {
  auto parsed = SessionDescription::Parse(ReadFixture("chromium_recvonly_offer.sdp"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->media.size(), 2u);
  for (const auto& section : parsed->media) {
    EXPECT_EQ(section.direction, MediaDirection::kRecvOnly);
    EXPECT_TRUE(section.ssrcs.empty());
    EXPECT_TRUE(section.msids.empty());
    EXPECT_TRUE(section.rids.empty());
    EXPECT_FALSE(section.codecs.empty());
  }
}

TEST(SessionDescriptionTest, ParsesChromiumGatheredOfferWithSsrcGroupsAndCandidates) {
  auto parsed = SessionDescription::Parse(ReadFixture("chromium_sendrecv_gathered_offer.sdp"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const MediaSection& video = parsed->media.at(1);
  ASSERT_EQ(video.ssrc_groups.size(), 1u);
  EXPECT_EQ(video.ssrc_groups[0].semantics, "FID");
  ASSERT_EQ(video.ssrc_groups[0].ssrcs.size(), 2u);
  for (uint32_t ssrc : video.ssrc_groups[0].ssrcs) {
    const SsrcDescription* description = video.FindSsrc(ssrc);
    ASSERT_NE(description, nullptr);
    EXPECT_EQ(description->cname(), parsed->media[0].ssrcs.at(0).cname());
  }
  for (const auto& section : parsed->media) {
    EXPECT_FALSE(section.candidates.empty());
    for (const auto& candidate : section.candidates) {
      EXPECT_TRUE(candidate.starts_with("candidate:")) << candidate;
      EXPECT_NE(candidate.find(" typ host"), std::string::npos) << candidate;
    }
  }
}

// Chromium's offers must survive parse + write byte for byte: nothing is lost or reordered.
TEST(SessionDescriptionTest, ChromiumOffersRoundTripExactly) {
  for (const char* name : {"chromium_simulcast_offer.sdp", "chromium_recvonly_offer.sdp",
                           "chromium_sendrecv_gathered_offer.sdp"}) {
    const std::string text = ReadFixture(name);
    auto parsed = SessionDescription::Parse(text);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status().message();
    EXPECT_EQ(parsed->ToString(), text) << name;
  }
}

constexpr char kHandWritten[] =
    "v=0\n"
    "o=alice 2890844526 7 IN IP6 ::1\n"
    "s=test session\n"
    "i=an information line\n"
    "b=AS:2000\n"
    "t=0 0\n"
    "a=ice-lite\n"
    "a=ice-ufrag:srvU\n"
    "a=ice-pwd:serverpassword0123456789\n"
    "a=group:BUNDLE v d\n"
    "a=msid-semantic: WMS stream-a\n"
    "a=x-session-unknown:keep me\n"
    "m=video 7882 UDP/TLS/RTP/SAVPF 96 97\n"
    "c=IN IP4 192.0.2.5\n"
    "b=TIAS:1500000\n"
    "a=candidate:1 1 udp 2130706431 192.0.2.5 7882 typ host\n"
    "a=candidate:2 1 tcp 1518280447 192.0.2.5 7881 typ host tcptype passive\n"
    "a=end-of-candidates\n"
    "a=fingerprint:sha-256 AB:CD\n"
    "a=fingerprint:sha-1 01:02\n"
    "a=setup:passive\n"
    "a=mid:v\n"
    "a=extmap-allow-mixed\n"
    "a=extmap:3/recvonly urn:example:ext with attributes\n"
    "a=sendonly\n"
    "a=msid:stream-a track-a\n"
    "a=rtcp-mux\n"
    "a=rtcp-mux-only\n"
    "a=x-flag\n"
    "a=x-media-unknown:1 2 3\n"
    "a=rtcp-fb:* nack\n"
    "a=rtpmap:96 VP8/90000\n"
    "a=rtcp-fb:96 nack pli\n"
    "a=rtpmap:97 rtx/90000\n"
    "a=fmtp:97 apt=96\n"
    "a=ssrc-group:SIM 1 2 3\n"
    "a=ssrc:1 cname:c\n"
    "a=ssrc:2 cname:c\n"
    "a=ssrc:3 flagonly\n"
    "a=rid:f recv pt=96,97;max-width=1280;max-height=720\n"
    "a=rid:h recv\n"
    "a=rid:q recv max-fps\n"
    "a=simulcast:recv f;~h,q send x\n"
    "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\n"
    "a=mid:d\n"
    "a=inactive\n"
    "a=sctp-port:5000\n";

std::string WithCrlf(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(SessionDescriptionTest, ParsesEveryModelledAttributeAndKeepsUnknownOnes) {
  auto parsed = SessionDescription::Parse(kHandWritten);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const SessionDescription& sdp = *parsed;
  EXPECT_EQ(sdp.origin.username, "alice");
  EXPECT_EQ(sdp.origin.session_version, 7u);
  EXPECT_EQ(sdp.origin.address_type, "IP6");
  EXPECT_EQ(sdp.session_name, "test session");
  EXPECT_EQ(sdp.other_lines, (std::vector<std::string>{"i=an information line", "b=AS:2000"}));
  EXPECT_TRUE(sdp.ice_lite);
  EXPECT_EQ(sdp.ice_ufrag, "srvU");
  EXPECT_EQ(sdp.msid_semantic, "WMS stream-a");
  ASSERT_EQ(sdp.other_attributes.size(), 1u);
  EXPECT_EQ(sdp.other_attributes[0], (SdpAttribute{"x-session-unknown", "keep me"}));

  const MediaSection& video = *sdp.FindMedia("v");
  EXPECT_EQ(video.port, 7882);
  EXPECT_EQ(video.other_lines, std::vector<std::string>{"b=TIAS:1500000"});
  EXPECT_EQ(video.candidates.size(), 2u);
  EXPECT_TRUE(video.end_of_candidates);
  EXPECT_EQ(video.fingerprints.size(), 2u);
  EXPECT_EQ(video.setup, "passive");
  EXPECT_TRUE(video.extmap_allow_mixed);
  ASSERT_EQ(video.header_extensions.size(), 1u);
  EXPECT_EQ(video.header_extensions[0],
            (HeaderExtension{3, "urn:example:ext", MediaDirection::kRecvOnly, "with attributes"}));
  EXPECT_EQ(video.direction, MediaDirection::kSendOnly);
  EXPECT_EQ(video.msids[0], (MediaStreamId{"stream-a", "track-a"}));
  EXPECT_TRUE(video.rtcp_mux_only);
  EXPECT_FALSE(video.rtcp_rsize);
  EXPECT_EQ(video.other_attributes,
            (std::vector<SdpAttribute>{{"x-flag", std::nullopt}, {"x-media-unknown", "1 2 3"}}));
  EXPECT_EQ(video.wildcard_rtcp_feedback, std::vector<std::string>{"nack"});
  EXPECT_EQ(video.FindCodec(97)->FmtpParameters(),
            (std::map<std::string, std::string>{{"apt", "96"}}));
  EXPECT_EQ(video.ssrc_groups[0], (SsrcGroup{"SIM", {1, 2, 3}}));
  EXPECT_EQ(video.FindSsrc(3)->Attribute("flagonly"), "");
  EXPECT_FALSE(video.FindSsrc(3)->cname());

  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0].direction, RidDirection::kRecv);
  EXPECT_EQ(video.rids[0].payload_types, (std::vector<int>{96, 97}));
  EXPECT_EQ(video.rids[0].restrictions, (std::vector<std::pair<std::string, std::string>>{
                                            {"max-width", "1280"}, {"max-height", "720"}}));
  EXPECT_EQ(video.rids[2].restrictions,
            (std::vector<std::pair<std::string, std::string>>{{"max-fps", ""}}));
  ASSERT_TRUE(video.simulcast);
  EXPECT_FALSE(video.simulcast->send_first);
  ASSERT_EQ(video.simulcast->recv.size(), 2u);
  EXPECT_EQ(video.simulcast->recv[1], (SimulcastStream{{"h", true}, {"q", false}}));
  EXPECT_EQ(video.simulcast->send, (std::vector<SimulcastStream>{{{"x", false}}}));

  const MediaSection& data = *sdp.FindMedia("d");
  EXPECT_EQ(data.port, 0);
  EXPECT_EQ(data.direction, MediaDirection::kInactive);
  EXPECT_FALSE(data.connection);
}

TEST(SessionDescriptionTest, WritesCrlfThatParsesBackEqual) {
  auto parsed = SessionDescription::Parse(kHandWritten);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const std::string written = parsed->ToString();
  EXPECT_EQ(written, WithCrlf(kHandWritten));
  for (size_t i = 0; i < written.size(); ++i) {
    if (written[i] == '\n') {
      ASSERT_TRUE(i > 0 && written[i - 1] == '\r');
    }
  }
  auto reparsed = SessionDescription::Parse(written);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_EQ(*reparsed, *parsed);
}

TEST(SessionDescriptionTest, BuildsAnAnswerFromScratch) {
  SessionDescription answer;
  answer.origin.session_id = "1234";
  answer.origin.session_version = 2;
  answer.ice_lite = true;
  answer.groups.push_back({"BUNDLE", {"0"}});
  answer.msid_semantic = "WMS";
  MediaSection audio;
  audio.media = "audio";
  audio.protocol = "UDP/TLS/RTP/SAVPF";
  audio.formats = {"111"};
  audio.connection = "IN IP4 127.0.0.1";
  audio.mid = "0";
  audio.ice_ufrag = "srvU";
  audio.ice_pwd = "serverpassword0123456789";
  audio.fingerprints.push_back({"sha-256", "AA:BB"});
  audio.setup = "passive";
  audio.direction = ReverseMediaDirection(MediaDirection::kSendOnly);
  audio.rtcp_mux = true;
  RtpCodec opus;
  opus.payload_type = 111;
  opus.name = "opus";
  opus.clock_rate = 48000;
  opus.channels = 2;
  opus.SetFmtpParameters({{"useinbandfec", "1"}, {"minptime", "10"}});
  opus.rtcp_feedback = {"transport-cc"};
  audio.codecs.push_back(opus);
  audio.candidates.push_back("candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host");
  audio.end_of_candidates = true;
  answer.media.push_back(audio);

  const std::string text = answer.ToString();
  EXPECT_EQ(text,
            "v=0\r\n"
            "o=- 1234 2 IN IP4 127.0.0.1\r\n"
            "s=-\r\n"
            "t=0 0\r\n"
            "a=ice-lite\r\n"
            "a=group:BUNDLE 0\r\n"
            "a=msid-semantic: WMS\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
            "c=IN IP4 127.0.0.1\r\n"
            "a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host\r\n"
            "a=end-of-candidates\r\n"
            "a=ice-ufrag:srvU\r\n"
            "a=ice-pwd:serverpassword0123456789\r\n"
            "a=fingerprint:sha-256 AA:BB\r\n"
            "a=setup:passive\r\n"
            "a=mid:0\r\n"
            "a=recvonly\r\n"
            "a=rtcp-mux\r\n"
            "a=rtpmap:111 opus/48000/2\r\n"
            "a=rtcp-fb:111 transport-cc\r\n"
            "a=fmtp:111 minptime=10;useinbandfec=1\r\n");
  auto parsed = SessionDescription::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, answer);
}

TEST(SessionDescriptionTest, RejectsBadInputNamingTheLine) {
  const std::string header = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"o=- 1 1 IN IP4 0.0.0.0\r\n", "line 1"},
      {"v=1\r\n", "line 1"},
      {"v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n", "line 4"},
      {header + "m=audio\r\n", "line 5"},
      {header + "m=audio 65536 RTP/AVP 0\r\n", "line 5"},
      {header + "m=audio 9/0 RTP/AVP 0\r\n", "line 5"},
      {header + "garbage\r\n", "line 5"},
      {header + "x=unknown\r\n", "line 5"},
      {header + "m=audio 9 RTP/AVP 0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=rtpmap:128 PCMU/8000\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/0\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:0 PCMA/8000\r\n",
       "line 7"},
      {header + "m=audio 9 RTP/AVP 0\r\na=fmtp:x apt=1\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=rtcp-fb:0\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=extmap:0 urn:x\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=extmap:1/sideways urn:x\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=ssrc:4294967296 cname:x\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=ssrc-group:FID 1 x\r\n", "line 6"},
      {header + "m=video 9 RTP/AVP 96\r\na=rid:f sideways\r\n", "line 6"},
      {header + "m=video 9 RTP/AVP 96\r\na=rid:f send pt=300\r\n", "line 6"},
      {header + "m=video 9 RTP/AVP 96\r\na=simulcast:send\r\n", "line 6"},
      {header + "m=video 9 RTP/AVP 96\r\na=simulcast:send a;;b\r\n", "line 6"},
      {header + "m=video 9 RTP/AVP 96\r\na=simulcast:send a send b\r\n", "line 6"},
      {header + "m=application 9 UDP/DTLS/SCTP x\r\na=sctp-port:70000\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=fingerprint:sha-256\r\n", "line 6"},
      {header + "m=audio 9 RTP/AVP 0\r\na=msid:\r\n", "line 6"},
      {header + "a=:value\r\n", "line 5"},
      {"v=0\r\no=- 1 x IN IP4 0.0.0.0\r\n", "line 2"},
      {"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", "lacks t="},
  };
  for (const auto& [text, where] : cases) {
    auto parsed = SessionDescription::Parse(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.status().message().find(where), std::string::npos)
        << parsed.status().message();
  }
  EXPECT_FALSE(
      SessionDescription::Parse(header + "a=x:" + std::string(kMaxSdpLineSize, 'y') + "\r\n").ok());
  std::string huge = header;
  while (huge.size() <= kMaxSessionDescriptionSize) huge += "a=x-filler:0123456789\r\n";
  EXPECT_FALSE(SessionDescription::Parse(huge).ok());
}

// Every prefix and many single-byte corruptions of a real offer parse or fail cleanly (run under
// the sanitizers this is a cheap deterministic fuzz pass).
TEST(SessionDescriptionTest, SurvivesTruncationAndCorruption) {
  const std::string text = ReadFixture("chromium_simulcast_offer.sdp");
  size_t ok_count = 0;
  for (size_t size = 0; size <= text.size(); size += 7) {
    ok_count += SessionDescription::Parse(std::string_view(text).substr(0, size)).ok();
  }
  EXPECT_GT(ok_count, 0u);
  const char replacements[] = {'\0', '\n', ':', ' ', '/', '=', 'a', '9', '\xff'};
  for (size_t i = 0; i < text.size(); i += 5) {
    std::string corrupted = text;
    corrupted[i] = replacements[i % sizeof(replacements)];
    auto parsed = SessionDescription::Parse(corrupted);
    if (parsed.ok()) {
      auto reparsed = SessionDescription::Parse(parsed->ToString());
      ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
    }
  }
}

}  // namespace
}  // namespace auralink::rtc
