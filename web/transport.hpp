#pragma once

// The server's connections are common/transport's Transport (shared with the tools' clients);
// this name keeps web/'s sessions spelling it warren::web::Transport.

#include "common/transport.hpp"

namespace warren::web {

using warren::TlsRole;
using warren::Transport;

} // namespace warren::web
