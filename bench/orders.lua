-- Order placement only: POST /api/v1/orders, a cash order of products without limited stock,
-- signed in with the bearer token scripts/bench.sh got from /api/v1/auth/login.
-- The request is the same every time, so wrk builds it once.

wrk.method = "POST"
wrk.body = os.getenv("BENCH_ORDER_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
