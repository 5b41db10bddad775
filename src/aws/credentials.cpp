#include "aws/credentials.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "aws/shared_file.hpp"

namespace shardpipe::aws {
namespace {

// Profiles that get their keys some other way; named in the error so the user knows why.
constexpr std::string_view unsupported_sources[] = {"role_arn", "credential_process", "sso_session",
                                                    "sso_start_url", "web_identity_token_file"};

// An empty variable counts as unset, as for the AWS CLI.
std::optional<std::string> variable(const EnvironmentLookup& environment, std::string_view name) {
  auto value = environment(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

enum class FileKind { credentials, config };

struct SharedFileLocation {
  FileKind kind;
  std::optional<std::string> path;  // none: HOME is not set and no variable names the file
  std::string description;          // "the shared credentials file /home/me/.aws/credentials"
};

SharedFileLocation locate(FileKind kind, const EnvironmentLookup& environment) {
  const bool credentials = kind == FileKind::credentials;
  const std::string_view variable_name =
      credentials ? "AWS_SHARED_CREDENTIALS_FILE" : "AWS_CONFIG_FILE";
  const std::string_view what = credentials ? "the shared credentials file" : "the config file";
  const auto home = variable(environment, "HOME");
  std::optional<std::string> path;
  if (auto named = variable(environment, variable_name)) {
    path = *named;
    if (home && (*path == "~" || path->starts_with("~/"))) path = *home + path->substr(1);
  } else if (home) {
    path = *home + (credentials ? "/.aws/credentials" : "/.aws/config");
  }
  SharedFileLocation location{kind, path, ""};
  location.description = path ? fmt::format("{} {}", what, *path)
                              : fmt::format("{} (HOME and {} are not set)", what, variable_name);
  return location;
}

// The file's sections, nothing when it does not exist, an error when it cannot be read or parsed.
Result<std::optional<SharedFile>> read_shared_file(const SharedFileLocation& location) {
  if (!location.path) return std::optional<SharedFile>{};
  std::error_code error;
  if (!std::filesystem::exists(*location.path, error)) return std::optional<SharedFile>{};
  std::ifstream in(*location.path, std::ios::binary);
  if (!in || std::filesystem::is_directory(*location.path, error)) {
    return fail(Error::fatal(fmt::format("cannot read {}", location.description)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_shared_file(text.str());
  if (!parsed) {
    return fail(Error::fatal(
        fmt::format("{} is malformed: {}", location.description, parsed.error().message)));
  }
  return std::optional<SharedFile>{std::move(*parsed)};
}

std::string profile_name(std::string_view profile, const EnvironmentLookup& environment) {
  if (!profile.empty()) return std::string(profile);
  return variable(environment, "AWS_PROFILE").value_or("default");
}

// The profile's section: "[NAME]" in the credentials file; "[profile NAME]" in the config file,
// where the default profile is "[default]" (or "[profile default]").
const SharedSection* find_profile(const SharedFile& file, FileKind kind,
                                  const std::string& profile) {
  std::vector<std::string> names;
  if (kind == FileKind::credentials) {
    names = {profile};
  } else if (profile == "default") {
    names = {"default", "profile default"};
  } else {
    names = {"profile " + profile};
  }
  for (const auto& name : names) {
    if (auto it = file.find(name); it != file.end()) return &it->second;
  }
  return nullptr;
}

std::string value_of(const SharedSection& section, std::string_view key) {
  auto it = section.find(std::string(key));
  return it == section.end() ? std::string() : it->second;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace

EnvironmentLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Credentials> load_credentials(std::string_view profile,
                                     const EnvironmentLookup& environment) {
  const auto key_id = variable(environment, "AWS_ACCESS_KEY_ID");
  const auto secret = variable(environment, "AWS_SECRET_ACCESS_KEY");
  if (key_id && secret) {
    return Credentials{*key_id, *secret, variable(environment, "AWS_SESSION_TOKEN").value_or("")};
  }
  if (key_id || secret) {
    return fail(Error::fatal(fmt::format("AWS credentials: {} is set but {} is not",
                                         key_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                                         key_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID")));
  }

  const auto name = profile_name(profile, environment);
  std::vector<std::string> looked;
  for (const auto kind : {FileKind::credentials, FileKind::config}) {
    const auto location = locate(kind, environment);
    auto file = read_shared_file(location);
    if (!file) return fail(std::move(file.error()));
    if (!*file) {
      looked.push_back(location.path ? location.description + " (missing)" : location.description);
      continue;
    }
    const auto* section = find_profile(**file, kind, name);
    if (section == nullptr) {
      looked.push_back(location.description + " (no such profile)");
      continue;
    }
    auto id = value_of(*section, "aws_access_key_id");
    auto key = value_of(*section, "aws_secret_access_key");
    if (!id.empty() && !key.empty()) {
      auto token = value_of(*section, "aws_session_token");
      if (token.empty()) token = value_of(*section, "aws_security_token");  // the older name
      return Credentials{std::move(id), std::move(key), std::move(token)};
    }
    if (!id.empty() || !key.empty()) {
      return fail(Error::fatal(fmt::format(
          "AWS credentials: profile \"{}\" in {} has {} but no {}", name, location.description,
          id.empty() ? "aws_secret_access_key" : "aws_access_key_id",
          id.empty() ? "aws_access_key_id" : "aws_secret_access_key")));
    }
    std::string note = "no aws_access_key_id";
    for (auto source : unsupported_sources) {
      if (section->contains(std::string(source))) {
        note = fmt::format("no aws_access_key_id; its {} is not supported", source);
        break;
      }
    }
    looked.push_back(fmt::format("{} ({})", location.description, note));
  }
  return fail(Error::fatal(fmt::format(
      "no AWS credentials found: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and "
      "profile \"{}\" has no keys in {}",
      name, joined(looked, " nor in "))));
}

Result<std::string> resolve_region(std::string_view configured, std::string_view profile,
                                   const EnvironmentLookup& environment) {
  if (!configured.empty()) return std::string(configured);
  for (auto name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (auto region = variable(environment, name)) return *region;
  }
  const auto name = profile_name(profile, environment);
  const auto location = locate(FileKind::config, environment);
  auto file = read_shared_file(location);
  if (!file) return fail(std::move(file.error()));
  std::string where = location.description;
  if (!*file) {
    if (location.path) where += " (missing)";
  } else if (const auto* section = find_profile(**file, FileKind::config, name)) {
    if (auto region = value_of(*section, "region"); !region.empty()) return region;
    where += " (no region in the profile)";
  } else {
    where += " (no such profile)";
  }
  return fail(Error::fatal(fmt::format(
      "no AWS region: none is configured, AWS_REGION and AWS_DEFAULT_REGION are not set, and "
      "profile \"{}\" has no region in {}",
      name, where)));
}

}  // namespace shardpipe::aws
