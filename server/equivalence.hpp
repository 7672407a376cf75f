#pragma once

// The precondition_failed errors of a redeclare that differs from what exists, in RabbitMQ's
// sentences ("inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true' but current
// is 'false'"). Internal to the core (Vhost's declares).

#include <string_view>

#include <boost/json/object.hpp>

#include "common/error.hpp"

namespace warren::server {

std::string_view bool_word(bool b);

// `arg` differs: received `received`, current `current`, for `what` ("queue 'q' in vhost '/'").
Error inequivalent(std::string_view arg, std::string_view what, std::string_view received,
                   std::string_view current);

// The first x-argument (in name order) that differs, with its value and RabbitMQ's type name.
Error inequivalent_arguments(const boost::json::object& received,
                             const boost::json::object& current, std::string_view what);

} // namespace warren::server
