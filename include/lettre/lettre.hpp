// Umbrella header.
#pragma once

#include <lettre/message.hpp>
#include <lettre/transport/file_transport.hpp>
