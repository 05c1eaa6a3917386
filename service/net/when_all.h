#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

// Runs a variable number of coroutines side by side on the caller's executor (a strand) and
// waits for all of them. Each task is expected to bound its own waits; a task that throws
// yields std::nullopt for its slot instead of taking the others down.
namespace cv::net {

template <typename T>
boost::asio::awaitable<std::vector<std::optional<T>>> WhenAll(
    std::vector<boost::asio::awaitable<T>> tasks) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  struct State {
    explicit State(asio::any_io_executor ex, size_t n) : latch(ex), results(n), pending(n) {}
    asio::steady_timer latch;  // expires "never"; cancelled by the last task to finish
    std::vector<std::optional<T>> results;
    size_t pending;
  };
  auto state = std::make_shared<State>(executor, tasks.size());
  if (tasks.empty()) co_return std::move(state->results);
  state->latch.expires_at(asio::steady_timer::time_point::max());
  for (size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(executor, std::move(tasks[i]), [state, i](std::exception_ptr error, T value) {
      if (!error) state->results[i] = std::move(value);
      if (--state->pending == 0) state->latch.cancel();
    });
  }
  while (state->pending > 0) {
    co_await state->latch.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return std::move(state->results);
}

}  // namespace cv::net
