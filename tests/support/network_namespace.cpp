#include "network_namespace.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

namespace shardpipe::testing {
namespace {

// The namespace the process was in before it entered the private one (-1: not entered).
int original_namespace = -1;

std::string errno_text(int error) {
  return std::strerror(error);
}

// SIOCGIFFLAGS/SIOCSIFFLAGS on "lo": what `ip link set lo up` does, without the command.
void bring_loopback_up() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket for lo failed: " + errno_text(errno));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0) {
    int error = errno;
    ::close(fd);
    throw std::runtime_error("reading the flags of lo failed: " + errno_text(error));
  }
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (::ioctl(fd, SIOCSIFFLAGS, &request) != 0) {
    int error = errno;
    ::close(fd);
    throw std::runtime_error("bringing lo up failed: " + errno_text(error));
  }
  ::close(fd);
}

}  // namespace

void enter_private_network_namespace() {
  if (original_namespace >= 0) return;
  int original = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original < 0) {
    throw std::runtime_error("cannot open /proc/self/ns/net: " + errno_text(errno));
  }
  if (::unshare(CLONE_NEWNET) != 0) {
    int error = errno;
    ::close(original);
    throw std::runtime_error(
        "cannot enter a private network namespace (unshare(CLONE_NEWNET): " + errno_text(error) +
        "): these tests start servers that listen on every interface and must run as root (or "
        "with CAP_SYS_ADMIN) so that they are confined to a namespace of their own");
  }
  original_namespace = original;
  bring_loopback_up();
}

bool in_private_network_namespace() {
  return original_namespace >= 0;
}

void run_in_original_network_namespace(const std::function<void()>& work) {
  if (original_namespace < 0) {
    throw std::runtime_error("run_in_original_network_namespace: not in a private namespace");
  }
  std::exception_ptr failure;
  std::thread outside([&] {
    try {
      if (::setns(original_namespace, CLONE_NEWNET) != 0) {
        throw std::runtime_error("setns to the original network namespace failed: " +
                                 errno_text(errno));
      }
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  outside.join();
  if (failure) std::rethrow_exception(failure);
}

bool loopback_port_accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed: " + errno_text(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  int result = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::close(fd);
  return result == 0;
}

}  // namespace shardpipe::testing
