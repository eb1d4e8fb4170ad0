// Fuzzes LiveKit access token verification (src/signal/auth): any bytes must be refused with a
// 401 error or verify to grants, never crash. The key and clock are fixed so the seed tokens in
// corpus/access_token_fuzzer (signed with secret "secret" for key "devkey", valid at 1700000000)
// reach the claim checks past the signature; mutations exercise every refusal before it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "signal/auth/access_token_verifier.h"
#include "signal/auth/base64_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace auralink::signal;
  static const AccessTokenVerifier* verifier = [] {
    auto keys = StaticApiKeyProvider::Create({{"devkey", "secret"}});
    if (!keys.ok()) std::abort();
    auto created = AccessTokenVerifier::Create(std::move(keys).value());
    if (!created.ok()) std::abort();
    return std::move(created).value().release();
  }();
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const auto result = verifier->Verify(token, 1700000000);
  if (!result.ok()) {
    if (result.error().message.empty() || result.error().HttpStatus() != 401) std::abort();
  } else if (result->api_key != "devkey") {
    std::abort();
  }
  const auto decoded = Base64UrlDecode(token);
  if (decoded && Base64UrlEncode(*decoded) != token) std::abort();  // one encoding per byte string
  return 0;
}
