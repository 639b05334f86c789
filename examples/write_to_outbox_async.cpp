// Delivers messages into a directory from a coroutine with the async file
// transport: the same completion-token API as async_smtp_transport, so code
// written for SMTP can be pointed at a directory in development and tests.
#include <lettre/lettre.hpp>
#include <lettre/transport/async_file_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <iostream>
#include <string>

namespace asio = boost::asio;

asio::awaitable<int> deliver(const lettre::async_file_transport& outbox) {
    for (int i = 1; i <= 3; ++i) {
        auto msg = lettre::message::builder()
                       .from("App <app@example.com>")
                       .to("user@example.org")
                       .subject("Report " + std::to_string(i))
                       .text("Your weekly report is ready.\n")
                       .build();
        auto [ec, d] = co_await outbox.async_send(msg, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            std::cerr << "cannot deliver: " << ec.message() << '\n';
            co_return 1;
        }
        std::cout << "wrote " << d.eml_path.string() << '\n';
    }
    co_return 0;
}

int main(int argc, char** argv) {
    asio::io_context ioc;
    const lettre::async_file_transport outbox(ioc.get_executor(), argc > 1 ? argv[1] : "outbox");
    int status = 1;
    asio::co_spawn(ioc, deliver(outbox), [&](const std::exception_ptr& e, int s) {
        if (e) std::rethrow_exception(e);  // leaves ioc.run() below
        status = s;
    });
    try {
        ioc.run();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
    return status;
}
