#include "targets/unit_name.hpp"

#include "core/sequence_number.hpp"

namespace shardpipe {

std::string unit_name_stem(const std::string& first_sequence) {
  // "SEQ:N" (a record inside a KPL aggregate) becomes SEQ-<N in 10 digits>: a colon in a file
  // name trips up scp, rsync and other systems' file systems, and the padding keeps name order
  // the records' order ("SEQ", the aggregate's last record, sorts after every "SEQ-").
  auto [sequence, sub] = split_sub_sequence(first_sequence);
  std::string name;
  if (sequence.size() < 20) name.assign(20 - sequence.size(), '0');
  name += sequence;
  if (!sub.empty()) {
    name += '-';
    if (sub.size() < 10) name.append(10 - sub.size(), '0');
    name += sub;
  }
  return name;
}

}  // namespace shardpipe
