// Durations (250ms, 10s, 5m, 1h), sizes (512KiB, 6MiB) and RFC 3339 timestamps, as the pipe file
// and the command line write them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardpipe {

// "250ms", "10s", "5m", "1h", "7d", and "0s"/"0". nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds value);

// "512KiB", "6MiB", "1GiB", "100B", "4096" (bytes); also KB/MB/GB as powers of 1000.
std::optional<uint64_t> parse_size(std::string_view text);
std::string format_size(uint64_t bytes);

// RFC 3339 ("2026-11-22T10:00:00Z", "2026-11-22T10:00:00.250+02:00") to Unix milliseconds.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);
// Unix milliseconds to "2026-11-22T10:00:00.250Z".
std::string format_rfc3339_ms(int64_t unix_ms);

}  // namespace shardpipe
