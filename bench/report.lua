-- Appended by scripts/bench.sh to every scenario script, and used alone for the plain GET
-- scenarios. It numbers each wrk thread (`thread_id`, for scripts that need distinct keys per
-- thread) and prints one line the script parses. Only setup() and done() here: they add no
-- per-request work.
--
-- A scenario that counts things per thread lists the names of its global counters in
-- `bench_counters`; their totals over all threads are appended to the line.
-- wrk counts a response with status >= 400 under errors.status; socket errors (connect,
-- read, write, timeout) are added to the same total.

local bench_threads = {}

function setup(thread)
   table.insert(bench_threads, thread)
   thread:set("thread_id", #bench_threads)
end

function done(summary, latency, requests)
   local e = summary.errors
   local extra = ""
   for _, name in ipairs(bench_counters or {}) do
      local total = 0
      for _, t in ipairs(bench_threads) do
         total = total + (t:get(name) or 0)
      end
      extra = extra .. string.format(" %s=%d", name, total)
   end
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f p50_us=%.0f p99_us=%.0f errors=%d status_errors=%d%s\n",
      summary.requests, summary.duration / 1e6,
      latency:percentile(50), latency:percentile(99),
      e.connect + e.read + e.write + e.status + e.timeout, e.status, extra))
end
