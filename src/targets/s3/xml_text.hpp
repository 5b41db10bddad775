// The little XML that S3's answers need: the text of an element (an UploadId, an error's Code)
// and escaped text for the CompleteMultipartUpload body. S3's answers are flat documents without
// CDATA or comments where these elements occur, so no general parser is needed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shardpipe::s3 {

// The text inside the first <name>…</name> of `xml` (an element with attributes counts too),
// with the five predefined entities and numeric character references decoded; nullopt when there
// is no such element.
std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name);

// `text` with &, <, >, " and ' escaped, for element content and attribute values.
std::string xml_escaped(std::string_view text);

}  // namespace shardpipe::s3
