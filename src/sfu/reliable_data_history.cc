#include "sfu/reliable_data_history.h"

#include <algorithm>

namespace auralink::sfu {

ReliableDataHistory::ReliableDataHistory(size_t max_packets_per_publisher,
                                         size_t max_bytes_per_publisher)
    : max_packets_(max_packets_per_publisher), max_bytes_(max_bytes_per_publisher) {}

void ReliableDataHistory::Add(const std::string& publisher_sid, uint32_t sequence,
                              std::span<const uint8_t> bytes,
                              const std::vector<std::string>& destination_identities) {
  if (max_packets_ == 0 || bytes.size() > max_bytes_) return;
  PublisherHistory& history = publishers_[publisher_sid];
  if (!history.packets.empty() && sequence <= history.packets.back().sequence) return;
  while (!history.packets.empty() &&
         (history.packets.size() >= max_packets_ || history.bytes + bytes.size() > max_bytes_)) {
    history.bytes -= history.packets.front().bytes.size();
    history.packets.pop_front();
  }
  history.packets.push_back({sequence, {bytes.begin(), bytes.end()}, destination_identities});
  history.bytes += bytes.size();
}

std::vector<const ReliableDataPacket*> ReliableDataHistory::After(
    const std::string& publisher_sid, uint32_t last_sequence, const std::string& identity) const {
  std::vector<const ReliableDataPacket*> missed;
  auto found = publishers_.find(publisher_sid);
  if (found == publishers_.end()) return missed;
  for (const ReliableDataPacket& packet : found->second.packets) {
    if (packet.sequence <= last_sequence) continue;
    const auto& destinations = packet.destination_identities;
    if (!destinations.empty() &&
        std::find(destinations.begin(), destinations.end(), identity) == destinations.end())
      continue;
    missed.push_back(&packet);
  }
  return missed;
}

void ReliableDataHistory::RemovePublisher(const std::string& publisher_sid) {
  publishers_.erase(publisher_sid);
}

size_t ReliableDataHistory::packet_count(const std::string& publisher_sid) const {
  auto found = publishers_.find(publisher_sid);
  return found == publishers_.end() ? 0 : found->second.packets.size();
}

}  // namespace auralink::sfu
