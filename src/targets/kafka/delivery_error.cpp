#include "targets/kafka/delivery_error.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

namespace shardpipe::kafka_target {

ErrorClass delivery_error_class(int code) {
  switch (static_cast<rd_kafka_resp_err_t>(code)) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return ErrorClass::permanent;
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      return ErrorClass::fatal;
    default:
      return ErrorClass::retriable;
  }
}

Error delivery_error(int code, std::string_view topic) {
  const auto error = static_cast<rd_kafka_resp_err_t>(code);
  return Error{delivery_error_class(code),
               fmt::format("Kafka topic {}: {}: {}", topic, rd_kafka_err2name(error),
                           rd_kafka_err2str(error))};
}

bool unknown_topic(int code) {
  const auto error = static_cast<rd_kafka_resp_err_t>(code);
  return error == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
         error == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         error == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
}

}  // namespace shardpipe::kafka_target
