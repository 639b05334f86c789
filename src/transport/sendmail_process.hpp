// One run of the sendmail program, driven by an Asio executor: the message
// goes to its standard input, its output is collected, its exit awaited.
// Part of lettre::smtp; what it shares with the blocking run is in
// sendmail_child.hpp (lettre::message, no Boost).
#pragma once

#include <lettre/message/envelope.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include "transport/sendmail_child.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <string>

namespace lettre::detail {

using sendmail_signature = void(boost::system::error_code, sendmail_report);

/// Never completes inline. The handler's cancellation slot kills the child.
void start_sendmail(boost::asio::any_io_executor ex, const sendmail_config& config,
                    const envelope& env, std::string bytes,
                    boost::asio::any_completion_handler<sendmail_signature> handler);

}  // namespace lettre::detail
