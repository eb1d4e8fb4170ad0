#include "rtc/srtp/srtp_key_derivation.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <vector>

namespace auralink::rtc {

Status DeriveSrtpSessionKey(std::span<const uint8_t> master_key,
                            std::span<const uint8_t> master_salt, SrtpKeyLabel label,
                            std::span<uint8_t> out) {
  if (master_key.size() != 16) return Status::Error("SRTP KDF needs a 16-byte master key");
  if (master_salt.size() != 14 && master_salt.size() != 12) {
    return Status::Error("SRTP KDF needs a 12- or 14-byte master salt");
  }
  // x = (label || r) XOR master_salt with r = 0, right-aligned in 112 bits (RFC 3711 §4.3.1);
  // the AES-CM IV is x * 2^16, so the label lands in byte 7 of the 16-byte counter block.
  std::array<uint8_t, 16> iv{};
  std::memcpy(iv.data(), master_salt.data(), master_salt.size());
  iv[7] ^= static_cast<uint8_t>(label);

  EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
  if (context == nullptr) return Status::Error("SRTP KDF: EVP_CIPHER_CTX_new failed");
  std::vector<uint8_t> zeros(out.size(), 0);
  int written = 0;
  int final_written = 0;
  const bool ok =
      EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nullptr, master_key.data(), iv.data()) == 1 &&
      EVP_EncryptUpdate(context, out.data(), &written, zeros.data(),
                        static_cast<int>(zeros.size())) == 1 &&
      EVP_EncryptFinal_ex(context, out.data() + written, &final_written) == 1;
  EVP_CIPHER_CTX_free(context);
  if (!ok) return Status::Error("SRTP KDF: AES-CM keystream failed");
  return Status::Ok();
}

}  // namespace auralink::rtc
