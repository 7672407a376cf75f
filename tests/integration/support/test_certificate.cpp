#include "tests/integration/support/test_certificate.hpp"

#include <cstdio>
#include <random>
#include <stdexcept>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace warren::test {

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("TestCertificate: ") + what + " failed");
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(ext);
}

using File = std::unique_ptr<FILE, decltype(&std::fclose)>;

File open_for_writing(const std::filesystem::path& file) {
    File f(std::fopen(file.c_str(), "w"), &std::fclose);
    check(f != nullptr, "fopen");
    return f;
}

} // namespace

TestCertificate::TestCertificate(const CertificateSpec& spec, const TestCertificate* issuer)
    : key_(EVP_RSA_gen(2048), EVP_PKEY_free), cert_(X509_new(), X509_free) {
    check(key_ && cert_, "EVP_RSA_gen / X509_new");
    X509* cert = cert_.get();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert),
                     static_cast<long>(std::random_device()() & 0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(spec.not_before.count()));
    X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(spec.not_after.count()));
    X509_set_pubkey(cert, key_.get());
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
    X509* signer = issuer != nullptr ? issuer->cert_.get() : cert;
    X509_set_issuer_name(cert, X509_get_subject_name(signer));
    if (spec.ca) {
        add_extension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (!spec.alt_names.empty()) {
        std::string names;
        for (const auto& n : spec.alt_names) {
            names += (names.empty() ? "" : ",") + n;
        }
        add_extension(cert, signer, NID_subject_alt_name, names);
    }
    EVP_PKEY* signing_key = issuer != nullptr ? issuer->key_.get() : key_.get();
    check(X509_sign(cert, signing_key, EVP_sha256()) > 0, "X509_sign");
}

void TestCertificate::write_certificate(const std::filesystem::path& file) const {
    File f = open_for_writing(file);
    check(PEM_write_X509(f.get(), cert_.get()) == 1, "PEM_write_X509");
}

void TestCertificate::write_key(const std::filesystem::path& file) const {
    File f = open_for_writing(file);
    check(PEM_write_PrivateKey(f.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_PrivateKey");
}

std::uint16_t https_port_of(const WarrenProcess& server) {
    const std::string marker = "listening on https://127.0.0.1:";
    server.wait_for_output(marker);
    const std::string out = server.output();
    auto at = out.find(marker);
    if (at == std::string::npos) {
        return 0;
    }
    return static_cast<std::uint16_t>(std::stoi(out.substr(at + marker.size())));
}

} // namespace warren::test
