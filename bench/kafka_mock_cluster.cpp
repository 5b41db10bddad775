// librdkafka's mock cluster as a standalone server for the Kafka benchmark: real Kafka protocol
// on 127.0.0.1 (random ports), no broker to install.
//   kafka_mock_cluster [--brokers N] [--topic NAME [--partitions N]]...
// Prints `listening <bootstraps>` once the topics exist, then serves until standard input reaches
// end of file (the parent closing its pipe, or dying) or SIGTERM/SIGINT arrives.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

struct Options {
  int brokers = 3;
  std::vector<TopicSpec> topics;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr,
               "kafka_mock_cluster: %s\n"
               "usage: kafka_mock_cluster [--brokers N] [--topic NAME [--partitions N]]...\n",
               message.c_str());
  std::exit(2);
}

int positive(std::string_view option, const char* text) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 1 || value > 100000) {
    usage_error(std::string(option) + " wants a positive number, not '" + text + "'");
  }
  return static_cast<int>(value);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) usage_error(std::string(arg) + " wants a value");
    const char* value = argv[++i];
    if (arg == "--brokers") {
      options.brokers = positive(arg, value);
    } else if (arg == "--topic") {
      options.topics.push_back({value, 1});
    } else if (arg == "--partitions") {
      // Belongs to the --topic before it.
      if (options.topics.empty()) usage_error("--partitions must follow a --topic");
      options.topics.back().partitions = positive(arg, value);
    } else {
      usage_error("unknown option " + std::string(arg));
    }
  }
  return options;
}

// Blocks until standard input ends or SIGTERM/SIGINT arrives.
void wait_for_stop(int signal_fd) {
  std::array<pollfd, 2> fds{{{STDIN_FILENO, POLLIN, 0}, {signal_fd, POLLIN, 0}}};
  std::array<char, 4096> discard;
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("kafka_mock_cluster: poll");
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents != 0) {
      ssize_t n = read(STDIN_FILENO, discard.data(), discard.size());
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);

  // Blocked before librdkafka starts its threads, so they inherit the mask and the signals
  // reach only the signalfd: the cluster is then always destroyed from this thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  int signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    std::perror("kafka_mock_cluster: signalfd");
    return 1;
  }

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The owning client only hosts the cluster; its own connection attempts are noise.
  rd_kafka_conf_set(conf, "log_level", "0", error, sizeof error);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!handle) {
    std::fprintf(stderr, "kafka_mock_cluster: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, options.brokers);
  if (!cluster) {
    std::fprintf(stderr, "kafka_mock_cluster: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(handle);
    return 1;
  }

  int status = 0;
  for (const auto& topic : options.topics) {
    if (auto err = rd_kafka_mock_topic_create(cluster, topic.name.c_str(), topic.partitions, 1)) {
      std::fprintf(stderr, "kafka_mock_cluster: creating topic %s: %s\n", topic.name.c_str(),
                   rd_kafka_err2str(err));
      status = 1;
      break;
    }
  }
  if (status == 0) {
    std::printf("listening %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    std::fflush(stdout);
    wait_for_stop(signal_fd);
  }

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  close(signal_fd);
  return status;
}
