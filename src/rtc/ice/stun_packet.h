// STUN messages (RFC 5389 / RFC 8489) as ICE uses them: Binding requests, responses and
// indications with the ICE attributes of RFC 8445 §16. Parsing copies the message so that
// MESSAGE-INTEGRITY can be checked later against whichever key the USERNAME selects.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "net/socket_address.h"

namespace auralink::rtc {

inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr size_t kStunHeaderSize = 20;
inline constexpr uint16_t kStunMethodBinding = 0x0001;

// The two class bits of the message type (RFC 5389 §6).
enum class StunClass : uint8_t {
  kRequest = 0,
  kIndication = 1,
  kSuccessResponse = 2,
  kErrorResponse = 3,
};

// Attribute types (RFC 5389 §18.2, RFC 8445 §16.1).
enum StunAttributeType : uint16_t {
  kStunAttrMappedAddress = 0x0001,
  kStunAttrUsername = 0x0006,
  kStunAttrMessageIntegrity = 0x0008,
  kStunAttrErrorCode = 0x0009,
  kStunAttrUnknownAttributes = 0x000A,
  kStunAttrXorMappedAddress = 0x0020,
  kStunAttrPriority = 0x0024,
  kStunAttrUseCandidate = 0x0025,
  kStunAttrSoftware = 0x8022,
  kStunAttrFingerprint = 0x8028,
  kStunAttrIceControlled = 0x8029,
  kStunAttrIceControlling = 0x802A,
};

using StunTransactionId = std::array<uint8_t, 12>;

struct StunErrorCode {
  int code = 0;  // 300..699
  std::string reason;
};

// RFC 7983 §7: a datagram on a muxed WebRTC port is STUN when its first byte is 0..3; the magic
// cookie and the length checks here make the test strict enough to tell STUN from DTLS/RTP.
bool IsStunPacket(std::span<const uint8_t> bytes);

// A MESSAGE-INTEGRITY key (for ICE, an ice-pwd) with its HMAC-SHA1 state prepared once. OpenSSL's
// one-shot HMAC() looks the digest up and hashes the key on every call: ~1.3 µs of the ~3.3 µs a
// server spent answering one consent check (bench/rtp/stun_check_bench), which thousands of
// subscribers each send every few seconds. Keyed once, a MAC costs ~0.2 µs. Not safe to use from
// two threads at once: each owner (an ICE agent, on its worker's thread) keeps its own.
class StunIntegrityKey {
 public:
  StunIntegrityKey() = default;  // empty: messages carry no MESSAGE-INTEGRITY
  explicit StunIntegrityKey(std::string_view password);
  StunIntegrityKey(const StunIntegrityKey& other) : StunIntegrityKey(other.password_) {}
  StunIntegrityKey& operator=(const StunIntegrityKey& other);
  StunIntegrityKey(StunIntegrityKey&&) noexcept = default;
  StunIntegrityKey& operator=(StunIntegrityKey&&) noexcept = default;
  ~StunIntegrityKey() = default;

  bool empty() const { return password_.empty(); }
  const std::string& password() const { return password_; }
  // HMAC-SHA1 of the parts, in order, as of one message.
  std::array<uint8_t, 20> Mac(std::span<const std::span<const uint8_t>> parts) const;

 private:
  struct ContextFree {
    void operator()(void* context) const;
  };
  std::string password_;
  std::unique_ptr<void, ContextFree> context_;  // EVP_MAC_CTX keyed with password_
};

// CRC-32 (ISO 3309, as zlib) over bytes; FINGERPRINT is this XOR 0x5354554e (RFC 5389 §15.5).
uint32_t StunCrc32(std::span<const uint8_t> bytes);

class StunPacket {
 public:
  // Parses a whole STUN message. Rejects: a wrong header or length, attributes overrunning the
  // message, malformed known attributes, anything but FINGERPRINT after MESSAGE-INTEGRITY, anything
  // after FINGERPRINT, and a FINGERPRINT that does not match. Unknown attributes are skipped
  // (comprehension-required ones are listed in unknown_required_attributes()).
  static StatusOr<StunPacket> Parse(std::span<const uint8_t> bytes);

  StunClass message_class() const { return message_class_; }
  uint16_t method() const { return method_; }
  const StunTransactionId& transaction_id() const { return transaction_id_; }

  const std::optional<std::string>& username() const { return username_; }
  std::optional<uint32_t> priority() const { return priority_; }
  bool use_candidate() const { return use_candidate_; }
  std::optional<uint64_t> ice_controlling() const { return ice_controlling_; }
  std::optional<uint64_t> ice_controlled() const { return ice_controlled_; }
  const std::optional<net::SocketAddress>& xor_mapped_address() const {
    return xor_mapped_address_;
  }
  const std::optional<StunErrorCode>& error_code() const { return error_code_; }
  const std::vector<uint16_t>& unknown_required_attributes() const {
    return unknown_required_attributes_;
  }
  bool has_message_integrity() const { return integrity_offset_.has_value(); }
  bool has_fingerprint() const { return has_fingerprint_; }

  // HMAC-SHA1 check of MESSAGE-INTEGRITY (RFC 5389 §15.4): over the message up to the attribute,
  // with the header length covering the attribute itself but not a later FINGERPRINT. For ICE's
  // short-term credentials the key is the password (RFC 8445 §7.2.2). False when absent.
  bool VerifyMessageIntegrity(const StunIntegrityKey& key) const;
  // The same with a key prepared for this one call (tests, one-off messages).
  bool VerifyMessageIntegrity(std::string_view password) const;

  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  StunPacket() = default;

  std::vector<uint8_t> bytes_;
  StunClass message_class_ = StunClass::kRequest;
  uint16_t method_ = 0;
  StunTransactionId transaction_id_{};
  std::optional<std::string> username_;
  std::optional<uint32_t> priority_;
  bool use_candidate_ = false;
  std::optional<uint64_t> ice_controlling_;
  std::optional<uint64_t> ice_controlled_;
  std::optional<net::SocketAddress> xor_mapped_address_;
  std::optional<StunErrorCode> error_code_;
  std::vector<uint16_t> unknown_required_attributes_;
  std::optional<size_t> integrity_offset_;  // of the MESSAGE-INTEGRITY attribute header
  bool has_fingerprint_ = false;
};

// Writes one STUN message attribute by attribute. Finish() appends MESSAGE-INTEGRITY (when a key
// is given) and FINGERPRINT, which must be the last two attributes (RFC 5389 §15.4, §15.5).
class StunMessageBuilder {
 public:
  StunMessageBuilder(StunClass message_class, uint16_t method,
                     const StunTransactionId& transaction_id);

  void AddUsername(std::string_view username);
  void AddPriority(uint32_t priority);
  void AddUseCandidate();
  void AddIceControlling(uint64_t tie_breaker);
  void AddIceControlled(uint64_t tie_breaker);
  void AddXorMappedAddress(const net::SocketAddress& address);
  void AddErrorCode(int code, std::string_view reason);
  void AddUnknownAttributes(std::span<const uint16_t> types);
  // Any attribute; the value is zero-padded to a multiple of 4 bytes.
  void AddAttribute(uint16_t type, std::span<const uint8_t> value);

  // An empty integrity_key writes no MESSAGE-INTEGRITY.
  std::vector<uint8_t> Finish(const StunIntegrityKey& integrity_key, bool fingerprint = true);
  std::vector<uint8_t> Finish(std::string_view integrity_password, bool fingerprint = true);

 private:
  std::vector<uint8_t> bytes_;
};

// What our own client side (tests, loopback tools) sends as a controlling ICE agent.
struct StunBindingRequest {
  StunTransactionId transaction_id{};
  std::string username;  // "remote_ufrag:local_ufrag" from the sender's point of view
  std::string password;  // the receiver's ice-pwd, the MESSAGE-INTEGRITY key
  uint32_t priority = 0;
  uint64_t ice_controlling_tie_breaker = 0;
  bool use_candidate = false;
};

std::vector<uint8_t> BuildStunBindingRequest(const StunBindingRequest& request);
// A success response reflecting the request's source address (RFC 8445 §7.3.1.3).
std::vector<uint8_t> BuildStunBindingSuccessResponse(const StunTransactionId& transaction_id,
                                                     const net::SocketAddress& mapped_address,
                                                     const StunIntegrityKey& key);
std::vector<uint8_t> BuildStunBindingSuccessResponse(const StunTransactionId& transaction_id,
                                                     const net::SocketAddress& mapped_address,
                                                     std::string_view password);
// An error response (400 Bad Request, 401 Unauthorized, 420 Unknown Attribute, 487 Role
// Conflict). An empty key or password sends it without MESSAGE-INTEGRITY, as for 400/401, where
// the request could not be authenticated (RFC 5389 §10.1.2).
std::vector<uint8_t> BuildStunBindingErrorResponse(
    const StunTransactionId& transaction_id, int code, const StunIntegrityKey& key,
    std::span<const uint16_t> unknown_attributes = {});
std::vector<uint8_t> BuildStunBindingErrorResponse(
    const StunTransactionId& transaction_id, int code, std::string_view password,
    std::span<const uint16_t> unknown_attributes = {});

// The reason phrase RFC 5389 §15.6 suggests for the codes above.
std::string_view StunErrorReason(int code);

}  // namespace auralink::rtc
