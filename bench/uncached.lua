-- The listing of the cached scenarios, but every request a distinct cache key: an
-- `excludeAllergen` no product has, numbered per run, per thread and per request, so the
-- answer lists the same products and every request is a miss that runs the whole query.

-- Keys from an earlier run against the same server would be hits: one number per run.
local run = os.getenv("BENCH_RUN_ID") or "0"
local n = 0

function request()
   n = n + 1
   return wrk.format("GET", string.format(
      "/api/v1/products?limit=20&excludeAllergen=b%s-%d-%d", run, thread_id, n))
end
