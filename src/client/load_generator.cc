#include "client/load_generator.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <thread>
#include <type_traits>

#include "client/room_client.h"
#include "common/log.h"
#include "signal/auth/access_token_issuer.h"

namespace auralink::client {

bool IsMeasuredSubscriber(int index, int room, int subscribers, int measured) {
  if (measured < 1 || index < 0 || index >= subscribers) return false;
  measured = std::min(measured, subscribers);
  // Spread over the join order: the server fans a packet out in subscription order, so the first
  // subscribers alone would see only the head of every fan-out. Each room starts at its own
  // offset, from 0 to as far as the last witness still fits, so that the rooms' witnesses together
  // sit at every position of a fan-out however few each room has (one per room: room r's at
  // position r mod N).
  const int stride = subscribers / measured;
  const int offsets = subscribers - (measured - 1) * stride;  // >= stride >= 1
  const int offset = std::max(0, room) % offsets;
  return index >= offset && (index - offset) % stride == 0 && (index - offset) / stride < measured;
}

namespace {

int64_t WallSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void SleepSeconds(double seconds) {
  std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)));
}

// One event loop thread and the clients that live on it. Clients are touched only on that thread;
// the orchestrating thread reaches them through Call().
class LoadWorker {
 public:
  static StatusOr<std::unique_ptr<LoadWorker>> Create() {
    auto loop = net::EventLoop::Create();
    if (!loop.ok()) return loop.status();
    std::unique_ptr<LoadWorker> worker(new LoadWorker());
    worker->loop_ = std::move(*loop);
    worker->thread_ = std::thread([raw = worker.get()]() { raw->loop_->Run(); });
    return worker;
  }
  ~LoadWorker() {
    Call([this]() { participants_.clear(); });
    loop_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  template <typename Function>
  auto Call(Function function) -> decltype(function()) {
    std::packaged_task<decltype(function())()> task(std::move(function));
    auto result = task.get_future();
    loop_->Post([&task]() { task(); });
    return result.get();
  }

  net::EventLoop* loop() { return loop_.get(); }
  std::vector<std::unique_ptr<LoadParticipant>>& participants() { return participants_; }
  std::atomic<int> joined{0};
  std::atomic<int> receiving{0};  // subscribers with every expected track flowing
  std::atomic<int> failed{0};

 private:
  LoadWorker() = default;
  std::unique_ptr<net::EventLoop> loop_;
  std::thread thread_;
  std::vector<std::unique_ptr<LoadParticipant>> participants_;
};

struct SubscriberSnapshot {
  uint64_t packets = 0;
  uint64_t rtcp = 0;
  uint64_t transport_feedback = 0;  // sent
  int64_t lost = 0;
  bool diverted = false;
};

std::string RandomRoomName() {
  std::mt19937 random{std::random_device{}()};
  return "load-" + std::to_string(random() % 1000000);
}

// LiveKit signalling: the token names the room; the server offers the subscriber connection.
class LiveKitParticipant : public LoadParticipant {
 public:
  explicit LiveKitParticipant(std::unique_ptr<RoomClient> client, PublishOptions publish,
                              bool publisher)
      : client_(std::move(client)), publish_(publish), publisher_(publisher) {}
  Status Start() override {
    AURALINK_RETURN_IF_ERROR(client_->Join());
    return publisher_ ? client_->Publish(publish_) : Status::Ok();
  }
  void Leave() override { client_->Leave(); }
  RoomClient& media() override { return *client_; }

 private:
  std::unique_ptr<RoomClient> client_;
  PublishOptions publish_;
  bool publisher_;
};

}  // namespace

const char* const kLoadUsage =
    "options:\n"
    "  --url ws://HOST:PORT       server (default ws://127.0.0.1:7880)\n"
    "  --api-key KEY --api-secret SECRET   (default devkey / secret)\n"
    "  --room NAME                room (default: a fresh random name)\n"
    "  --audio-only | --video     what the publisher sends (default audio-only; video adds audio)\n"
    "  --simulcast                three video layers (q, h, f)\n"
    "  --subscribers N            per room (default 10)\n"
    "  --rooms N                  rooms of one publisher and N subscribers each (default 1)\n"
    "  --duration S               measurement window in seconds (default 10)\n"
    "  --warmup S                 before the window (default 2)\n"
    "  --bitrate BPS              video bitrate of the top layer (default 1500000)\n"
    "  --fps N                    video frame rate (default 30)\n"
    "  --measured N               subscribers per room that decrypt and time packets (default 4)\n"
    "  --threads N                event loop threads for the clients (default 1); with more than\n"
    "                             one, the publishers have the first to themselves\n"
    "  --realtime-publishers      that first thread runs SCHED_FIFO, so that its packets leave at\n"
    "                             their own instants (needs root or CAP_SYS_NICE)\n"
    "  --join-batch N             joins in flight at once (default 32)\n"
    "  --setup-timeout S          for joining everyone (default 120)\n"
    "  --server-pid PID           read the server's CPU time and RSS from /proc\n"
    "  --server-core C            the core the server is pinned to: report its steal time\n"
    "  --signal-window            send that server SIGUSR1 as the window opens and closes\n"
    "                             (AuraLink logs its hop latency for the window)\n"
    "  --no-transport-feedback    subscribers send no transport-wide CC feedback (default: every\n"
    "                             100 ms, as browsers do, where the server offers the extension)\n"
    "  --sink IP --sink-interface DEV   transmit-only: unmeasured subscribers move to IP, routed\n"
    "                             to DEV (an ifb device, which discards); needs root\n";

std::optional<LoadOptions> ParseLoadOptions(const std::vector<std::string>& arguments,
                                            std::string* error) {
  LoadOptions options;
  error->clear();
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string& flag = arguments[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= arguments.size()) {
        *error = "missing value for " + flag;
        return std::nullopt;
      }
      return arguments[++i];
    };
    auto number = [&](auto* target) -> bool {
      auto text = value();
      if (!text) return false;
      char* end = nullptr;
      const double parsed = std::strtod(text->c_str(), &end);
      if (end == text->c_str() || *end != '\0' || parsed < 0) {
        *error = "bad number for " + flag + ": " + *text;
        return false;
      }
      *target = static_cast<std::remove_pointer_t<decltype(target)>>(parsed);
      return true;
    };
    bool ok = true;
    if (flag == "--url") {
      auto text = value();
      ok = text.has_value();
      if (ok) options.server_url = *text;
    } else if (flag == "--api-key") {
      auto text = value();
      ok = text.has_value();
      if (ok) options.api_key = *text;
    } else if (flag == "--api-secret") {
      auto text = value();
      ok = text.has_value();
      if (ok) options.api_secret = *text;
    } else if (flag == "--room") {
      auto text = value();
      ok = text.has_value();
      if (ok) options.room = *text;
    } else if (flag == "--audio-only") {
      options.video = false;
    } else if (flag == "--video") {
      options.video = true;
    } else if (flag == "--simulcast") {
      options.video = options.simulcast = true;
    } else if (flag == "--subscribers") {
      ok = number(&options.subscribers);
    } else if (flag == "--rooms") {
      ok = number(&options.rooms);
    } else if (flag == "--duration") {
      ok = number(&options.duration_s);
    } else if (flag == "--warmup") {
      ok = number(&options.warmup_s);
    } else if (flag == "--bitrate") {
      ok = number(&options.video_bitrate_bps);
    } else if (flag == "--fps") {
      ok = number(&options.fps);
    } else if (flag == "--measured") {
      ok = number(&options.measured_subscribers);
    } else if (flag == "--threads") {
      ok = number(&options.threads);
    } else if (flag == "--realtime-publishers") {
      options.realtime_publishers = true;
    } else if (flag == "--join-batch") {
      ok = number(&options.join_batch);
    } else if (flag == "--setup-timeout") {
      ok = number(&options.setup_timeout_s);
    } else if (flag == "--server-pid") {
      ok = number(&options.server_pid);
    } else if (flag == "--server-core") {
      ok = number(&options.server_core);
    } else if (flag == "--signal-window") {
      options.signal_window = true;
    } else if (flag == "--no-transport-feedback") {
      options.transport_feedback = false;
    } else if (flag == "--sink") {
      auto text = value();
      ok = text.has_value();
      if (ok) options.sink_ip = *text;
    } else if (flag == "--sink-interface") {
      auto text = value();
      ok = text.has_value();
      if (ok) options.sink_interface = *text;
    } else if (flag == "--help" || flag == "-h") {
      return std::nullopt;
    } else {
      *error = "unknown option " + flag;
      ok = false;
    }
    if (!ok) return std::nullopt;
  }
  if (options.sink_ip.empty() != options.sink_interface.empty()) {
    *error = "--sink and --sink-interface go together";
    return std::nullopt;
  }
  return options;
}

StatusOr<LoadParticipantFactory> LiveKitParticipants(const LoadOptions& options,
                                                     const std::string& room) {
  auto issuer = signal::AccessTokenIssuer::Create(options.api_key, options.api_secret);
  if (!issuer.ok()) return issuer.status();
  std::shared_ptr<const signal::AccessTokenIssuer> shared = std::move(*issuer);
  const std::string url = options.server_url;
  return LoadParticipantFactory(
      [shared, url, room](
          net::EventLoop* loop,
          const LoadParticipantSpec& spec) -> StatusOr<std::unique_ptr<LoadParticipant>> {
        signal::ClaimGrants grants;
        grants.identity = spec.index < 0 ? "publisher" : "sub-" + std::to_string(spec.index);
        grants.video = signal::VideoGrant{};
        grants.video->room_join = true;
        grants.video->room = spec.room == 0 ? room : room + "-" + std::to_string(spec.room);
        auto token = shared->Issue(grants, WallSeconds());
        if (!token.ok()) return token.status();
        RoomClientOptions client_options;
        client_options.server_url = url;
        client_options.token = *token;
        client_options.auto_subscribe = spec.index >= 0;
        client_options.certificate = spec.certificate;
        client_options.decrypt_media = spec.measured;
        client_options.transport_feedback_interval_ms = spec.transport_feedback_interval_ms;
        auto client = RoomClient::Create(loop, client_options, spec.callbacks);
        if (!client.ok()) return client.status();
        return std::unique_ptr<LoadParticipant>(
            new LiveKitParticipant(std::move(*client), spec.publish, spec.index < 0));
      });
}

StatusOr<double> ParseProcStatCpuSeconds(const std::string& stat, long ticks_per_second) {
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || ticks_per_second <= 0)
    return Status::Error("/proc stat: no command name");
  std::istringstream fields(stat.substr(close + 1));
  // After the name: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime(14) stime(15), per proc(5).
  std::string field;
  double utime = -1, stime = -1;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) utime = std::strtod(field.c_str(), nullptr);
    if (index == 15) {
      stime = std::strtod(field.c_str(), nullptr);
      break;
    }
  }
  if (utime < 0 || stime < 0) return Status::Error("/proc stat: too few fields");
  return (utime + stime) / static_cast<double>(ticks_per_second);
}

StatusOr<double> ParseProcStatStealSeconds(const std::string& proc_stat, int core,
                                           long ticks_per_second) {
  if (core < 0 || ticks_per_second <= 0) return Status::Error("/proc/stat: no such core");
  const std::string name = "cpu" + std::to_string(core);
  std::istringstream lines(proc_stat);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string first;
    if (!(fields >> first) || first != name) continue;
    // user nice system idle iowait irq softirq steal (proc(5)).
    double value = 0;
    for (int index = 0; index < 8; ++index) {
      if (!(fields >> value)) return Status::Error("/proc/stat: short line for " + name);
    }
    return value / static_cast<double>(ticks_per_second);
  }
  return Status::Error("/proc/stat: no line for " + name);
}

StatusOr<uint64_t> ParseNetDevReceiveDrops(const std::string& net_dev,
                                           const std::string& interface) {
  // "  name: rx_bytes rx_packets rx_errs rx_drop ..." after two header lines.
  std::istringstream lines(net_dev);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.substr(start, colon - start) != interface) continue;
    std::istringstream fields(line.substr(colon + 1));
    uint64_t value = 0;
    for (int index = 0; index < 4; ++index) {
      if (!(fields >> value)) return Status::Error("/proc/net/dev: short line for " + interface);
    }
    return value;
  }
  return Status::Error("/proc/net/dev: no interface " + interface);
}

StatusOr<ProcessUsage> ReadProcessUsage(int pid) {
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  if (stat.empty()) return Status::Error("cannot read /proc/" + std::to_string(pid) + "/stat");
  auto cpu = ParseProcStatCpuSeconds(stat, sysconf(_SC_CLK_TCK));
  if (!cpu.ok()) return cpu.status();
  ProcessUsage usage;
  usage.cpu_seconds = *cpu;
  std::ifstream status_file("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status_file, line)) {
    if (line.rfind("VmRSS:", 0) == 0) usage.rss_kb = std::strtoll(line.c_str() + 6, nullptr, 10);
  }
  return usage;
}

StatusOr<nlohmann::json> RunLoad(const LoadOptions& options, LoadParticipantFactory factory) {
  if (options.subscribers < 1) return Status::Error("load: at least one subscriber");
  if (options.rooms < 1) return Status::Error("load: at least one room");
  const int rooms = options.rooms;
  const int all_subscribers = options.subscribers * rooms;
  if (options.duration_s <= 0) return Status::Error("load: duration must be positive");
  auto certificate = rtc::DtlsCertificate::Create();
  if (!certificate.ok()) return certificate.status();
  const std::string room = options.room.empty() ? RandomRoomName() : options.room;
  if (!factory) {
    auto livekit = LiveKitParticipants(options, room);
    if (!livekit.ok()) return livekit.status();
    factory = std::move(*livekit);
  }
  std::atomic<int> publishers_ready{0};
  std::atomic<bool> publisher_failed{false};
  std::string publisher_error;
  // Declared after the state its clients' callbacks write, so it is destroyed first.
  std::vector<std::unique_ptr<LoadWorker>> workers;
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    auto worker = LoadWorker::Create();
    if (!worker.ok()) return worker.status();
    workers.push_back(std::move(*worker));
  }
  if (options.realtime_publishers) {
    if (workers.size() < 2)
      return Status::Error(
          "--realtime-publishers needs --threads 2 or more (a thread of their own)");
    Status realtime = workers[0]->Call([]() -> Status {
      sched_param param{};
      param.sched_priority = 1;
      const int error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
      if (error != 0)
        return Status::Error(std::string("--realtime-publishers: SCHED_FIFO refused: ") +
                             std::strerror(error));
      return Status::Ok();
    });
    if (!realtime.ok()) return realtime;
  }
  auto server_usage = [&]() -> std::optional<ProcessUsage> {
    if (options.server_pid <= 0) return std::nullopt;
    auto usage = ReadProcessUsage(options.server_pid);
    if (!usage.ok()) return std::nullopt;
    return *usage;
  };
  const size_t expected_tracks = 1 + (options.video ? 1 : 0);

  // The publishers live on worker 0, one per room. Video mode publishes a camera and a
  // microphone, as a camera participant does; audio mode only the microphone.
  LoadWorker& home = *workers[0];
  std::vector<LoadParticipant*> publishers;
  for (int room_index = 0; room_index < rooms; ++room_index) {
    Status created = home.Call([&]() -> Status {
      LoadParticipantSpec spec;
      spec.index = -1;
      spec.room = room_index;
      spec.certificate = *certificate;
      spec.publish.audio = true;
      spec.publish.video = options.video;
      spec.publish.simulcast = options.simulcast;
      spec.publish.video_options.bitrate_bps = options.video_bitrate_bps;
      spec.publish.video_options.fps = options.fps;
      spec.publish.video_options.key_frame_interval = options.key_frame_interval;
      spec.callbacks.on_publishing = [&]() { ++publishers_ready; };
      auto fail = [&](const Status& why) {
        if (why.ok() || publisher_failed) return;
        publisher_error = why.message();
        publisher_failed = true;
      };
      spec.callbacks.on_disconnected = fail;
      spec.callbacks.on_joined = fail;
      auto participant = factory(home.loop(), spec);
      if (!participant.ok()) return participant.status();
      home.participants().push_back(std::move(*participant));
      publishers.push_back(home.participants().back().get());
      return home.participants().back()->Start();
    });
    if (!created.ok()) return created;
  }
  auto is_publisher = [&](const LoadParticipant* participant) {
    return std::find(publishers.begin(), publishers.end(), participant) != publishers.end();
  };
  const auto setup_start = std::chrono::steady_clock::now();
  auto setup_elapsed = [&]() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
  };
  while (publishers_ready < rooms && !publisher_failed && setup_elapsed() < options.setup_timeout_s)
    SleepSeconds(0.01);
  if (publishers_ready < rooms) {
    const std::string transport = home.Call([&]() -> std::string {
      for (LoadParticipant* publisher : publishers) {
        const ClientTransport* t = publisher->media().publisher_transport();
        if (t == nullptr) return "no publisher connection was made";
        if (t->connected()) continue;
        return std::string("connection ") + ClientTransportStateName(t->state()) + ", " +
               std::to_string(t->counters().checks_sent) + " checks sent, " +
               std::to_string(t->counters().check_responses) + " answered, " +
               std::to_string(t->counters().dropped) + " datagrams dropped";
      }
      return "connected, not yet publishing";
    });
    return Status::Error("load: a publisher did not connect (" + transport +
                         "): " + (publisher_failed ? publisher_error : std::string("timed out")));
  }
  SleepSeconds(0.5);
  const std::optional<ProcessUsage> before_subscribers = server_usage();

  // Subscribers, spread over the workers, joined in batches.
  int started = 0;
  auto total = [&](auto member) {
    int sum = 0;
    for (auto& worker : workers) sum += ((*worker).*member).load();
    return sum;
  };
  while (started < all_subscribers && setup_elapsed() < options.setup_timeout_s) {
    const int settled = total(&LoadWorker::receiving) + total(&LoadWorker::failed);
    if (started - settled >= options.join_batch) {
      SleepSeconds(0.005);
      continue;
    }
    const int joined_so_far = started++;
    // With more than one thread the publishers keep worker 0 to themselves: independent senders
    // do not wait for anyone's receive work, and publishers sharing a loop with subscribers that
    // drain a fan-out would send late and in bunches, which the server would then meet at once.
    const size_t subscriber_workers = workers.size() > 1 ? workers.size() - 1 : 1;
    const size_t first_subscriber_worker = workers.size() > 1 ? 1 : 0;
    LoadWorker& worker =
        *workers[first_subscriber_worker + static_cast<size_t>(joined_so_far) % subscriber_workers];
    // Rooms fill side by side.
    const int room_index = joined_so_far % rooms;
    const int index = joined_so_far / rooms;
    const bool measured =
        IsMeasuredSubscriber(index, room_index, options.subscribers, options.measured_subscribers);
    Status made = worker.Call([&, index, room_index, measured]() -> Status {
      LoadParticipantSpec spec;
      spec.index = index;
      spec.room = room_index;
      spec.measured = measured;
      spec.certificate = *certificate;
      if (!options.transport_feedback) spec.transport_feedback_interval_ms = 0;
      auto seen = std::make_shared<size_t>(0);
      auto done = std::make_shared<bool>(false);
      LoadWorker* owner = &worker;
      spec.callbacks.on_track = [owner, seen, expected_tracks](const ReceivedTrack&) {
        if (++*seen == expected_tracks) ++owner->receiving;
      };
      spec.callbacks.on_joined = [owner, done](const Status& status) {
        if (status.ok()) {
          ++owner->joined;
        } else if (!*done) {
          *done = true;
          ++owner->failed;
        }
      };
      spec.callbacks.on_disconnected = [owner, done](const Status& why) {
        if (!why.ok() && !*done) {
          *done = true;
          ++owner->failed;
          AURALINK_LOG(kInfo) << "load: a subscriber failed: " << why.message();
        }
      };
      auto participant = factory(worker.loop(), spec);
      if (!participant.ok()) return participant.status();
      worker.participants().push_back(std::move(*participant));
      return worker.participants().back()->Start();
    });
    if (!made.ok()) return made;
  }
  while (total(&LoadWorker::receiving) + total(&LoadWorker::failed) < all_subscribers &&
         setup_elapsed() < options.setup_timeout_s) {
    SleepSeconds(0.02);
  }
  const int receiving = total(&LoadWorker::receiving);
  const double setup_seconds = setup_elapsed();
  if (receiving == 0) return Status::Error("load: no subscriber received media");

  int diverted = 0;
  auto read_sink = [&]() -> std::optional<uint64_t> {
    if (options.sink_interface.empty()) return std::nullopt;
    std::ifstream file("/proc/net/dev");
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    auto drops = ParseNetDevReceiveDrops(text, options.sink_interface);
    if (!drops.ok()) return std::nullopt;
    return *drops;
  };
  if (!options.sink_ip.empty()) {
    if (!read_sink())
      return Status::Error("load: cannot read the counters of " + options.sink_interface);
    for (auto& worker : workers) {
      Status moved = worker->Call([&]() -> Status {
        for (auto& participant : worker->participants()) {
          // The measured subscribers (those that decrypt and time) stay as witnesses.
          if (is_publisher(participant.get()) || participant->media().latency() != nullptr)
            continue;
          const ClientTransport* transport = participant->media().subscriber_transport();
          if (transport == nullptr || !transport->connected()) continue;
          AURALINK_RETURN_IF_ERROR(participant->media().DivertSubscriberTo(options.sink_ip));
          ++diverted;
        }
        return Status::Ok();
      });
      if (!moved.ok()) return moved;
    }
  }
  SleepSeconds(options.warmup_s);
  // Measurement window.
  auto snapshot_subscribers = [&]() {
    std::vector<SubscriberSnapshot> snapshot;
    for (auto& worker : workers) {
      worker->Call([&]() {
        for (auto& participant : worker->participants()) {
          if (is_publisher(participant.get())) continue;
          const RoomClient& client = participant->media();
          SubscriberSnapshot entry;
          entry.packets = client.packets_received();
          entry.transport_feedback = client.transport_feedback_sent();
          if (const ClientTransport* transport = client.subscriber_transport()) {
            entry.rtcp = transport->counters().rtcp_received;
            entry.diverted = transport->diverted();
          }
          for (const auto& track : client.received_tracks()) entry.lost += track->lost();
          snapshot.push_back(entry);
        }
      });
    }
    return snapshot;
  };
  auto publisher_packets = [&]() {
    return home.Call([&]() {
      uint64_t packets = 0;
      for (LoadParticipant* publisher : publishers) {
        const PublisherStats& stats = publisher->media().publisher_stats();
        packets += stats.audio_packets + stats.video_packets;
      }
      return packets;
    });
  };
  for (auto& worker : workers) {
    worker->Call([&]() {
      for (auto& participant : worker->participants()) participant->media().ClearLatency();
    });
  }
  const std::vector<SubscriberSnapshot> start = snapshot_subscribers();
  const std::optional<uint64_t> sink_start = read_sink();
  const uint64_t published_start = publisher_packets();
  auto core_steal = [&]() -> std::optional<double> {
    if (options.server_core < 0) return std::nullopt;
    std::ifstream file("/proc/stat");
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    auto steal = ParseProcStatStealSeconds(text, options.server_core, sysconf(_SC_CLK_TCK));
    if (!steal.ok()) return std::nullopt;
    return *steal;
  };
  const std::optional<ProcessUsage> server_start = server_usage();
  const std::optional<double> steal_start = core_steal();
  const double self_start = SelfCpuSeconds();
  const auto window_start = std::chrono::steady_clock::now();
  const bool signal_window = options.signal_window && options.server_pid > 0;
  if (signal_window) kill(options.server_pid, SIGUSR1);
  SleepSeconds(options.duration_s);
  if (signal_window) kill(options.server_pid, SIGUSR1);
  const std::optional<ProcessUsage> server_end = server_usage();
  const std::optional<double> steal_end = core_steal();
  const std::optional<uint64_t> sink_end = read_sink();
  const double window =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start).count();
  const double self_end = SelfCpuSeconds();
  const uint64_t published_end = publisher_packets();
  // A publisher whose connection failed mid-run (consent expired on an overloaded server) makes
  // the row meaningless; say so instead of reporting its starved numbers as throughput.
  const bool publisher_connected = home.Call([&]() {
    for (LoadParticipant* publisher : publishers) {
      const ClientTransport* transport = publisher->media().publisher_transport();
      if (transport == nullptr || !transport->connected()) return false;
    }
    return true;
  });
  // Packets still in flight at the window's end arrive within a few ms.
  SleepSeconds(0.2);
  const std::vector<SubscriberSnapshot> end = snapshot_subscribers();

  LatencyHistogram latency;
  for (auto& worker : workers) {
    worker->Call([&]() {
      for (auto& participant : worker->participants()) {
        if (participant->media().latency() != nullptr)
          latency.Merge(*participant->media().latency());
      }
    });
  }
  uint64_t received = 0;
  int64_t lost = 0;
  uint64_t min_received = UINT64_MAX, max_received = 0;
  nlohmann::json per_subscriber = nlohmann::json::array();
  uint64_t rtcp_received = 0;
  uint64_t feedback_sent = 0;
  size_t receivers = 0;
  for (size_t i = 0; i < end.size() && i < start.size(); ++i) {
    if (end[i].diverted) continue;  // receives nothing: the sink counts for it
    ++receivers;
    rtcp_received += end[i].rtcp - start[i].rtcp;
    feedback_sent += end[i].transport_feedback - start[i].transport_feedback;
    const uint64_t packets = end[i].packets - start[i].packets;
    received += packets;
    lost += end[i].lost - start[i].lost;
    min_received = std::min(min_received, packets);
    max_received = std::max(max_received, packets);
    if (end.size() <= 64) per_subscriber.push_back(packets);
  }
  const uint64_t published = published_end - published_start;

  nlohmann::json report;
  report["mode"] = options.video ? (options.simulcast ? "video-simulcast" : "video") : "audio";
  report["room"] = room;
  report["rooms"] = rooms;
  report["subscribers_per_room"] = options.subscribers;
  report["measured_per_room"] = std::min(options.measured_subscribers, options.subscribers);
  report["subscribers_requested"] = all_subscribers;
  report["subscribers_receiving"] = receiving;
  report["subscribers_failed"] = total(&LoadWorker::failed);
  report["setup_seconds"] = setup_seconds;
  report["window_seconds"] = window;
  report["video_bitrate_bps"] = options.video ? options.video_bitrate_bps : 0;
  report["publisher"] = {{"connected_at_end", publisher_connected},
                         {"packets_sent", published},
                         {"packets_per_second", static_cast<double>(published) / window}};
  nlohmann::json subscribers = {
      {"packets_received", received},
      {"packets_per_second", static_cast<double>(received) / window},
      {"per_subscriber_min", receivers == 0 ? 0 : min_received},
      {"per_subscriber_max", max_received},
      {"per_subscriber_mean", receivers == 0 ? 0.0 : static_cast<double>(received) / receivers},
      {"lost", lost},
      {"loss_fraction", received + lost > 0 ? static_cast<double>(lost) / (received + lost) : 0.0},
      {"transport_feedback_per_second", static_cast<double>(feedback_sent) / window}};
  if (!per_subscriber.empty()) subscribers["per_subscriber"] = per_subscriber;
  report["subscribers"] = subscribers;
  // Transmit-only: what reached the discarding device. It counts datagrams (RTP, RTCP and the
  // odd STUN answer); the RTP among them is estimated with the witnesses' RTP share, as they
  // subscribe to the same tracks.
  uint64_t sink_rtp = 0;
  if (sink_start && sink_end) {
    const uint64_t datagrams = *sink_end - *sink_start;
    const double rtp_share =
        received + rtcp_received > 0
            ? static_cast<double>(received) / static_cast<double>(received + rtcp_received)
            : 1.0;
    sink_rtp = static_cast<uint64_t>(std::llround(static_cast<double>(datagrams) * rtp_share));
    report["mode"] = report["mode"].get<std::string>() + "-tx-only";
    report["sink"] = {{"interface", options.sink_interface},
                      {"address", options.sink_ip},
                      {"subscribers", diverted},
                      {"datagrams", datagrams},
                      {"datagrams_per_second", static_cast<double>(datagrams) / window},
                      {"rtp_share_of_witnesses", rtp_share},
                      {"rtp_packets", sink_rtp},
                      {"rtp_packets_per_second", static_cast<double>(sink_rtp) / window}};
  }
  report["latency_us"] = {{"samples", latency.count()},
                          {"p50", latency.Percentile(0.5)},
                          {"p99", latency.Percentile(0.99)},
                          {"mean", latency.MeanUs()},
                          {"max", latency.MaxUs()}};
  report["load_generator"] = {{"cpu_seconds", self_end - self_start}, {"threads", workers.size()}};
  if (server_start && server_end) {
    const double cpu = server_end->cpu_seconds - server_start->cpu_seconds;
    nlohmann::json server = {{"pid", options.server_pid},
                             {"cpu_seconds", cpu},
                             {"cpu_utilisation", cpu / window},
                             {"rss_kb", server_end->rss_kb}};
    if (before_subscribers) {
      server["rss_before_subscribers_kb"] = before_subscribers->rss_kb;
      server["rss_per_subscriber_kb"] =
          static_cast<double>(server_end->rss_kb - before_subscribers->rss_kb) / receiving;
    }
    server["packets_forwarded_per_cpu_second"] =
        cpu > 0 ? static_cast<double>(received + sink_rtp) / cpu : 0.0;
    if (steal_start && steal_end) {
      server["core"] = options.server_core;
      server["core_steal_ms"] = (*steal_end - *steal_start) * 1000.0;
    }
    report["server"] = server;
  }

  for (auto& worker : workers) {
    worker->Call([&]() {
      for (auto& participant : worker->participants()) participant->Leave();
    });
  }
  SleepSeconds(0.2);
  workers.clear();
  return report;
}

}  // namespace auralink::client
