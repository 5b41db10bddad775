#include "targets/postgres/table_name.hpp"

#include <fmt/format.h>

namespace shardpipe::postgres_target {
namespace {

constexpr size_t max_identifier_bytes = 63;  // NAMEDATALEN - 1

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_identifier_part(char c) {
  return is_identifier_start(c) || (c >= '0' && c <= '9') || c == '$';
}

Status check_part(std::string_view part, std::string_view whole) {
  if (part.empty()) {
    return fail(Error::fatal(fmt::format("target.table '{}' has an empty name part", whole)));
  }
  if (part.size() > max_identifier_bytes) {
    return fail(
        Error::fatal(fmt::format("target.table '{}': '{}' is longer than PostgreSQL's {} bytes",
                                 whole, part, max_identifier_bytes)));
  }
  if (!is_identifier_start(part.front())) {
    return fail(Error::fatal(fmt::format(
        "target.table '{}': '{}' must start with a letter or an underscore", whole, part)));
  }
  for (char c : part) {
    if (!is_identifier_part(c)) {
      return fail(Error::fatal(
          fmt::format("target.table '{}': only letters, digits, '_' and '$' are allowed in a "
                      "name (and one '.' between schema and table)",
                      whole)));
    }
  }
  return {};
}

}  // namespace

std::string quote_identifier(std::string_view identifier) {
  // Valid identifiers hold no double quote, so no escaping is needed.
  return fmt::format("\"{}\"", identifier);
}

std::string TableName::quoted() const {
  if (schema.empty()) return quote_identifier(name);
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string TableName::display() const {
  return schema.empty() ? name : schema + "." + name;
}

Result<TableName> parse_table_name(std::string_view text) {
  TableName table;
  auto dot = text.find('.');
  if (dot == std::string_view::npos) {
    if (auto checked = check_part(text, text); !checked) return fail(std::move(checked.error()));
    table.name = std::string(text);
    return table;
  }
  auto schema = text.substr(0, dot);
  auto name = text.substr(dot + 1);
  if (auto checked = check_part(schema, text); !checked) return fail(std::move(checked.error()));
  if (auto checked = check_part(name, text); !checked) return fail(std::move(checked.error()));
  table.schema = std::string(schema);
  table.name = std::string(name);
  return table;
}

}  // namespace shardpipe::postgres_target
