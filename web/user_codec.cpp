#include "web/user_codec.hpp"

#include <boost/json/array.hpp>

namespace warren::web {

namespace json = boost::json;

namespace {

// `tags`: mandatory, a comma-separated string or an array of strings (RabbitMQ takes both).
Result<std::vector<std::string>> tags_from_json(const json::object& body) {
    const json::value* tags = body.if_contains("tags");
    if (tags == nullptr) {
        return make_error(Errc::bad_request,
                          "the field 'tags' is required: a comma-separated string such as "
                          "\"administrator\" or \"\", or an array of strings");
    }
    if (const auto* text = tags->if_string()) {
        return server::split_tags(*text);
    }
    if (const auto* list = tags->if_array()) {
        std::string joined;
        for (const auto& tag : *list) {
            if (!tag.is_string()) {
                return make_error(Errc::bad_request, "'tags' must hold only strings");
            }
            joined.append(tag.get_string()).push_back(',');
        }
        return server::split_tags(joined);
    }
    return make_error(Errc::bad_request, "'tags' must be a string or an array of strings");
}

// A string field that may be absent or null (nullopt); another type is a 400.
Result<std::optional<std::string>> optional_string(const json::object& body, std::string_view key) {
    const json::value* v = body.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return std::optional<std::string>();
    }
    if (!v->is_string()) {
        return make_error(Errc::bad_request, "'" + std::string(key) + "' must be a string");
    }
    return std::optional<std::string>(v->get_string());
}

} // namespace

Result<server::UserSpec> user_spec_from_json(std::string name, const json::object& body) {
    auto tags = tags_from_json(body);
    if (!tags) {
        return tags.error();
    }
    server::UserSpec user{std::move(name), std::move(*tags), {}, {}, {}};
    auto password = optional_string(body, "password");
    if (!password) {
        return password.error();
    }
    if (*password) {
        user.password = std::move(*password); // the hash fields are not read then
        return user;
    }
    for (auto [key, field] : {std::pair{"password_hash", &user.password_hash},
                              std::pair{"hashing_algorithm", &user.hashing_algorithm}}) {
        auto value = optional_string(body, key);
        if (!value) {
            return value.error();
        }
        *field = std::move(*value);
    }
    return user;
}

namespace {

Result<std::string> regex_field(const json::object& body, std::string_view key,
                                std::string& missing) {
    const json::value* v = body.if_contains(key);
    if (v == nullptr) {
        missing += missing.empty() ? "" : ", ";
        missing += key;
        return std::string();
    }
    if (!v->is_string()) {
        return make_error(Errc::bad_request,
                          "'" + std::string(key) + "' must be a string (a regular expression)");
    }
    return std::string(v->get_string());
}

} // namespace

Result<server::Permission> permission_from_json(std::string user, std::string vhost,
                                                const json::object& body) {
    std::string missing;
    auto configure = regex_field(body, "configure", missing);
    auto write = regex_field(body, "write", missing);
    auto read = regex_field(body, "read", missing);
    for (const auto* field : {&configure, &write, &read}) {
        if (!*field) {
            return field->error();
        }
    }
    if (!missing.empty()) {
        return make_error(Errc::bad_request, "missing field(s): " + missing);
    }
    return server::Permission{std::move(user), std::move(vhost), std::move(*configure),
                              std::move(*write), std::move(*read)};
}

json::object user_json(const server::User& user) {
    return json::object{
        {"name", user.name},
        {"password_hash", user.password_hash},
        {"hashing_algorithm", user.hashing_algorithm},
        {"tags", json::array(user.tags.begin(), user.tags.end())},
        {"limits", json::object{}},
    };
}

json::object user_json(const server::UserSpec& user) {
    return json::object{
        {"name", user.name},
        {"password_hash", user.password_hash.value_or("")},
        {"hashing_algorithm", user.hashing_algorithm.value_or("")},
        {"tags", json::array(user.tags.begin(), user.tags.end())},
        {"limits", json::object{}},
    };
}

json::object permission_json(const server::Permission& p) {
    return json::object{
        {"user", p.user},   {"vhost", p.vhost}, {"configure", p.configure},
        {"write", p.write}, {"read", p.read},
    };
}

} // namespace warren::web
