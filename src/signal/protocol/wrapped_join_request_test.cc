#include "signal/protocol/wrapped_join_request.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "signal/auth/base64_url.h"
#include "signal/protocol/signal_message.h"

namespace auralink::signal {
namespace {

livekit::JoinRequest SampleJoinRequest() {
  livekit::JoinRequest request;
  request.mutable_client_info()->set_sdk(livekit::ClientInfo::JS);
  request.mutable_client_info()->set_version("2.23.0");
  request.mutable_connection_settings()->set_auto_subscribe(true);
  request.set_metadata("{\"role\":\"host\"}");
  (*request.mutable_participant_attributes())["team"] = "blue";
  livekit::AddTrackRequest* add = request.add_add_track_requests();
  add->set_cid("camera-cid");
  add->set_type(livekit::VIDEO);
  request.mutable_publisher_offer()->set_type("offer");
  request.mutable_publisher_offer()->set_sdp(std::string(3000, 'v') + "\r\n");
  request.mutable_publisher_offer()->set_id(1);
  request.set_reconnect(true);
  request.set_participant_sid("PA_abc");
  return request;
}

// What livekit-client 2.23 writes: btoa() of the WrappedJoinRequest with '+' and '/' swapped for
// '-' and '_', '=' padding kept.
std::string AsLiveKitClientWrites(const std::string& unpadded_url_safe) {
  std::string text = unpadded_url_safe;
  while (text.size() % 4 != 0) text += '=';
  return text;
}

std::string WrappedBase64(livekit::WrappedJoinRequest::Compression compression,
                          const std::string& payload) {
  livekit::WrappedJoinRequest wrapped;
  wrapped.set_compression(compression);
  wrapped.set_join_request(payload);
  return Base64UrlEncode(SerializeMessage(wrapped));
}

std::string ZlibGzip(const std::string& bytes) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, bytes.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(WrappedJoinRequestTest, DecodesUncompressedAndGzipInBothAlphabetsWithAndWithoutPadding) {
  const livekit::JoinRequest request = SampleJoinRequest();
  const std::vector<uint8_t> expected = SerializeMessage(request);
  const std::string raw(expected.begin(), expected.end());
  for (const auto compression :
       {livekit::WrappedJoinRequest::NONE, livekit::WrappedJoinRequest::GZIP}) {
    const std::string encoded = WrappedBase64(
        compression, compression == livekit::WrappedJoinRequest::GZIP ? ZlibGzip(raw) : raw);
    std::string standard_alphabet = AsLiveKitClientWrites(encoded);
    for (char& c : standard_alphabet) {
      if (c == '-') c = '+';
      if (c == '_') c = '/';
    }
    for (const std::string& text : {encoded, AsLiveKitClientWrites(encoded), standard_alphabet}) {
      auto decoded = DecodeJoinRequestParameter(text);
      ASSERT_TRUE(decoded.ok()) << decoded.status().message();
      EXPECT_EQ(SerializeMessage(*decoded), expected);
      EXPECT_EQ(decoded->publisher_offer().id(), 1u);
      EXPECT_EQ(decoded->participant_attributes().at("team"), "blue");
      EXPECT_TRUE(decoded->connection_settings().auto_subscribe());
    }
  }
}

TEST(WrappedJoinRequestTest, EmptyIsTheEmptyJoinRequest) {
  auto decoded = DecodeJoinRequestParameter("");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->ByteSizeLong(), 0u);
}

TEST(WrappedJoinRequestTest, EncodeRoundTrips) {
  const livekit::JoinRequest request = SampleJoinRequest();
  for (bool gzip : {false, true}) {
    auto decoded = DecodeJoinRequestParameter(EncodeJoinRequestParameter(request, gzip));
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(SerializeMessage(*decoded), SerializeMessage(request));
  }
  // The offer's 3000 repeated bytes compress.
  EXPECT_LT(EncodeJoinRequestParameter(request, true).size(),
            EncodeJoinRequestParameter(request, false).size() / 2);
}

TEST(WrappedJoinRequestTest, RefusesBadInputWithAnErrorNamingTheLayer) {
  const auto error_of = [](const std::string& text) {
    auto decoded = DecodeJoinRequestParameter(text);
    EXPECT_FALSE(decoded.ok()) << text;
    return decoded.ok() ? std::string() : decoded.status().message();
  };
  EXPECT_NE(error_of("AAA*").find("base64"), std::string::npos);
  EXPECT_NE(error_of("QUJD===").find("base64"), std::string::npos);
  EXPECT_NE(error_of("Q").find("base64"), std::string::npos);
  // Valid base64 of bytes that are no WrappedJoinRequest (a truncated varint).
  EXPECT_NE(error_of(Base64UrlEncode(std::string("\x08\xff"))).find("WrappedJoinRequest"),
            std::string::npos);
  // GZIP claimed, garbage inside.
  EXPECT_NE(error_of(WrappedBase64(livekit::WrappedJoinRequest::GZIP, "not gzip")).find("gzip"),
            std::string::npos);
  // GZIP cut short.
  const std::vector<uint8_t> bytes = SerializeMessage(SampleJoinRequest());
  const std::string gzipped = ZlibGzip(std::string(bytes.begin(), bytes.end()));
  EXPECT_NE(error_of(WrappedBase64(livekit::WrappedJoinRequest::GZIP,
                                   gzipped.substr(0, gzipped.size() / 2)))
                .find("gzip"),
            std::string::npos);
  // Inflates fine, but to bytes that are no JoinRequest.
  EXPECT_NE(error_of(WrappedBase64(livekit::WrappedJoinRequest::GZIP, ZlibGzip("\x0a\xff\xff")))
                .find("JoinRequest"),
            std::string::npos);
  // An unknown compression.
  EXPECT_NE(error_of(WrappedBase64(static_cast<livekit::WrappedJoinRequest::Compression>(7), ""))
                .find("compression"),
            std::string::npos);
}

TEST(WrappedJoinRequestTest, RefusesAGzipBombInsteadOfInflatingIt) {
  // 64 MiB of zeros gzip to about 64 KiB; the decoder stops at kMaxJoinRequestBytes.
  const std::string zeros(64u << 20, '\0');
  const std::string bomb = ZlibGzip(zeros);
  ASSERT_LT(bomb.size(), kMaxJoinRequestBytes / 4);
  auto decoded = DecodeJoinRequestParameter(WrappedBase64(livekit::WrappedJoinRequest::GZIP, bomb));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("inflates beyond"), std::string::npos);
}

}  // namespace
}  // namespace auralink::signal
