-- Mixed load: 95 % public catalog reads (a few URLs an app opens), 5 % order placement.
-- An order changes the sold products' counters, so the cached listings showing them go out
-- of date: the hit rate says how much of the cache survives the writes.
--
-- Hit rate comes from an `X-Cache: hit|miss` response header when the server sends one;
-- without it only the response counts are reported.

local paths = {
   "/api/v1/products?limit=20",
   "/api/v1/products?limit=20&sort=price_asc",
   "/api/v1/products/featured",
   "/api/v1/categories",
   "/api/v1/shop",
}
local order_body = os.getenv("BENCH_ORDER_BODY")
local order_headers = {
   ["Content-Type"] = "application/json",
   ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
}
local product = os.getenv("BENCH_PRODUCT_PATH")
if product and product ~= "" then
   table.insert(paths, product)
end

bench_counters = { "reads", "orders", "hits", "misses", "failed" }
reads, orders, hits, misses, failed = 0, 0, 0, 0, 0

local n = 0

function request()
   n = n + 1
   -- Every 20th request of a thread is an order: exactly 5 %, spread evenly.
   if n % 20 == 0 then
      return wrk.format("POST", "/api/v1/orders", order_headers, order_body)
   end
   return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
   if status == 201 then
      orders = orders + 1
   elseif status == 200 or status == 304 then
      reads = reads + 1
   else
      failed = failed + 1
   end
   local cache = headers["X-Cache"] or headers["x-cache"]
   if cache then
      cache = string.lower(cache)
      if cache:find("hit", 1, true) then
         hits = hits + 1
      elseif cache:find("miss", 1, true) then
         misses = misses + 1
      end
   end
end
