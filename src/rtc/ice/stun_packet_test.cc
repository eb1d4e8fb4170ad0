#include "rtc/ice/stun_packet.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

namespace auralink::rtc {
namespace {

// RFC 5769 §2.1: sample request with USERNAME "evtj:h6vY" and password "VOkJxbRl1RmTxUk/WvJxBt".
// SOFTWARE and USERNAME are padded with spaces on purpose: padding bytes must be ignored.
const std::vector<uint8_t> kSampleRequest = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

// RFC 5769 §2.2: sample IPv4 response, mapped address 192.0.2.1:32853.
const std::vector<uint8_t> kSampleIpv4Response = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

// RFC 5769 §2.3: sample IPv6 response, mapped address
// [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const std::vector<uint8_t> kSampleIpv6Response = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

constexpr char kSamplePassword[] = "VOkJxbRl1RmTxUk/WvJxBt";

const StunTransactionId kSampleTransactionId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                                0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

net::SocketAddress Address(const char* ip, uint16_t port) {
  return *net::SocketAddress::FromIp(ip, port);
}

TEST(StunCrc32Test, MatchesTheStandardCheckValue) {
  const std::string text = "123456789";
  EXPECT_EQ(StunCrc32({reinterpret_cast<const uint8_t*>(text.data()), text.size()}), 0xCBF43926u);
}

TEST(StunPacketTest, ParsesRfc5769SampleRequest) {
  ASSERT_TRUE(IsStunPacket(kSampleRequest));
  auto packet = StunPacket::Parse(kSampleRequest);
  ASSERT_TRUE(packet.ok()) << packet.status().message();
  EXPECT_EQ(packet->message_class(), StunClass::kRequest);
  EXPECT_EQ(packet->method(), kStunMethodBinding);
  EXPECT_EQ(packet->transaction_id(), kSampleTransactionId);
  EXPECT_EQ(packet->username(), "evtj:h6vY");
  EXPECT_EQ(packet->priority(), 0x6e0001ffu);
  EXPECT_EQ(packet->ice_controlled(), 0x932ff9b151263b36ull);
  EXPECT_FALSE(packet->ice_controlling());
  EXPECT_FALSE(packet->use_candidate());
  EXPECT_TRUE(packet->has_fingerprint());
  EXPECT_TRUE(packet->unknown_required_attributes().empty());
  EXPECT_TRUE(packet->VerifyMessageIntegrity(kSamplePassword));
  EXPECT_FALSE(packet->VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBT"));
}

TEST(StunPacketTest, ParsesRfc5769SampleIpv4Response) {
  auto packet = StunPacket::Parse(kSampleIpv4Response);
  ASSERT_TRUE(packet.ok()) << packet.status().message();
  EXPECT_EQ(packet->message_class(), StunClass::kSuccessResponse);
  ASSERT_TRUE(packet->xor_mapped_address());
  EXPECT_EQ(*packet->xor_mapped_address(), Address("192.0.2.1", 32853));
  EXPECT_TRUE(packet->VerifyMessageIntegrity(kSamplePassword));
}

TEST(StunPacketTest, ParsesRfc5769SampleIpv6Response) {
  auto packet = StunPacket::Parse(kSampleIpv6Response);
  ASSERT_TRUE(packet.ok()) << packet.status().message();
  ASSERT_TRUE(packet->xor_mapped_address());
  EXPECT_EQ(*packet->xor_mapped_address(), Address("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  EXPECT_TRUE(packet->VerifyMessageIntegrity(kSamplePassword));
}

TEST(StunPacketTest, RejectsAnyFlippedBitThroughFingerprintOrStructure) {
  for (size_t i = 0; i < kSampleRequest.size(); ++i) {
    auto corrupted = kSampleRequest;
    corrupted[i] ^= 0x01;
    auto packet = StunPacket::Parse(corrupted);
    // Every byte before FINGERPRINT is covered by its CRC; a flip in FINGERPRINT's own type can
    // only turn it into another attribute, and then the packet no longer claims a FINGERPRINT.
    EXPECT_TRUE(!packet.ok() || !packet->has_fingerprint()) << "byte " << i;
  }
}

TEST(StunPacketTest, RejectsTruncationsAndBadHeaders) {
  for (size_t size = 0; size < kSampleRequest.size(); ++size) {
    EXPECT_FALSE(StunPacket::Parse(std::span<const uint8_t>(kSampleRequest.data(), size)).ok());
  }
  auto bad_cookie = kSampleRequest;
  bad_cookie[4] = 0x22;
  EXPECT_FALSE(IsStunPacket(bad_cookie));
  auto dtls_like = kSampleRequest;
  dtls_like[0] = 22;  // a DTLS record (RFC 7983 §7)
  EXPECT_FALSE(IsStunPacket(dtls_like));
  EXPECT_FALSE(StunPacket::Parse(dtls_like).ok());
}

// Builds the RFC 5769 request's attributes again and checks MESSAGE-INTEGRITY with OpenSSL
// directly, so the builder is tested against HMAC computed here rather than by itself.
TEST(StunMessageBuilderTest, BindingRequestCarriesIndependentlyCheckedIntegrity) {
  StunBindingRequest request;
  request.transaction_id = kSampleTransactionId;
  request.username = "evtj:h6vY";
  request.password = kSamplePassword;
  request.priority = 0x6e0001ff;
  request.ice_controlling_tie_breaker = 0x0102030405060708ull;
  request.use_candidate = true;
  const auto bytes = BuildStunBindingRequest(request);

  // header 20 + USERNAME 4+12 + PRIORITY 8 + ICE-CONTROLLING 12 + USE-CANDIDATE 4 +
  // MESSAGE-INTEGRITY 24 + FINGERPRINT 8
  ASSERT_EQ(bytes.size(), 92u);
  EXPECT_TRUE(IsStunPacket(bytes));
  const size_t integrity_offset = bytes.size() - 8 - 24;
  EXPECT_EQ(bytes[integrity_offset + 1], 0x08);
  std::vector<uint8_t> covered(bytes.begin(), bytes.begin() + integrity_offset);
  covered[3] = static_cast<uint8_t>(integrity_offset + 24 - 20);
  uint8_t digest[20];
  unsigned int digest_length = 0;
  HMAC(EVP_sha1(), kSamplePassword, 22, covered.data(), covered.size(), digest, &digest_length);
  EXPECT_EQ(std::vector<uint8_t>(digest, digest + 20),
            std::vector<uint8_t>(bytes.begin() + integrity_offset + 4,
                                 bytes.begin() + integrity_offset + 24));

  auto packet = StunPacket::Parse(bytes);
  ASSERT_TRUE(packet.ok()) << packet.status().message();
  EXPECT_EQ(packet->username(), "evtj:h6vY");
  EXPECT_EQ(packet->priority(), 0x6e0001ffu);
  EXPECT_EQ(packet->ice_controlling(), 0x0102030405060708ull);
  EXPECT_TRUE(packet->use_candidate());
  EXPECT_TRUE(packet->VerifyMessageIntegrity(kSamplePassword));
}

// A key prepared once gives what a one-shot HMAC gives, call after call (the restarted MAC keeps
// no state from the message before), for the RFC's samples and for the builder.
TEST(StunIntegrityKeyTest, PreparedKeyVerifiesRfc5769SamplesRepeatedly) {
  const StunIntegrityKey key(kSamplePassword);
  const StunIntegrityKey wrong("VOkJxbRl1RmTxUk/WvJxBT");
  const StunIntegrityKey empty;
  EXPECT_TRUE(empty.empty());
  for (int round = 0; round < 3; ++round) {
    for (const auto* sample : {&kSampleRequest, &kSampleIpv4Response}) {
      auto packet = StunPacket::Parse(*sample);
      ASSERT_TRUE(packet.ok()) << packet.status().message();
      EXPECT_TRUE(packet->VerifyMessageIntegrity(key));
      EXPECT_FALSE(packet->VerifyMessageIntegrity(wrong));
      EXPECT_FALSE(packet->VerifyMessageIntegrity(empty));
    }
  }
}

TEST(StunIntegrityKeyTest, MacOverPartsEqualsOneShotHmacOfTheirConcatenation) {
  const std::string password = "serverpassword0123456789";
  const StunIntegrityKey key(password);
  std::vector<uint8_t> message(150);
  for (size_t i = 0; i < message.size(); ++i) message[i] = static_cast<uint8_t>(i * 7 + 1);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{64}, size_t{149}, size_t{150}}) {
    const std::span<const uint8_t> whole(message);
    const std::span<const uint8_t> parts[] = {whole.first(cut), whole.subspan(cut)};
    uint8_t expected[20];
    unsigned int expected_length = 0;
    HMAC(EVP_sha1(), password.data(), static_cast<int>(password.size()), message.data(),
         message.size(), expected, &expected_length);
    const auto digest = key.Mac(parts);
    EXPECT_EQ(std::vector<uint8_t>(digest.begin(), digest.end()),
              std::vector<uint8_t>(expected, expected + 20))
        << "cut at " << cut;
  }
}

TEST(StunIntegrityKeyTest, CopiesAndMovesKeepTheKey) {
  StunIntegrityKey original(kSamplePassword);
  const StunIntegrityKey copy = original;
  StunIntegrityKey assigned_target("another-password-of-22chars");
  assigned_target = copy;
  const StunIntegrityKey& assigned = assigned_target;
  const StunIntegrityKey moved = std::move(original);
  auto packet = StunPacket::Parse(kSampleRequest);
  ASSERT_TRUE(packet.ok());
  for (const StunIntegrityKey* key : {&copy, &assigned, &moved}) {
    EXPECT_EQ(key->password(), kSamplePassword);
    EXPECT_TRUE(packet->VerifyMessageIntegrity(*key));
  }
  // A response signed with a prepared key checks with the password, and the other way round.
  const auto response =
      BuildStunBindingSuccessResponse(kSampleTransactionId, Address("192.0.2.1", 32853), copy);
  auto parsed = StunPacket::Parse(response);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->VerifyMessageIntegrity(kSamplePassword));
  const auto error = BuildStunBindingErrorResponse(kSampleTransactionId, 487, kSamplePassword);
  auto parsed_error = StunPacket::Parse(error);
  ASSERT_TRUE(parsed_error.ok()) << parsed_error.status().message();
  EXPECT_TRUE(parsed_error->VerifyMessageIntegrity(copy));
  // No key: no MESSAGE-INTEGRITY at all.
  auto unsigned_error = StunPacket::Parse(
      BuildStunBindingErrorResponse(kSampleTransactionId, 401, StunIntegrityKey()));
  ASSERT_TRUE(unsigned_error.ok());
  EXPECT_FALSE(unsigned_error->has_message_integrity());
}

// The builder's XOR-MAPPED-ADDRESS and integrity must reproduce the RFC's sample response bytes
// (everything after its SOFTWARE attribute, which the builder does not write, differs only in the
// header length and so in MESSAGE-INTEGRITY; the address bytes must be identical).
TEST(StunMessageBuilderTest, XorMappedAddressMatchesRfc5769Bytes) {
  for (const auto& [sample, ip] :
       {std::pair{&kSampleIpv4Response, "192.0.2.1"},
        std::pair{&kSampleIpv6Response, "2001:db8:1234:5678:11:2233:4455:6677"}}) {
    const auto bytes =
        BuildStunBindingSuccessResponse(kSampleTransactionId, Address(ip, 32853), "");
    const size_t address_size = bytes.size() - 20 - 8;  // without header and FINGERPRINT
    const std::vector<uint8_t> expected(sample->begin() + 36, sample->begin() + 36 + address_size);
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 20, bytes.begin() + 20 + address_size), expected)
        << ip;
  }
}

TEST(StunMessageBuilderTest, SuccessResponseRoundTrips) {
  const auto address = Address("2001:db8::7", 5000);
  const auto bytes = BuildStunBindingSuccessResponse(kSampleTransactionId, address, "secret");
  auto packet = StunPacket::Parse(bytes);
  ASSERT_TRUE(packet.ok()) << packet.status().message();
  EXPECT_EQ(packet->message_class(), StunClass::kSuccessResponse);
  EXPECT_EQ(packet->method(), kStunMethodBinding);
  EXPECT_EQ(*packet->xor_mapped_address(), address);
  EXPECT_TRUE(packet->VerifyMessageIntegrity("secret"));
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_EQ(bytes[1], 0x01);
}

TEST(StunMessageBuilderTest, ErrorResponsesCarryCodeAndReason) {
  for (int code : {400, 401, 487}) {
    const std::string password = code == 487 ? "pwd" : "";
    const auto bytes = BuildStunBindingErrorResponse(kSampleTransactionId, code, password);
    EXPECT_EQ(bytes[0], 0x01);
    EXPECT_EQ(bytes[1], 0x11);  // Binding error response (RFC 5389 §6)
    auto packet = StunPacket::Parse(bytes);
    ASSERT_TRUE(packet.ok()) << packet.status().message();
    EXPECT_EQ(packet->message_class(), StunClass::kErrorResponse);
    ASSERT_TRUE(packet->error_code());
    EXPECT_EQ(packet->error_code()->code, code);
    EXPECT_EQ(packet->error_code()->reason, StunErrorReason(code));
    EXPECT_EQ(packet->has_message_integrity(), code == 487);
    if (code == 487) {
      EXPECT_TRUE(packet->VerifyMessageIntegrity("pwd"));
    }
  }
}

TEST(StunPacketTest, IgnoresAttributesAfterIntegrityButNotAfterFingerprint) {
  StunMessageBuilder builder(StunClass::kRequest, kStunMethodBinding, kSampleTransactionId);
  builder.AddUsername("a:b");
  auto bytes = builder.Finish("key", /*fingerprint=*/false);
  // Append a PRIORITY after MESSAGE-INTEGRITY: it must be ignored, and integrity still holds.
  const uint8_t priority[] = {0x00, 0x24, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07};
  bytes.insert(bytes.end(), std::begin(priority), std::end(priority));
  bytes[3] = static_cast<uint8_t>(bytes.size() - 20);
  auto packet = StunPacket::Parse(bytes);
  ASSERT_TRUE(packet.ok()) << packet.status().message();
  EXPECT_FALSE(packet->priority());
  EXPECT_TRUE(packet->VerifyMessageIntegrity("key"));

  StunMessageBuilder with_fingerprint(StunClass::kRequest, kStunMethodBinding,
                                      kSampleTransactionId);
  auto after_fingerprint = with_fingerprint.Finish("", true);
  after_fingerprint.insert(after_fingerprint.end(), std::begin(priority), std::end(priority));
  after_fingerprint[3] = static_cast<uint8_t>(after_fingerprint.size() - 20);
  EXPECT_FALSE(StunPacket::Parse(after_fingerprint).ok());
}

TEST(StunPacketTest, ListsUnknownComprehensionRequiredAttributes) {
  StunMessageBuilder builder(StunClass::kRequest, kStunMethodBinding, kSampleTransactionId);
  const uint8_t value[] = {1, 2, 3};
  builder.AddAttribute(0x7777, value);  // unknown, comprehension-required, padded by 1
  builder.AddAttribute(0xC057, value);  // unknown, comprehension-optional
  auto packet = StunPacket::Parse(builder.Finish("k"));
  ASSERT_TRUE(packet.ok()) << packet.status().message();
  EXPECT_EQ(packet->unknown_required_attributes(), std::vector<uint16_t>{0x7777});
}

TEST(StunPacketTest, RejectsMalformedKnownAttributes) {
  const uint8_t three[] = {0, 0, 0};
  for (uint16_t type : {kStunAttrPriority, kStunAttrIceControlling, kStunAttrIceControlled,
                        kStunAttrXorMappedAddress, kStunAttrErrorCode, kStunAttrUseCandidate,
                        kStunAttrMessageIntegrity}) {
    StunMessageBuilder builder(StunClass::kRequest, kStunMethodBinding, kSampleTransactionId);
    builder.AddAttribute(type, three);
    EXPECT_FALSE(StunPacket::Parse(builder.Finish("", false)).ok()) << type;
  }
}

}  // namespace
}  // namespace auralink::rtc
