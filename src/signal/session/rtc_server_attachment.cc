#include "signal/session/rtc_server_attachment.h"

#include <algorithm>

#include "sfu/rtc_server.h"
#include "signal/session/rtc_signalling.h"
#include "signal/session/rtc_worker_pool.h"

namespace auralink::signal {

Status AttachRtcServer(ServeContext& context) {
  if (context.loop == nullptr || context.config == nullptr || context.verifier == nullptr)
    return Status::Error("RTC server: serve context is incomplete");
  const ServerConfig& config = *context.config;
  sfu::RtcServerConfig rtc;
  rtc.udp_port = config.rtc.udp_port;
  rtc.port_range_start = config.rtc.port_range_start;  // used when udp_port is 0
  rtc.port_range_end = config.rtc.port_range_end;
  rtc.ice_tcp = config.rtc.tcp_port != 0;  // the config's 0 means off
  rtc.tcp_port = config.rtc.tcp_port;
  rtc.auto_create_rooms = config.room.auto_create;
  rtc.empty_timeout_s = config.room.empty_timeout_s;
  rtc.departure_timeout_s = config.room.departure_timeout_s;
  rtc.max_participants = config.room.max_participants;
  rtc.measure_hop_latency = config.rtc.measure_hop_latency;
  rtc.raw_udp_send = config.rtc.raw_udp_send;
  // One IPv4 socket on all interfaces; candidates only for IPv4 addresses it can answer from.
  for (const std::string& ip : context.ice_addresses) {
    if (ip.find(':') == std::string::npos &&
        std::find(rtc.candidate_ips.begin(), rtc.candidate_ips.end(), ip) ==
            rtc.candidate_ips.end())
      rtc.candidate_ips.push_back(ip);
  }
  if (rtc.candidate_ips.empty()) rtc.candidate_ips.push_back("127.0.0.1");
  context.ice_addresses = rtc.candidate_ips;
  if (config.rtc.workers > 1) {
    auto pool = RtcWorkerPool::Create(config.rtc.workers, rtc);
    if (!pool.ok()) return pool.status();
    std::shared_ptr<RtcWorkerPool> shared(std::move(*pool));
    for (http::HttpServer* http : context.http_servers)
      AURALINK_RETURN_IF_ERROR(RegisterRtcSignalling(http, shared.get(), context.verifier));
    context.room_control = shared.get();
    context.rtc_server = shared;
    return Status::Ok();
  }
  // One worker: the SFU shares the HTTP loop's thread, as before there were workers.
  auto server = sfu::RtcServer::Create(context.loop, rtc);
  if (!server.ok()) return server.status();
  std::shared_ptr<sfu::RtcServer> shared(std::move(*server));
  for (http::HttpServer* http : context.http_servers)
    AURALINK_RETURN_IF_ERROR(RegisterRtcSignalling(http, shared.get(), context.verifier));
  context.room_control = shared.get();
  context.rtc_server = shared;
  return Status::Ok();
}

}  // namespace auralink::signal
