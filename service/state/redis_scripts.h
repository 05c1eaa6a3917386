#pragma once

// The shared store's rules as Lua, run atomically by Redis (EVAL): the same rules as
// MemoryStore, which the unit tests and the Redis integration tests hold to one another.
// Time is Redis's own clock (TIME), so replicas whose clocks differ still agree on windows.
// Every key written gets a TTL no longer than the window it serves. An account's keys share
// one hash tag, so they stay in one slot.
namespace cv::state::scripts {

// KEYS: failures (zset: score = time), reservations (zset: member = password MAC, score =
// lease end), rejected (string "at_ms|record" for this password MAC).
// ARGV: max_failures, window_ms, lease_ms, password MAC.
// Returns {"known", "at_ms|record"} | {"same", retry_ms} | {"full", retry_ms} | {"ok", ""}.
inline constexpr char kReserveAuth[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max, window, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local known = redis.call('GET', KEYS[3])
if known then return {'known', known} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local same = redis.call('ZSCORE', KEYS[2], ARGV[4])
if same then
  return {'same', tostring(math.max(1, math.min(5000, tonumber(same) - now)))}
end
local failures = redis.call('ZCARD', KEYS[1])
local held = redis.call('ZCARD', KEYS[2])
if failures + held >= max then
  local free_at
  if failures >= max then
    local oldest = redis.call('ZRANGE', KEYS[1], failures - max, failures - max, 'WITHSCORES')
    free_at = tonumber(oldest[2]) + window
  else
    local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    free_at = tonumber(first[2])
  end
  return {'full', tostring(math.max(1, free_at - now))}
end
redis.call('ZADD', KEYS[2], now + lease, ARGV[4])
if redis.call('PTTL', KEYS[2]) < lease + 1000 then redis.call('PEXPIRE', KEYS[2], lease + 1000) end
return {'ok', ''}
)lua";

// KEYS: as kReserveAuth. ARGV: "rejected" | "released" | "accepted", max_failures, window_ms,
// password MAC, record.
inline constexpr char kSettleAuth[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max, window = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[4])
if ARGV[1] == 'rejected' then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local n = redis.call('ZCARD', KEYS[1])
  if n > max then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1) end
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('SET', KEYS[3], now .. '|' .. ARGV[5], 'PX', window)
elseif ARGV[1] == 'accepted' then
  redis.call('DEL', KEYS[1])
end
return 1
)lua";

// KEYS: one zset per quota (score = time). ARGV: window_ms, a unique event id, then one limit
// per key. Returns {-1, 0} when the event was counted against every quota, else
// {index of the full quota (0-based), retry_ms} and nothing is counted.
inline constexpr char kConsumeQuotas[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  local limit = tonumber(ARGV[i + 2])
  if n >= limit then
    local free_at = now
    if limit > 0 then
      local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
      free_at = tonumber(oldest[2]) + window
    end
    return {i - 1, math.max(1, free_at - now)}
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, window)
end
return {-1, 0}
)lua";

}  // namespace cv::state::scripts
