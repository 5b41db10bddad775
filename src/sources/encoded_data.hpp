// A record's payload in the envelope, as `data_encoding` asks: every source renders it this way.
#pragma once

#include <string>
#include <string_view>

#include "config/pipe_config.hpp"

namespace shardpipe {

// Appends `data` as a JSON value: a base64 string, a text string, or the JSON itself. False, with
// `error` set and nothing useful appended, when the bytes are not what the encoding needs.
bool append_encoded_data(std::string& json, std::string_view data, config::DataEncoding encoding,
                         std::string& error);

}  // namespace shardpipe
