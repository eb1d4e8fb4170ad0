#include "signal/auth/api_key_provider.h"

namespace auralink::signal {

StatusOr<std::unique_ptr<StaticApiKeyProvider>> StaticApiKeyProvider::Create(
    std::map<std::string, std::string> keys) {
  std::map<std::string, std::string, std::less<>> checked;
  for (auto& [key, secret] : keys) {
    if (key.empty()) return Status::Error("an API key is empty");
    if (secret.empty()) return Status::Error("API key \"" + key + "\" has an empty secret");
    checked.emplace(key, std::move(secret));
  }
  return std::unique_ptr<StaticApiKeyProvider>(new StaticApiKeyProvider(std::move(checked)));
}

std::optional<std::string> StaticApiKeyProvider::SecretFor(std::string_view api_key) const {
  const auto it = keys_.find(api_key);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

}  // namespace auralink::signal
