#include "rtc/dtls/dtls_role.h"

#include <string>

namespace auralink::rtc {

StatusOr<DtlsRole> DtlsRoleForRemoteSetup(std::string_view remote_setup) {
  if (remote_setup == "active") return DtlsRole::kServer;
  if (remote_setup == "passive" || remote_setup == "actpass") return DtlsRole::kClient;
  return Status::Error("unsupported a=setup value '" + std::string(remote_setup) + "'");
}

std::string_view SdpSetupForRole(DtlsRole role) {
  return role == DtlsRole::kClient ? "active" : "passive";
}

}  // namespace auralink::rtc
