#include "rtc/sctp/sctp_stack.h"

#include <usrsctp.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "common/log.h"

namespace auralink::rtc {
namespace {

int OnConnOutput(void* address, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*set_df*/) {
  SctpStackEvent event;
  event.kind = SctpStackEvent::Kind::kOutgoingPacket;
  const auto* bytes = static_cast<const uint8_t*>(buffer);
  event.bytes.assign(bytes, bytes + length);
  SctpStack::Get().Post(reinterpret_cast<uintptr_t>(address), std::move(event));
  return 0;
}

void OnDebugPrint(const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof(line), format, args);
  va_end(args);
  AURALINK_LOG(kDebug) << "usrsctp: " << line;
}

}  // namespace

SctpStack& SctpStack::Get() {
  // Leaked on purpose: usrsctp may still call back while other statics are destroyed.
  static SctpStack* stack = new SctpStack();
  return *stack;
}

SctpStack::SctpStack() {
  // Port 0: no UDP encapsulation socket; every packet goes through OnConnOutput.
  usrsctp_init_nothreads(0, &OnConnOutput, &OnDebugPrint);
  // The data channel profile (RFC 8831 §6.2) needs neither ECN, dynamic address
  // reconfiguration nor AUTH; switching them off keeps usrsctp on the paths browsers exercise.
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_sysctl_set_sctp_asconf_enable(0);
  usrsctp_sysctl_set_sctp_auth_enable(0);
}

uintptr_t SctpStack::Register() {
  std::lock_guard lock(mutex_);
  const uintptr_t id = next_id_++;
  mailboxes_[id];
  return id;
}

void SctpStack::Unregister(uintptr_t id) {
  std::lock_guard lock(mutex_);
  mailboxes_.erase(id);
}

bool SctpStack::TakeEvents(uintptr_t id, std::vector<SctpStackEvent>* out) {
  out->clear();
  std::lock_guard lock(mutex_);
  auto it = mailboxes_.find(id);
  if (it == mailboxes_.end() || it->second.empty()) return false;
  out->swap(it->second);
  return true;
}

void SctpStack::Post(uintptr_t id, SctpStackEvent event) {
  std::lock_guard lock(mutex_);
  auto it = mailboxes_.find(id);
  if (it != mailboxes_.end()) it->second.push_back(std::move(event));
}

void SctpStack::AdvanceTimers(int64_t now_ms) {
  uint32_t elapsed = 0;
  {
    std::lock_guard lock(clock_mutex_);
    if (!have_clock_) {
      have_clock_ = true;
      last_now_ms_ = now_ms;
      return;
    }
    if (now_ms <= last_now_ms_) return;
    const int64_t delta = now_ms - last_now_ms_;
    elapsed = static_cast<uint32_t>(std::min<int64_t>(delta, std::numeric_limits<int32_t>::max()));
    last_now_ms_ = now_ms;
  }
  usrsctp_handle_timers(elapsed);
}

}  // namespace auralink::rtc
