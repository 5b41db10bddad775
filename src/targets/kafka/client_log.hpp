// librdkafka's log lines and error events routed to the pipe's log, instead of librdkafka's own
// lines on standard error.
#pragma once

struct rd_kafka_conf_s;

namespace shardpipe::kafka_target {

void route_client_log(rd_kafka_conf_s* conf);

}  // namespace shardpipe::kafka_target
