// What a redeclare that differs from the existing object is told, in RabbitMQ's words.

#include "server/equivalence.hpp"

#include <algorithm>
#include <vector>

#include <boost/json/serialize.hpp>

namespace warren::server {

std::string_view bool_word(bool b) {
    return b ? "true" : "false";
}

Error inequivalent(std::string_view arg, std::string_view what, std::string_view received,
                   std::string_view current) {
    return make_error(Errc::precondition_failed, "inequivalent arg '" + std::string(arg) +
                                                     "' for " + std::string(what) + ": received '" +
                                                     std::string(received) + "' but current is '" +
                                                     std::string(current) + "'");
}

namespace {

// An argument as RabbitMQ's mismatch sentence shows it: "the value '10' of type 'signedint'",
// or "none" when absent. Integers are named as the common clients send them (32-bit 'I').
std::string argument_words(const boost::json::value* v) {
    if (v == nullptr) {
        return "none";
    }
    std::string_view type = "longstr";
    std::string text;
    switch (v->kind()) {
    case boost::json::kind::string:
        text = std::string(v->get_string());
        break;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
        type = "signedint";
        break;
    case boost::json::kind::double_:
        type = "double";
        break;
    case boost::json::kind::bool_:
        type = "bool";
        break;
    case boost::json::kind::object:
        type = "table";
        break;
    case boost::json::kind::array:
        type = "array";
        break;
    case boost::json::kind::null:
        type = "void";
        break;
    }
    if (!v->is_string()) {
        text = boost::json::serialize(*v);
    }
    return "the value '" + text + "' of type '" + std::string(type) + "'";
}

} // namespace

// The first argument (in name order) that differs, named as RabbitMQ names it.
Error inequivalent_arguments(const boost::json::object& received,
                             const boost::json::object& current, std::string_view what) {
    std::vector<std::string_view> keys;
    for (const auto& kv : received) {
        keys.push_back(kv.key());
    }
    for (const auto& kv : current) {
        keys.push_back(kv.key());
    }
    std::sort(keys.begin(), keys.end());
    for (auto key : keys) {
        const auto* r = received.if_contains(key);
        const auto* c = current.if_contains(key);
        if (r == nullptr || c == nullptr || *r != *c) {
            return make_error(Errc::precondition_failed,
                              "inequivalent arg '" + std::string(key) + "' for " +
                                  std::string(what) + ": received " + argument_words(r) +
                                  " but current is " + argument_words(c));
        }
    }
    return make_error(Errc::precondition_failed,
                      "inequivalent arguments for " + std::string(what)); // not reached
}

} // namespace warren::server
