// The process-wide usrsctp instance that every SctpAssociation shares. usrsctp keeps global state
// (one timer wheel, one table of associations), so it is initialised once, in its no-threads mode:
// it starts no threads and opens no sockets, its timers advance only when an owner calls
// AdvanceTimers() from its event loop, and packets reach it through AF_CONN "addresses" that are
// plain numeric ids.
//
// Whatever usrsctp hands back (outgoing packets, received messages, notifications, send-buffer
// space) is parked in the mailbox of the association it belongs to and collected by that
// association's owner. This keeps user code from running inside usrsctp's call stack, where its
// locks are held, and keeps an association's events on its owner's thread even when another
// worker's AdvanceTimers() fired the timer that produced them. An id that is no longer registered
// (an association already destroyed) simply loses its events.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace auralink::rtc {

struct SctpStackEvent {
  enum class Kind {
    kOutgoingPacket,  // bytes: a complete SCTP packet for the peer
    kReceived,        // bytes: user data or a notification (flags has MSG_NOTIFICATION)
    kSendSpace,       // usrsctp freed send-buffer space: queued messages may go on
    kSocketClosed,    // usrsctp reported end of the connection on the socket
  };
  Kind kind = Kind::kOutgoingPacket;
  std::vector<uint8_t> bytes;
  uint16_t stream_id = 0;
  uint32_t ppid = 0;  // host byte order
  int flags = 0;
};

class SctpStack {
 public:
  // Initialises usrsctp on first use; never torn down (usrsctp_finish is not safely repeatable).
  static SctpStack& Get();

  // A fresh id for usrsctp_register_address / sockaddr_conn.sconn_addr and its empty mailbox.
  uintptr_t Register();
  // Forgets the id: events that usrsctp still produces for it are dropped from then on.
  void Unregister(uintptr_t id);
  // Moves the id's parked events into out (which is cleared first); false when none were waiting.
  bool TakeEvents(uintptr_t id, std::vector<SctpStackEvent>* out);

  // Advances usrsctp's timers to now_ms. All owners must pass the same monotonic clock; the time
  // since the previous call from any owner is what elapses, so a clock that stands still or goes
  // back advances nothing.
  void AdvanceTimers(int64_t now_ms);

  // Called from usrsctp's callbacks.
  void Post(uintptr_t id, SctpStackEvent event);

 private:
  SctpStack();

  std::mutex mutex_;  // guards mailboxes_ and next_id_ (AdvanceTimers may run on any worker)
  std::unordered_map<uintptr_t, std::vector<SctpStackEvent>> mailboxes_;
  uintptr_t next_id_ = 1;
  bool have_clock_ = false;
  int64_t last_now_ms_ = 0;
  std::mutex clock_mutex_;
};

}  // namespace auralink::rtc
