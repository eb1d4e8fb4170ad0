// Where the verifier finds the secret of an API key (LiveKit's `keys:` map, or LIVEKIT_KEYS).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace auralink::signal {

class ApiKeyProvider {
 public:
  virtual ~ApiKeyProvider() = default;
  // The secret of `api_key`, or nullopt when the key is not configured.
  virtual std::optional<std::string> SecretFor(std::string_view api_key) const = 0;
};

// A fixed map from API key to secret, as the server configuration gives it.
class StaticApiKeyProvider : public ApiKeyProvider {
 public:
  // Fails on an empty key or an empty secret: an empty HMAC key would accept forged tokens.
  static StatusOr<std::unique_ptr<StaticApiKeyProvider>> Create(
      std::map<std::string, std::string> keys);

  std::optional<std::string> SecretFor(std::string_view api_key) const override;

 private:
  explicit StaticApiKeyProvider(std::map<std::string, std::string, std::less<>> keys)
      : keys_(std::move(keys)) {}
  std::map<std::string, std::string, std::less<>> keys_;
};

}  // namespace auralink::signal
