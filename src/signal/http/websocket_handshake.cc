#include "signal/http/websocket_handshake.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <random>

namespace auralink::signal::http {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string Base64(const uint8_t* data, size_t size) {
  std::string encoded(4 * ((size + 2) / 3), '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), data,
                                     static_cast<int>(size));
  encoded.resize(static_cast<size_t>(length));
  return encoded;
}

void RandomBytes(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) == 1) return;
  // OpenSSL's generator failing is near impossible; a non-cryptographic fallback still keeps frames
  // masked, which is what §5.3 guards against (proxy cache poisoning), if less strongly.
  static thread_local std::mt19937 fallback{std::random_device{}()};
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(fallback());
}

}  // namespace

std::string ComputeWebSocketAccept(std::string_view key) {
  std::string input(key);
  input.append(kAcceptGuid);
  uint8_t digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return Base64(digest, sizeof(digest));
}

std::string GenerateWebSocketKey() {
  uint8_t nonce[16];
  RandomBytes(nonce, sizeof(nonce));
  return Base64(nonce, sizeof(nonce));
}

std::array<uint8_t, 4> GenerateWebSocketMask() {
  std::array<uint8_t, 4> mask;
  RandomBytes(mask.data(), mask.size());
  return mask;
}

bool IsWebSocketUpgradeRequest(const HttpRequest& request) {
  return request.HeaderHasToken("Upgrade", "websocket") &&
         request.HeaderHasToken("Connection", "upgrade");
}

Status ValidateWebSocketUpgrade(const HttpRequest& request) {
  if (request.method != "GET") return Status::Error("WebSocket upgrade must use GET");
  if (request.version_minor < 1) return Status::Error("WebSocket upgrade needs HTTP/1.1");
  if (!IsWebSocketUpgradeRequest(request)) {
    return Status::Error("missing 'Upgrade: websocket' or 'Connection: Upgrade'");
  }
  auto version = request.Header("Sec-WebSocket-Version");
  if (!version || *version != "13") return Status::Error("Sec-WebSocket-Version must be 13");
  auto key = request.Header("Sec-WebSocket-Key");
  // 16 bytes in base64 are always 24 characters ending in "==".
  if (!key || key->size() != 24 || key->substr(22) != "==") {
    return Status::Error("Sec-WebSocket-Key is not 16 bytes in base64");
  }
  uint8_t decoded[18];
  if (EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(key->data()), 24) != 18) {
    return Status::Error("Sec-WebSocket-Key is not base64");
  }
  return Status::Ok();
}

}  // namespace auralink::signal::http
