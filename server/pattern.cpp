#include "server/pattern.hpp"

#include <re2/re2.h>

namespace warren::server {

Result<Pattern> Pattern::compile(std::string_view text, bool case_insensitive) {
    if (text.size() > kMaxPatternBytes) {
        return make_error(Errc::bad_request, "the pattern is " + std::to_string(text.size()) +
                                                 " bytes long; the limit is " +
                                                 std::to_string(kMaxPatternBytes));
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kMaxProgramBytes);
    options.set_case_sensitive(!case_insensitive);
    auto re = std::make_shared<const RE2>(re2::StringPiece(text.data(), text.size()), options);
    if (!re->ok()) {
        return make_error(Errc::bad_request, re->error());
    }
    return Pattern(std::move(re));
}

bool Pattern::search(std::string_view subject) const {
    return RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *re_);
}

const std::string& Pattern::text() const {
    return re_->pattern();
}

} // namespace warren::server
