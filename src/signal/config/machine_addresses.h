// The machine's own IP addresses, for `--dev` binding and candidate gathering defaults.
#pragma once

#include <string>
#include <vector>

namespace auralink::signal {

// Addresses of interfaces that are up, loopback excluded, IPv6 link-local (fe80::/10) excluded,
// as text ("192.168.1.7", "2001:db8::5"). Empty when getifaddrs fails.
std::vector<std::string> ListMachineAddresses();

}  // namespace auralink::signal
