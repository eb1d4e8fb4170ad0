#include "rtc/ice/stun_packet.h"

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>

#include "common/log.h"

namespace auralink::rtc {
namespace {

constexpr uint32_t kFingerprintXor = 0x5354554e;
constexpr size_t kIntegritySize = 20;     // HMAC-SHA1
constexpr size_t kMaxUsernameSize = 513;  // RFC 5389 §15.3

uint16_t ReadU16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t ReadU64(const uint8_t* p) { return (uint64_t{ReadU32(p)} << 32) | ReadU32(p + 4); }

void WriteU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void WriteU32(uint8_t* p, uint32_t v) {
  WriteU16(p, static_cast<uint16_t>(v >> 16));
  WriteU16(p + 2, static_cast<uint16_t>(v));
}

// RFC 5389 §6: the class bits C1 (bit 8) and C0 (bit 4) are interleaved with the method bits.
uint16_t EncodeMessageType(StunClass message_class, uint16_t method) {
  const uint16_t c = static_cast<uint16_t>(message_class);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                               ((method & 0x0F80) << 2) | ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

std::string Hex16(uint16_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x0000";
  for (int i = 0; i < 4; ++i) text[5 - i] = kDigits[(value >> (4 * i)) & 0xF];
  return text;
}

size_t Padded(size_t length) { return (length + 3) & ~size_t{3}; }

// OpenSSL's HMAC, looked up once for the process.
EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  return mac;
}

}  // namespace

StunIntegrityKey::StunIntegrityKey(std::string_view password) : password_(password) {
  if (password_.empty()) return;
  EVP_MAC_CTX* context = HmacAlgorithm() ? EVP_MAC_CTX_new(HmacAlgorithm()) : nullptr;
  char digest[] = "SHA1";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  context_.reset(context);
  if (context == nullptr ||
      EVP_MAC_init(context, reinterpret_cast<const unsigned char*>(password_.data()),
                   password_.size(), params) != 1) {
    // Only a broken OpenSSL installation gets here. Without a MAC every check fails (401) and
    // every response carries a MESSAGE-INTEGRITY no peer accepts: no connection is made.
    AURALINK_LOG(kError) << "STUN: OpenSSL could not key HMAC-SHA1; ICE checks will fail";
    context_.reset();
  }
}

StunIntegrityKey& StunIntegrityKey::operator=(const StunIntegrityKey& other) {
  if (this != &other) *this = StunIntegrityKey(other.password_);
  return *this;
}

void StunIntegrityKey::ContextFree::operator()(void* context) const {
  EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(context));
}

std::array<uint8_t, 20> StunIntegrityKey::Mac(
    std::span<const std::span<const uint8_t>> parts) const {
  std::array<uint8_t, 20> digest{};
  auto* context = static_cast<EVP_MAC_CTX*>(context_.get());
  if (context == nullptr) return digest;
  // A null key restarts the MAC with the key set at construction (OpenSSL 3 EVP_MAC_init).
  size_t length = 0;
  bool ok = EVP_MAC_init(context, nullptr, 0, nullptr) == 1;
  for (std::span<const uint8_t> part : parts)
    ok = ok && EVP_MAC_update(context, part.data(), part.size()) == 1;
  ok = ok && EVP_MAC_final(context, digest.data(), &length, digest.size()) == 1;
  if (!ok || length != digest.size()) digest.fill(0);  // matches no peer's: the check fails
  return digest;
}

namespace {

StatusOr<net::SocketAddress> ParseXorMappedAddress(std::span<const uint8_t> value,
                                                   const StunTransactionId& transaction_id) {
  if (value.size() < 4) return Status::Error("XOR-MAPPED-ADDRESS shorter than 4 bytes");
  const uint8_t family = value[1];
  const uint16_t port = ReadU16(&value[2]) ^ static_cast<uint16_t>(kStunMagicCookie >> 16);
  net::SocketAddress address;
  if (family == 0x01) {
    if (value.size() != 8) return Status::Error("XOR-MAPPED-ADDRESS IPv4 value is not 8 bytes");
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    const uint32_t ip = ReadU32(&value[4]) ^ kStunMagicCookie;
    v4.sin_addr.s_addr = htonl(ip);
    return *net::SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&v4), sizeof(v4));
  }
  if (family == 0x02) {
    if (value.size() != 20) return Status::Error("XOR-MAPPED-ADDRESS IPv6 value is not 20 bytes");
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    // The address is XORed with the magic cookie followed by the transaction ID (§15.2).
    uint8_t mask[16];
    WriteU32(mask, kStunMagicCookie);
    std::memcpy(mask + 4, transaction_id.data(), transaction_id.size());
    for (int i = 0; i < 16; ++i) v6.sin6_addr.s6_addr[i] = value[4 + i] ^ mask[i];
    return *net::SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&v6), sizeof(v6));
  }
  return Status::Error("XOR-MAPPED-ADDRESS has unknown address family " + std::to_string(family));
}

}  // namespace

uint32_t StunCrc32(std::span<const uint8_t> bytes) {
  static const auto kTable = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return table;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes) crc = kTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

bool IsStunPacket(std::span<const uint8_t> bytes) {
  if (bytes.size() < kStunHeaderSize || bytes[0] > 3) return false;
  if (ReadU32(&bytes[4]) != kStunMagicCookie) return false;
  const size_t length = ReadU16(&bytes[2]);
  return length % 4 == 0 && length + kStunHeaderSize == bytes.size();
}

StatusOr<StunPacket> StunPacket::Parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < kStunHeaderSize) return Status::Error("STUN message shorter than 20 bytes");
  if ((bytes[0] & 0xC0) != 0) return Status::Error("STUN message type has its top bits set");
  if (ReadU32(&bytes[4]) != kStunMagicCookie) return Status::Error("STUN magic cookie missing");
  const size_t length = ReadU16(&bytes[2]);
  if (length % 4 != 0) return Status::Error("STUN message length is not a multiple of 4");
  if (length + kStunHeaderSize != bytes.size()) {
    return Status::Error("STUN message length " + std::to_string(length) + " does not match " +
                         std::to_string(bytes.size() - kStunHeaderSize) + " bytes of attributes");
  }

  StunPacket packet;
  packet.bytes_.assign(bytes.begin(), bytes.end());
  const uint16_t type = ReadU16(&bytes[0]);
  packet.message_class_ = static_cast<StunClass>(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
  packet.method_ =
      static_cast<uint16_t>((type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80));
  std::memcpy(packet.transaction_id_.data(), &bytes[8], packet.transaction_id_.size());

  size_t offset = kStunHeaderSize;
  while (offset < bytes.size()) {
    if (packet.has_fingerprint_) return Status::Error("STUN attribute after FINGERPRINT");
    if (bytes.size() - offset < 4) return Status::Error("truncated STUN attribute header");
    const uint16_t attribute_type = ReadU16(&bytes[offset]);
    const size_t value_length = ReadU16(&bytes[offset + 2]);
    const size_t value_offset = offset + 4;
    if (Padded(value_length) > bytes.size() - value_offset) {
      return Status::Error("STUN attribute " + Hex16(attribute_type) + " overruns the message");
    }
    const std::span<const uint8_t> value = bytes.subspan(value_offset, value_length);
    const size_t attribute_offset = offset;
    offset = value_offset + Padded(value_length);

    // RFC 5389 §15.4: attributes after MESSAGE-INTEGRITY, other than FINGERPRINT, are ignored.
    if (packet.integrity_offset_ && attribute_type != kStunAttrFingerprint) continue;

    switch (attribute_type) {
      case kStunAttrUsername:
        if (value_length > kMaxUsernameSize) return Status::Error("STUN USERNAME too long");
        packet.username_.emplace(value.begin(), value.end());
        break;
      case kStunAttrMessageIntegrity:
        if (value_length != kIntegritySize) {
          return Status::Error("STUN MESSAGE-INTEGRITY is not 20 bytes");
        }
        packet.integrity_offset_ = attribute_offset;
        break;
      case kStunAttrFingerprint: {
        if (value_length != 4) return Status::Error("STUN FINGERPRINT is not 4 bytes");
        const uint32_t expected = StunCrc32(bytes.first(attribute_offset)) ^ kFingerprintXor;
        if (ReadU32(value.data()) != expected) {
          return Status::Error("STUN FINGERPRINT does not match the message");
        }
        packet.has_fingerprint_ = true;
        break;
      }
      case kStunAttrXorMappedAddress: {
        auto address = ParseXorMappedAddress(value, packet.transaction_id_);
        if (!address.ok()) return address.status();
        packet.xor_mapped_address_ = *address;
        break;
      }
      case kStunAttrPriority:
        if (value_length != 4) return Status::Error("STUN PRIORITY is not 4 bytes");
        packet.priority_ = ReadU32(value.data());
        break;
      case kStunAttrUseCandidate:
        if (value_length != 0) return Status::Error("STUN USE-CANDIDATE is not empty");
        packet.use_candidate_ = true;
        break;
      case kStunAttrIceControlling:
        if (value_length != 8) return Status::Error("STUN ICE-CONTROLLING is not 8 bytes");
        packet.ice_controlling_ = ReadU64(value.data());
        break;
      case kStunAttrIceControlled:
        if (value_length != 8) return Status::Error("STUN ICE-CONTROLLED is not 8 bytes");
        packet.ice_controlled_ = ReadU64(value.data());
        break;
      case kStunAttrErrorCode: {
        if (value_length < 4) return Status::Error("STUN ERROR-CODE shorter than 4 bytes");
        const int error_class = value[2] & 0x07;
        const int number = value[3];
        if (error_class < 3 || error_class > 6 || number > 99) {
          return Status::Error("STUN ERROR-CODE out of range");
        }
        packet.error_code_ =
            StunErrorCode{error_class * 100 + number, std::string(value.begin() + 4, value.end())};
        break;
      }
      default:
        // 0x0000-0x7FFF are comprehension-required (RFC 5389 §15): a request carrying an
        // unknown one gets a 420; the rest are skipped.
        if (attribute_type < 0x8000 && attribute_type != kStunAttrMappedAddress &&
            attribute_type != kStunAttrUnknownAttributes &&
            packet.unknown_required_attributes_.size() < 16) {
          packet.unknown_required_attributes_.push_back(attribute_type);
        }
        break;
    }
  }
  return packet;
}

bool StunPacket::VerifyMessageIntegrity(const StunIntegrityKey& key) const {
  if (!integrity_offset_ || key.empty()) return false;
  const size_t offset = *integrity_offset_;
  // The message up to the attribute, its length field counting the attribute (§15.4).
  uint8_t length[2];
  WriteU16(length, static_cast<uint16_t>(offset + 4 + kIntegritySize - kStunHeaderSize));
  const std::span<const uint8_t> bytes(bytes_);
  const std::span<const uint8_t> parts[] = {bytes.first(2), length, bytes.subspan(4, offset - 4)};
  const auto digest = key.Mac(parts);
  return CRYPTO_memcmp(digest.data(), &bytes_[offset + 4], kIntegritySize) == 0;
}

bool StunPacket::VerifyMessageIntegrity(std::string_view password) const {
  return VerifyMessageIntegrity(StunIntegrityKey(password));
}

StunMessageBuilder::StunMessageBuilder(StunClass message_class, uint16_t method,
                                       const StunTransactionId& transaction_id) {
  bytes_.reserve(128);
  bytes_.resize(kStunHeaderSize);
  WriteU16(&bytes_[0], EncodeMessageType(message_class, method));
  WriteU32(&bytes_[4], kStunMagicCookie);
  std::memcpy(&bytes_[8], transaction_id.data(), transaction_id.size());
}

void StunMessageBuilder::AddAttribute(uint16_t type, std::span<const uint8_t> value) {
  const size_t offset = bytes_.size();
  bytes_.resize(offset + 4 + Padded(value.size()), 0);
  WriteU16(&bytes_[offset], type);
  WriteU16(&bytes_[offset + 2], static_cast<uint16_t>(value.size()));
  if (!value.empty()) std::memcpy(&bytes_[offset + 4], value.data(), value.size());
}

void StunMessageBuilder::AddUsername(std::string_view username) {
  AddAttribute(kStunAttrUsername,
               {reinterpret_cast<const uint8_t*>(username.data()), username.size()});
}

void StunMessageBuilder::AddPriority(uint32_t priority) {
  uint8_t value[4];
  WriteU32(value, priority);
  AddAttribute(kStunAttrPriority, value);
}

void StunMessageBuilder::AddUseCandidate() { AddAttribute(kStunAttrUseCandidate, {}); }

void StunMessageBuilder::AddIceControlling(uint64_t tie_breaker) {
  uint8_t value[8];
  WriteU32(value, static_cast<uint32_t>(tie_breaker >> 32));
  WriteU32(value + 4, static_cast<uint32_t>(tie_breaker));
  AddAttribute(kStunAttrIceControlling, value);
}

void StunMessageBuilder::AddIceControlled(uint64_t tie_breaker) {
  uint8_t value[8];
  WriteU32(value, static_cast<uint32_t>(tie_breaker >> 32));
  WriteU32(value + 4, static_cast<uint32_t>(tie_breaker));
  AddAttribute(kStunAttrIceControlled, value);
}

void StunMessageBuilder::AddXorMappedAddress(const net::SocketAddress& address) {
  uint8_t value[20] = {};
  WriteU16(value + 2, address.port() ^ static_cast<uint16_t>(kStunMagicCookie >> 16));
  if (address.is_ipv4()) {
    value[1] = 0x01;
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address.sockaddr_ptr());
    WriteU32(value + 4, ntohl(v4->sin_addr.s_addr) ^ kStunMagicCookie);
    AddAttribute(kStunAttrXorMappedAddress, std::span<const uint8_t>(value, 8));
    return;
  }
  value[1] = 0x02;
  uint8_t mask[16];
  WriteU32(mask, kStunMagicCookie);
  std::memcpy(mask + 4, &bytes_[8], 12);
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address.sockaddr_ptr());
  for (int i = 0; i < 16; ++i) value[4 + i] = v6->sin6_addr.s6_addr[i] ^ mask[i];
  AddAttribute(kStunAttrXorMappedAddress, value);
}

void StunMessageBuilder::AddErrorCode(int code, std::string_view reason) {
  std::vector<uint8_t> value(4 + reason.size(), 0);
  value[2] = static_cast<uint8_t>((code / 100) & 0x07);
  value[3] = static_cast<uint8_t>(code % 100);
  std::memcpy(value.data() + 4, reason.data(), reason.size());
  AddAttribute(kStunAttrErrorCode, value);
}

void StunMessageBuilder::AddUnknownAttributes(std::span<const uint16_t> types) {
  std::vector<uint8_t> value(types.size() * 2);
  for (size_t i = 0; i < types.size(); ++i) WriteU16(&value[i * 2], types[i]);
  AddAttribute(kStunAttrUnknownAttributes, value);
}

std::vector<uint8_t> StunMessageBuilder::Finish(std::string_view integrity_password,
                                                bool fingerprint) {
  return Finish(StunIntegrityKey(integrity_password), fingerprint);
}

std::vector<uint8_t> StunMessageBuilder::Finish(const StunIntegrityKey& integrity_key,
                                                bool fingerprint) {
  if (!integrity_key.empty()) {
    // The length field must already count MESSAGE-INTEGRITY when the HMAC is taken (§15.4).
    WriteU16(&bytes_[2],
             static_cast<uint16_t>(bytes_.size() + 4 + kIntegritySize - kStunHeaderSize));
    const std::span<const uint8_t> parts[] = {bytes_};
    const auto digest = integrity_key.Mac(parts);
    AddAttribute(kStunAttrMessageIntegrity, digest);
  }
  if (fingerprint) {
    WriteU16(&bytes_[2], static_cast<uint16_t>(bytes_.size() + 8 - kStunHeaderSize));
    uint8_t value[4];
    WriteU32(value, StunCrc32(bytes_) ^ kFingerprintXor);
    AddAttribute(kStunAttrFingerprint, value);
  }
  WriteU16(&bytes_[2], static_cast<uint16_t>(bytes_.size() - kStunHeaderSize));
  return std::move(bytes_);
}

std::vector<uint8_t> BuildStunBindingRequest(const StunBindingRequest& request) {
  StunMessageBuilder builder(StunClass::kRequest, kStunMethodBinding, request.transaction_id);
  builder.AddUsername(request.username);
  builder.AddPriority(request.priority);
  builder.AddIceControlling(request.ice_controlling_tie_breaker);
  if (request.use_candidate) builder.AddUseCandidate();
  return builder.Finish(request.password);
}

std::vector<uint8_t> BuildStunBindingSuccessResponse(const StunTransactionId& transaction_id,
                                                     const net::SocketAddress& mapped_address,
                                                     const StunIntegrityKey& key) {
  StunMessageBuilder builder(StunClass::kSuccessResponse, kStunMethodBinding, transaction_id);
  builder.AddXorMappedAddress(mapped_address);
  return builder.Finish(key);
}

std::vector<uint8_t> BuildStunBindingSuccessResponse(const StunTransactionId& transaction_id,
                                                     const net::SocketAddress& mapped_address,
                                                     std::string_view password) {
  return BuildStunBindingSuccessResponse(transaction_id, mapped_address,
                                         StunIntegrityKey(password));
}

std::vector<uint8_t> BuildStunBindingErrorResponse(const StunTransactionId& transaction_id,
                                                   int code, const StunIntegrityKey& key,
                                                   std::span<const uint16_t> unknown_attributes) {
  StunMessageBuilder builder(StunClass::kErrorResponse, kStunMethodBinding, transaction_id);
  builder.AddErrorCode(code, StunErrorReason(code));
  if (!unknown_attributes.empty()) builder.AddUnknownAttributes(unknown_attributes);
  return builder.Finish(key);
}

std::vector<uint8_t> BuildStunBindingErrorResponse(const StunTransactionId& transaction_id,
                                                   int code, std::string_view password,
                                                   std::span<const uint16_t> unknown_attributes) {
  return BuildStunBindingErrorResponse(transaction_id, code, StunIntegrityKey(password),
                                       unknown_attributes);
}

std::string_view StunErrorReason(int code) {
  switch (code) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 420:
      return "Unknown Attribute";
    case 487:
      return "Role Conflict";
    case 500:
      return "Server Error";
    default:
      return "Error";
  }
}

}  // namespace auralink::rtc
