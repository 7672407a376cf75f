#pragma once

// TransportError: the server could not be reached or the connection failed before an answer
// came (resolve, connect, a timeout, a reset). warrenctl maps it to exit code 4. An HTTP answer,
// error statuses included, is never a TransportError.

#include <stdexcept>
#include <string>

namespace warren::client {

class TransportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace warren::client
