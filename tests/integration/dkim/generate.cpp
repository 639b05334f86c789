// DKIM interop corpus generator.
//
// Signs a set of messages with lettre and writes them, with the DNS TXT
// records of the keys (from lettre::dkim::make_dns_record) and a manifest
// saying which signature of which file must verify, for check_dkimpy.py to
// verify with dkimpy (an independent implementation).
//
//   lettre_dkim_interop_gen <output-dir>
//
// Messages: lettre-built (text only; multipart with attachments), the shared
// corpus's small.eml and typical.eml (made by Python, not by lettre),
// messages with folded and duplicated header fields, LF line ends, an empty
// body and a body without a final line break. Each is signed with the corpus
// RSA-2048 and Ed25519 keys, in all four header/body canonicalization pairs,
// with the default oversigning and with extra oversigned names; dual RSA +
// Ed25519 signatures in one pass (sign_all and message::sign); and tampered
// copies that must fail: one body byte changed, a From field added on top,
// the Subject changed, a Cc added (Cc is oversigned by default), plus
// controls that must still pass (an unsigned field added; white space
// changes under relaxed header canonicalization).
#include <lettre/dkim.hpp>
#include <lettre/dkim/key_file.hpp>
#include <lettre/lettre.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using lettre::dkim::canonicalization;
using lettre::dkim::private_key;
using lettre::dkim::signer;

namespace {

const fs::path shared_dir{LETTRE_SHARED_DIR};
constexpr std::string_view domain = "example.com";

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& p, std::string_view bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(u));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

/// LF, CR and CRLF all become CRLF (what SMTP sends).
std::string to_crlf(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += "\r\n";
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (s[i] == '\n') {
            out += "\r\n";
        } else {
            out += s[i];
        }
    }
    return out;
}

const char* canon_name(canonicalization c) {
    return c == canonicalization::simple ? "simple" : "relaxed";
}

struct base_message {
    std::string name;
    std::string bytes;                 ///< as given to the signer
    std::vector<std::string> headers;  ///< extra names to sign (besides the defaults)
    /// Write the bytes as SMTP sends them (CRLF line ends, a final CRLF
    /// added when missing); false: write them exactly as signed.
    bool smtp_wire = true;
};

struct entry {
    std::string file;
    std::vector<bool> expect;  ///< per DKIM-Signature, top first
    std::string note;
};

class corpus {
public:
    explicit corpus(fs::path dir) : dir_(std::move(dir)) {}

    void add(const std::string& file, std::string_view bytes, std::vector<bool> expect,
             std::string note) {
        if (bytes.find("\r\n\r\n") == std::string_view::npos)
            throw std::runtime_error(file + ": no header/body separator");
        write_file(dir_ / file, bytes);
        entries_.push_back({file, std::move(expect), std::move(note)});
    }

    void write_manifest() const {
        std::string j = "[\n";
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            const auto& e = entries_[i];
            j += "  {\"file\": " + json_string(e.file) + ", \"expect\": [";
            for (std::size_t k = 0; k < e.expect.size(); ++k)
                j += std::string(k ? ", " : "") + (e.expect[k] ? "true" : "false");
            j += "], \"note\": " + json_string(e.note) + "}";
            j += i + 1 < entries_.size() ? ",\n" : "\n";
        }
        j += "]\n";
        write_file(dir_ / "manifest.json", j);
    }

    std::size_t size() const { return entries_.size(); }

private:
    fs::path dir_;
    std::vector<entry> entries_;
};

// ------------------------------------------------------------ messages ----

base_message builder_multipart() {
    const std::string attachment = read_file(shared_dir / "corpus/attachment.bin");
    auto m = lettre::message::builder()
                 .from("Zoë Ångström <zoe@example.com>")
                 .to("Jürgen Müller <juergen@example.org>, 田中 太郎 <taro@example.net>")
                 .cc("Carol <carol@example.net>")
                 .reply_to("replies@example.com")
                 .subject("Quarterly report — Überblick ✓ 四半期報告")
                 .date("Sat, 01 Nov 2025 12:00:00 +0000")
                 .message_id("<dkim-multipart-0001@example.com>")
                 .header("X-Mailer", "lettre interop")
                 .text(read_file(shared_dir / "corpus/text.txt"))
                 .html(read_file(shared_dir / "corpus/html.html"))
                 .attachment(lettre::part::attachment("report-data.bin", attachment))
                 .attachment(
                     lettre::part::attachment("notes — ünïcödé.txt", "line one\nline two  \n\n\n"))
                 .build();
    return {"builder_multipart", m.formatted(), {}};
}

base_message builder_text() {
    auto m = lettre::message::builder()
                 .from("Alice <alice@example.com>")
                 .to("Bob <bob@example.org>")
                 .subject("Plain text")
                 .date("Sat, 01 Nov 2025 12:00:00 +0000")
                 .message_id("<dkim-text-0001@example.com>")
                 .text("Hello Bob,\n\n  indented   with runs\t\nand trailing blanks   \n\n\n")
                 .build();
    return {"builder_text", m.formatted(), {}};
}

base_message folded_duplicated() {
    return {"folded_dup",
            "Received: from mx1.example.net (mx1.example.net [192.0.2.1])\r\n"
            "\tby mx2.example.org with ESMTPS id 4XyZ;\r\n"
            "\tSat, 01 Nov 2025 12:00:01 +0000\r\n"
            "Received: from client.example.com by mx1.example.net;\r\n"
            " Sat, 01 Nov 2025 12:00:00 +0000\r\n"
            "From: \"Folded  Sender\"\r\n"
            " <sender@example.com>\r\n"
            "To: a@example.org,\r\n"
            "  b@example.org,\r\n"
            "\tc@example.org\r\n"
            "Cc: d@example.org\r\n"
            "Subject: A subject that is long enough to be folded over\r\n"
            " several lines   with   runs of\r\n"
            "\t white space  \r\n"
            "X-Dup: one\r\n"
            "Date: Sat, 01 Nov 2025 12:00:00 +0000\r\n"
            "x-dup:   two  \r\n"
            "Message-ID: <folded-0001@example.com>\r\n"
            "X-DUP: three\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain;\r\n"
            "    charset=us-ascii\r\n"
            "\r\n"
            "body with   trailing spaces   \r\n"
            "\ttabbed line\r\n"
            "\r\n"
            "  \r\n"
            "last line\r\n"
            "\r\n"
            "\r\n",
            {"X-Dup", "Received"}};
}

base_message lf_endings() {
    return {"lf_endings",
            "From: lf@example.com\n"
            "To: rcpt@example.org\n"
            "Subject: LF line ends\n"
            " folded with LF\n"
            "Date: Sat, 01 Nov 2025 12:00:00 +0000\n"
            "\n"
            "Line one\n"
            "Line two   \n"
            "\n"
            "\n",
            {}};
}

base_message empty_body() {
    return {"empty_body",
            "From: empty@example.com\r\nTo: rcpt@example.org\r\nSubject: nothing\r\n"
            "Date: Sat, 01 Nov 2025 12:00:00 +0000\r\n\r\n",
            {}};
}

// The last line has no line break. SMTP adds the CRLF when it sends the
// message (DATA ends with CRLF "." CRLF), so that is what a verifier sees;
// with trailing WSP on that line the relaxed body hash depends on it.
base_message no_final_crlf() {
    return {"no_final_crlf",
            "From: nocrlf@example.com\r\nTo: rcpt@example.org\r\nSubject: cut\r\n"
            "Date: Sat, 01 Nov 2025 12:00:00 +0000\r\n\r\nfirst line\r\nlast line without break  ",
            {}};
}

// Same without trailing WSP, written without the final CRLF (as a file).
base_message no_final_crlf_file() {
    return {"no_final_crlf_file",
            "From: nocrlf@example.com\r\nTo: rcpt@example.org\r\nSubject: cut\r\n"
            "Date: Sat, 01 Nov 2025 12:00:00 +0000\r\n\r\nfirst line\r\nlast line without break",
            {},
            false};
}

std::vector<base_message> all_messages() {
    return {builder_multipart(),
            builder_text(),
            {"corpus_typical", read_file(shared_dir / "corpus/typical.eml"), {}},
            {"corpus_small", read_file(shared_dir / "corpus/small.eml"), {}},
            folded_duplicated(),
            lf_endings(),
            empty_body(),
            no_final_crlf(),
            no_final_crlf_file()};
}

// ------------------------------------------------------------- tampering ----

std::size_t header_end(std::string_view m) {
    return m.find("\r\n\r\n") + 2;
}

/// Offset just below the last DKIM-Signature field (0 when none).
std::size_t below_signatures(std::string_view m) {
    std::size_t pos = 0;
    while (m.substr(pos, 15) == "DKIM-Signature:") {
        std::size_t e = m.find("\r\n", pos);
        while (e != std::string_view::npos && e + 2 < m.size() &&
               (m[e + 2] == ' ' || m[e + 2] == '\t'))
            e = m.find("\r\n", e + 2);
        pos = e + 2;
    }
    return pos;
}

/// One letter or digit of the body, in its middle, changed to another one.
std::string change_body_byte(std::string m) {
    const std::size_t start = header_end(m) + 2;
    std::size_t i = start + (m.size() - start) / 2;
    while (i < m.size() && !std::isalnum(static_cast<unsigned char>(m[i]))) ++i;
    if (i >= m.size())
        for (i = start; i < m.size() && !std::isalnum(static_cast<unsigned char>(m[i]));) ++i;
    if (i >= m.size()) {  // no body text: add one
        m += "x";
        return m;
    }
    m[i] = m[i] == 'a' ? 'b' : 'a';
    return m;
}

std::string add_from_on_top(std::string m) {
    return "From: Mallory <mallory@example.net>\r\n" + m;
}

std::string add_field_below_signatures(std::string m, std::string_view field) {
    m.insert(below_signatures(m), field);
    return m;
}

/// Replaces the first Subject value's first word; empty when there is no Subject.
std::string change_subject(std::string m) {
    const std::size_t s = m.find("\r\nSubject:");
    if (s == std::string::npos || s > header_end(m)) return {};
    std::size_t v = s + 10;
    while (m[v] == ' ') ++v;
    m.insert(v, "RE: ");
    return m;
}

/// Adds white space inside the Subject value (relaxed header: same).
std::string respace_subject(std::string m) {
    const std::size_t s = m.find("\r\nSubject:");
    if (s == std::string::npos || s > header_end(m)) return {};
    m.insert(s + 10, " \t ");
    return m;
}

// ---------------------------------------------------------------- main ----

signer make_signer(const private_key& key, std::string_view selector, canonicalization hc,
                   canonicalization bc, bool extra_oversign, const base_message& b) {
    signer s(domain, selector, key);
    s.canonicalization(hc, bc);
    if (!b.headers.empty()) {
        auto names = lettre::dkim::default_signed_headers();
        names.insert(names.end(), b.headers.begin(), b.headers.end());
        s.headers(names);
    }
    if (extra_oversign)
        s.oversign({"Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
                    "In-Reply-To", "References"});
    return s;
}

void run(const fs::path& out) {
    fs::create_directories(out);
    const private_key rsa =
        lettre::dkim::load_key_file(shared_dir / "corpus/keys/dkim_rsa2048.pem");
    const private_key ed = lettre::dkim::load_key_file(shared_dir / "corpus/keys/dkim_ed25519.pem");
    struct named_key {
        const private_key* key;
        const char* selector;
    };
    const named_key keys[] = {{&rsa, "rsa2048"}, {&ed, "ed25519"}};

    // DNS: name -> character-strings, as make_dns_record gives them.
    {
        std::string j = "{\n";
        for (std::size_t i = 0; i < std::size(keys); ++i) {
            const auto rec = lettre::dkim::make_dns_record(*keys[i].key, keys[i].selector, domain);
            j += "  " + json_string(rec.name) + ": [";
            for (std::size_t k = 0; k < rec.strings.size(); ++k)
                j += std::string(k ? ", " : "") + json_string(rec.strings[k]);
            j += i + 1 < std::size(keys) ? "],\n" : "]\n";
        }
        j += "}\n";
        write_file(out / "dns.json", j);
    }

    corpus c(out);
    const canonicalization canons[] = {canonicalization::simple, canonicalization::relaxed};
    for (const auto& b : all_messages()) {
        // What SMTP sends: the message with CRLF line ends, ending CRLF.
        std::string wire = to_crlf(b.bytes);
        if (b.smtp_wire && !wire.ends_with("\r\n")) wire += "\r\n";
        if (!b.smtp_wire) wire = b.bytes;
        for (const auto& k : keys)
            for (auto hc : canons)
                for (auto bc : canons)
                    for (bool extra : {false, true}) {
                        const signer s = make_signer(*k.key, k.selector, hc, bc, extra, b);
                        const auto f = s.signature(b.bytes);
                        const std::string signed_msg = f.name + ": " + f.value + "\r\n" + wire;
                        const std::string stem = b.name + "." + k.selector + "." + canon_name(hc) +
                                                 "-" + canon_name(bc) + (extra ? ".oversign" : "");
                        c.add(stem + ".eml", signed_msg, {true}, "signed");

                        if (extra) continue;  // tamper the default-oversigned ones
                        c.add(stem + ".tampered-body.eml", change_body_byte(signed_msg), {false},
                              "one body byte changed");
                        c.add(stem + ".tampered-from-on-top.eml", add_from_on_top(signed_msg),
                              {false}, "a From field added on top");
                        c.add(
                            stem + ".tampered-cc-added.eml",
                            add_field_below_signatures(signed_msg, "Cc: intruder@example.net\r\n"),
                            {false}, "a Cc field added (Cc is oversigned)");
                        if (const std::string t = change_subject(signed_msg); !t.empty())
                            c.add(stem + ".tampered-subject.eml", t, {false}, "Subject changed");
                        c.add(stem + ".control-unsigned-field.eml",
                              add_field_below_signatures(signed_msg, "X-Added-Later: fine\r\n"),
                              {true}, "an unsigned field added: still valid");
                        if (const std::string t = respace_subject(signed_msg); !t.empty())
                            c.add(stem + ".control-respaced-subject.eml", t,
                                  {hc == canonicalization::relaxed},
                                  "white space added in Subject: valid only with relaxed header "
                                  "canonicalization");
                    }

        // Dual signature in one pass: RSA relaxed/relaxed + Ed25519 simple/relaxed.
        std::vector<signer> two{make_signer(rsa, "rsa2048", canonicalization::relaxed,
                                            canonicalization::relaxed, false, b),
                                make_signer(ed, "ed25519", canonicalization::simple,
                                            canonicalization::relaxed, false, b)};
        const auto fields = lettre::dkim::try_signatures(two, b.bytes).value();
        std::string dual;
        for (const auto& f : fields) dual += f.name + ": " + f.value + "\r\n";
        dual += wire;
        const std::string stem = b.name + ".dual";
        c.add(stem + ".eml", dual, {true, true}, "RSA + Ed25519 in one pass");
        c.add(stem + ".tampered-body.eml", change_body_byte(dual), {false, false},
              "one body byte changed");
        c.add(stem + ".tampered-from-on-top.eml", add_from_on_top(dual), {false, false},
              "a From field added on top");
        c.add(stem + ".tampered-cc-added.eml",
              add_field_below_signatures(dual, "Cc: intruder@example.net\r\n"), {false, false},
              "a Cc field added (Cc is oversigned)");
        if (const std::string t = change_subject(dual); !t.empty())
            c.add(stem + ".tampered-subject.eml", t, {false, false}, "Subject changed");
        if (b.bytes == wire) {  // sign_all's own output (CRLF input only)
            c.add(stem + ".sign_all.eml", lettre::dkim::sign_all(two, b.bytes), {true, true},
                  "sign_all output");
        }
    }

    // message::sign with two signers, identity and expiration.
    {
        auto m = lettre::message::builder()
                     .from("Signer <signer@mail.example.com>")
                     .to("rcpt@example.org")
                     .cc("cc@example.org")
                     .subject("message::sign with two signers")
                     .text("Body text.\n")
                     .attachment(lettre::part::attachment("a.pdf", std::string(3000, '%')))
                     .build();
        std::vector<signer> two;
        two.emplace_back(domain, "ed25519", ed);
        two.emplace_back(domain, "rsa2048", rsa);
        two[0].identity("signer@mail.example.com").expiration(std::chrono::hours(24));
        two[1]
            .identity("@example.com")
            .canonicalization(canonicalization::simple, canonicalization::simple);
        m.sign(two);
        const std::string bytes = m.formatted();
        c.add("message_sign.two.eml", bytes, {true, true},
              "message::sign, Ed25519 then RSA, i= and x=");
        c.add("message_sign.two.tampered-cc-added.eml",
              add_field_below_signatures(bytes, "Cc: intruder@example.net\r\n"), {false, false},
              "a Cc field added (Cc is oversigned)");
    }

    // i= with a local part that needs dkim-quoted-printable (RFC 6376 §2.11).
    {
        const auto b = builder_text();
        signer s(domain, "rsa2048", rsa);
        s.identity("list;owner=x y@lists.example.com");
        c.add("identity_quoted_printable.eml", s.sign(b.bytes), {true}, "i= with =3B, =3D and =20");
    }

    // A signer that does not sign Cc at all: adding one is not detected
    // (the control for the oversigning checks above).
    {
        const auto b = builder_text();
        signer s(domain, "ed25519", ed);
        s.headers({"From", "To", "Subject", "Date"});
        const std::string signed_msg = s.sign(b.bytes);
        c.add("cc_not_signed.eml", signed_msg, {true}, "Cc not in h=");
        c.add("cc_not_signed.control-cc-added.eml",
              add_field_below_signatures(signed_msg, "Cc: intruder@example.net\r\n"), {true},
              "a Cc field added where Cc is not signed: still valid");
    }

    c.write_manifest();
    std::cout << "lettre_dkim_interop_gen: wrote " << c.size() << " messages to " << out.string()
              << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: lettre_dkim_interop_gen <output-dir>\n";
        return 2;
    }
    try {
        run(argv[1]);
    } catch (const std::exception& e) {
        std::cerr << "lettre_dkim_interop_gen: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
