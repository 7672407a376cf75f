#pragma once

// The commands of warrenctl, one function each, grouped in commands_<group>.cpp. Each prints its
// result on stdout (a table or a line for people, JSON with --json) and throws Failure on error.

#include <string>
#include <string_view>

#include "tools/warrenctl/context.hpp"

namespace warren::ctl {

using CommandFn = void (*)(Context&);

// The function of a command named as in commands() ("queue create"); null if none.
CommandFn command_function(std::string_view name);

// An exchange name as a path segment: "" is the default exchange, "amq.default" in URLs.
std::string exchange_segment(std::string_view name);

void exchange_create(Context& ctx);
void exchange_delete(Context& ctx);
void exchange_describe(Context& ctx);
void exchange_list(Context& ctx);

void queue_create(Context& ctx);
void queue_delete(Context& ctx);
void queue_describe(Context& ctx);
void queue_purge(Context& ctx);
void queue_list(Context& ctx);
void queue_get(Context& ctx);

void bind(Context& ctx);
void unbind(Context& ctx);
void binding_list(Context& ctx);

void publish(Context& ctx);
void consume(Context& ctx);

void topic_create(Context& ctx);
void topic_describe(Context& ctx);
void topic_list(Context& ctx);
void topic_delete(Context& ctx);

void overview(Context& ctx);
void whoami(Context& ctx);
void vhost_list(Context& ctx);
void vhost_create(Context& ctx);
void vhost_delete(Context& ctx);
void users_list(Context& ctx);
void users_create(Context& ctx);
void users_delete(Context& ctx);
void permissions_list(Context& ctx);
void permissions_set(Context& ctx);
void permissions_clear(Context& ctx);
void definitions_export(Context& ctx);
void definitions_import(Context& ctx);

} // namespace warren::ctl
