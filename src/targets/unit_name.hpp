// The name of a unit that buffering targets write (a file, an object): the sequence number of its
// first record, padded so that name order is record order. Shared so that every buffering target
// names its units the same way, and a replay names them the same way again.
#pragma once

#include <string>

namespace shardpipe {

// "<first sequence zero-padded to 20 digits>"; "SEQ:N" (inside a KPL aggregate) becomes
// "SEQ-<N zero-padded to 10 digits>". Longer sequence numbers are kept whole.
std::string unit_name_stem(const std::string& first_sequence);

}  // namespace shardpipe
