// One run of the sendmail program, driven by an Asio executor: the message
// goes to its standard input, its output is collected, its exit awaited.
#pragma once

#include <lettre/message/envelope.hpp>
#include <lettre/transport/sendmail_transport.hpp>

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

/// Bytes as the program gets them: every line end LF, or every one CRLF.
std::string sendmail_line_endings(std::string bytes, bool crlf);

/// A sentence naming the program, what happened and what it printed.
/// `status_unknown`: it ended, but its exit status was reaped elsewhere.
std::string describe_sendmail_failure(const std::string& command, std::error_code ec,
                                      const sendmail_report& report, bool status_unknown);

}  // namespace lettre::detail
