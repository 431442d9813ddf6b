-- wrk script: each connection sends `depth` requests back to back (HTTP/1.1 pipelining),
-- the standard way to measure a server's pipelined throughput. Usage:
--   wrk -s bench/wrk/pipeline.lua http://127.0.0.1:8080/plaintext -- 16
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil)
  end
  req = table.concat(r)
end

request = function()
  return req
end
