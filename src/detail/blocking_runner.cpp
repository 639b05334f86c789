#include "detail/blocking_runner.hpp"

namespace lettre::detail {

blocking_runner::blocking_runner()
    : work_(boost::asio::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}

blocking_runner::~blocking_runner() {
    work_.reset();
    if (thread_.joinable()) thread_.join();
}

}  // namespace lettre::detail
