#include "net/raw_udp_egress.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "net/udp_socket.h"

namespace auralink::net {
namespace {

uint32_t Ipv4(const char* text) {
  in_addr address{};
  EXPECT_EQ(inet_pton(AF_INET, text, &address), 1) << text;
  return address.s_addr;
}

// RFC 1071's sum, word by word in network order: the reference the fast sum is checked against.
uint32_t ReferenceSum(const uint8_t* bytes, size_t length, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (length % 2) sum += bytes[length - 1] << 8;
  return sum;
}
uint16_t ReferenceFold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

Ipv4NextHop TestHop() {
  Ipv4NextHop hop;
  hop.ifindex = 7;
  hop.source = Ipv4("192.0.2.10");
  hop.source_mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  hop.next_hop_mac = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  hop.mtu = 1500;
  return hop;
}

TEST(RawUdpEgressTest, HeaderFieldsAndChecksumsAreValid) {
  const RawUdpPath path = RawUdpEgress::MakePath(TestHop(), Ipv4("198.51.100.20"), 64);
  EXPECT_TRUE(path.usable);
  EXPECT_EQ(path.link.sll_ifindex, 7);
  EXPECT_EQ(path.mtu, 1500u);
  // Odd and even lengths, and one whose sum needs several end-around carries.
  for (size_t size : {0u, 1u, 99u, 100u, 1187u, 1400u}) {
    std::vector<uint8_t> payload(size);
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(i * 37 + size);
    if (size == 1400) std::fill(payload.begin(), payload.end(), 0xff);
    uint8_t frame[RawUdpEgress::kHeaderBytes];
    RawUdpEgress::WriteHeader(path, 7882, 50123, 0x1234, payload, frame);
    // Ethernet.
    EXPECT_EQ(std::vector<uint8_t>(frame, frame + 6),
              std::vector<uint8_t>({0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}));
    EXPECT_EQ(std::vector<uint8_t>(frame + 6, frame + 12),
              std::vector<uint8_t>({0x02, 0x11, 0x22, 0x33, 0x44, 0x55}));
    EXPECT_EQ(frame[12], 0x08);
    EXPECT_EQ(frame[13], 0x00);
    // IPv4.
    const uint8_t* ip = frame + 14;
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ((ip[2] << 8) | ip[3], static_cast<int>(28 + size));
    EXPECT_EQ((ip[4] << 8) | ip[5], 0x1234);
    EXPECT_EQ(ip[6], 0x40);  // don't fragment
    EXPECT_EQ(ip[8], 64);
    EXPECT_EQ(ip[9], 17);
    EXPECT_EQ(ReferenceFold(ReferenceSum(ip, 20)), 0xffff) << "IPv4 header checksum, size " << size;
    // UDP, with the pseudo-header (RFC 768).
    const uint8_t* udp = frame + 34;
    EXPECT_EQ((udp[0] << 8) | udp[1], 7882);
    EXPECT_EQ((udp[2] << 8) | udp[3], 50123);
    EXPECT_EQ((udp[4] << 8) | udp[5], static_cast<int>(8 + size));
    EXPECT_FALSE(udp[6] == 0 && udp[7] == 0) << "a zero checksum means none";
    uint32_t sum = ReferenceSum(ip + 12, 8);
    sum += 17 + 8 + size;
    sum = ReferenceSum(udp, 8, sum);
    sum = ReferenceSum(payload.data(), payload.size(), sum);
    EXPECT_EQ(ReferenceFold(sum), 0xffff) << "UDP checksum, size " << size;

    // Left to the device: the field holds the pseudo-header's sum, and a device that sums the
    // header and payload from there and stores the complement (CHECKSUM_PARTIAL) writes the
    // checksum above.
    uint8_t partial[RawUdpEgress::kHeaderBytes];
    RawUdpEgress::WriteHeader(path, 7882, 50123, 0x1234, payload, partial,
                              /*checksum_by_device=*/true);
    EXPECT_TRUE(std::equal(frame, frame + 40, partial)) << "all but the UDP checksum";
    uint32_t device_sum = ReferenceSum(partial + 34, 8);
    device_sum = ReferenceSum(payload.data(), payload.size(), device_sum);
    uint16_t completed = static_cast<uint16_t>(~ReferenceFold(device_sum));
    if (completed == 0) completed = 0xffff;
    EXPECT_EQ(completed, (udp[6] << 8) | udp[7]) << "size " << size;
  }
}

TEST(RawUdpEgressTest, RouteHopLimitWinsOverTheDefault) {
  Ipv4NextHop hop = TestHop();
  hop.ttl = 9;
  const RawUdpPath path = RawUdpEgress::MakePath(hop, Ipv4("198.51.100.20"), 64);
  EXPECT_EQ(path.header[14 + 8], 9);
}

// The rest needs CAP_NET_RAW and CAP_NET_ADMIN (root in CI); without them the tests skip and say
// why.
std::unique_ptr<RawUdpEgress> CreateOrSkipReason(std::string* reason,
                                                 RawUdpEgressOptions options = {}) {
  auto egress = RawUdpEgress::Create(options);
  if (!egress.ok()) {
    *reason = egress.status().message();
    return nullptr;
  }
  return std::move(*egress);
}

// A tap device on 10.211.<subnet>.1/24, up and (unless `arp`) without ARP: what the kernel sends
// into that subnet leaves through it and is read here as Ethernet frames, the kernel's datagrams
// and the egress's frames alike. It vanishes when closed. Each test takes a subnet of its own, as
// ctest runs them side by side.
class TapDevice {
 public:
  static std::unique_ptr<TapDevice> Open(std::string* why, int subnet, int mtu = 1500,
                                         bool arp = false) {
    const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      *why = std::string("/dev/net/tun: ") + std::strerror(errno);
      return nullptr;
    }
    std::unique_ptr<TapDevice> tap(new TapDevice(fd, subnet));
    ifreq device{};
    device.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::strncpy(device.ifr_name, "alraw%d", IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &device) != 0) {
      *why = std::string("TUNSETIFF: ") + std::strerror(errno);
      return nullptr;
    }
    const int control = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    auto set = [&](unsigned long request, const char* what) {
      if (ioctl(control, request, &device) == 0) return true;
      *why = std::string(what) + ": " + std::strerror(errno);
      return false;
    };
    auto address = [&](const char* ip) {
      sockaddr_in in{};
      in.sin_family = AF_INET;
      inet_pton(AF_INET, ip, &in.sin_addr);
      std::memcpy(&device.ifr_addr, &in, sizeof(in));
    };
    address(tap->Address(1).c_str());
    bool ok = set(SIOCSIFADDR, "SIOCSIFADDR");
    address("255.255.255.0");
    ok = ok && set(SIOCSIFNETMASK, "SIOCSIFNETMASK");
    device.ifr_mtu = mtu;
    ok = ok && set(SIOCSIFMTU, "SIOCSIFMTU");
    ok = ok && set(SIOCGIFFLAGS, "SIOCGIFFLAGS");
    device.ifr_flags |= IFF_UP;
    if (!arp) device.ifr_flags |= IFF_NOARP;
    ok = ok && set(SIOCSIFFLAGS, "SIOCSIFFLAGS");
    close(control);
    return ok ? std::move(tap) : nullptr;
  }
  ~TapDevice() { close(fd_); }

  // 10.211.<subnet>.<host>: 1 is the device's own, 2 the peer the tests send to.
  std::string Address(int host) const {
    return "10.211." + std::to_string(subnet_) + "." + std::to_string(host);
  }
  SocketAddress Peer(uint16_t port) const { return *SocketAddress::FromIp(Address(2), port); }

  // The next IPv4 UDP frame to `port`, skipping others (the kernel's IPv6 chatter); empty after
  // a second without one.
  std::vector<uint8_t> ReadUdpFrame(uint16_t port) {
    return ReadFrame([port](const std::vector<uint8_t>& frame) {
      return frame[12] == 0x08 && frame[13] == 0x00 && frame[14 + 9] == 17 &&
             ((frame[36] << 8) | frame[37]) == port;
    });
  }

  // Answers the kernel's ARP request for the peer with `mac`; false if none came within a second.
  bool AnswerArp(const MacAddress& mac) {
    const std::vector<uint8_t> request = ReadFrame([](const std::vector<uint8_t>& frame) {
      return frame[12] == 0x08 && frame[13] == 0x06 && frame[14 + 7] == 1;  // ARP request
    });
    if (request.empty()) return false;
    std::vector<uint8_t> reply(42);
    std::memcpy(reply.data(), request.data() + 6, 6);  // to the asker
    std::memcpy(reply.data() + 6, mac.data(), 6);
    reply[12] = 0x08;
    reply[13] = 0x06;
    const uint8_t arp_header[] = {0, 1, 0x08, 0, 6, 4, 0, 2};  // Ethernet, IPv4, reply
    std::memcpy(reply.data() + 14, arp_header, sizeof(arp_header));
    std::memcpy(reply.data() + 22, mac.data(), 6);                // sender: the peer
    std::memcpy(reply.data() + 28, request.data() + 14 + 24, 4);  // its address, as asked
    std::memcpy(reply.data() + 32, request.data() + 14 + 8, 10);  // target: the asker
    return write(fd_, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size());
  }

 private:
  template <typename Wanted>
  std::vector<uint8_t> ReadFrame(Wanted wanted) {
    for (;;) {
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, 1000) != 1) return {};
      std::vector<uint8_t> frame(2048);
      const ssize_t size = read(fd_, frame.data(), frame.size());
      if (size < 42) continue;
      frame.resize(static_cast<size_t>(size));
      if (wanted(frame)) return frame;
    }
  }

  TapDevice(int fd, int subnet) : fd_(fd), subnet_(subnet) {}
  int fd_;
  int subnet_;
};

std::unique_ptr<UdpSocket> Bind(const char* ip) {
  auto socket = UdpSocket::Bind(*SocketAddress::FromIp(ip, 0));
  EXPECT_TRUE(socket.ok()) << socket.status().message();
  return socket.ok() ? std::move(socket).value() : nullptr;
}

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

#define OPEN_OR_SKIP(egress, tap, options, ...)       \
  std::string reason;                                 \
  auto egress = CreateOrSkipReason(&reason, options); \
  if (!egress) GTEST_SKIP() << reason;                \
  auto tap = TapDevice::Open(&reason, __VA_ARGS__);   \
  if (!tap) GTEST_SKIP() << "no tap device: " << reason

// The egress's frames are the kernel's own, byte for byte, but for the IPv4 id (and so the header
// checksum): same link addresses, source address chosen by the route for a socket on 0.0.0.0,
// TTL, don't-fragment, ports, lengths and UDP checksum. The call that looks a path up leaves that
// destination to the socket; the next one sends frames.
TEST(RawUdpEgressTest, FramesMatchTheKernelsOwn) {
  OPEN_OR_SKIP(egress, tap, {}, 71);
  auto sender = Bind("0.0.0.0");
  ASSERT_TRUE(sender);
  const SocketAddress to = tap->Peer(40000);
  const std::vector<std::string> payloads = {"a", "odd length!", std::string(1187, 'v'),
                                             std::string(100, '\xff')};
  std::vector<std::span<const uint8_t>> spans;
  for (const std::string& payload : payloads) spans.push_back(Bytes(payload));
  std::vector<OutgoingMessage> messages;
  for (size_t i = 0; i < spans.size(); ++i) messages.push_back({{&spans[i], 1}, &to});

  std::vector<OutgoingMessage> rest;
  EXPECT_EQ(egress->Send(sender->local_address(), messages, &rest), 0u);
  ASSERT_EQ(rest.size(), messages.size()) << "the lookup's call goes through the socket";
  EXPECT_EQ(egress->counters().path_lookups, 1u);
  for (const OutgoingMessage& message : rest) sender->SendTo(message.segments[0], *message.to);
  std::vector<std::vector<uint8_t>> kernel_frames;
  for (size_t i = 0; i < payloads.size(); ++i) kernel_frames.push_back(tap->ReadUdpFrame(40000));

  rest.clear();
  EXPECT_EQ(egress->Send(sender->local_address(), messages, &rest), messages.size());
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(egress->counters().path_lookups, 1u) << "the path is cached";
  // A tap device without offloads: the kernel completes a checksum left to the device.
  EXPECT_TRUE(egress->checksum_by_device());
  for (size_t i = 0; i < payloads.size(); ++i) {
    const std::vector<uint8_t> ours = tap->ReadUdpFrame(40000);
    const std::vector<uint8_t>& kernels = kernel_frames[i];
    ASSERT_EQ(ours.size(), 42 + payloads[i].size()) << i;
    ASSERT_EQ(kernels.size(), ours.size()) << i;
    for (size_t at = 0; at < ours.size(); ++at) {
      if (at >= 14 + 4 && at < 14 + 6) continue;    // IPv4 id
      if (at >= 14 + 10 && at < 14 + 12) continue;  // its header checksum
      ASSERT_EQ(ours[at], kernels[at]) << "datagram " << i << ", byte " << at;
    }
    EXPECT_EQ(ReferenceFold(ReferenceSum(ours.data() + 14, 20)), 0xffff);
  }
  EXPECT_EQ(egress->counters().datagrams_sent, payloads.size());
  EXPECT_EQ(egress->counters().bytes_sent,
            std::accumulate(payloads.begin(), payloads.end(), size_t{0},
                            [](size_t sum, const std::string& p) { return sum + p.size(); }));
}

// Through a UdpSocket: GSO runs are cut into one frame per datagram, every datagram leaves once and
// in order, and the socket's counters include the frames.
TEST(RawUdpEgressTest, UdpSocketSendsThroughTheEgress) {
  OPEN_OR_SKIP(egress, tap, {}, 72);
  auto sender = Bind(tap->Address(1).c_str());
  ASSERT_TRUE(sender);
  sender->set_raw_egress(egress.get());
  const SocketAddress to = tap->Peer(40001);
  std::vector<std::string> payloads;
  for (int i = 0; i < 5; ++i) payloads.push_back(std::string(1000, static_cast<char>('a' + i)));
  payloads.push_back("short last");
  std::vector<std::span<const uint8_t>> spans;
  for (const std::string& payload : payloads) spans.push_back(Bytes(payload));
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(sender->SendSameDestination(spans, &to), spans.size());
    for (size_t i = 0; i < spans.size(); ++i) {
      const std::vector<uint8_t> frame = tap->ReadUdpFrame(40001);
      ASSERT_EQ(frame.size(), 42 + payloads[i].size()) << "round " << round << ", datagram " << i;
      EXPECT_EQ(std::string(frame.begin() + 42, frame.end()), payloads[i]);
    }
  }
  EXPECT_EQ(sender->counters().packets_sent, 2 * spans.size());
  EXPECT_EQ(sender->counters().raw_packets_sent, spans.size()) << "the second round, as frames";
  EXPECT_EQ(egress->counters().datagrams_sent, spans.size());
}

// A datagram that would need fragmenting is left to the socket; the others to the destination
// still leave as frames.
TEST(RawUdpEgressTest, DatagramsAboveTheMtuGoToTheSocket) {
  OPEN_OR_SKIP(egress, tap, {}, 73, 1280);
  const SocketAddress local = *SocketAddress::FromIp(tap->Address(1), 40010);
  const SocketAddress to = tap->Peer(40002);
  const std::string small(100, 's');
  const std::string fits(1280 - 28, 'f');
  const std::string large(1280 - 27, 'l');
  const std::span<const uint8_t> spans[] = {Bytes(small), Bytes(fits), Bytes(large)};
  const std::vector<OutgoingMessage> messages = {
      {{&spans[0], 1}, &to}, {{&spans[1], 1}, &to}, {{&spans[2], 1}, &to}};
  std::vector<OutgoingMessage> rest;
  egress->Send(local, messages, &rest);  // the lookup's call
  rest.clear();
  EXPECT_EQ(egress->Send(local, messages, &rest), 2u);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].segments[0].size(), large.size());
  EXPECT_EQ(tap->ReadUdpFrame(40002).size(), 42 + small.size());
  EXPECT_EQ(tap->ReadUdpFrame(40002).size(), 42 + fits.size());
}

// Paths are looked up again when they expire, and that call's datagrams go through the socket
// (so the kernel's neighbour entry sees use).
TEST(RawUdpEgressTest, ExpiredPathsAreLookedUpAgain) {
  RawUdpEgressOptions options;
  options.path_lifetime_us = 1000;
  OPEN_OR_SKIP(egress, tap, options, 74);
  const SocketAddress local = *SocketAddress::FromIp(tap->Address(1), 40011);
  const SocketAddress to = tap->Peer(40003);
  const std::string payload = "again";
  const std::span<const uint8_t> span = Bytes(payload);
  const std::vector<OutgoingMessage> messages = {{{&span, 1}, &to}};
  std::vector<OutgoingMessage> rest;
  egress->Send(local, messages, &rest);
  EXPECT_EQ(egress->Send(local, messages, &rest), 1u);
  usleep(3000);
  rest.clear();
  EXPECT_EQ(egress->Send(local, messages, &rest), 0u);
  EXPECT_EQ(rest.size(), 1u);
  EXPECT_EQ(egress->counters().path_lookups, 2u);
  EXPECT_EQ(egress->Send(local, messages, &rest), 1u);
}

// On a device with ARP, the next hop's address comes from the kernel's neighbour table: until the
// kernel has resolved it (on the socket's datagram), the socket carries the destination; then
// frames go to the address the peer answered with.
TEST(RawUdpEgressTest, NextHopAddressComesFromTheNeighbourTable) {
  RawUdpEgressOptions options;
  options.unresolved_retry_us = 1000;
  OPEN_OR_SKIP(egress, tap, options, 75, 1500, /*arp=*/true);
  auto sender = Bind(tap->Address(1).c_str());
  ASSERT_TRUE(sender);
  sender->set_raw_egress(egress.get());
  const SocketAddress to = tap->Peer(40004);
  const std::string payload = "resolved";
  const std::span<const uint8_t> span = Bytes(payload);
  const std::vector<OutgoingDatagram> datagram = {{span, &to}};
  ASSERT_EQ(sender->SendBatch(datagram), 1u);
  EXPECT_EQ(egress->counters().unresolved, 1u);
  EXPECT_EQ(sender->counters().raw_packets_sent, 0u);
  const MacAddress peer = {0x02, 0x00, 0x00, 0x00, 0x77, 0x02};
  ASSERT_TRUE(tap->AnswerArp(peer));
  ASSERT_EQ(tap->ReadUdpFrame(40004).size(), 42 + payload.size()) << "the kernel's datagram";
  usleep(3000);                 // past unresolved_retry_us
  sender->SendBatch(datagram);  // looked up again: through the socket once more
  tap->ReadUdpFrame(40004);
  ASSERT_EQ(sender->SendBatch(datagram), 1u);
  EXPECT_EQ(sender->counters().raw_packets_sent, 1u);
  const std::vector<uint8_t> frame = tap->ReadUdpFrame(40004);
  ASSERT_EQ(frame.size(), 42 + payload.size());
  EXPECT_TRUE(std::equal(peer.begin(), peer.end(), frame.begin()));
}

// What it cannot write a frame for goes back to the caller, in order: IPv6, connected sends (no
// address), destinations without a unicast route, and this machine's own addresses.
TEST(RawUdpEgressTest, LeavesWhatItCannotSendToTheSocket) {
  std::string reason;
  auto egress = CreateOrSkipReason(&reason);
  if (!egress) GTEST_SKIP() << reason;
  const SocketAddress local = *SocketAddress::FromIp("127.0.0.1", 40000);
  const SocketAddress v6 = *SocketAddress::FromIp("::1", 40001);
  const SocketAddress broadcast = *SocketAddress::FromIp("255.255.255.255", 40002);
  const SocketAddress loopback = *SocketAddress::FromIp("127.0.0.1", 40003);
  const std::string payload = "x";
  const std::span<const uint8_t> span = Bytes(payload);
  const std::vector<OutgoingMessage> messages = {
      {{&span, 1}, &v6}, {{&span, 1}, nullptr}, {{&span, 1}, &broadcast}, {{&span, 1}, &loopback}};
  for (int call = 0; call < 2; ++call) {
    std::vector<OutgoingMessage> rest;
    EXPECT_EQ(egress->Send(local, messages, &rest), 0u);
    ASSERT_EQ(rest.size(), 4u);
    EXPECT_EQ(rest[0].to, &v6);
    EXPECT_EQ(rest[1].to, nullptr);
    EXPECT_EQ(rest[2].to, &broadcast);
    EXPECT_EQ(rest[3].to, &loopback);
  }
  EXPECT_EQ(egress->counters().unresolved, 2u) << "retried only after unresolved_retry_us";
  EXPECT_EQ(egress->counters().datagrams_sent, 0u);
}

}  // namespace
}  // namespace auralink::net
