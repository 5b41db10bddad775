// What a failed delivery report (or a refused produce call) means for the record: a Kafka error
// code as a retriable, permanent or fatal Error, pure so that each class is tested on its own.
#pragma once

#include <string_view>

#include "core/result.hpp"

namespace shardpipe::kafka_target {

// Permanent: the record itself is refused and will be again (too large, invalid, refused by a
// topic policy), so it belongs in the dead letters. Fatal: the pipe cannot deliver anything until
// an operator acts (not authorized). Any other code (time-outs, brokers down, leaders moving,
// too few replicas) is retriable.
ErrorClass delivery_error_class(int code);

// The error for a record of `topic` that failed with `code`.
Error delivery_error(int code, std::string_view topic);

// Codes that say the topic or its partition is unknown: a deleted topic, or a leader change
// seen early. Only a look at the cluster's topics tells which.
bool unknown_topic(int code);

}  // namespace shardpipe::kafka_target
