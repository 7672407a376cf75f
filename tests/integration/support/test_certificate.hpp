#pragma once

// TestCertificate: a fresh RSA key and an X.509 certificate for it, made with OpenSSL's API (no
// `openssl` program needed): self-signed, or signed by another TestCertificate acting as a CA.
// For the TLS tests (tls_test, warrenctl_tls_test). https_port_of() reads the port of warren's
// "listening on https://" line.
//
// Lifetime and thread: a value owned by one test; throws std::runtime_error when OpenSSL fails.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tests/integration/support/warren_process.hpp"

namespace warren::test {

struct CertificateSpec {
    std::string common_name = "localhost";
    // subjectAltName entries, OpenSSL's spelling: "DNS:localhost", "IP:127.0.0.1". None: no
    // subjectAltName extension (the name checks then fall back to the CN).
    std::vector<std::string> alt_names;
    // Validity, relative to now.
    std::chrono::seconds not_before = std::chrono::seconds(-60);
    std::chrono::seconds not_after = std::chrono::hours(24);
    bool ca = false; // basicConstraints CA:TRUE, to sign others
};

class TestCertificate {
public:
    // Self-signed when `issuer` is null, else signed by it.
    explicit TestCertificate(const CertificateSpec& spec, const TestCertificate* issuer = nullptr);

    // The certificate, and the private key, as PEM files.
    void write_certificate(const std::filesystem::path& file) const;
    void write_key(const std::filesystem::path& file) const;

private:
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
    std::unique_ptr<X509, decltype(&X509_free)> cert_;
};

// The port of warren's HTTPS listener (0 when it printed none).
std::uint16_t https_port_of(const WarrenProcess& server);

} // namespace warren::test
