-- wrk script: single-message HTTP publishes of a persistent message into one durable queue
-- (bench/http_vs_nginx.sh runs it). The URL given to wrk is the publish path; the same request
-- goes to nginx for the ceiling. Environment: QUEUE (default "bench"), SIZE (payload bytes, 256),
-- AUTH (the Authorization header, default guest:guest).
--   wrk -t2 -c32 -d10s -s bench/http_publish.lua \
--       'http://127.0.0.1:15672/api/exchanges/%2F/amq.default/publish'

local queue = os.getenv("QUEUE") or "bench"
local size = tonumber(os.getenv("SIZE") or "256")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("AUTH") or "Basic Z3Vlc3Q6Z3Vlc3Q="
wrk.body = '{"properties":{"delivery_mode":2},"routing_key":"' .. queue ..
           '","payload":"' .. string.rep("x", size) .. '","payload_encoding":"string"}'

-- One machine-readable line at the end, next to wrk's own report.
function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local bad = summary.errors.status + summary.errors.connect + summary.errors.read +
               summary.errors.write + summary.errors.timeout
   io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d\n",
                          summary.requests, summary.requests / seconds,
                          latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                          latency.max / 1000, bad))
end
