// Sends messages from C++20 coroutines with the async transport.
// Usage: send_smtp_async smtp://user:pass@host:587 to@example.org [count]
#include <lettre/lettre.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>

namespace asio = boost::asio;

asio::awaitable<void> send_one(lettre::async_smtp_transport& mailer, std::string to, int n) {
    auto msg = lettre::message::builder()
                   .from("App <app@example.com>")
                   .to(to)
                   .subject("Message " + std::to_string(n))
                   .text("Hello from a coroutine.\n")
                   .build();
    try {
        auto report = co_await mailer.async_send(msg, asio::use_awaitable);
        std::cout << n << ": " << report.final_reply.to_string() << '\n';
    } catch (const boost::system::system_error& e) {
        std::cerr << n << ": " << e.what() << '\n';
    }
}

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: send_smtp_async SMTP_URL RECIPIENT [COUNT]\n";
        return 64;
    }
    auto builder = lettre::async_smtp_transport::from_url(argv[1]);
    if (!builder) {
        std::cerr << builder.error().message << '\n';
        return 64;
    }
    asio::io_context ioc;
    auto mailer = builder->build(ioc.get_executor());
    const int count = argc > 3 ? std::stoi(argv[3]) : 3;
    for (int i = 0; i < count; ++i)
        asio::co_spawn(ioc, send_one(mailer, argv[2], i), asio::detached);
    ioc.run();
}
