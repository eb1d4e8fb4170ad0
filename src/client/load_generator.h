// One publisher and N subscribers against a LiveKit-compatible server, multiplexed on a few event
// loop threads so the load itself costs little: joins in bounded batches, waits until every
// subscriber receives the publisher's tracks, then measures a window of `duration_s` seconds —
// packets sent and received, loss, one-way latency (from the subscribers that decrypt), and the
// server process's CPU time and RSS read from /proc — and reports it as JSON.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/room_client.h"
#include "common/status.h"

namespace auralink::client {

// Whether subscriber `index` (join order, 0-based) of room `room` is one of the `measured` per
// room that decrypt and time packets: spread evenly over the join order, each room at its own
// offset. Exactly min(measured, subscribers) per room.
bool IsMeasuredSubscriber(int index, int room, int subscribers, int measured);

struct LoadOptions {
  std::string server_url = "ws://127.0.0.1:7880";
  std::string api_key = "devkey";
  std::string api_secret = "secret";
  std::string room;  // empty: a fresh random name
  bool video = false;
  bool simulcast = false;
  int subscribers = 10;  // per room
  // Independent rooms of one publisher and `subscribers` subscribers each, joined side by side:
  // a server loaded by many ordinary rooms rather than by one fan-out.
  int rooms = 1;
  double duration_s = 10.0;
  double warmup_s = 2.0;
  int video_bitrate_bps = 1'500'000;
  int fps = 30;
  int key_frame_interval = 90;
  // Subscribers that decrypt every packet and record latency, spread evenly over the join order;
  // the rest count clear headers.
  int measured_subscribers = 4;
  int threads = 1;
  // With more than one thread: the publishers' thread runs SCHED_FIFO (needs root or
  // CAP_SYS_NICE), so each packet leaves at its own timer's instant. Sharing a core with the
  // subscribers' thread under the default scheduler, it would wait for its turn on the core and
  // then send everything that came due meanwhile at once.
  bool realtime_publishers = false;
  int join_batch = 32;  // joins in flight at once
  double setup_timeout_s = 120.0;
  int server_pid = 0;  // 0: no server CPU / RSS figures
  // The core the server is pinned to (-1: not given): the report then gives that core's steal
  // time over the window, the time the hypervisor ran something else while this VM wanted the
  // core, which no scheduling priority inside the VM can win back.
  int server_core = -1;
  // Send the server SIGUSR1 at the window's start and end (AuraLink's serve then logs its hop
  // latency since the last signal): an AuraLink server's own latency for exactly the window.
  bool signal_window = false;
  // Subscribers send transport-wide CC feedback every 100 ms, as browsers do, so the server's
  // per-subscriber bandwidth estimation is part of the load; false (--no-transport-feedback): none.
  bool transport_feedback = true;
  // Transmit-only measurement: once receiving, every unmeasured subscriber moves its connection
  // to `sink_ip` (ClientTransport::DivertTo), an address routed to `sink_interface`, a device that
  // discards what it is sent (ifb); the packets the server sends there are read from that
  // device's drop counter. Empty: every subscriber receives on loopback.
  std::string sink_ip;
  std::string sink_interface;
};

// The command line of auralink-load (and bench/sfu's Janus variant); kLoadUsage describes it.
extern const char* const kLoadUsage;
// nullopt with `error` empty: --help was asked for.
std::optional<LoadOptions> ParseLoadOptions(const std::vector<std::string>& arguments,
                                            std::string* error);

// One participant of the test. Its media side is a RoomClient; how it joins is the server's
// signalling (LiveKit's here, Janus's in bench/sfu). Lives on one loop thread.
class LoadParticipant {
 public:
  virtual ~LoadParticipant() = default;
  // Joins, and publishes when it is the publisher; outcomes arrive through the spec's callbacks.
  virtual Status Start() = 0;
  virtual void Leave() = 0;
  virtual RoomClient& media() = 0;
};

struct LoadParticipantSpec {
  int index = -1;  // -1: the publisher, else the subscriber's number within its room
  int room = 0;    // which of LoadOptions::rooms
  bool measured = false;
  // Transport-wide CC feedback on the subscriber connection (RoomClientOptions), as browsers send.
  int64_t transport_feedback_interval_ms = 100;
  PublishOptions publish;  // the publisher's
  std::shared_ptr<const rtc::DtlsCertificate> certificate;
  RoomClientCallbacks callbacks;
};
// Called on the participant's loop thread.
using LoadParticipantFactory = std::function<StatusOr<std::unique_ptr<LoadParticipant>>(
    net::EventLoop* loop, const LoadParticipantSpec& spec)>;

// Participants that join `room` (room 0; room r > 0 joins "<room>-r") through LiveKit signalling
// with tokens from the options' key.
StatusOr<LoadParticipantFactory> LiveKitParticipants(const LoadOptions& options,
                                                     const std::string& room);

// Runs the whole test on the calling thread plus `threads` loop threads and returns the report.
// Without a factory, participants are LiveKitParticipants().
StatusOr<nlohmann::json> RunLoad(const LoadOptions& options, LoadParticipantFactory factory = {});

// CPU time (user + system) and resident memory of a process, from /proc/<pid>/stat and status.
struct ProcessUsage {
  double cpu_seconds = 0.0;
  int64_t rss_kb = 0;
};
StatusOr<ProcessUsage> ReadProcessUsage(int pid);
// Parses the text of /proc/<pid>/stat (fields after the parenthesised command name, which may hold
// spaces) into CPU seconds given the clock tick rate.
StatusOr<double> ParseProcStatCpuSeconds(const std::string& stat, long ticks_per_second);
// The steal time of one core, in seconds, from the text of /proc/stat ("cpuN user nice system idle
// iowait irq softirq steal ...", in clock ticks).
StatusOr<double> ParseProcStatStealSeconds(const std::string& proc_stat, int core,
                                           long ticks_per_second);
// The receive-drop counter of `interface` in the text of /proc/net/dev (an ifb device counts
// there what it discards).
StatusOr<uint64_t> ParseNetDevReceiveDrops(const std::string& net_dev,
                                           const std::string& interface);

}  // namespace auralink::client
