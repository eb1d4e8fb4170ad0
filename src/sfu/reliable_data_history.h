// The reliable data packets each publisher sent lately, as the room routed them (LiveKit numbers
// them: DataPacket.sequence). A client that resumes its session tells the server, per publisher,
// the last sequence it received (SyncState.datachannel_receive_states); what it missed since is
// resent from here. Bounded per publisher by packets and bytes; the oldest go first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace auralink::sfu {

struct ReliableDataPacket {
  uint32_t sequence = 0;
  std::vector<uint8_t> bytes;                       // as forwarded (the server stamped the sender)
  std::vector<std::string> destination_identities;  // empty: everyone but the publisher
};

class ReliableDataHistory {
 public:
  ReliableDataHistory(size_t max_packets_per_publisher = 64,
                      size_t max_bytes_per_publisher = 256 * 1024);

  // A packet the room routed. Sequences of one publisher only grow (duplicates were dropped
  // before routing); one that does not is ignored. A packet larger than the byte bound is not
  // kept.
  void Add(const std::string& publisher_sid, uint32_t sequence, std::span<const uint8_t> bytes,
           const std::vector<std::string>& destination_identities);
  // The kept packets of `publisher_sid` with a sequence above `last_sequence` that were meant
  // for `identity`, oldest first.
  std::vector<const ReliableDataPacket*> After(const std::string& publisher_sid,
                                               uint32_t last_sequence,
                                               const std::string& identity) const;
  void RemovePublisher(const std::string& publisher_sid);
  size_t packet_count(const std::string& publisher_sid) const;

 private:
  struct PublisherHistory {
    std::deque<ReliableDataPacket> packets;
    size_t bytes = 0;
  };

  size_t max_packets_;
  size_t max_bytes_;
  std::unordered_map<std::string, PublisherHistory> publishers_;
};

}  // namespace auralink::sfu
