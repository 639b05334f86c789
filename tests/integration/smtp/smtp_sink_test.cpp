// lettre against Postfix's smtp-sink (offers PIPELINING): message counts and
// contents from its dump files, concurrent async sends, and smtp-sink's own
// fault switches (-q disconnect, -Q 421, -f hard error, -r soft error).
#include "support.hpp"

#include <lettre/lettre.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <sstream>

namespace {

using namespace smtp_it;
using lettre::errc;
using std::error_code;  // async handlers take it too: Boost codes convert
namespace asio = boost::asio;

using smtp_it::code;

std::vector<std::string> header_values(const std::string& dump, const std::string& name) {
    std::vector<std::string> out;
    std::istringstream in(dump);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) break;
        if (line.starts_with(name + ": ")) out.push_back(line.substr(name.size() + 2));
    }
    return out;
}

TEST(SmtpSink, CountsAndContents) {
    auto sink = start_smtp_sink();
    auto smtp = plain_builder(sink->port).build();
    constexpr int n = 20;
    std::vector<std::string> sent;
    for (int i = 0; i < n; ++i) {
        const auto m = sample_message("Rcpt <rcpt@example.org>", "sink " + std::to_string(i));
        sent.push_back(m.formatted());
        error_code ec;
        const auto r = smtp.send(m, ec);
        ASSERT_FALSE(ec) << i << ": " << describe(ec, r);
        EXPECT_EQ(r.final_reply.code(), 250);
        EXPECT_EQ(r.accepted().size(), 3u);
    }
    ASSERT_TRUE(eventually([&] { return sink->messages().size() == n; }))
        << sink->messages().size() << " messages arrived";
    // Every message arrived once, whole (smtp-sink stores LF line ends, puts
    // its X- and Received fields first and an empty line after the message).
    std::vector<std::string> dumps;
    for (const auto& p : sink->messages()) dumps.push_back(read_file(p));
    for (int i = 0; i < n; ++i) {
        const std::string want = lf_only(sent[static_cast<std::size_t>(i)]) + "\n";
        int found = 0;
        for (const auto& d : dumps) {
            if (!d.ends_with("\n" + want)) continue;
            ++found;
            EXPECT_EQ(header_values(d, "X-Mail-Args"),
                      std::vector<std::string>{"<sender@example.com>"});
            EXPECT_EQ(header_values(d, "X-Rcpt-Args"),
                      (std::vector<std::string>{"<rcpt@example.org>", "<copy@example.net>",
                                                "<hidden@example.net>"}));
        }
        EXPECT_EQ(found, 1) << "message " << i
                            << (found == 0 && !dumps.empty() ? "\nfirst dump:\n" + dumps.front() +
                                                                   "\nwanted suffix:\n" + want
                                                             : std::string());
    }
}

TEST(SmtpSink, ConcurrentCoroutines) {
    auto sink = start_smtp_sink();
    asio::io_context ioc;
    auto mailer = plain_builder(sink->port).build(ioc.get_executor());
    constexpr int n = 12;
    int ok = 0;
    std::vector<std::string> errors;
    int finished = 0;
    for (int i = 0; i < n; ++i) {
        asio::co_spawn(
            ioc,
            [&, i]() -> asio::awaitable<void> {
                const auto m =
                    sample_message("rcpt@example.org", "concurrent " + std::to_string(i));
                try {
                    const auto r = co_await mailer.async_send(m, asio::use_awaitable);
                    if (r.final_reply.code() == 250) ++ok;
                } catch (const boost::system::system_error& e) {
                    errors.push_back(e.what());
                }
                if (++finished == n) mailer.shutdown();  // QUIT the pooled connections
            },
            asio::detached);
    }
    ioc.run();
    EXPECT_EQ(ok, n);
    EXPECT_TRUE(errors.empty()) << errors.front();
    EXPECT_TRUE(eventually([&] { return sink->messages().size() == n; }))
        << sink->messages().size() << " messages arrived";
}

struct sink_fault {
    const char* name;
    std::vector<std::string> options;
    errc expected;
    int reply_code;  // 0: none expected; < 100: the class only
    bool body_sent;  // smtp-sink dumps the data even when it refuses the dot
};

TEST(SmtpSink, FaultSwitches) {
    const sink_fault faults[] = {
        {"disconnect after the final dot", {"-q", "."}, errc::outcome_unknown, 0, true},
        {"421 after MAIL", {"-Q", "MAIL"}, errc::smtp_transient, 421, false},
        {"every RCPT refused (5xx)", {"-f", "RCPT"}, errc::no_recipient_accepted, 0, false},
        {"final dot refused (5xx)", {"-f", "."}, errc::smtp_permanent, 5, true},
        {"MAIL refused (4xx)", {"-r", "MAIL"}, errc::smtp_transient, 4, false},
        {"DATA refused (5xx)", {"-f", "DATA"}, errc::smtp_permanent, 5, false},
    };
    for (const auto& f : faults) {
        SCOPED_TRACE(f.name);
        auto sink = start_smtp_sink(f.options);
        auto smtp = plain_builder(sink->port).timeouts(lettre::smtp::timeouts::all(5s)).build();
        error_code ec;
        const auto r = smtp.send(sample_message(), ec);
        EXPECT_EQ(ec, code(f.expected)) << describe(ec, r);
        if (f.reply_code >= 100) {
            ASSERT_TRUE(r.diagnostics.server_reply) << describe(ec, r);
            EXPECT_EQ(r.diagnostics.server_reply->code(), f.reply_code);
        } else if (f.reply_code > 0) {
            ASSERT_TRUE(r.diagnostics.server_reply) << describe(ec, r);
            EXPECT_EQ(r.diagnostics.server_reply->code() / 100, f.reply_code);
        }
        if (f.expected == errc::no_recipient_accepted) {
            ASSERT_EQ(r.diagnostics.recipients.size(), 3u);
            for (const auto& rr : r.diagnostics.recipients) EXPECT_EQ(rr.reply.code() / 100, 5);
        }
        if (!f.body_sent) {
            EXPECT_TRUE(sink->messages().empty());
        }
    }
}

}  // namespace

// Many sends in flight on one connection: each arrives exactly once, whole.
TEST(SmtpSink, OneConnectionCarriesAPipelinedWindow) {
    for (const bool chunking : {false, true}) {
        auto sink = start_smtp_sink();
        auto cfg = smtp_it::plain_builder(sink->port).config();
        cfg.client.chunking = chunking;
        // Every send queued at once, then two at a time (the later ones
        // written ahead beside the read).
        auto sent = smtp_it::send_windowed(cfg, 30);
        const auto paced = smtp_it::send_windowed(cfg, 20, 2);
        sent.insert(sent.end(), paced.begin(), paced.end());
        ASSERT_TRUE(eventually([&] { return sink->messages().size() == sent.size(); }))
            << sink->messages().size() << " messages arrived (chunking " << chunking << ")";
        std::vector<std::string> dumps;
        for (const auto& p : sink->messages()) dumps.push_back(read_file(p));
        for (std::size_t i = 0; i < sent.size(); ++i) {
            const std::string want = lf_only(sent[i]) + "\n";
            const auto found = std::count_if(dumps.begin(), dumps.end(), [&](const auto& d) {
                return d.ends_with("\n" + want);
            });
            EXPECT_EQ(found, 1) << "message " << i << " chunking " << chunking;
        }
    }
}
