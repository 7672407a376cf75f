// AmqpConnection's handshake after the protocol header: start-ok (PLAIN or AMQPLAIN login, the
// client's properties and capabilities), tune-ok, connection.open (the vhost, the Session, the
// alarm listener for connection.blocked), and the blocked notice itself.

#include <spdlog/spdlog.h>

#include "amqp/amqp_connection.hpp"
#include "amqp/codec/field_table.hpp"
#include "amqp/codec/reply_codes.hpp"

namespace warren::amqp {

namespace {
// PLAIN's response: "\0user\0password" (an authorization identity before the first NUL is
// ignored, as RabbitMQ does).
bool parse_plain(std::string_view response, std::string& user, std::string& password) {
    const auto first = response.find('\0');
    if (first == std::string_view::npos) {
        return false;
    }
    const auto second = response.find('\0', first + 1);
    if (second == std::string_view::npos) {
        return false;
    }
    user = response.substr(first + 1, second - first - 1);
    password = response.substr(second + 1);
    return true;
}

// AMQPLAIN's response: a field table's body with LOGIN and PASSWORD.
bool parse_amqplain(std::string_view response, std::string& user, std::string& password) {
    // Clients send the table body without its length (RabbitMQ accepts that form).
    auto table = decode_field_table(response);
    if (!table) {
        return false;
    }
    const auto* login = table->if_contains("LOGIN");
    const auto* pass = table->if_contains("PASSWORD");
    if (login == nullptr || pass == nullptr || !login->is_string() || !pass->is_string()) {
        return false;
    }
    user = login->as_string();
    password = pass->as_string();
    return true;
}

} // namespace

void AmqpConnection::on_start_ok(ConnectionStartOk& start_ok) {
    std::string user;
    std::string password;
    bool parsed = false;
    if (start_ok.mechanism == "PLAIN") {
        parsed = parse_plain(start_ok.response, user, password);
    } else if (start_ok.mechanism == "AMQPLAIN") {
        parsed = parse_amqplain(start_ok.response, user, password);
    } else {
        connection_error(reply::kAccessRefused,
                         "unsupported authentication mechanism '" + start_ok.mechanism + "'");
        return;
    }
    const auto* capabilities = start_ok.client_properties.if_contains("capabilities");
    const auto capability = [&](std::string_view name) {
        if (capabilities == nullptr || !capabilities->is_object()) {
            return false;
        }
        const auto* v = capabilities->as_object().if_contains(name);
        return v != nullptr && v->is_bool() && v->as_bool();
    };
    cancel_notify_ = capability("consumer_cancel_notify");
    blocked_notify_ = capability("connection.blocked");
    auto who = parsed ? broker_.authenticate(user, password, remote_.address().is_loopback())
                      : Result<server::Principal>(make_error(Errc::not_authorized, "Login failed"));
    if (!who) {
        spdlog::info("amqp {}: login refused for user '{}': {}", name_, user, who.error().reason);
        // RabbitMQ tells a client that asked for it (authentication_failure_close), and simply
        // closes on the others.
        if (capability("authentication_failure_close")) {
            connection_error(reply::kAccessRefused,
                             "Login was refused using authentication mechanism " +
                                 start_ok.mechanism + ". For details see the broker logfile.");
        } else {
            state_ = State::closing;
            stop_after_write_ = true;
            wake_writer();
        }
        return;
    }
    principal_ = std::move(*who);
    client_properties_ = std::move(start_ok.client_properties);
    send_method(0, ConnectionTune{limits_.channel_max, limits_.frame_max, limits_.heartbeat_s});
    state_ = State::tune_ok;
}

void AmqpConnection::on_publishing() {
    if (!blocked_notify_ || alarms_.empty() || blocked_sent_ || state_ != State::running) {
        return;
    }
    blocked_sent_ = true;
    // RabbitMQ's reasons, which clients may show or match: "low on disk", "low on memory".
    std::string reason;
    for (const auto& alarm : alarms_) {
        const char* what = alarm.starts_with("disk") ? "low on disk" : "low on memory";
        if (reason.find(what) == std::string::npos) {
            reason += (reason.empty() ? "" : " & ") + std::string(what);
        }
    }
    send_method(0, ConnectionBlocked{reason});
}

void AmqpConnection::on_tune_ok(const ConnectionTuneOk& tune_ok) {
    // 0 from the client means "no limit of mine": ours stands.
    const std::uint32_t frame_max =
        tune_ok.frame_max == 0 ? limits_.frame_max : std::min(tune_ok.frame_max, limits_.frame_max);
    if (frame_max < kFrameMinSize) {
        connection_error(reply::kNotAllowed, "frame_max=" + std::to_string(tune_ok.frame_max) +
                                                 " < " + std::to_string(kFrameMinSize) +
                                                 " min size");
        return;
    }
    frame_max_ = frame_max;
    channel_max_ = tune_ok.channel_max == 0 ? limits_.channel_max
                                            : std::min(tune_ok.channel_max, limits_.channel_max);
    heartbeat_s_ = tune_ok.heartbeat;
    state_ = State::open;
    heartbeat_timer_.cancel(); // the heartbeat loop picks the interval up
}

void AmqpConnection::on_open(const ConnectionOpen& open) {
    // The vhost must exist and the user may use it (RabbitMQ's texts).
    if (auto view = broker_.vhost(principal_, open.virtual_host); !view) {
        connection_error(reply::kNotAllowed, "vhost " + open.virtual_host + " not found",
                         ConnectionOpen::kClass, ConnectionOpen::kMethod);
        return;
    }
    if (auto access = broker_.check_vhost_access(principal_, open.virtual_host); !access) {
        connection_error(reply::kNotAllowed,
                         "access to vhost '" + open.virtual_host + "' refused for user '" +
                             principal_.name + "'",
                         ConnectionOpen::kClass, ConnectionOpen::kMethod);
        return;
    }
    vhost_ = open.virtual_host;
    server::SessionInfo info;
    info.name = name_;
    info.protocol = "AMQP 0-9-1";
    info.peer_host = remote_.address().to_string();
    info.peer_port = remote_.port();
    info.channels = 0; // its channels count for it (SessionInfo::parent)
    info.vhost = open.virtual_host;
    info.client_properties = client_properties_;
    session_ = broker_.open_session(principal_, info);
    session_->on_close_request([weak = weak_from_this()](const std::string& reason) {
        if (auto self = weak.lock()) {
            self->connection_error(reply::kConnectionForced, reason);
        }
    });
    send_method(0, ConnectionOpenOk{});
    state_ = State::running;
    close_timer_.cancel();
    if (blocked_notify_) {
        // Publishing is refused while a resource alarm is in effect. As RabbitMQ, a client that
        // understands connection.blocked hears it when it publishes under an alarm, and hears
        // connection.unblocked when the last alarm ends.
        session_->on_alarm([weak = weak_from_this()](const std::vector<std::string>& alarms) {
            if (auto self = weak.lock()) {
                self->alarms_ = alarms;
                if (alarms.empty() && self->blocked_sent_) {
                    self->blocked_sent_ = false;
                    self->send_method(0, ConnectionUnblocked{});
                }
            }
        });
        const auto resources = broker_.resources();
        for (const auto* alarm : {&resources.memory_alarm, &resources.disk_alarm}) {
            if (*alarm) {
                alarms_.push_back(**alarm);
            }
        }
    }
}

} // namespace warren::amqp
