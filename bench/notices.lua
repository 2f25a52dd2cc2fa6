-- Cycles through pre-signed Digistore24 bodies (one per line of BODIES); each wrk thread takes every n-th line so
-- no body is sent twice. RATE (requests per second per connection, optional) paces the load for latency runs.
--
-- Pacing keeps a schedule per wrk thread: each request is given the next slot of the thread's rate (RATE times its
-- connections), and a connection waits only for the rest of the time to its slot. A plain pause of 1/RATE after
-- every answer would add the answer's own latency to each period and offer less than asked (20 x 100/s offered
-- about 1,600/s). A thread more than a second behind its schedule drops the missed slots rather than bursting.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } cartrelay_timespec;
int clock_gettime(int clock, cartrelay_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("cartrelay_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local file = os.getenv("BODIES")
  local stride = tonumber(os.getenv("THREADS") or "1")
  local rate = tonumber(os.getenv("RATE") or "0")
  local connections = tonumber(os.getenv("CONNECTIONS") or "1") / stride
  bodies = {}
  local n = 0
  for line in io.lines(file) do
    if n % stride == id then
      table.insert(bodies, line)
    end
    n = n + 1
  end
  index = 0
  interval = rate > 0 and (1000 / (rate * connections)) or 0
  slot = nil
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function delay()
  if interval == 0 then
    return 0
  end
  local now = now_ms()
  if slot == nil or slot < now - 1000 then
    slot = now
  end
  slot = slot + interval
  local wait = slot - now
  return wait > 0 and wait or 0
end

function request()
  index = index + 1
  if index > #bodies then
    index = 1
  end
  return wrk.format(nil, nil, nil, bodies[index])
end

function done(summary, latency, requests)
  io.write(string.format("ack latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d requests, %d non-2xx, %d errors\n",
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
      summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
