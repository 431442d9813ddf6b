"""redis-py, unchanged, against a running server: transaction pipelines, WATCH, Lock, scripts.

Run as: python3 redis_py_clients.py PORT. Prints "ok" and exits 0 when every check holds.
"""
import sys

import redis

r = redis.Redis(port=int(sys.argv[1]), socket_timeout=10)
r.flushall()
keys = ["py:%d" % i for i in range(8)]

# A transaction pipeline: MULTI, the commands, EXEC; one reply per command.
with r.pipeline(transaction=True) as p:
    for k in keys:
        p.set(k, 1)
        p.incr(k)
    replies = p.execute()
assert replies == [True, 2] * len(keys), replies
assert r.mget(keys) == [b"2"] * len(keys)

# A transaction with a command refused at run time: the others still apply.
with r.pipeline(transaction=True) as p:
    p.set("py:s", "x")
    p.lpush("py:s", "y")
    p.set(keys[0], 10)
    try:
        p.execute()
        raise SystemExit("the WRONGTYPE inside EXEC was not raised")
    except redis.ResponseError:
        pass
assert r.get(keys[0]) == b"10"

# WATCH, then an update in a transaction.
with r.pipeline() as p:
    p.watch(keys[1])
    value = int(p.get(keys[1]))
    p.multi()
    p.set(keys[1], value + 1)
    p.execute()
assert r.get(keys[1]) == b"3"

# WATCH, a change by another client, and the transaction aborts.
p = r.pipeline()
p.watch(keys[2])
r.set(keys[2], 100)
p.multi()
p.set(keys[2], 5)
try:
    p.execute()
    raise SystemExit("WATCH did not abort the transaction")
except redis.WatchError:
    pass
finally:
    p.reset()
assert r.get(keys[2]) == b"100"

# Lock: acquire, refuse a second holder, release (a script), acquire again.
lock = r.lock("py:lock", timeout=5)
assert lock.acquire(blocking=False)
assert not r.lock("py:lock").acquire(blocking=False)
lock.release()
again = r.lock("py:lock", timeout=5)
assert again.acquire(blocking=False)
again.release()

# A registered script over keys of several shards (EVALSHA, then EVAL when unknown).
script = r.register_script(
    "return redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCRBY', KEYS[2], ARGV[1])")
assert script(keys=[keys[3], keys[4]], args=[10]) == 24
r.script_flush()
assert script(keys=[keys[3], keys[4]], args=[1]) == 26

print("ok")
