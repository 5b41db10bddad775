#include "core/units.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>

namespace shardpipe {
namespace {

struct Unit {
  std::string_view suffix;
  uint64_t factor;
};

// Largest first: formatting picks the first unit that divides the value exactly.
constexpr std::array<Unit, 5> kDurationUnits = {{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

constexpr std::array<Unit, 4> kBinarySizeUnits = {{
    {"TiB", 1ull << 40},
    {"GiB", 1ull << 30},
    {"MiB", 1ull << 20},
    {"KiB", 1ull << 10},
}};

constexpr std::array<Unit, 4> kDecimalSizeUnits = {{
    {"TB", 1'000'000'000'000},
    {"GB", 1'000'000'000},
    {"MB", 1'000'000},
    {"KB", 1'000},
}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Reads the leading run of decimal digits of `text` and removes it. nullopt when there is none or
// it does not fit.
std::optional<uint64_t> take_number(std::string_view& text) {
  size_t length = 0;
  while (length < text.size() && is_digit(text[length])) ++length;
  if (length == 0) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + length, value);
  if (error != std::errc{} || end != text.data() + length) return std::nullopt;
  text.remove_prefix(length);
  return value;
}

std::string_view take_letters(std::string_view& text) {
  size_t length = 0;
  while (length < text.size() && is_letter(text[length])) ++length;
  std::string_view letters = text.substr(0, length);
  text.remove_prefix(length);
  return letters;
}

template <size_t N>
std::optional<uint64_t> factor_of(const std::array<Unit, N>& units, std::string_view suffix) {
  for (const Unit& unit : units) {
    if (unit.suffix == suffix) return unit.factor;
  }
  return std::nullopt;
}

std::optional<uint64_t> checked_multiply_add(uint64_t value, uint64_t factor, uint64_t total) {
  uint64_t product = 0;
  uint64_t sum = 0;
  if (__builtin_mul_overflow(value, factor, &product)) return std::nullopt;
  if (__builtin_add_overflow(product, total, &sum)) return std::nullopt;
  return sum;
}

// Fixed-width reader for RFC 3339: every field has an exact number of digits.
class TimestampReader {
 public:
  explicit TimestampReader(std::string_view text) : text_(text) {}

  std::optional<int> digits(size_t count) {
    if (text_.size() < count) return std::nullopt;
    int value = 0;
    for (size_t i = 0; i < count; ++i) {
      if (!is_digit(text_[i])) return std::nullopt;
      value = value * 10 + (text_[i] - '0');
    }
    text_.remove_prefix(count);
    return value;
  }

  bool literal(std::string_view accepted_chars) {
    if (text_.empty() || accepted_chars.find(text_.front()) == std::string_view::npos) return false;
    text_.remove_prefix(1);
    return true;
  }

  std::optional<char> peek() const {
    if (text_.empty()) return std::nullopt;
    return text_.front();
  }

  // The fraction after the decimal point, as milliseconds; digits past the third are dropped.
  std::optional<int> fraction_ms() {
    size_t length = 0;
    int ms = 0;
    while (length < text_.size() && is_digit(text_[length])) {
      if (length < 3) ms = ms * 10 + (text_[length] - '0');
      ++length;
    }
    if (length == 0) return std::nullopt;
    for (size_t i = length; i < 3; ++i) ms *= 10;
    text_.remove_prefix(length);
    return ms;
  }

  bool at_end() const { return text_.empty(); }

 private:
  std::string_view text_;
};

// "Z" or "+hh:mm" / "-hh:mm", as minutes east of UTC.
std::optional<int> read_utc_offset_minutes(TimestampReader& reader) {
  if (reader.literal("Zz")) return 0;
  std::optional<char> sign = reader.peek();
  if (!reader.literal("+-")) return std::nullopt;
  std::optional<int> hours = reader.digits(2);
  if (!hours || !reader.literal(":")) return std::nullopt;
  std::optional<int> minutes = reader.digits(2);
  if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  int offset = *hours * 60 + *minutes;
  return *sign == '-' ? -offset : offset;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds{0};
  if (text.empty()) return std::nullopt;
  // A sequence of NUMBER UNIT pairs, so "1h30m" works as well as "90m".
  uint64_t total_ms = 0;
  while (!text.empty()) {
    std::optional<uint64_t> number = take_number(text);
    if (!number) return std::nullopt;
    std::optional<uint64_t> factor = factor_of(kDurationUnits, take_letters(text));
    if (!factor) return std::nullopt;
    std::optional<uint64_t> sum = checked_multiply_add(*number, *factor, total_ms);
    if (!sum) return std::nullopt;
    total_ms = *sum;
  }
  if (total_ms > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return std::chrono::milliseconds{static_cast<int64_t>(total_ms)};
}

std::string format_duration(std::chrono::milliseconds value) {
  int64_t ms = value.count();
  if (ms == 0) return "0s";
  if (ms < 0) {
    if (ms == std::numeric_limits<int64_t>::min()) return fmt::format("{}ms", ms);
    return fmt::format("-{}", format_duration(std::chrono::milliseconds{-ms}));
  }
  auto magnitude = static_cast<uint64_t>(ms);
  for (const Unit& unit : kDurationUnits) {
    if (magnitude % unit.factor == 0)
      return fmt::format("{}{}", magnitude / unit.factor, unit.suffix);
  }
  return fmt::format("{}ms", magnitude);
}

std::optional<uint64_t> parse_size(std::string_view text) {
  std::optional<uint64_t> number = take_number(text);
  if (!number) return std::nullopt;
  std::string_view suffix = take_letters(text);
  if (!text.empty()) return std::nullopt;
  if (suffix.empty() || suffix == "B") return number;
  std::optional<uint64_t> factor = factor_of(kBinarySizeUnits, suffix);
  if (!factor) factor = factor_of(kDecimalSizeUnits, suffix);
  if (!factor) return std::nullopt;
  return checked_multiply_add(*number, *factor, 0);
}

std::string format_size(uint64_t bytes) {
  if (bytes == 0) return "0B";
  // Binary units first: they are what the contract writes (6MiB).
  for (const Unit& unit : kBinarySizeUnits) {
    if (bytes % unit.factor == 0) return fmt::format("{}{}", bytes / unit.factor, unit.suffix);
  }
  for (const Unit& unit : kDecimalSizeUnits) {
    if (bytes % unit.factor == 0) return fmt::format("{}{}", bytes / unit.factor, unit.suffix);
  }
  return fmt::format("{}B", bytes);
}

std::optional<int64_t> parse_rfc3339_ms(std::string_view text) {
  using namespace std::chrono;
  TimestampReader reader(text);
  std::optional<int> year_number = reader.digits(4);
  if (!year_number || !reader.literal("-")) return std::nullopt;
  std::optional<int> month_number = reader.digits(2);
  if (!month_number || !reader.literal("-")) return std::nullopt;
  std::optional<int> day_number = reader.digits(2);
  // RFC 3339 allows a lowercase 't' and, for readability, a space between date and time.
  if (!day_number || !reader.literal("Tt ")) return std::nullopt;
  std::optional<int> hour = reader.digits(2);
  if (!hour || !reader.literal(":")) return std::nullopt;
  std::optional<int> minute = reader.digits(2);
  if (!minute || !reader.literal(":")) return std::nullopt;
  std::optional<int> second = reader.digits(2);
  if (!second) return std::nullopt;
  int fraction_ms = 0;
  if (reader.literal(".")) {
    std::optional<int> fraction = reader.fraction_ms();
    if (!fraction) return std::nullopt;
    fraction_ms = *fraction;
  }
  std::optional<int> offset_minutes = read_utc_offset_minutes(reader);
  if (!offset_minutes || !reader.at_end()) return std::nullopt;

  year_month_day date{year{*year_number}, month{static_cast<unsigned>(*month_number)},
                      day{static_cast<unsigned>(*day_number)}};
  // Second 60 is a leap second; it counts as the first second of the next minute.
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  int64_t days_since_epoch = sys_days{date}.time_since_epoch().count();
  int64_t seconds = ((days_since_epoch * 24 + *hour) * 60 + *minute) * 60 + *second;
  seconds -= static_cast<int64_t>(*offset_minutes) * 60;
  return seconds * 1000 + fraction_ms;
}

std::string format_rfc3339_ms(int64_t unix_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> time_point{milliseconds{unix_ms}};
  sys_days day_point = floor<days>(time_point);
  year_month_day date{day_point};
  hh_mm_ss time_of_day{time_point - day_point};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time_of_day.hours().count(), time_of_day.minutes().count(),
                     time_of_day.seconds().count(), time_of_day.subseconds().count());
}

}  // namespace shardpipe
