-- wrk script: POST /api/v1/publish, a persistent JSON message of exactly 1 KiB to the queue bench_q.
local head = '{"id":"bench-0001","source":"wrk","payload":"'
local tail = '"}'
local message = head .. string.rep("x", 1024 - #head - #tail) .. tail
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
wrk.body = '{"exchange":"","routingKey":"bench_q","message":' .. message .. ',"options":{"persistent":true}}'
