#pragma once

// TransportError: the server could not be reached or the connection failed before an answer
// came (resolve, connect, a timeout, a reset, a failed TLS handshake). warrenctl maps it to exit
// code 4. An HTTP answer, error statuses included, is never a TransportError.
//
// CertificateError: the TLS handshake failed because the server's certificate was refused
// (expired, an issuer nobody trusts, another host's name...); what() is the whole sentence,
// problem() its kind, so a caller can add how to fix it.

#include <stdexcept>
#include <string>

namespace warren::client {

class TransportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class CertificateProblem {
    untrusted,     // self-signed, or an issuer that is not trusted
    expired,       // or not valid yet
    name_mismatch, // issued for another host name or address
    other,
};

class CertificateError : public TransportError {
public:
    CertificateError(const std::string& message, CertificateProblem problem)
        : TransportError(message), problem_(problem) {}
    CertificateProblem problem() const { return problem_; }

private:
    CertificateProblem problem_;
};

} // namespace warren::client
