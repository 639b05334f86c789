// Direct MX delivery from C++20 coroutines: first the delivery plan of each
// recipient domain (MX hosts and their addresses), then the send.
// Usage: mx_send_async FROM TO [TO...] [--dns 127.0.0.1:5353]
#include <lettre/lettre.hpp>
#include <lettre/transport/async_mx_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;

asio::awaitable<void> deliver(lettre::async_mx_transport& mailer, lettre::message msg) {
    std::set<std::string> domains;
    for (const auto& to : msg.envelope().to()) domains.insert(to.domain());
    for (const auto& domain : domains) {
        auto [ec, plan] = co_await mailer.async_plan(domain, asio::as_tuple(asio::use_awaitable));
        std::cout << domain << ":";
        if (ec) std::cout << " no delivery possible: " << plan.message;
        for (const auto& host : plan.hosts) {
            std::cout << "\n  " << host.preference << ' ' << host.name;
            for (const auto& a : host.addresses) std::cout << ' ' << a.to_string();
        }
        std::cout << '\n';
    }
    auto [ec, report] = co_await mailer.async_send(msg, asio::as_tuple(asio::use_awaitable));
    for (const auto& r : report.recipients)
        std::cout << r.recipient.to_string() << ": " << lettre::mx::outcome(r) << " — " << r.message
                  << '\n';
    if (ec) std::cout << "nothing delivered: " << ec.message() << '\n';
}

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    lettre::mx::config config;
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "--dns") {
            config.dns.servers = {args[i + 1]};
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                       args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
            break;
        }
    }
    if (args.size() < 2) {
        std::cerr << "usage: mx_send_async FROM TO [TO...] [--dns ADDR:PORT]\n";
        return 64;
    }
    auto builder = lettre::message::builder().from(args[0]).subject("Delivered directly");
    for (std::size_t i = 1; i < args.size(); ++i) builder.to(args[i]);
    auto msg = builder.text("Hello from a coroutine, straight to your MX.\n").build();

    asio::io_context ioc;
    lettre::async_mx_transport mailer(ioc.get_executor(), config);
    asio::co_spawn(ioc, deliver(mailer, std::move(msg)), asio::detached);
    ioc.run();
}
