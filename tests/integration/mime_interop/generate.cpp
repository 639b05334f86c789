// MIME interop corpus generator.
//
// Builds a set of varied messages with lettre's builder and writes, for each,
// `<n>.eml` (message::formatted()) and `<n>.json` (what any conforming reader
// must get back: decoded headers, addresses, bodies, attachments and the MIME
// tree). check_corpus.py then parses every .eml with Python's email package
// and compares. Usage: lettre_mime_interop_gen <output-dir>
#include "support.hpp"

#include <lettre/message.hpp>
#include <lettre/message/files.hpp>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using namespace interop;
using lettre::address;
using lettre::mailbox;
using lettre::part;

namespace {

// ------------------------------------------------------------- inputs ----

std::string all_bytes(std::size_t times) {
    std::string s;
    for (std::size_t t = 0; t < times; ++t)
        for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
    return s;
}

/// Deterministic pseudo-random ASCII letters and digits.
std::string token(std::size_t n, unsigned seed) {
    static constexpr std::string_view chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    unsigned x = seed * 2654435761u + 1u;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1103515245u + 12345u;
        s += chars[(x >> 16) % chars.size()];
    }
    return s;
}

std::string words(std::size_t n) {
    static constexpr std::string_view lorem[] = {
        "lorem",  "ipsum", "dolor",  "sit",     "amet",   "consectetur", "adipiscing",
        "elit",   "sed",   "do",     "eiusmod", "tempor", "incididunt",  "ut",
        "labore", "et",    "dolore", "magna",   "aliqua"};
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) s += ' ';
        s += lorem[i % std::size(lorem)];
    }
    return s;
}

const std::string png_bytes = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + all_bytes(2);
const std::string pdf_bytes =
    "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\r\n" + all_bytes(1) + "\n%%EOF\n";
const std::string csv_text = "name;city;amount\nZoë;München;12,50\nИван;Москва;7\n\"quoted\";x;0\n";
const std::string notes_text = "first line\nsecond line with ünïcödé\n\nlast line without newline";

// Many scripts.
const std::string de = "Grüße aus München – schöne Äpfel und Öl";
const std::string ru = "Привет, мир! Съешь же ещё этих мягких французских булок";
const std::string el = "Γειά σου Κόσμε";
const std::string zh = "你好，世界。我能吞下玻璃而不伤身体。";
const std::string ja = "こんにちは世界、私はガラスを食べられます。";
const std::string ko = "안녕하세요 세계";
const std::string ar = "مرحبا بالعالم";
const std::string he = "שלום עולם";
const std::string hi = "नमस्ते दुनिया";
const std::string th = "สวัสดีชาวโลก";
const std::string vi = "Tiếng Việt có dấu";
const std::string emoji = "🎉📧✅ 👩‍👩‍👧‍👦 🇩🇪🇯🇵";
const std::string combining =
    "e\xcc\x81t\xc3\xa9 a\xe2\x80\x8b"
    "b";  // é decomposed, ZWSP

std::string all_scripts() {
    return de + " " + ru + " " + el + " " + zh + " " + ja + " " + ko + " " + ar + " " + he + " " +
           hi + " " + th + " " + vi + " " + emoji + " " + combining;
}

struct inputs {
    fs::path dir;
    fs::path pdf, csv, bin, png, notes;
};

void write_file(const fs::path& p, std::string_view bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + p.string());
}

inputs make_inputs(const fs::path& dir) {
    fs::create_directories(dir);
    inputs in{dir,
              dir / "report.pdf",
              dir / fs::path(u8"Prüfbericht – Übersicht 2025.csv"),
              dir / "data.bin",
              dir / "logo.png",
              dir / "notes.txt"};
    write_file(in.pdf, pdf_bytes);
    write_file(in.csv, csv_text);
    write_file(in.bin, all_bytes(8));
    write_file(in.png, png_bytes);
    write_file(in.notes, notes_text);
    return in;
}

/// The boundary parameter of a formatted message's Content-Type, or "".
std::string boundary_of(const lettre::message& m) {
    const auto ct = m.header("Content-Type");
    if (!ct) return {};
    const std::string v(*ct);
    const auto at = v.find("boundary=");
    if (at == std::string::npos) return {};
    std::size_t i = at + 9;
    std::string b;
    if (i < v.size() && v[i] == '"') {
        for (++i; i < v.size() && v[i] != '"'; ++i) {
            if (v[i] == '\\') ++i;
            if (i < v.size()) b += v[i];
        }
    } else {
        for (; i < v.size() && v[i] != ';' && v[i] != ' ' && v[i] != '\r' && v[i] != '\t'; ++i)
            b += v[i];
    }
    return b;
}

const std::string fixed_date = "Sat, 01 Nov 2025 12:00:00 +0100";
const std::string fixed_date_iso = "2025-11-01T12:00:00+01:00";

/// From/To/Date/Message-ID that most cases share.
void basics(lettre::message_builder& b, expectation& e, int id) {
    b.from("Interop Tester <tester@example.com>").to("Receiver <receiver@example.org>");
    e.field("From").push(single(mbox("Interop Tester", "tester", "example.com")));
    e.field("To").push(single(mbox("Receiver", "receiver", "example.org")));
    b.date(fixed_date);
    e.header("Date", {fixed_date_iso}, "date");
    const std::string mid = "<interop-" + std::to_string(id) + "@example.com>";
    b.message_id(mid);
    e.header("Message-ID", {mid});
}

using filler = std::function<void(lettre::message_builder&, expectation&, int)>;

struct corpus {
    std::vector<std::pair<std::string, filler>> cases;
    void add(std::string title, filler f) { cases.emplace_back(std::move(title), std::move(f)); }
};

// -------------------------------------------------------------- cases ----

void add_cases(corpus& c, const inputs& in) {
    c.add("plain ASCII text message", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Hello Bob");
        e.header("Subject", {"Hello Bob"});
        const std::string body = "Hi Bob,\n\nthis is a plain message.\n\n-- \nAlice\n";
        b.text(body);
        e.body = leaf_expect("text/plain", true, body);
    });

    c.add("quoted display names, quoted local parts, domain literal", [](auto& b, auto& e, int id) {
        b.from(R"("Doe, \"JJ\" John" <jj@example.com>)");
        e.field("From").push(single(mbox(R"(Doe, "JJ" John)", "jj", "example.com")));
        b.to(R"("john q"@example.com, "a\"b"@example.com, "a..b"@example.com)");
        b.to(R"(!#$%&'*+-/=?^_`{|}~@example.com, user@[192.0.2.1], v6@[IPv6:2001:db8::1])");
        b.to(R"("very.(),:;<>[]\".VERY.\"very@\\ \"very\".unusual"@strange.example.com)");
        auto& to = e.field("To");
        to.push(single(mbox("", "john q", "example.com")));
        to.push(single(mbox("", R"(a"b)", "example.com")));
        to.push(single(mbox("", "a..b", "example.com")));
        to.push(single(mbox("", "!#$%&'*+-/=?^_`{|}~", "example.com")));
        to.push(single(mbox("", "user", "[192.0.2.1]")));
        to.push(single(mbox("", "v6", "[IPv6:2001:db8::1]")));
        to.push(single(
            mbox("", R"(very.(),:;<>[]".VERY."very@\ "very".unusual)", "strange.example.com")));
        b.cc(mailbox("Smith; Anna (Dr.)", address::parse("anna@example.com")));
        b.cc(mailbox(R"(Back\slash "Q" <not an address>)",
                     address::from_parts("x.y", "example.com")));
        b.cc(mailbox("a@b.c", address::from_parts("dot.ted", "example.com")));
        b.cc(mailbox("O'Brien, Jr.", address::from_parts("a b", "example.com")));
        auto& cc = e.field("Cc");
        cc.push(single(mbox("Smith; Anna (Dr.)", "anna", "example.com")));
        cc.push(single(mbox(R"(Back\slash "Q" <not an address>)", "x.y", "example.com")));
        cc.push(single(mbox("a@b.c", "dot.ted", "example.com")));
        cc.push(single(mbox("O'Brien, Jr.", "a b", "example.com")));
        cc.push(single(mbox("Dr. " + repeat("J. Doe ", 15) + "Jr.", "dotted", "example.com")));
        // Needs quoting (the dots) and folding (RFC 5322 3.2.4 allows FWS in a
        // quoted-string).
        const std::string dotted = "Dr. " + repeat("J. Doe ", 15) + "Jr.";
        b.cc(mailbox(dotted, address::from_parts("dotted", "example.com")));
        b.reply_to(
            mailbox("Long ASCII display name " + words(16), address::parse("reply@example.com")));
        e.field("Reply-To")
            .push(single(mbox("Long ASCII display name " + words(16), "reply", "example.com")));
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        b.message_id("<interop-" + std::to_string(id) + "@example.com>");
        b.subject("Quoting");
        e.header("Subject", {"Quoting"});
        b.text("quoting\n");
        e.body = leaf_expect("text/plain", true, "quoting\n");
    });

    c.add("quoted display name longer than 998 octets", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        const std::string name = repeat("J. Doe ", 150) + "end";
        b.cc(mailbox(name, address::parse("long.name@example.com")));
        e.field("Cc").push(single(mbox(name, "long.name", "example.com")));
        b.subject("Long quoted name");
        e.header("Subject", {"Long quoted name"});
        b.text("long name\n");
        e.body = leaf_expect("text/plain", true, "long name\n");
    });

    c.add("non-ASCII display names in many scripts", [](auto& b, auto& e, int id) {
        b.from("Zoë Ümlaut <zoe@example.com>");
        e.field("From").push(single(mbox("Zoë Ümlaut", "zoe", "example.com")));
        const std::vector<std::pair<std::string, std::string>> people = {
            {"Müller, Jörg", "mueller"},
            {"Иван Петров", "ivan"},
            {"张伟", "zhang"},
            {"山田 太郎", "yamada"},
            {"محمد علي", "mohammed"},
            {"שלום כהן", "shalom"},
            {"Ελένη Παπαδοπούλου", "eleni"},
            {"राहुल शर्मा", "rahul"},
            {"김민수", "minsu"},
            {"สมชาย ใจดี", "somchai"},
            {"Nguyễn Văn A", "nguyen"},
            {emoji, "party"},
            {combining, "combining"},
            {"=?utf-8?q?fake?= Ünïcode", "fake"},
            {"Ünïcode \"quoted\" (paren) <angle>", "specials"}};
        bool as_text = false;
        for (const auto& [name, local] : people) {
            // Alternate between the text parser and mailbox objects.
            if (as_text && name.find_first_of("\"(<,=") == std::string::npos)
                b.to(name + " <" + local + "@example.net>");
            else
                b.to(mailbox(name, address::from_parts(local, "example.net")));
            as_text = !as_text;
            e.field("To").push(single(mbox(name, local, "example.net")));
        }
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        b.message_id("<interop-" + std::to_string(id) + "@example.com>");
        b.subject(ru);
        e.header("Subject", {ru});
        b.text(ru + "\n");
        e.body = leaf_expect("text/plain", true, ru + "\n");
    });

    c.add("IDN domains become A-labels", [](auto& b, auto& e, int) {
        b.from("Shop <shop@例え.jp>");
        e.field("From").push(single(mbox("Shop", "shop", "xn--r8jz45g.jp")));
        b.to("Bücher <info@bücher.de>, kontakt@münchen.example, BIG@BÜCHER.de");
        b.to(mailbox("Пример", address::from_parts("info", "пример.рф")));
        b.to(mailbox(address::parse("mail@ελληνικά.gr")));
        b.cc("test@ドメイン.テスト, zhong@中国.中国");
        auto& to = e.field("To");
        to.push(single(mbox("Bücher", "info", "xn--bcher-kva.de")));
        to.push(single(mbox("", "kontakt", "xn--mnchen-3ya.example")));
        to.push(single(mbox("", "BIG", "xn--bcher-kva.de")));
        to.push(single(mbox("Пример", "info", "xn--e1afmkfd.xn--p1ai")));
        to.push(single(mbox("", "mail", "xn--hxargifdar.gr")));
        e.field("Cc").push(single(mbox("", "test", "xn--eckwd4c7c.xn--zckzah")));
        e.field("Cc").push(single(mbox("", "zhong", "xn--fiqs8s.xn--fiqs8s")));
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        // No Message-ID given: a random one at the From domain.
        e.header("Message-ID", {"xn--r8jz45g.jp"}, "msgid-domain");
        b.subject("IDN");
        e.header("Subject", {"IDN"});
        b.text("idn\n");
        e.body = leaf_expect("text/plain", true, "idn\n");
    });

    c.add("UTF-8 local parts (SMTPUTF8)", [](auto& b, auto& e, int id) {
        e.smtputf8 = true;
        b.from("Zoë <zoë@bücher.de>");
        e.field("From").push(single(mbox("Zoë", "zoë", "xn--bcher-kva.de")));
        b.to("用户@例え.jp, \"Ω Omega\" <ωμέγα@example.gr>");
        e.field("To").push(single(mbox("", "用户", "xn--r8jz45g.jp")));
        e.field("To").push(single(mbox("Ω Omega", "ωμέγα", "example.gr")));
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        b.message_id("<interop-" + std::to_string(id) + "@example.com>");
        b.subject("UTF-8 local parts – ünïcödé");
        e.header("Subject", {"UTF-8 local parts – ünïcödé"});
        b.text("smtputf8\n");
        e.body = leaf_expect("text/plain", true, "smtputf8\n");
    });

    c.add("groups, empty groups and Bcc", [](auto& b, auto& e, int id) {
        b.from("Sender <sender@example.com>");
        e.field("From").push(single(mbox("Sender", "sender", "example.com")));
        b.to("undisclosed-recipients:;");
        b.to(lettre::group{"Équipe de France",
                           {mailbox("Zoë", address::parse("zoe@example.fr")),
                            mailbox(address::parse("anon@example.fr"))}});
        e.field("To").push(group("undisclosed-recipients", {}));
        e.field("To").push(group("Équipe de France", {mbox("Zoë", "zoe", "example.fr"),
                                                      mbox("", "anon", "example.fr")}));
        b.cc(R"(Team A: a@example.com, "B, b" <b@example.com>;, solo@example.com, Empty Team:;)");
        e.field("Cc").push(
            group("Team A", {mbox("", "a", "example.com"), mbox("B, b", "b", "example.com")}));
        e.field("Cc").push(single(mbox("", "solo", "example.com")));
        e.field("Cc").push(group("Empty Team", {}));
        b.bcc("hidden1@hidden.example, Hidden Two <hidden2@hidden.example>");
        b.bcc(mailbox("Geheim Ä", address::parse("hidden3@hidden.example")));
        e.bcc.push(single(mbox("", "hidden1", "hidden.example")));
        e.bcc.push(single(mbox("Hidden Two", "hidden2", "hidden.example")));
        e.bcc.push(single(mbox("Geheim Ä", "hidden3", "hidden.example")));
        e.absent_text.push("hidden.example");
        e.absent_text.push("Hidden Two");
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        b.message_id("<interop-" + std::to_string(id) + "@example.com>");
        b.subject("Groups");
        e.header("Subject", {"Groups"});
        b.text("groups\n");
        e.body = leaf_expect("text/plain", true, "groups\n");
    });

    c.add("long address lists must fold", [](auto& b, auto& e, int id) {
        b.from("Mass Mailer <mass@example.com>");
        e.field("From").push(single(mbox("Mass Mailer", "mass", "example.com")));
        std::string list;
        for (int i = 0; i < 60; ++i) {
            const std::string n = std::to_string(i);
            const std::string name = i % 3 == 0   ? "Empfänger Nummer " + n
                                     : i % 3 == 1 ? "Recipient Number " + n
                                                  : "";
            const std::string local = "recipient." + n;
            if (!list.empty()) list += ", ";
            list += name.empty() ? local + "@example.org" : name + " <" + local + "@example.org>";
            e.field("To").push(single(mbox(name, local, "example.org")));
        }
        b.to(list);
        for (int i = 0; i < 30; ++i) {
            const std::string local = "cc-" + std::to_string(i) + ".with.a.longer.local.part";
            b.cc(mailbox(address::from_parts(local, "subdomain.example.org")));
            e.field("Cc").push(single(mbox("", local, "subdomain.example.org")));
        }
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        b.message_id("<interop-" + std::to_string(id) + "@example.com>");
        b.subject("Many recipients");
        e.header("Subject", {"Many recipients"});
        b.text("many\n");
        e.body = leaf_expect("text/plain", true, "many\n");
    });

    c.add("non-ASCII subject and header values in every script", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        const std::string s = "Re: [PROJ-123] " + all_scripts() + " — done ✓";
        b.subject(s);
        e.header("Subject", {s});
        b.header("X-Greeting", all_scripts());
        e.header("X-Greeting", {all_scripts()});
        b.header("Comments", "Kommentar: " + de);
        e.header("Comments", {"Kommentar: " + de});
        b.text(all_scripts() + "\n");
        e.body = leaf_expect("text/plain", true, all_scripts() + "\n");
    });

    c.add("very long ASCII subject (> 998 octets)", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        const std::string s = "Long subject: " + words(220);
        b.subject(s);
        e.header("Subject", {s});
        b.text("long subject\n");
        e.body = leaf_expect("text/plain", true, "long subject\n");
    });

    c.add("very long non-ASCII subject (> 998 octets)", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        std::string s = "Sehr langer Betreff: ";
        for (int i = 0; i < 25; ++i) s += zh + " " + de + " ";
        s += "Ende";
        b.subject(s);
        e.header("Subject", {s});
        const std::string cjk = repeat("漢字", 400);  // one 2400-octet word
        b.header("X-Long-Cjk", cjk);
        e.header("X-Long-Cjk", {cjk});
        b.text("long non-ascii subject\n");
        e.body = leaf_expect("text/plain", true, "long non-ascii subject\n");
    });

    c.add("long unbreakable ASCII words", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        const std::string word = token(1500, 7);
        const std::string s = "Token: " + word + " end";
        b.subject(s);
        e.header("Subject", {s});
        b.header("X-Unbreakable", word);
        e.header("X-Unbreakable", {word});
        const std::string medium = "start " + token(90, 3) + " middle " + token(200, 4) + " end";
        b.header("X-Medium-Words", medium);
        e.header("X-Medium-Words", {medium});
        b.header("X-Long-Ascii", words(150));
        e.header("X-Long-Ascii", {words(150)});
        b.text("unbreakable\n");
        e.body = leaf_expect("text/plain", true, "unbreakable\n");
    });

    c.add("literal =? text is not mistaken for encoded-words", [](auto& b, auto& e, int id) {
        b.from(R"("=?utf-8?q?fake?=" <fake@example.com>)");
        e.field("From").push(single(mbox("=?utf-8?q?fake?=", "fake", "example.com")));
        b.to(mailbox("=?iso-8859-1?q?Andr=E9?= Pirard", address::parse("andre@example.com")));
        e.field("To").push(single(mbox("=?iso-8859-1?q?Andr=E9?= Pirard", "andre", "example.com")));
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        b.message_id("<interop-" + std::to_string(id) + "@example.com>");
        const std::string s = "Literal =?utf-8?q?hello?= and =?foo?= and ?= trailing =?";
        b.subject(s);
        e.header("Subject", {s});
        b.header("X-Literal", "=?iso-8859-1?q?caf=E9?=");
        e.header("X-Literal", {"=?iso-8859-1?q?caf=E9?="});
        b.header("X-Literal-Mixed", "Grüße =?utf-8?b?w7w=?= end");
        e.header("X-Literal-Mixed", {"Grüße =?utf-8?b?w7w=?= end"});
        b.text("=?utf-8?q?not_a_header?=\n");
        e.body = leaf_expect("text/plain", true, "=?utf-8?q?not_a_header?=\n");
    });

    c.add("custom headers, repeated and non-ASCII", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Custom headers");
        e.header("Subject", {"Custom headers"});
        b.header("X-Tag", "one").header("X-Tag", "two – zwei").header("X-Tag", "three");
        e.header("X-Tag", {"one", "two – zwei", "three"});
        b.header("x-lower-case", "lower-case name");
        e.header("X-Lower-Case", {"lower-case name"});
        b.header("X-A1-B2", "digits and dashes");
        e.header("X-A1-B2", {"digits and dashes"});
        b.header("Organization", "Bücherwurm GmbH & Co. KG");
        e.header("Organization", {"Bücherwurm GmbH & Co. KG"});
        b.header("X-Non-Ascii", "Größe: 42 – ½ ✓ " + ja);
        e.header("X-Non-Ascii", {"Größe: 42 – ½ ✓ " + ja});
        b.header("X-Specials", R"(a "quoted" (paren) <angle> ; , : \ @ [x])");
        e.header("X-Specials", {R"(a "quoted" (paren) <angle> ; , : \ @ [x])"});
        const std::string long_name = "X-" + repeat("Very-Long-Header-Name-", 3) + "End";
        b.header(long_name, words(40));
        e.header(long_name, {words(40)});
        b.header("Keywords", "alpha, beta, gamma");
        e.header("Keywords", {"alpha, beta, gamma"});
        b.text("custom\n");
        e.body = leaf_expect("text/plain", true, "custom\n");
    });

    c.add("In-Reply-To and References with many ids", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Re: threading");
        e.header("Subject", {"Re: threading"});
        b.in_reply_to("<parent.1@example.com>");
        e.header("In-Reply-To", {"<parent.1@example.com>"}, "ids");
        std::string refs;
        for (int i = 0; i < 40; ++i) {
            if (i > 0) refs += ' ';
            refs += "<" + token(24, static_cast<unsigned>(i)) + "." + std::to_string(i) +
                    "@mail.example.com>";
        }
        refs += " <literal.id@[192.0.2.1]>";
        b.references(refs);
        e.header("References", {refs}, "ids");
        b.text("threading\n");
        e.body = leaf_expect("text/plain", true, "threading\n");
    });

    c.add("List-Unsubscribe with One-Click", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Newsletter");
        e.header("Subject", {"Newsletter"});
        b.list_unsubscribe({"https://example.com/unsubscribe?user=42&list=news",
                            "mailto:unsubscribe@example.com?subject=unsubscribe"},
                           true);
        e.header("List-Unsubscribe",
                 {"https://example.com/unsubscribe?user=42&list=news",
                  "mailto:unsubscribe@example.com?subject=unsubscribe"},
                 "uris");
        e.header("List-Unsubscribe-Post", {"List-Unsubscribe=One-Click"});
        b.html("<p>news</p>\n");
        e.body = leaf_expect("text/html", true, "<p>news</p>\n");
    });

    c.add("List-Unsubscribe with a long URI, no One-Click", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Newsletter 2");
        e.header("Subject", {"Newsletter 2"});
        const std::string uri = "https://lists.example.com/u/" + token(200, 11) + "?x=1";
        b.list_unsubscribe({uri}, false);
        e.header("List-Unsubscribe", {uri}, "uris");
        e.absent_headers.push("List-Unsubscribe-Post");
        b.text("news\n");
        e.body = leaf_expect("text/plain", true, "news\n");
    });

    c.add("Reply-To, Cc and Bcc", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Reply-To, Cc, Bcc");
        e.header("Subject", {"Reply-To, Cc, Bcc"});
        b.reply_to("Support Desk <support@example.com>, \"Ops, Team\" <ops@example.com>");
        e.field("Reply-To").push(single(mbox("Support Desk", "support", "example.com")));
        e.field("Reply-To").push(single(mbox("Ops, Team", "ops", "example.com")));
        b.cc("Carol <carol@example.net>")
            .cc(mailbox("Dörte", address::parse("doerte@example.net")));
        e.field("Cc").push(single(mbox("Carol", "carol", "example.net")));
        e.field("Cc").push(single(mbox("Dörte", "doerte", "example.net")));
        b.bcc("secret.bcc@bcc.example");
        e.bcc.push(single(mbox("", "secret.bcc", "bcc.example")));
        e.absent_text.push("secret.bcc");
        b.text("cc\n");
        e.body = leaf_expect("text/plain", true, "cc\n");
    });

    c.add("Sender with several From mailboxes", [](auto& b, auto& e, int id) {
        b.from("Alice <alice@example.com>, Bob Bäcker <bob@example.org>");
        e.field("From").push(single(mbox("Alice", "alice", "example.com")));
        e.field("From").push(single(mbox("Bob Bäcker", "bob", "example.org")));
        b.sender("Secretary <sec@example.net>");
        e.field("Sender").push(single(mbox("Secretary", "sec", "example.net")));
        b.to("team@example.com");
        e.field("To").push(single(mbox("", "team", "example.com")));
        b.date(fixed_date);
        e.header("Date", {fixed_date_iso}, "date");
        b.message_id("<interop-" + std::to_string(id) + "@example.com>");
        b.subject("From two people");
        e.header("Subject", {"From two people"});
        b.text("two authors\n");
        e.body = leaf_expect("text/plain", true, "two authors\n");
    });

    c.add("HTML only", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("HTML only");
        e.header("Subject", {"HTML only"});
        const std::string html =
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body><p>" + de +
            "</p><p>" + zh + "</p></body></html>\n";
        b.html(html);
        e.body = leaf_expect("text/html", true, html);
    });

    c.add("text + HTML alternative", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Alternative – " + el);
        e.header("Subject", {"Alternative – " + el});
        const std::string text = "Plain: " + el + "\n";
        const std::string html = "<p>HTML: <b>" + el + "</b></p>\n";
        b.text(text).html(html);
        e.body = assemble(leaf_expect("text/plain", true, text),
                          leaf_expect("text/html", true, html), {}, {});
    });

    c.add("attachments from memory", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Attachments from memory");
        e.header("Subject", {"Attachments from memory"});
        b.text("see attachments\n");
        std::vector<json> atts;
        auto add = [&](node n) {
            atts.push_back(n.expect);
            b.attachment(std::move(n.part));
        };
        add(attachment("blob.bin", all_bytes(40), "application/octet-stream",
                       "application/octet-stream"));
        add(attachment("readme.txt", "line one\nline two\nünïcödé\n", "text/plain"));
        add(attachment("empty.dat", "", "application/octet-stream", "application/octet-stream"));
        add(attachment("data.json", R"({"key": "välue", "n": [1, 2, 3]})", "application/json",
                       "application/json"));
        add(attachment("image.png", png_bytes, "image/png"));
        add(attachment("document.pdf", pdf_bytes, "application/pdf"));
        add(attachment("archive.zip", "PK\x03\x04" + all_bytes(1), "application/zip"));
        add(attachment("unknown.xyzzy", all_bytes(1), "application/octet-stream"));
        add(attachment("table.csv", csv_text, "text/csv",
                       "text/csv; charset=utf-8; header=present"));
        e.body =
            assemble(leaf_expect("text/plain", true, "see attachments\n"), std::nullopt, {}, atts);
    });

    c.add("attachments from files", [&in](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Attachments from files");
        e.header("Subject", {"Attachments from files"});
        b.text("files attached\n");
        std::vector<json> atts;
        b.attachment(lettre::attachment_file(in.pdf));
        atts.push_back(
            leaf_expect("application/pdf", false, pdf_bytes, "attachment", "report.pdf"));
        b.attachment(lettre::attachment_file(in.csv));
        atts.push_back(leaf_expect("text/csv", true, csv_text, "attachment",
                                   "Prüfbericht – Übersicht 2025.csv"));
        b.attachment(lettre::attachment_file(
            in.bin, lettre::content_type::parse("application/x-lettre-test")));
        atts.push_back(leaf_expect("application/x-lettre-test", false, all_bytes(8), "attachment",
                                   "data.bin"));
        b.attachment(
            lettre::attachment_file(in.notes, std::nullopt, "Renamed notes – Notizen.txt"));
        atts.push_back(leaf_expect("text/plain", true, notes_text, "attachment",
                                   "Renamed notes – Notizen.txt"));
        b.attachment(lettre::attachment_file(in.png));
        atts.push_back(leaf_expect("image/png", false, png_bytes, "attachment", "logo.png"));
        e.body =
            assemble(leaf_expect("text/plain", true, "files attached\n"), std::nullopt, {}, atts);
    });

    c.add("tricky attachment file names", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Tricky file names");
        e.header("Subject", {"Tricky file names"});
        b.text("names\n");
        std::vector<json> atts;
        const std::vector<std::string> names = {
            "Übersicht März 2025.pdf",
            repeat("非常に長いファイル名", 10) + ".txt",
            "long " + repeat("ascii-name-", 18) + "end.txt",
            token(180, 5) + ".txt",
            R"(we"ird; name=evil.txt)",
            "semi;colon,comma.txt",
            R"(back\slash.txt)",
            "100% 'sure' *star*.txt",
            "„Zitat“ \"quoted\" ü.txt",
            "=?utf-8?q?not_encoded?=.txt",
            "tab\tand  double  space.txt",
            emoji + ".txt",
        };
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::string bytes = "file " + std::to_string(i) + "\n";
            auto n = attachment(names[i], bytes, "text/plain", "text/plain; charset=utf-8");
            atts.push_back(n.expect);
            b.attachment(std::move(n.part));
        }
        e.body = assemble(leaf_expect("text/plain", true, "names\n"), std::nullopt, {}, atts);
    });

    c.add("inline parts in multipart/related referenced by cid", [&in](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Inline images");
        e.header("Subject", {"Inline images"});
        const std::string text = "An image should be here.\n";
        const std::string html =
            "<p><img src=\"cid:logo@example.com\"> <img src=\"cid:chart.1@example.com\"> "
            "<img src=\"cid:photo.2@example.com\"></p>\n";
        b.text(text).html(html);
        std::vector<json> inl;
        auto n1 = inline_part("logo@example.com", png_bytes, "image/png");
        inl.push_back(n1.expect);
        b.inline_part(std::move(n1.part));
        const std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>ü</text></svg>\n";
        auto n2 = inline_part("chart.1@example.com", svg, "image/svg+xml");
        inl.push_back(n2.expect);
        b.inline_part(std::move(n2.part));
        b.inline_part(lettre::inline_file("photo.2@example.com", in.png));
        inl.push_back(leaf_expect("image/png", false, png_bytes, "inline?", std::nullopt,
                                  "<photo.2@example.com>"));
        e.body = assemble(leaf_expect("text/plain", true, text),
                          leaf_expect("text/html", true, html), inl, {});
    });

    c.add("builder: text + HTML + inline + attachments", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Full house " + ko);
        e.header("Subject", {"Full house " + ko});
        b.reply_to("noreply@example.com");
        e.field("Reply-To").push(single(mbox("", "noreply", "example.com")));
        const std::string text = "Text " + ko + "\n";
        const std::string html = "<p>HTML " + ko + " <img src=\"cid:i1@x.example\"></p>\n";
        b.text(text).html(html);
        auto n1 = inline_part("i1@x.example", png_bytes, "image/png");
        auto a1 = attachment("a.pdf", pdf_bytes, "application/pdf");
        auto a2 = attachment("b.txt", "b\n", "text/plain");
        e.body =
            assemble(leaf_expect("text/plain", true, text), leaf_expect("text/html", true, html),
                     {n1.expect}, {a1.expect, a2.expect});
        b.inline_part(std::move(n1.part))
            .attachment(std::move(a1.part))
            .attachment(std::move(a2.part));
    });

    c.add("builder: HTML + attachment", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("HTML with attachment");
        e.header("Subject", {"HTML with attachment"});
        b.html("<p>hi</p>\n");
        auto a = attachment("x.bin", all_bytes(1), "application/octet-stream",
                            "application/octet-stream");
        e.body =
            assemble(std::nullopt, leaf_expect("text/html", true, "<p>hi</p>\n"), {}, {a.expect});
        b.attachment(std::move(a.part));
    });

    c.add("builder: text + attachment", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Text with attachment");
        e.header("Subject", {"Text with attachment"});
        b.text("hi\n");
        auto a = attachment("y.txt", "y\n", "text/plain");
        e.body = assemble(leaf_expect("text/plain", true, "hi\n"), std::nullopt, {}, {a.expect});
        b.attachment(std::move(a.part));
    });

    c.add("explicit nesting with every multipart kind", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Nesting");
        e.header("Subject", {"Nesting"});
        auto related = multipart(part::related(), "multipart/related");
        related.add(html_part("<p><img src=\"cid:n@example.com\"></p>\n"))
            .add(inline_part("n@example.com", png_bytes, "image/png"));
        auto alt = multipart(part::alternative(), "multipart/alternative");
        alt.add(text_part("nested text\n")).add(std::move(related));
        auto custom = multipart(part::multipart("x-custom"), "multipart/x-custom");
        custom.add(text_part("custom child\n")).add(body_part(R"({"a": 1})", "application/json"));
        auto parallel = multipart(part::mixed(), "multipart/mixed");
        parallel.add(multipart(part::multipart("parallel"), "multipart/parallel")
                         .add(text_part("parallel one\n"))
                         .add(text_part("parallel two\n")));
        auto root = multipart(part::mixed(), "multipart/mixed");
        root.add(std::move(alt))
            .add(std::move(custom))
            .add(std::move(parallel))
            .add(attachment("nested.bin", all_bytes(2), "application/octet-stream",
                            "application/octet-stream"));
        b.body(std::move(root.part));
        e.body = root.expect;
    });

    c.add("deep nesting (10 levels)", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Deep");
        e.header("Subject", {"Deep"});
        auto inner = multipart(part::multipart("x-level-9"), "multipart/x-level-9");
        inner.add(text_part("level 9\n"));
        for (int level = 8; level >= 0; --level) {
            const std::string lv = std::to_string(level);
            auto outer = level % 3 == 0   ? multipart(part::mixed(), "multipart/mixed")
                         : level % 3 == 1 ? multipart(part::alternative(), "multipart/alternative")
                                          : multipart(part::multipart("x-level-" + lv),
                                                      "multipart/x-level-" + lv);
            outer.add(text_part("level " + lv + "\n")).add(std::move(inner));
            inner = std::move(outer);
        }
        b.body(std::move(inner.part));
        e.body = inner.expect;
    });

    c.add("body lines longer than 998 octets", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Long lines");
        e.header("Subject", {"Long lines"});
        const std::string text = token(3000, 1) + "\n" + words(300) + "\n" + std::string(998, 'a') +
                                 "\n" + std::string(999, 'b') + "\n" + repeat(ru, 40) + "\n" +
                                 std::string(5000, ' ') + "x\n";
        const std::string html = "<p>" + token(2000, 2) + "</p>\n";
        b.text(text).html(html);
        e.body = assemble(leaf_expect("text/plain", true, text),
                          leaf_expect("text/html", true, html), {}, {});
    });

    c.add("bare LF, bare CR and mixed line ends", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Line ends");
        e.header("Subject", {"Line ends"});
        const std::string text = "lf\nlf\ncr\rcr\rcrlf\r\nlfcr\n\rcrcrlf\r\r\nend";
        const std::string html = "<p>a</p>\r<p>b</p>\n<p>c</p>\r\n";
        b.text(text).html(html);
        auto a = attachment("lines.txt", "one\ntwo\rthree\r\n", "text/plain");
        e.body = assemble(leaf_expect("text/plain", true, text),
                          leaf_expect("text/html", true, html), {}, {a.expect});
        b.attachment(std::move(a.part));
    });

    c.add("lines starting with From and dots", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("From and dot");
        e.header("Subject", {"From and dot"});
        const std::string text =
            "From the start\n.\n..\n. leading dot\nFrom: header-like\n>From quoted\nFrom \n"
            ".\r\n.\n\nFrom\n";
        b.text(text);
        e.body = leaf_expect("text/plain", true, text);
    });

    c.add("trailing whitespace", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Trailing whitespace");
        e.header("Subject", {"Trailing whitespace"});
        const std::string text = "-- \ntrailing spaces   \ntrailing tab\t\n \n\t\n  both \t \n" +
                                 std::string(75, 'x') + " \n" + std::string(76, 'y') +
                                 "\t\nlast line no newline   ";
        b.text(text);
        e.body = leaf_expect("text/plain", true, text);
    });

    c.add("NUL, control and 8-bit bytes in text parts", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Control bytes");
        e.header("Subject", {"Control bytes"});
        static const char ctl_raw[] = "nul:\0:bell:\a:esc:\x1b:del:\x7f:ff:\f:vt:\v:end\n";
        const std::string ctl = std::string(ctl_raw, sizeof ctl_raw - 1) + "ü\n";
        std::string latin1 = "caf\xe9 na\xefve \xa9 ";
        for (int i = 0x80; i < 0x100; ++i) latin1 += static_cast<char>(i);
        latin1 += std::string("\0\n", 2);
        auto root = multipart(part::mixed(), "multipart/mixed");
        root.add(text_part(ctl)).add(body_part(latin1, "text/plain; charset=iso-8859-1"));
        b.body(std::move(root.part));
        e.body = root.expect;
    });

    c.add("empty bodies in a multipart", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Empty parts");
        e.header("Subject", {"Empty parts"});
        auto root = multipart(part::mixed(), "multipart/mixed");
        root.add(text_part(""))
            .add(html_part(""))
            .add(
                attachment("empty.bin", "", "application/octet-stream", "application/octet-stream"))
            .add(body_part("", "text/plain; charset=utf-8"));
        b.body(std::move(root.part));
        e.body = root.expect;
    });

    c.add("empty text body", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Empty");
        e.header("Subject", {"Empty"});
        b.text("");
        e.body = leaf_expect("text/plain", true, "");
    });

    c.add("bodies containing boundary candidates", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Boundaries");
        e.header("Subject", {"Boundaries"});
        // Learn the boundaries this library makes and put them in the body:
        // a deterministic or unchecked boundary would then collide.
        std::string text = "--boundary\n--boundary--\n------=_Part_0_1\n--=_lettre\n--\n";
        for (int round = 0; round < 3; ++round) {
            auto probe = b;
            probe.text(text).html("<p>x</p>\n");
            const auto m = std::move(probe).try_build();
            if (!m) break;
            const std::string bd = boundary_of(*m);
            if (bd.empty()) break;
            text += "--" + bd + "\n--" + bd + "--\n" + "--" + bd + " \n";
        }
        const std::string html = "<pre>\n" + text + "</pre>\n";
        b.text(text).html(html);
        auto a = attachment("boundaries.txt", text, "text/plain");
        e.body = assemble(leaf_expect("text/plain", true, text),
                          leaf_expect("text/html", true, html), {}, {a.expect});
        b.attachment(std::move(a.part));
    });

    c.add("quoted-printable edge cases", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("QP edges");
        e.header("Subject", {"QP edges"});
        std::string text;
        for (std::size_t n = 70; n <= 80; ++n) text += std::string(n, 'q') + "=\n";
        for (std::size_t n = 70; n <= 80; ++n) text += std::string(n, 'u') + "ü€\n";
        for (std::size_t n = 72; n <= 78; ++n) text += std::string(n, 's') + " \n";
        text += "=3D\n=\n==\n" + std::string(200, '=') + "\n" + std::string(100, ' ') + "\n";
        text += "=?utf-8?q?x?=\n=0A=0D\n. \n";
        b.text(text);
        e.body = leaf_expect("text/plain", true, text);
    });

    c.add("whitespace runs in unstructured headers", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        const std::string s = "two  spaces\tand tab   and ü  ü  end";
        b.subject(s);
        e.header("Subject", {s}, "ws");
        b.header("X-Spaces", "a  b   c \t d");
        e.header("X-Spaces", {"a  b   c \t d"}, "ws");
        b.header("X-Padded", "  padded value\t ");
        e.header("X-Padded", {"padded value"});
        b.text("ws\n");
        e.body = leaf_expect("text/plain", true, "ws\n");
    });

    c.add("extra part headers", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Part headers");
        e.header("Subject", {"Part headers"});
        auto t = text_part("described\n");
        t.part.header("Content-Description", "Beschreibung: Übersicht ✓");
        t.part.header("Content-Language", "de-DE");
        t.expect.at("headers")
            .push(json::obj()
                      .set("name", "Content-Description")
                      .set("value", "Beschreibung: Übersicht ✓"))
            .push(json::obj().set("name", "Content-Language").set("value", "de-DE"));
        auto a = attachment("described.bin", all_bytes(1), "application/octet-stream",
                            "application/octet-stream");
        const std::string desc = "Eine sehr lange Beschreibung " + repeat(zh, 6);
        a.part.header("Content-Description", desc);
        a.expect.at("headers").push(
            json::obj().set("name", "Content-Description").set("value", desc));
        auto root = multipart(part::mixed(), "multipart/mixed");
        root.add(std::move(t)).add(std::move(a));
        b.body(std::move(root.part));
        e.body = root.expect;
    });

    c.add("message/rfc822 attachment", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Forwarded");
        e.header("Subject", {"Forwarded"});
        auto inner = lettre::message::builder()
                         .from("inner@example.com")
                         .to("x@example.com")
                         .subject("Inner ü subject")
                         .date(fixed_date)
                         .message_id("<inner@example.com>")
                         .text("inner body\n")
                         .build();
        auto root = multipart(part::mixed(), "multipart/mixed");
        root.add(text_part("see forwarded\n"));
        auto fwd = part::body(inner.formatted(), lettre::content_type::parse("message/rfc822"));
        root.part.add(std::move(fwd));
        root.expect.at("children")
            .push(json::obj()
                      .set("type", "message/rfc822")
                      .set("inner_subject", "Inner ü subject")
                      .set("inner_body", "inner body\n"));
        b.body(std::move(root.part));
        e.body = root.expect;
    });

    c.add("date with negative offset, generated Message-ID", [](auto& b, auto& e, int) {
        using namespace std::chrono;
        b.from("Dater <dater@dates.example>").to("x@example.com");
        e.field("From").push(single(mbox("Dater", "dater", "dates.example")));
        e.field("To").push(single(mbox("", "x", "example.com")));
        const lettre::date_time when{sys_days{year{2024} / February / 29} + 23h + 59min + 59s,
                                     minutes{-450}};
        b.date(when);
        // `time` is the instant (UTC); it is written in local time at the offset.
        e.header("Date", {"2024-02-29T16:29:59-07:30"}, "date");
        e.header("Message-ID", {"dates.example"}, "msgid-domain");
        b.subject("Leap day");
        e.header("Subject", {"Leap day"});
        b.text("leap\n");
        e.body = leaf_expect("text/plain", true, "leap\n");
    });

    c.add("empty subject", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("");
        e.header("Subject", {""});
        b.text("empty subject\n");
        e.body = leaf_expect("text/plain", true, "empty subject\n");
    });

    c.add("no subject, no date given", [](auto& b, auto& e, int) {
        b.from("nosubject@example.com").to("x@example.com");
        e.field("From").push(single(mbox("", "nosubject", "example.com")));
        e.field("To").push(single(mbox("", "x", "example.com")));
        e.absent_headers.push("Subject");
        e.header("Date", {}, "present");
        e.header("Message-ID", {"example.com"}, "msgid-domain");
        b.text("no subject\n");
        e.body = leaf_expect("text/plain", true, "no subject\n");
    });

    c.add("text-like attachments", [](auto& b, auto& e, int id) {
        basics(b, e, id);
        b.subject("Text-like attachments");
        e.header("Subject", {"Text-like attachments"});
        b.text("text-like\n");
        std::vector<json> atts;
        auto add = [&](node n) {
            atts.push_back(n.expect);
            b.attachment(std::move(n.part));
        };
        add(attachment("page.html", "<html><body>ü\n</body></html>\n", "text/html"));
        add(attachment("long-lines.txt", token(2500, 9) + "\n" + repeat(he, 200) + "\n",
                       "text/plain"));
        add(attachment("nul.txt", std::string("a\0b\n", 4), "text/plain"));
        add(attachment("explicit.pdf", pdf_bytes, "application/pdf", "application/pdf"));
        e.body = assemble(leaf_expect("text/plain", true, "text-like\n"), std::nullopt, {}, atts);
    });
}

// ------------------------------------------------------------- output ----

json address_pair(const lettre::address& a) {
    return json(json::array{json(a.local_part()), json(a.domain())});
}

json expected_envelope(const expectation& e) {
    json from;
    auto first_of = [&](std::string_view field) -> json {
        const json* f = e.addresses.find(field);
        if (!f || f->items().empty()) return {};
        const auto& m = f->items().front().find("members")->items().front();
        return json(json::array{*m.find("local"), *m.find("domain")});
    };
    from = first_of("Sender");
    if (from.is_null()) from = first_of("From");
    json::array to;
    std::set<std::pair<std::string, std::string>> seen;
    auto add_all = [&](const json& entries) {
        for (const auto& entry : entries.items())
            for (const auto& m : entry.find("members")->items()) {
                const auto& l = m.find("local")->str();
                const auto& d = m.find("domain")->str();
                if (seen.emplace(l, lower(d)).second)
                    to.emplace_back(json::array{json(l), json(d)});
            }
    };
    for (const char* f : {"To", "Cc"})
        if (const json* j = e.addresses.find(f)) add_all(*j);
    add_all(e.bcc);
    return json::obj().set("from", from).set("to", std::move(to));
}

json actual_envelope(const lettre::message& m) {
    json from;
    if (m.envelope().from()) from = address_pair(*m.envelope().from());
    json::array to;
    for (const auto& a : m.envelope().to()) to.push_back(address_pair(a));
    return json::obj().set("from", from).set("to", std::move(to));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " <output-dir>\n";
        return 2;
    }
    try {
        const fs::path out = argv[1];
        fs::remove_all(out);
        fs::create_directories(out);
        const inputs in = make_inputs(out / "input");
        corpus c;
        add_cases(c, in);
        int built = 0;
        for (std::size_t i = 0; i < c.cases.size(); ++i) {
            const int id = static_cast<int>(i + 1);
            const auto& [title, fill] = c.cases[i];
            expectation e;
            e.title = title;
            auto j = json::obj().set("id", id).set("title", title);
            try {
                lettre::message_builder b;
                fill(b, e, id);
                // Built as users build: the builder's parts move into the message.
                auto m = std::move(b).try_build();
                if (!m) {
                    j.set("build_error", m.error().message);
                } else {
                    const std::string bytes = m->formatted();
                    // Every way of formatting gives the same bytes.
                    std::string appended = "prefix";
                    m->format_to(appended);
                    std::ostringstream streamed;
                    m->write_to(streamed);
                    j.set("format_consistent", appended == "prefix" + bytes &&
                                                   streamed.str() == bytes &&
                                                   m->formatted() == bytes);
                    std::ofstream f(out / (std::to_string(id) + ".eml"), std::ios::binary);
                    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
                    if (!f) throw std::runtime_error("cannot write .eml");
                    j.set("formatted_size", bytes.size())
                        .set("library_formatted_size", m->formatted_size())
                        .set("library_smtputf8", m->requires_smtputf8())
                        .set("envelope_actual", actual_envelope(*m));
                    ++built;
                }
            } catch (const std::exception& ex) {
                j.set("build_error", std::string("exception: ") + ex.what());
            }
            j.set("smtputf8", e.smtputf8)
                .set("addresses", e.addresses)
                .set("bcc", e.bcc)
                .set("headers", e.headers)
                .set("body", e.body)
                .set("absent_headers", e.absent_headers)
                .set("absent_text", e.absent_text)
                .set("envelope_expected", e.envelope ? *e.envelope : expected_envelope(e));
            std::ofstream f(out / (std::to_string(id) + ".json"), std::ios::binary);
            f << j.dump();
            if (!f) throw std::runtime_error("cannot write .json");
        }
        std::cout << "mime_interop: wrote " << c.cases.size() << " cases (" << built
                  << " built) to " << out.string() << "\n";
        return 0;
    } catch (const std::exception& ex) {
        std::cerr << "mime_interop generator failed: " << ex.what() << "\n";
        return 1;
    }
}
