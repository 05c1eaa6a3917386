// HTML text from untrusted strings. A report shows what mail servers said, and a server may say
// anything: markup, quotes, control bytes, broken UTF-8. Internal to the client library.
#pragma once

#include <string>
#include <string_view>

namespace channelverify::html {

// Text safe inside an element or a quoted attribute (HTML and SVG alike): & < > " ' become
// entities, CR is dropped (replies end lines with CRLF), other control characters and bytes that
// are not UTF-8 become U+FFFD, so that nothing a server sent can end a tag or an attribute.
std::string Escape(std::string_view text);

}  // namespace channelverify::html
