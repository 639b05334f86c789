// The Asio sendmail transport (lettre::smtp): its run is sendmail_process.cpp.
#include <lettre/transport/async_sendmail_transport.hpp>

#include "transport/sendmail_process.hpp"

#include <utility>

namespace lettre {

async_sendmail_transport::async_sendmail_transport(boost::asio::any_io_executor ex,
                                                   sendmail_config config)
    : ex_(std::move(ex)), config_(std::move(config)) {}

void async_sendmail_transport::start(const boost::asio::any_io_executor& ex,
                                     const sendmail_config& config, const envelope& env,
                                     std::string bytes,
                                     boost::asio::any_completion_handler<send_signature> handler) {
    detail::start_sendmail(ex, config, env, std::move(bytes), std::move(handler));
}

}  // namespace lettre
