#include "targets/postgres/connection_string.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

namespace shardpipe::postgres_target {
namespace {

// The password part of a URI's user info, as written: postgresql://user:PASSWORD@host/...
std::string uri_password(std::string_view dsn) {
  auto scheme_end = dsn.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto rest = dsn.substr(scheme_end + 3);
  auto authority_end = rest.find_first_of("/?");
  auto authority = rest.substr(0, authority_end);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  auto user_info = authority.substr(0, at);
  auto colon = user_info.find(':');
  if (colon == std::string_view::npos) return {};
  return std::string(user_info.substr(colon + 1));
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

std::string mask_quoted(std::string_view message) {
  std::string out;
  bool inside = false;
  for (char c : message) {
    if (c == '"') {
      out += inside ? "\"" : "\"…";
      inside = !inside;
    } else if (!inside) {
      out += c;
    }
  }
  return out;
}

std::string ConnectionString::describe() const {
  auto or_default = [](const std::string& value) {
    return value.empty() ? std::string("(default)") : value;
  };
  return fmt::format("host {} port {} database {} user {}", or_default(host), or_default(port),
                     or_default(database), or_default(user));
}

std::string ConnectionString::redact(std::string_view message) const {
  std::string out(message);
  for (const auto& secret : secrets) replace_all(out, secret, "***");
  return out;
}

Result<ConnectionString> parse_connection_string(std::string_view dsn) {
  std::string text(dsn);
  char* raw_error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(text.c_str(), &raw_error), &PQconninfoFree);
  if (!options) {
    std::string why = raw_error ? raw_error : "out of memory";
    PQfreemem(raw_error);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return fail(Error::fatal(fmt::format(
        "target.dsn is not a valid PostgreSQL connection string ({})", mask_quoted(why))));
  }
  ConnectionString parsed;
  parsed.dsn = std::move(text);
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    std::string_view keyword = option->keyword;
    std::string value = option->val;
    if (keyword == "host" || (keyword == "hostaddr" && parsed.host.empty())) parsed.host = value;
    if (keyword == "port") parsed.port = value;
    if (keyword == "dbname") parsed.database = value;
    if (keyword == "user") parsed.user = value;
    if (keyword == "password" && !value.empty()) parsed.secrets.push_back(value);
  }
  if (auto written = uri_password(dsn); !written.empty()) parsed.secrets.push_back(written);
  return parsed;
}

}  // namespace shardpipe::postgres_target
