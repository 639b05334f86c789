// Helpers for the SMTP unit tests: a scripted driver for the sans-io client
// (no sockets: the test plays the server byte for byte), base64 and a SCRAM
// server written from RFC 5802/7677, independently of the library.
#pragma once

#include <lettre/lettre.hpp>
#include "smtp/protocol/client.hpp"
#include "smtp/protocol/reply.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp_test {

/// Printable form of bytes for failure messages.
inline std::string show(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '\r')
            out += "\\r";
        else if (ch == '\n')
            out += "\\n";
        else if (ch == '"' || ch == '\\')
            (out += '\\') += ch;
        else if (c >= 0x20 && c < 0x7f)
            out += ch;
        else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out + "\"";
}

/// Every complete reply in `wire` (fed at once); fails the test on an error.
inline std::vector<lettre::smtp::reply> all_replies(std::string_view wire) {
    lettre::smtp::reply_parser p;
    std::vector<lettre::smtp::reply> out;
    EXPECT_TRUE(p.feed(wire)) << show(wire) << ": " << (p.error() ? p.error()->message : "");
    while (auto r = p.next()) out.push_back(std::move(*r));
    return out;
}

inline std::optional<lettre::error_info> parser_error(std::string_view wire) {
    lettre::smtp::reply_parser p;
    p.feed(wire);
    return p.error();
}

// ---------------------------------------------------------------------------
// base64 (RFC 4648 §4), written here.

inline std::string b64(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    while (i + 3 <= in.size()) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(in[i + 2])};
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
        i += 3;
    }
    const std::size_t rest = in.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(in[i])} << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

inline std::string unb64(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const int v = val(c);
        if (v < 0) {
            ADD_FAILURE() << "not base64: " << show(in);
            return {};
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// SCRAM-SHA-256 server side (RFC 5802 §3, RFC 7677).

inline std::string hmac256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

inline std::string sha256(std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(out), len);
}

struct scram_exchange {
    std::string client_final_b64;  ///< what the client must send
    std::string server_final_b64;  ///< v=...
};

/// Given the client-first-message-bare ("n=user,r=nonce"), the full
/// server-first message and the password, computes what a correct client
/// sends and what the server proves.
inline scram_exchange scram_expect(std::string_view client_first_bare,
                                   std::string_view server_first, std::string_view password,
                                   std::string_view salt_b64, int iterations) {
    const std::string salt = unb64(salt_b64);
    unsigned char salted[32];
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), iterations, EVP_sha256(), 32, salted);
    const std::string sp(reinterpret_cast<const char*>(salted), 32);
    const std::string client_key = hmac256(sp, "Client Key");
    const std::string stored_key = sha256(client_key);
    const std::string server_key = hmac256(sp, "Server Key");
    const auto r_pos = server_first.find("r=");
    const auto r_end = server_first.find(',', r_pos);
    const std::string full_nonce(server_first.substr(r_pos + 2, r_end - r_pos - 2));
    const std::string without_proof = "c=biws,r=" + full_nonce;
    const std::string auth_message =
        std::string(client_first_bare) + "," + std::string(server_first) + "," + without_proof;
    const std::string client_sig = hmac256(stored_key, auth_message);
    std::string proof = client_key;
    for (std::size_t i = 0; i < proof.size(); ++i)
        proof[i] = static_cast<char>(proof[i] ^ client_sig[i]);
    return {b64(without_proof + ",p=" + b64(proof)),
            b64("v=" + b64(hmac256(server_key, auth_message)))};
}

// ---------------------------------------------------------------------------
// Scripted driver for lettre::smtp::client.

using lettre::smtp::client;
using action_type = client::action::type;

inline const char* type_name(action_type t) {
    switch (t) {
        case action_type::write: return "write";
        case action_type::read: return "read";
        case action_type::tls_handshake: return "tls_handshake";
        case action_type::done: return "done";
    }
    return "?";
}

/// Everything a write action writes, its pieces joined.
inline std::string written(const client::action& a) {
    std::string s(a.bytes);
    for (std::string_view more : a.more) s += more;
    return s;
}

inline std::string describe(const client::action& a) {
    std::string s = type_name(a.what);
    s += " (phase ";
    s += lettre::smtp::phase_name(a.phase);
    s += ")";
    if (a.what == action_type::write) s += " " + show(written(a));
    if (a.what == action_type::done)
        s += a.error ? " error: " + a.error.message() : std::string(" ok");
    return s;
}

/// Plays the server. Every step checks the client's last action; `trace`
/// keeps the whole conversation for failure messages. Use the steps inside
/// ASSERT_TRUE so that a broken script stops at the first surprise.
class script {
public:
    explicit script(lettre::smtp::client_config cfg) : c_(std::move(cfg)) {}

    client& fsm() { return c_; }
    const client& fsm() const { return c_; }
    const client::action& last() const { return a_; }
    const std::vector<std::string>& trace() const { return trace_; }
    std::string transcript() const {
        std::string out;
        for (const auto& t : trace_) out += "  " + t + "\n";
        return out;
    }

    /// start_session(): the client must wait for the greeting.
    ::testing::AssertionResult start(bool tls = false) {
        set(c_.start_session(tls));
        return expect_read("start_session");
    }

    /// The server sends `bytes`; the client must have been reading.
    ::testing::AssertionResult server(std::string_view bytes) {
        if (a_.what != action_type::read)
            return fail("server sends " + show(bytes) + " but the client is not reading");
        trace_.push_back("S: " + show(bytes));
        set(c_.on_read(bytes));
        return ::testing::AssertionSuccess();
    }

    /// The server's bytes one at a time (stops early when the client stops reading).
    ::testing::AssertionResult server_bytewise(std::string_view bytes) {
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            if (a_.what != action_type::read)
                return fail("client stopped reading at byte " + std::to_string(i) + " of " +
                            show(bytes));
            set(c_.on_read(bytes.substr(i, 1)));
        }
        trace_.push_back("S (bytewise): " + show(bytes));
        return ::testing::AssertionSuccess();
    }

    /// The client must write exactly `bytes`; the write completes and the
    /// client must then read.
    ::testing::AssertionResult client_writes(std::string_view bytes) {
        if (a_.what != action_type::write)
            return fail("expected the client to write " + show(bytes) + ", got " + describe(a_));
        const std::string got = written(a_);
        trace_.push_back("C: " + show(got));
        if (got != bytes)
            return fail("client wrote " + show(got) + "\n  expected     " + show(bytes));
        set(c_.on_written());
        return expect_read("after the write");
    }

    /// Like client_writes but returns the bytes (for data computed from them).
    std::optional<std::string> take_write() {
        if (a_.what != action_type::write) {
            ADD_FAILURE() << "expected a write, got " << describe(a_) << "\n" << transcript();
            return std::nullopt;
        }
        std::string got = written(a_);
        trace_.push_back("C: " + show(got));
        set(c_.on_written());
        if (a_.what != action_type::read) {
            ADD_FAILURE() << "expected a read after the write, got " << describe(a_);
            return std::nullopt;
        }
        return got;
    }

    ::testing::AssertionResult tls_handshake() {
        if (a_.what != action_type::tls_handshake)
            return fail("expected tls_handshake, got " + describe(a_));
        trace_.push_back("-- TLS handshake --");
        set(c_.on_tls_established());
        return ::testing::AssertionSuccess();
    }

    ::testing::AssertionResult done_ok() {
        if (a_.what != action_type::done || a_.error)
            return fail("expected success, got " + describe(a_) +
                        (c_.diagnostics().message.empty() ? "" : " — " + c_.diagnostics().message));
        return ::testing::AssertionSuccess();
    }

    ::testing::AssertionResult done_with(lettre::errc e) {
        if (a_.what != action_type::done || a_.error != lettre::make_error_code(e))
            return fail(std::string("expected done with ") + lettre::make_error_code(e).message() +
                        ", got " + describe(a_));
        return ::testing::AssertionSuccess();
    }

    ::testing::AssertionResult reading() { return expect_read("now"); }

    /// Hands an action from a start_* call to the script.
    void set(client::action a) {
        a_ = a;
        types_.push_back(a.what);
        if (a.what == action_type::done)
            trace_.push_back(
                std::string("== done: ") +
                (a.error ? a.error.message() + " — " + c_.diagnostics().message : "ok"));
    }
    const std::vector<action_type>& types() const { return types_; }

private:
    ::testing::AssertionResult expect_read(const std::string& when) {
        if (a_.what != action_type::read)
            return fail("expected the client to read " + when + ", got " + describe(a_));
        return ::testing::AssertionSuccess();
    }
    ::testing::AssertionResult fail(const std::string& what) const {
        return ::testing::AssertionFailure() << what << "\nconversation:\n" << transcript();
    }

    client c_;
    client::action a_{};
    std::vector<std::string> trace_;
    std::vector<action_type> types_;
};

}  // namespace smtp_test
