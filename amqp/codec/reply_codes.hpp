#pragma once

// AMQP 0-9-1 reply codes (spec 1.9 "Constants"), with RabbitMQ's names. Channel-level codes close
// the channel; connection-level ones close the connection.

#include <cstdint>

namespace warren::amqp::reply {

inline constexpr std::uint16_t kSuccess = 200;
inline constexpr std::uint16_t kContentTooLarge = 311; // channel
inline constexpr std::uint16_t kNoRoute = 312;         // basic.return
inline constexpr std::uint16_t kNoConsumers = 313;
inline constexpr std::uint16_t kConnectionForced = 320;   // connection
inline constexpr std::uint16_t kInvalidPath = 402;        // connection
inline constexpr std::uint16_t kAccessRefused = 403;      // channel
inline constexpr std::uint16_t kNotFound = 404;           // channel
inline constexpr std::uint16_t kResourceLocked = 405;     // channel
inline constexpr std::uint16_t kPreconditionFailed = 406; // channel
inline constexpr std::uint16_t kFrameError = 501;         // connection
inline constexpr std::uint16_t kSyntaxError = 502;        // connection
inline constexpr std::uint16_t kCommandInvalid = 503;     // connection
inline constexpr std::uint16_t kChannelError = 504;       // connection
inline constexpr std::uint16_t kUnexpectedFrame = 505;    // connection
inline constexpr std::uint16_t kResourceError = 506;      // connection
inline constexpr std::uint16_t kNotAllowed = 530;         // connection
inline constexpr std::uint16_t kNotImplemented = 540;     // connection
inline constexpr std::uint16_t kInternalError = 541;      // connection

// The name RabbitMQ puts before a reply text ("NOT_FOUND - no queue 'q' in vhost '/'").
const char* name(std::uint16_t code);

} // namespace warren::amqp::reply
