#include "targets/kafka/producer.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "targets/kafka/client_log.hpp"
#include "targets/kafka/delivery_error.hpp"

namespace shardpipe::kafka_target {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// librdkafka reports every message within message.timeout.ms; the margin covers the report's
// way back through the poll loop.
constexpr auto report_margin = 5s;
// How long a full local queue is waited on between attempts to add a message.
constexpr auto queue_full_pause = 5ms;

// The delivery reports one send waits for. Each message's ticket shares it, so a report that
// arrives after the send stopped waiting still has somewhere to go.
struct PendingReports {
  explicit PendingReports(size_t count) : codes(count, RD_KAFKA_RESP_ERR__IN_PROGRESS) {}

  void report(size_t index, rd_kafka_resp_err_t code) {
    std::lock_guard lock(mutex);
    codes[index] = code;
    if (--outstanding == 0) all_in.notify_all();
  }

  std::mutex mutex;
  std::condition_variable all_in;
  std::vector<rd_kafka_resp_err_t> codes;  // IN_PROGRESS until the report arrives
  size_t outstanding = 0;
};

// The per-message opaque: which report of which send a delivery report answers.
struct Ticket {
  std::shared_ptr<PendingReports> reports;
  size_t index = 0;
};

void on_delivery(rd_kafka_t* /*client*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  std::unique_ptr<Ticket> ticket(static_cast<Ticket*>(message->_private));
  ticket->reports->report(ticket->index, message->err);
}

std::chrono::milliseconds message_timeout(rd_kafka_conf_t* conf) {
  char value[32] = {};
  size_t size = sizeof value;
  if (rd_kafka_conf_get(conf, "message.timeout.ms", value, &size) != RD_KAFKA_CONF_OK) {
    return 300s;
  }
  const long long ms = std::strtoll(value, nullptr, 10);
  // 0 is librdkafka's "no limit": a day stands in for it.
  return ms > 0 ? std::chrono::milliseconds(ms) : std::chrono::milliseconds(24h);
}

rd_kafka_vu_t memory_value(rd_kafka_vtype_t type, std::string_view bytes) {
  rd_kafka_vu_t value{};
  value.vtype = type;
  value.u.mem.ptr = const_cast<char*>(bytes.data());  // copied: RD_KAFKA_MSG_F_COPY
  value.u.mem.size = bytes.size();
  return value;
}

}  // namespace

class Producer::Impl {
 public:
  Impl(rd_kafka_t* client, std::string topic, std::chrono::milliseconds timeout)
      : client_(client), topic_(std::move(topic)), message_timeout_(timeout) {
    // Delivery reports are served here, whichever thread produced the message.
    poller_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) rd_kafka_poll(client_, 100);
    });
  }

  ~Impl() {
    poller_.request_stop();
    poller_.join();
    // Messages still queued were already reported failed to their senders.
    rd_kafka_purge(client_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(client_, 2000);  // serves the purged messages' reports, freeing their tickets
    rd_kafka_destroy(client_);
  }

  // Adds one message to librdkafka's queue, waiting while the queue is full.
  rd_kafka_resp_err_t produce(const OutgoingMessage& message, Ticket* ticket,
                              Clock::time_point deadline) {
    std::vector<rd_kafka_vu_t> values;
    values.reserve(5 + message.headers.size());
    // By name: librdkafka knows the topic from the first message on, never before the topic
    // check (a broker that auto-creates topics would create it when asked about it by name).
    rd_kafka_vu_t topic{};
    topic.vtype = RD_KAFKA_VTYPE_TOPIC;
    topic.u.cstr = topic_.c_str();
    values.push_back(topic);
    values.push_back(memory_value(RD_KAFKA_VTYPE_VALUE, message.value));
    if (!message.key.empty()) values.push_back(memory_value(RD_KAFKA_VTYPE_KEY, message.key));
    rd_kafka_vu_t flags{};
    flags.vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    flags.u.i = RD_KAFKA_MSG_F_COPY;  // a message may outlive the batch it came from
    values.push_back(flags);
    rd_kafka_vu_t opaque{};
    opaque.vtype = RD_KAFKA_VTYPE_OPAQUE;
    opaque.u.ptr = ticket;
    values.push_back(opaque);
    for (const auto& [name, value] : message.headers) {
      rd_kafka_vu_t header{};
      header.vtype = RD_KAFKA_VTYPE_HEADER;
      header.u.header.name = name;
      header.u.header.val = value.data();
      header.u.header.size = static_cast<ssize_t>(value.size());
      values.push_back(header);
    }
    while (true) {
      rd_kafka_error_t* error = rd_kafka_produceva(client_, values.data(), values.size());
      if (!error) return RD_KAFKA_RESP_ERR_NO_ERROR;
      const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
      rd_kafka_error_destroy(error);
      if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL || Clock::now() >= deadline) return code;
      std::this_thread::sleep_for(queue_full_pause);
    }
  }

  std::optional<std::string> fatal_error() const {
    char reason[512] = {};
    if (rd_kafka_fatal_error(client_, reason, sizeof reason) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      return std::nullopt;
    }
    return std::string(reason);
  }

  rd_kafka_t* client() const { return client_; }
  std::chrono::milliseconds message_timeout() const { return message_timeout_; }

 private:
  rd_kafka_t* client_;
  std::string topic_;
  std::chrono::milliseconds message_timeout_;
  std::jthread poller_;
};

Result<std::unique_ptr<Producer>> Producer::create(kafka::ConfPtr conf, std::string topic) {
  rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  route_client_log(conf.get());
  const auto timeout = message_timeout(conf.get());
  char error[512] = {};
  rd_kafka_t* client = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
  if (!client) {
    return fail(Error::fatal(fmt::format("Kafka producer for topic {}: {}", topic, error)));
  }
  (void)conf.release();  // the client owns it now
  auto impl = std::make_unique<Impl>(client, topic, timeout);
  return std::unique_ptr<Producer>(new Producer(std::move(impl), std::move(topic)));
}

Producer::Producer(std::unique_ptr<Impl> impl, std::string topic)
    : impl_(std::move(impl)), topic_(std::move(topic)) {}

Producer::~Producer() = default;

std::vector<std::optional<SendFailure>> Producer::send(std::span<const OutgoingMessage> messages) {
  std::vector<std::optional<SendFailure>> results(messages.size());
  auto failure = [this](rd_kafka_resp_err_t code) {
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
      return SendFailure{Error::fatal(fmt::format("Kafka producer for topic {} cannot go on: {}",
                                                  topic_, fatal_error().value_or("fatal error")))};
    }
    return SendFailure{delivery_error(code, topic_), unknown_topic(code)};
  };

  auto reports = std::make_shared<PendingReports>(messages.size());
  const auto deadline = Clock::now() + impl_->message_timeout() + report_margin;
  std::vector<bool> sent(messages.size(), false);
  std::unordered_set<std::string_view> held_back;
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& message = messages[i];
    if (!message.order_key.empty() && held_back.contains(message.order_key)) {
      results[i] = SendFailure{Error::retriable(fmt::format(
          "Kafka topic {}: not sent after an earlier record of its key was refused; sent again "
          "after it to keep the key's order",
          topic_))};
      continue;
    }
    {
      std::lock_guard lock(reports->mutex);
      ++reports->outstanding;  // before the report can arrive
    }
    auto* ticket = new Ticket{reports, i};
    const auto code = impl_->produce(message, ticket, deadline);
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
      sent[i] = true;
      continue;
    }
    delete ticket;  // refused: no report will come for it
    {
      std::lock_guard lock(reports->mutex);
      --reports->outstanding;
    }
    results[i] = failure(code);
    if (!message.order_key.empty()) held_back.insert(message.order_key);
  }

  std::unique_lock lock(reports->mutex);
  reports->all_in.wait_until(lock, deadline, [&] { return reports->outstanding == 0; });
  for (size_t i = 0; i < messages.size(); ++i) {
    if (!sent[i]) continue;
    const auto code = reports->codes[i];
    if (code == RD_KAFKA_RESP_ERR__IN_PROGRESS) {
      results[i] = SendFailure{Error::retriable(fmt::format(
          "Kafka topic {}: no delivery report within {} ms; sent again, it may arrive twice",
          topic_, (impl_->message_timeout() + report_margin).count()))};
    } else if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      results[i] = failure(code);
    }
  }
  return results;
}

TopicCheck Producer::check_topic(std::chrono::milliseconds timeout) {
  return kafka_target::check_topic(impl_->client(), topic_, timeout);
}

std::optional<std::string> Producer::fatal_error() const {
  return impl_->fatal_error();
}

}  // namespace shardpipe::kafka_target
