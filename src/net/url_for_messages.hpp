// A URL as it may appear in messages and logs: without the parts that can hold secrets.
#pragma once

#include <string>
#include <string_view>

namespace shardpipe::net {

// `url` without user name, password, query and fragment, e.g.
// https://user:token@host/path?key=s3cret -> https://host/path. A text libcurl cannot parse as a
// URL gives a placeholder rather than risk showing a secret.
std::string url_for_messages(std::string_view url);

}  // namespace shardpipe::net
