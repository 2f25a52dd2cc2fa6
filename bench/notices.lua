-- Cycles through pre-signed Digistore24 bodies (one per line of BODIES); each wrk thread takes every n-th line so
-- no body is sent twice. RATE (requests per second per connection, optional) paces the load for latency runs.
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
  bodies = {}
  local n = 0
  for line in io.lines(file) do
    if n % stride == id then
      table.insert(bodies, line)
    end
    n = n + 1
  end
  index = 0
  pause = rate > 0 and (1000 / rate) or 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function delay()
  return pause
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
