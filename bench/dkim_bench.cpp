// Google Benchmark: DKIM signing of the corpus messages.
//
//   dkim_sign/<msg>/<key>        signer::sign(): parse the header, body hash,
//                                header hash, private-key signature, field
//                                folded and prepended (the figure)
//   dkim_signature/<msg>/<key>   signer::signature(): the same without
//                                copying the message behind the field
//   dkim_sign_dual/<msg>         sign_all() with RSA-2048 + Ed25519 (one
//                                body hash for both)
//   dkim_body_hash/<msg>/<canon> body canonicalization + SHA-256 alone
//                                (detail::body_sha256, as the signer runs it)
//   openssl_sign/<key>           the raw private-key operation on a SHA-256
//                                digest through EVP (the floor: lettre can
//                                never sign faster than this)
//
// <msg> is small.eml or typical.eml from ../shared/corpus (made by Python,
// not lettre), <key> the corpus RSA-2048 or Ed25519 key; relaxed/relaxed,
// the default header list, t= fixed. The files are read once in main().
//
//   lettre_bench_dkim --print <small|typical> <rsa2048|ed25519>
//
// writes the message signed as dkim_sign/<msg>/<key> signs it (domain
// example.com, selector = the key name) to stdout instead of timing, so
// that bench/dkim_speed.sh can have it verified.
#include "corpus.hpp"

#include "dkim/canonicalize.hpp"

#include <lettre/dkim.hpp>
#include <lettre/dkim/key_file.hpp>

#include <benchmark/benchmark.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lettre::dkim::canonicalization;
using lettre::dkim::private_key;
using lettre::dkim::signer;

std::string g_small;
std::string g_typical;
std::vector<private_key> g_keys;  // rsa2048, ed25519

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::string& message_for(std::string_view which) {
    return which == "small" ? g_small : g_typical;
}
const private_key& key_for(std::string_view which) {
    return which == "rsa2048" ? g_keys.at(0) : g_keys.at(1);
}

signer make_signer(std::string_view key) {
    signer s("example.com", key, key_for(key));
    s.canonicalization(canonicalization::relaxed, canonicalization::relaxed)
        .time(std::chrono::sys_seconds(std::chrono::seconds(1761998400)));
    return s;
}

void report(benchmark::State& state, std::size_t message_bytes) {
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message_bytes));
    state.counters["msg_bytes"] = static_cast<double>(message_bytes);
}

void bm_sign(benchmark::State& state, const char* msg, const char* key) {
    const std::string& m = message_for(msg);
    const signer s = make_signer(key);
    for (auto _ : state) {
        std::string out = s.sign(m);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, m.size());
}

void bm_signature(benchmark::State& state, const char* msg, const char* key) {
    const std::string& m = message_for(msg);
    const signer s = make_signer(key);
    for (auto _ : state) {
        lettre::header_field f = s.signature(m);
        benchmark::DoNotOptimize(f.value.data());
        benchmark::ClobberMemory();
    }
    report(state, m.size());
}

void bm_sign_dual(benchmark::State& state, const char* msg) {
    const std::string& m = message_for(msg);
    const std::vector<signer> signers{make_signer("rsa2048"), make_signer("ed25519")};
    for (auto _ : state) {
        std::string out = lettre::dkim::sign_all(signers, m);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, m.size());
}

void bm_body_hash(benchmark::State& state, const char* msg, canonicalization c) {
    const std::string& m = message_for(msg);
    const std::string_view body = std::string_view(m).substr(m.find("\r\n\r\n") + 4);
    std::array<unsigned char, 32> digest{};
    for (auto _ : state) {
        // What the signer runs: canonicalizer -> SHA-256 (EVP).
        if (!lettre::dkim::detail::body_sha256(c, body, digest)) {
            state.SkipWithError("body_sha256 failed");
            return;
        }
        benchmark::DoNotOptimize(digest.data());
    }
    report(state, body.size());
}

void bm_openssl_sign(benchmark::State& state, const char* key) {
    // The key as OpenSSL reads it from the same PEM file.
    const std::string pem = read_file(lettre_bench::shared_dir() / "corpus/keys" /
                                      (std::string("dkim_") + key + ".pem"));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!pkey) {
        state.SkipWithError("cannot read the key");
        return;
    }
    const bool ed = EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_ED25519;
    // What DKIM signs: RSA hashes the header data (SHA-256) then signs;
    // Ed25519 signs the 32-byte SHA-256 of it. Give both a 600-byte header
    // block, about what small.eml's signed headers are.
    const std::string data(600, 'h');
    unsigned char digest[32];
    unsigned int dlen = 0;
    EVP_Digest(data.data(), data.size(), digest, &dlen, EVP_sha256(), nullptr);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::vector<unsigned char> sig(1024);
    for (auto _ : state) {
        std::size_t len = sig.size();
        EVP_DigestSignInit(ctx.get(), nullptr, ed ? nullptr : EVP_sha256(), nullptr, pkey.get());
        if (ed)
            EVP_DigestSign(ctx.get(), sig.data(), &len, digest, sizeof digest);
        else
            EVP_DigestSign(ctx.get(), sig.data(), &len,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size());
        benchmark::DoNotOptimize(sig.data());
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto shared = lettre_bench::shared_dir();
        g_small = read_file(shared / "corpus/small.eml");
        g_typical = read_file(shared / "corpus/typical.eml");
        g_keys.push_back(lettre::dkim::load_key_file(shared / "corpus/keys/dkim_rsa2048.pem"));
        g_keys.push_back(lettre::dkim::load_key_file(shared / "corpus/keys/dkim_ed25519.pem"));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dkim_bench: %s\n", e.what());
        return 1;
    }
    if (argc >= 2 && std::string_view(argv[1]) == "--print") {
        const std::string_view msg = argc >= 3 ? argv[2] : "";
        const std::string_view key = argc >= 4 ? argv[3] : "";
        if ((msg != "small" && msg != "typical") || (key != "rsa2048" && key != "ed25519")) {
            std::fprintf(stderr,
                         "usage: lettre_bench_dkim --print <small|typical> <rsa2048|ed25519>\n");
            return 2;
        }
        const std::string out = make_signer(key).sign(message_for(msg));
        return std::fwrite(out.data(), 1, out.size(), stdout) == out.size() ? 0 : 1;
    }
    for (const char* msg : {"small", "typical"})
        for (const char* key : {"rsa2048", "ed25519"}) {
            benchmark::RegisterBenchmark((std::string("dkim_sign/") + msg + "/" + key).c_str(),
                                         bm_sign, msg, key);
            benchmark::RegisterBenchmark((std::string("dkim_signature/") + msg + "/" + key).c_str(),
                                         bm_signature, msg, key);
        }
    for (const char* msg : {"small", "typical"}) {
        benchmark::RegisterBenchmark((std::string("dkim_sign_dual/") + msg).c_str(), bm_sign_dual,
                                     msg);
        benchmark::RegisterBenchmark((std::string("dkim_body_hash/") + msg + "/relaxed").c_str(),
                                     bm_body_hash, msg, canonicalization::relaxed);
        benchmark::RegisterBenchmark((std::string("dkim_body_hash/") + msg + "/simple").c_str(),
                                     bm_body_hash, msg, canonicalization::simple);
    }
    for (const char* key : {"rsa2048", "ed25519"})
        benchmark::RegisterBenchmark((std::string("openssl_sign/") + key).c_str(), bm_openssl_sign,
                                     key);

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
