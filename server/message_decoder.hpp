#pragma once

// MessageDecoder: stored message records back into Messages (recovery, a queue's page-in, a
// stream reader's page). The properties are stored as JSON text; a decoder remembers the last
// text it parsed and copies that result when the next record has the same text, which is the
// usual case in a page (one publisher's messages carry the same properties). Parsing each one
// was a fifth of the core thread's time in a stream replay (perf). Properties are parsed with
// no heap allocation but what the result keeps.
//
// Thread: whichever uses it; one decoder per loop over records.

#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/message.hpp"
#include "storage/records.hpp"

namespace warren::server {

class MessageDecoder {
public:
    // The properties stored as `text`; an error when they are not a JSON object.
    Result<Properties> properties(std::string_view text);

    // The record as a Message, its strings and body moved out of it.
    Result<MessagePtr> decode(storage::MessageRecord&& record);

private:
    std::string last_text_;
    Properties last_;
    bool has_last_ = false;
};

} // namespace warren::server
