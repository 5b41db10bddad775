// What the command target's tests share: where the processors are, records to deliver, a sink
// opened on a processor, and ways to watch the processes it starts.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/record.hpp"
#include "targets/target.hpp"

namespace shardpipe::command_testing {

// The example processor of `language` ("node" or "python").
std::filesystem::path example_processor(const std::string& language);
// The program that runs it: node or python3.
std::string interpreter(const std::string& language);
// A test processor of tests/integration/command/processors/.
std::filesystem::path test_processor(const std::string& file);

// `count` records of `shard_id` numbered from `first_sequence`, as the local source renders
// them (data base64-encoded); `data` gives each record's bytes by its index.
std::vector<Record> make_records(const std::string& shard_id, uint64_t first_sequence, int count,
                                 const std::function<std::string(int)>& data);
std::vector<Record> json_records(const std::string& shard_id, uint64_t first_sequence, int count);

// A command target running `argv` in `dir`.
std::unique_ptr<Target> command_target(
    const std::vector<std::string>& argv, const std::filesystem::path& dir,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The non-empty lines of `file` (none when it does not exist).
std::vector<std::string> lines_of(const std::filesystem::path& file);

// The pids a scripted processor wrote to its STARTS_FILE, in start order.
std::vector<pid_t> started_pids(const std::filesystem::path& starts_file);

// True once `pid` has ended (gone, or a zombie that only waits to be reaped by someone else).
bool process_gone(pid_t pid);

// The eventIDs of `records`.
std::vector<std::string> event_ids(const std::vector<Record>& records);

}  // namespace shardpipe::command_testing
