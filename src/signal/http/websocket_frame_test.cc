#include "signal/http/websocket_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "signal/http/websocket_handshake.h"

namespace auralink::signal::http {
namespace {

using Reader = WebSocketMessageReader;

std::vector<uint8_t> Bytes(std::string_view text) { return {text.begin(), text.end()}; }

Reader::Result ReadOne(Reader* reader, std::vector<uint8_t> wire, WebSocketMessage* message) {
  reader->Append(wire);
  return reader->Next(message);
}

// RFC 6455 §5.7 examples.
TEST(WebSocketFrameTest, ReadsTheRfcExamples) {
  WebSocketMessage message;
  Reader client(Reader::Role::kClient, 1 << 20);
  ASSERT_EQ(ReadOne(&client, {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}, &message),
            Reader::Result::kMessage);
  EXPECT_EQ(message.opcode, WebSocketOpcode::kText);
  EXPECT_EQ(message.payload, Bytes("Hello"));

  Reader server(Reader::Role::kServer, 1 << 20);
  ASSERT_EQ(ReadOne(&server, {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
                    &message),
            Reader::Result::kMessage);
  EXPECT_EQ(message.payload, Bytes("Hello"));

  // Fragmented unmasked text: "Hel" then "lo".
  Reader fragments(Reader::Role::kClient, 1 << 20);
  ASSERT_EQ(ReadOne(&fragments, {0x01, 0x03, 'H', 'e', 'l', 0x80, 0x02, 'l', 'o'}, &message),
            Reader::Result::kMessage);
  EXPECT_EQ(message.opcode, WebSocketOpcode::kText);
  EXPECT_EQ(message.payload, Bytes("Hello"));

  // 256 bytes binary with a 16-bit length, 65536 bytes with a 64-bit length.
  std::vector<uint8_t> medium = {0x82, 0x7E, 0x01, 0x00};
  medium.resize(4 + 256, 0xab);
  ASSERT_EQ(ReadOne(&client, medium, &message), Reader::Result::kMessage);
  EXPECT_EQ(message.opcode, WebSocketOpcode::kBinary);
  EXPECT_EQ(message.payload.size(), 256u);
  std::vector<uint8_t> large = {0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0};
  large.resize(10 + 65536, 0xcd);
  ASSERT_EQ(ReadOne(&client, large, &message), Reader::Result::kMessage);
  EXPECT_EQ(message.payload.size(), 65536u);
}

TEST(WebSocketFrameTest, WritesTheRfcExamples) {
  std::vector<uint8_t> out;
  AppendWebSocketFrame(&out, WebSocketOpcode::kText, true, Bytes("Hello"), std::nullopt);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}));
  out.clear();
  AppendWebSocketFrame(&out, WebSocketOpcode::kText, true, Bytes("Hello"),
                       std::array<uint8_t, 4>{0x37, 0xfa, 0x21, 0x3d});
  EXPECT_EQ(out, (std::vector<uint8_t>{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51,
                                       0x58}));
  out.clear();
  AppendWebSocketFrame(&out, WebSocketOpcode::kBinary, true, std::vector<uint8_t>(256),
                       std::nullopt);
  EXPECT_EQ((std::vector<uint8_t>(out.begin(), out.begin() + 4)),
            (std::vector<uint8_t>{0x82, 0x7E, 0x01, 0x00}));
  out.clear();
  AppendWebSocketFrame(&out, WebSocketOpcode::kBinary, true, std::vector<uint8_t>(65536),
                       std::nullopt);
  EXPECT_EQ((std::vector<uint8_t>(out.begin(), out.begin() + 10)),
            (std::vector<uint8_t>{0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
}

// RFC 6455 §1.3 handshake example.
TEST(WebSocketFrameTest, AcceptKeyMatchesTheRfcExample) {
  EXPECT_EQ(ComputeWebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const std::string key = GenerateWebSocketKey();
  EXPECT_EQ(key.size(), 24u);
  EXPECT_EQ(key.substr(22), "==");
}

TEST(WebSocketFrameTest, RoundTripsEveryLengthEncodingAcrossSplitReads) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536},
                      size_t{200000}}) {
    std::vector<uint8_t> payload(size);
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(i * 31 + 7);
    std::vector<uint8_t> wire;
    AppendWebSocketFrame(&wire, WebSocketOpcode::kBinary, true, payload, GenerateWebSocketMask());
    Reader reader(Reader::Role::kServer, 1 << 20);
    WebSocketMessage message;
    // Feed in uneven pieces; only the last completes the message.
    size_t offset = 0;
    size_t piece = 1;
    Reader::Result result = Reader::Result::kNeedMore;
    while (offset < wire.size()) {
      const size_t take = std::min(piece, wire.size() - offset);
      reader.Append(std::span<const uint8_t>(wire).subspan(offset, take));
      offset += take;
      piece = piece * 3 + 1;
      result = reader.Next(&message);
      if (offset < wire.size()) {
        ASSERT_EQ(result, Reader::Result::kNeedMore) << size;
      }
    }
    ASSERT_EQ(result, Reader::Result::kMessage) << size;
    EXPECT_EQ(message.payload, payload) << size;
    EXPECT_EQ(reader.buffered_bytes(), 0u);
  }
}

TEST(WebSocketFrameTest, ControlFramesInterleaveWithFragments) {
  std::vector<uint8_t> wire;
  AppendWebSocketFrame(&wire, WebSocketOpcode::kBinary, false, Bytes("ab"), std::nullopt);
  AppendWebSocketFrame(&wire, WebSocketOpcode::kPing, true, Bytes("p"), std::nullopt);
  AppendWebSocketFrame(&wire, WebSocketOpcode::kContinuation, false, Bytes("cd"), std::nullopt);
  AppendWebSocketFrame(&wire, WebSocketOpcode::kContinuation, true, Bytes("ef"), std::nullopt);
  AppendWebSocketFrame(&wire, WebSocketOpcode::kClose, true,
                       MakeWebSocketClosePayload(4001, "done"), std::nullopt);
  Reader reader(Reader::Role::kClient, 100);
  reader.Append(wire);
  WebSocketMessage message;
  ASSERT_EQ(reader.Next(&message), Reader::Result::kMessage);
  EXPECT_EQ(message.opcode, WebSocketOpcode::kPing);
  EXPECT_EQ(message.payload, Bytes("p"));
  ASSERT_EQ(reader.Next(&message), Reader::Result::kMessage);
  EXPECT_EQ(message.opcode, WebSocketOpcode::kBinary);
  EXPECT_EQ(message.payload, Bytes("abcdef"));
  ASSERT_EQ(reader.Next(&message), Reader::Result::kMessage);
  EXPECT_EQ(message.opcode, WebSocketOpcode::kClose);
  EXPECT_EQ(message.close_code, 4001);
  EXPECT_EQ(message.close_reason, "done");
  EXPECT_EQ(reader.Next(&message), Reader::Result::kNeedMore);
}

struct BadFrame {
  const char* name;
  Reader::Role role;
  std::vector<uint8_t> wire;
  uint16_t expected_code;
};

TEST(WebSocketFrameTest, RejectsProtocolViolationsWithTheRightCloseCode) {
  const std::vector<BadFrame> cases = {
      {"unmasked client frame", Reader::Role::kServer, {0x81, 0x01, 'x'}, kCloseProtocolError},
      {"masked server frame",
       Reader::Role::kClient,
       {0x81, 0x81, 1, 2, 3, 4, 'x'},
       kCloseProtocolError},
      {"reserved bit", Reader::Role::kClient, {0xC1, 0x01, 'x'}, kCloseProtocolError},
      {"unknown opcode", Reader::Role::kClient, {0x83, 0x00}, kCloseProtocolError},
      {"fragmented ping", Reader::Role::kClient, {0x09, 0x00}, kCloseProtocolError},
      {"long ping", Reader::Role::kClient, {0x89, 0x7E, 0x00, 0x7E}, kCloseProtocolError},
      {"lone continuation", Reader::Role::kClient, {0x80, 0x01, 'x'}, kCloseProtocolError},
      {"message inside a message",
       Reader::Role::kClient,
       {0x01, 0x01, 'a', 0x81, 0x01, 'b'},
       kCloseProtocolError},
      {"64-bit top bit",
       Reader::Role::kClient,
       {0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1},
       kCloseProtocolError},
      {"declared too big",
       Reader::Role::kClient,
       {0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0},
       kCloseMessageTooBig},
      {"invalid UTF-8 text", Reader::Role::kClient, {0x81, 0x02, 0xC0, 0x80}, kCloseInvalidPayload},
      {"one-byte close", Reader::Role::kClient, {0x88, 0x01, 0x03}, kCloseProtocolError},
      {"reserved close code 1004",
       Reader::Role::kClient,
       {0x88, 0x02, 0x03, 0xEC},
       kCloseProtocolError},
      {"close code 1005 on the wire",
       Reader::Role::kClient,
       {0x88, 0x02, 0x03, 0xED},
       kCloseProtocolError},
      {"close reason not UTF-8",
       Reader::Role::kClient,
       {0x88, 0x03, 0x03, 0xE8, 0xFF},
       kCloseInvalidPayload},
  };
  for (const BadFrame& bad : cases) {
    Reader reader(bad.role, 1000);
    reader.Append(bad.wire);
    WebSocketMessage message;
    Reader::Result result = reader.Next(&message);
    while (result == Reader::Result::kMessage) result = reader.Next(&message);
    EXPECT_EQ(result, Reader::Result::kError) << bad.name;
    EXPECT_EQ(reader.error_close_code(), bad.expected_code) << bad.name;
    EXPECT_FALSE(reader.error_message().empty()) << bad.name;
    EXPECT_EQ(reader.Next(&message), Reader::Result::kError) << bad.name;  // stays failed
  }
}

TEST(WebSocketFrameTest, FragmentsPastTheMessageLimitAreRefusedBeforeBuffering) {
  Reader reader(Reader::Role::kClient, 1000);
  std::vector<uint8_t> wire;
  AppendWebSocketFrame(&wire, WebSocketOpcode::kBinary, false, std::vector<uint8_t>(600),
                       std::nullopt);
  // Only the header of the second fragment: the limit is known before its payload arrives.
  wire.insert(wire.end(), {0x80, 0x7E, 0x01, 0x91});  // 401 more bytes
  reader.Append(wire);
  WebSocketMessage message;
  EXPECT_EQ(reader.Next(&message), Reader::Result::kError);
  EXPECT_EQ(reader.error_close_code(), kCloseMessageTooBig);
}

TEST(WebSocketFrameTest, Utf8Validation) {
  auto valid = [](std::vector<uint8_t> bytes) { return IsValidUtf8(bytes); };
  EXPECT_TRUE(valid(Bytes("plain ascii")));
  EXPECT_TRUE(valid({0xC3, 0xB6}));               // ö
  EXPECT_TRUE(valid({0xE2, 0x82, 0xAC}));         // €
  EXPECT_TRUE(valid({0xF0, 0x9F, 0x98, 0x80}));   // U+1F600
  EXPECT_FALSE(valid({0xC0, 0xAF}));              // overlong '/'
  EXPECT_FALSE(valid({0xE0, 0x80, 0xAF}));        // overlong
  EXPECT_FALSE(valid({0xED, 0xA0, 0x80}));        // surrogate U+D800
  EXPECT_FALSE(valid({0xF4, 0x90, 0x80, 0x80}));  // past U+10FFFF
  EXPECT_FALSE(valid({0xE2, 0x82}));              // truncated
  EXPECT_FALSE(valid({0x80}));                    // lone continuation
  EXPECT_FALSE(valid({0xFF}));
}

TEST(WebSocketFrameTest, ClosePayloadKeepsReasonsShortAndWhole) {
  const auto payload = MakeWebSocketClosePayload(1000, "ok");
  EXPECT_EQ(payload, (std::vector<uint8_t>{0x03, 0xE8, 'o', 'k'}));
  std::string long_reason;
  for (int i = 0; i < 100; ++i) long_reason += "\xC3\xB6";  // 200 bytes of 'ö'
  const auto cut = MakeWebSocketClosePayload(1000, long_reason);
  EXPECT_LE(cut.size(), 125u);
  EXPECT_TRUE(IsValidUtf8(std::span<const uint8_t>(cut).subspan(2)));
  EXPECT_TRUE(IsValidWebSocketCloseCode(1000));
  EXPECT_TRUE(IsValidWebSocketCloseCode(4999));
  EXPECT_FALSE(IsValidWebSocketCloseCode(1005));
  EXPECT_FALSE(IsValidWebSocketCloseCode(1006));
  EXPECT_FALSE(IsValidWebSocketCloseCode(999));
  EXPECT_FALSE(IsValidWebSocketCloseCode(2000));
}

}  // namespace
}  // namespace auralink::signal::http
