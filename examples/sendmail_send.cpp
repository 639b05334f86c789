// Hands a message to the local mail system (Postfix, Exim, msmtp...)
// through its sendmail program, blocking and then from a coroutine.
//
//   example_sendmail_send [PROGRAM [ARGUMENT...]]
//
// e.g. `example_sendmail_send /usr/bin/msmtp --host=127.0.0.1 --port=2525`.
#include <lettre/lettre.hpp>
#include <lettre/transport/async_sendmail_transport.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>

namespace asio = boost::asio;

int main(int argc, char** argv) {
    lettre::sendmail_config config;
    if (argc > 1) config.command = argv[1];
    for (int i = 2; i < argc; ++i) config.arguments.emplace_back(argv[i]);

    const auto msg = lettre::message::builder()
                         .from("Reports <reports@example.com>")
                         .to("ops@example.org")
                         .subject("Nightly report")
                         .text("All jobs finished.")
                         .build();

    // Blocking, result form: the error names the program, its exit status
    // and what it printed.
    const lettre::sendmail_transport sendmail(config);
    if (auto sent = sendmail.try_send(msg); !sent) {
        std::cerr << "sendmail: " << sent.error().message << '\n';
        // EX_TEMPFAIL: the local MTA asks to try again later.
        return sent.error().code == lettre::errc::sendmail_transient ? 75 : 69;
    }
    std::cout << "handed to " << config.command << '\n';

    // On an executor: the program's input, output and exit are awaited
    // there (no thread); cancelling the operation kills the program.
    asio::io_context ioc;
    int status = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            lettre::async_sendmail_transport transport(co_await asio::this_coro::executor, config);
            auto [ec, report] =
                co_await transport.async_send(msg, asio::as_tuple(asio::use_awaitable));
            if (ec) {
                // report.message names the program, its exit status and output.
                std::cerr << "sendmail: " << report.message << '\n';
                status = 69;
                co_return;
            }
            std::cout << "handed to " << config.command << " again\n";
        },
        asio::detached);
    ioc.run();
    return status;
}
