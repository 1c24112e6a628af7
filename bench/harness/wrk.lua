-- wrk script of bench.harness.wrk. Calls are read from the file BENCH_CALLS, one
-- "METHOD<tab>PATH<tab>BODY" a line. BENCH_MODE "cycle" repeats them; "once" sends each
-- once (split between the threads), then stops; "captcha" issues a captcha with the first
-- call and then fetches its picture (the image_url of the reply). With BENCH_OUT set, the
-- "id" of each 201 reply is written to BENCH_OUT.<thread>, one a line.
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local mode, calls, next_call, images, out_of_calls, out
ok, pairs_done = 0, 0

function init(args)
  mode = os.getenv("BENCH_MODE")
  local count = tonumber(os.getenv("BENCH_THREADS"))
  calls, next_call, images = {}, 1, {}
  local n = 0
  for line in io.lines(os.getenv("BENCH_CALLS")) do
    if mode ~= "once" or n % count == index then
      local method, path, body = line:match("^(%u+)\t([^\t]*)\t(.*)$")
      local headers = {}
      if body == "" then body = nil else headers["Content-Type"] = "application/json" end
      table.insert(calls, wrk.format(method, path, headers, body))
    end
    n = n + 1
  end
  if os.getenv("BENCH_OUT") then
    out = io.open(os.getenv("BENCH_OUT") .. "." .. index, "w")
    out:setvbuf("line") -- a stopped thread's state is never closed: nothing may stay buffered
  end
end

function request()
  if mode == "captcha" then
    local path = table.remove(images)
    if path then return wrk.format("GET", path) end
    return calls[1]
  end
  if next_call > #calls then
    if mode ~= "once" then
      next_call = 1
    else
      -- Each call is good once (a captcha redeems one comment): fill in with a health
      -- check until the replies in flight are read and the thread stops.
      out_of_calls = true
      return wrk.format("GET", "/healthz")
    end
  end
  next_call = next_call + 1
  return calls[next_call - 1]
end

function response(status, headers, body)
  if status >= 200 and status < 400 then ok = ok + 1 end
  if out and status == 201 then
    out:write(body:match('"id"%s*:%s*"([^"]+)"'), "\n")
  end
  if mode == "captcha" then
    if status == 201 then
      local path = body:match('"image_url"%s*:%s*"https?://[^/"]*(/[^"]*)"')
      if path then table.insert(images, path) end
    elseif status == 200 then
      pairs_done = pairs_done + 1
    end
  end
  if out_of_calls then
    -- Tell the harness, which interrupts wrk once every thread stopped (wrk would sleep on).
    io.open(os.getenv("BENCH_STOPPED") .. "." .. index, "w"):close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local good, completed = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    completed = completed + thread:get("pairs_done")
  end
  local e = summary.errors
  local errors = summary.requests - good + e.connect + e.read + e.write + e.timeout
  io.write(string.format("BENCH %d %d %d %d %d %d\n", good, completed, errors,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
