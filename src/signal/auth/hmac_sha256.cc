#include "signal/auth/hmac_sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace auralink::signal {

std::optional<Sha256Digest> HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(),
           &length) == nullptr ||
      length != digest.size()) {
    return std::nullopt;
  }
  return digest;
}

bool ConstantTimeEquals(const uint8_t* a, const uint8_t* b, size_t size) {
  return CRYPTO_memcmp(a, b, size) == 0;
}

}  // namespace auralink::signal
