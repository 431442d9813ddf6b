"""redis-py 8, unchanged, against a running server, in one of its protocol settings.

Run as: python3 redis_py8_clients.py PORT SETTING, where SETTING is
  default  redis-py 8's own defaults (it asks for RESP3 with HELLO 3)
  resp3    protocol=3 given explicitly, and the client-side cache (cache_config) on top
  raw3     protocol=3 with legacy_responses=False: RESP3's shapes as they come off the wire
  resp2    protocol=2
The redis package must be importable (the caller puts the wheel on PYTHONPATH). Prints "ok" and
exits 0 when every check holds; otherwise prints each failed check and exits 1. The same checks pass
on redis-server 7.0.
"""
import sys
import threading
import time

import redis

PORT = int(sys.argv[1])
SETTING = sys.argv[2]
SETTINGS = {
    "default": {},
    "resp3": {"protocol": 3},
    "raw3": {"protocol": 3, "legacy_responses": False},
    "resp2": {"protocol": 2},
}
OPTIONS = SETTINGS[SETTING]
RESP3 = SETTING != "resp2"
failures = []


def client(**extra):
    return redis.Redis(port=PORT, socket_timeout=10, **OPTIONS, **extra)


def check(name, got, expected):
    if got != expected:
        failures.append("%s: got %r, expected %r" % (name, got, expected))


def flat(value):
    """Flattens nested lists and tuples: the pairs of ZRANGE WITHSCORES, BLPOP's key and element
    and the like come as tuples, lists or lists of lists depending on the protocol setting."""
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in flat(item)]
    return [value]


def text(value):
    """Some replies come as str with redis-py's RESP2-shaped callbacks and as bytes without them."""
    return value.decode() if isinstance(value, bytes) else value


def wait_for(name, condition, seconds=10):
    """Polls a condition until it holds or the bound passes (no timing is assumed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    failures.append("%s: not seen within %ss" % (name, seconds))
    return None


r = client()
r.flushall()
keys = ["py8:%d" % i for i in range(16)]

# The handshake: HELLO 3 (or 2) gave the connection its protocol.
conn = r.connection_pool.get_connection()
check("negotiated protocol", conn.protocol, 3 if RESP3 else 2)
if RESP3:
    meta = conn.handshake_metadata
    check("HELLO proto", meta.get(b"proto", meta.get("proto")), 3)
    check("HELLO server", meta.get(b"server", meta.get("server")), b"redis")
r.connection_pool.release(conn)
check("PING", r.ping(), True)
check("ECHO", r.echo("hi"), b"hi")

# Strings.
check("SET", r.set(keys[0], "v0"), True)
check("SET NX on a key that exists", r.set(keys[0], "x", nx=True), None)
check("GET", r.get(keys[0]), b"v0")
check("GET missing", r.get("py8:missing"), None)
check("SET GET", r.set(keys[0], "v1", get=True), b"v0")
check("MSET", r.mset({k: "m-" + k for k in keys[1:8]}), True)
check("MGET", r.mget(keys[1:8] + ["py8:missing"]), [("m-" + k).encode() for k in keys[1:8]] + [None])
check("INCR", r.incr("py8:n"), 1)
check("INCRBY", r.incrby("py8:n", 41), 42)
check("INCRBYFLOAT", r.incrbyfloat("py8:f", 1.5), 1.5)
check("APPEND", r.append(keys[0], "!"), 3)
check("STRLEN", r.strlen(keys[0]), 3)
check("GETRANGE", r.getrange(keys[0], 0, 1), b"v1")
check("SET EX and TTL", (r.set("py8:ttl", "x", ex=100), 0 < r.ttl("py8:ttl") <= 100), (True, True))
check("PERSIST", (r.persist("py8:ttl"), r.ttl("py8:ttl")), (True, -1))
check("EXISTS", r.exists(keys[0], keys[1], "py8:missing"), 2)
check("TYPE", r.type(keys[0]), b"string")
check("GETDEL", (r.getdel(keys[7]), r.exists(keys[7])), (b"m-" + keys[7].encode(), 0))
check("DEL across shards", r.delete(*keys[1:7]), 6)

# Hashes: HGETALL is a RESP3 map, a dict either way.
h = "py8:h"
check("HSET", r.hset(h, mapping={"f1": "v1", "f2": "v2", "n": "1"}), 3)
check("HGETALL", r.hgetall(h), {b"f1": b"v1", b"f2": b"v2", b"n": b"1"})
check("HGETALL missing", r.hgetall("py8:missing"), {})
check("HGET", r.hget(h, "f1"), b"v1")
check("HMGET", r.hmget(h, ["f1", "nope", "f2"]), [b"v1", None, b"v2"])
check("HINCRBY", r.hincrby(h, "n", 2), 3)
check("HINCRBYFLOAT", r.hincrbyfloat(h, "x", 0.5), 0.5)
check("HKEYS", sorted(r.hkeys(h)), [b"f1", b"f2", b"n", b"x"])
check("HLEN", r.hlen(h), 4)
check("HEXISTS", (r.hexists(h, "f1"), r.hexists(h, "nope")), (True, False))
check("HDEL", r.hdel(h, "x", "nope"), 1)
check("HRANDFIELD", r.hrandfield(h) in (b"f1", b"f2", b"n"), True)
check("HRANDFIELD WITHVALUES", sorted(flat(r.hrandfield(h, 3, withvalues=True))),
      sorted([b"f1", b"v1", b"f2", b"v2", b"n", b"3"]))

# Sets: SMEMBERS is a RESP3 set, a Python set either way.
s = "py8:s"
check("SADD", r.sadd(s, "a", "b", "c"), 3)
check("SMEMBERS", r.smembers(s), {b"a", b"b", b"c"})
check("SMEMBERS missing", r.smembers("py8:missing"), set())
check("SISMEMBER", (r.sismember(s, "a"), r.sismember(s, "z")), (True, False))
check("SMISMEMBER", r.smismember(s, ["a", "z"]), [True, False])
check("SCARD", r.scard(s), 3)
r.sadd("py8:s2", "b", "c", "d")
check("SINTER", r.sinter(s, "py8:s2"), {b"b", b"c"})
check("SUNION", r.sunion(s, "py8:s2"), {b"a", b"b", b"c", b"d"})
check("SDIFF", r.sdiff(s, "py8:s2"), {b"a"})
check("SPOP", r.spop("py8:s2") in (b"b", b"c", b"d"), True)
check("SREM", r.srem(s, "a", "z"), 1)

# Sorted sets: scores are RESP3 doubles, floats either way.
z = "py8:z"
check("ZADD", r.zadd(z, {"a": 1, "b": 2.5, "c": -3}), 3)
check("ZRANGE WITHSCORES", flat(r.zrange(z, 0, -1, withscores=True)), [b"c", -3.0, b"a", 1.0, b"b", 2.5])
check("ZPOPMIN missing", r.zpopmin("py8:missing", 1), [])
check("ZRANGE", r.zrange(z, 0, -1), [b"c", b"a", b"b"])
check("ZREVRANGE WITHSCORES", r.zrevrange(z, 0, 0, withscores=True)[0][1], 2.5)
check("ZRANGEBYSCORE", r.zrangebyscore(z, 0, "+inf"), [b"a", b"b"])
check("ZSCORE", r.zscore(z, "b"), 2.5)
check("ZSCORE missing", r.zscore(z, "nope"), None)
check("ZMSCORE", r.zmscore(z, ["a", "nope"]), [1.0, None])
check("ZINCRBY", r.zincrby(z, 0.25, "a"), 1.25)
check("ZRANK", r.zrank(z, "a"), 1)
check("ZCARD", r.zcard(z), 3)
check("ZCOUNT", r.zcount(z, "-inf", 0), 1)
check("ZADD INCR", r.zadd(z, {"c": 1}, incr=True), -2.0)
check("ZADD inf", (r.zadd(z, {"top": float("inf")}), r.zscore(z, "top")), (1, float("inf")))
check("ZPOPMIN", flat(r.zpopmin(z, 1)), [b"c", -2.0])
check("ZPOPMAX", flat(r.zpopmax(z)), [b"top", float("inf")])
check("ZRANDMEMBER WITHSCORES", flat(r.zrandmember(z, 2, withscores=True))[1::2] in ([1.25, 2.5], [2.5, 1.25],
      [b"1.25", b"2.5"], [b"2.5", b"1.25"]), True)
check("ZRANDMEMBER", r.zrandmember(z) in (b"a", b"b"), True)
check("ZUNIONSTORE", r.zunionstore("py8:zu", [z, z]), 2)
check("ZRANGE of the union", flat(r.zrange("py8:zu", 0, -1, withscores=True)), [b"a", 2.5, b"b", 5.0])

# Lists and blocking pops.
l = "py8:l"
check("RPUSH", r.rpush(l, "a", "b", "c"), 3)
check("LPUSH", r.lpush(l, "z"), 4)
check("LRANGE", r.lrange(l, 0, -1), [b"z", b"a", b"b", b"c"])
check("LLEN", r.llen(l), 4)
check("LINDEX", r.lindex(l, 1), b"a")
check("LPOS", r.lpos(l, "b"), 2)
check("LPOP count", r.lpop(l, 2), [b"z", b"a"])
check("RPOP", r.rpop(l), b"c")
check("LMOVE", r.lmove(l, "py8:l2", "LEFT", "RIGHT"), b"b")
check("LPOP missing", r.lpop(l), None)
check("BLPOP ready", flat(r.blpop(["py8:none", "py8:l2"], timeout=1)), [b"py8:l2", b"b"])
check("BLPOP times out", r.blpop(["py8:none"], timeout=0.1), None)
check("BRPOP times out", r.brpop(["py8:none"], timeout=0.1), None)
check("BZPOPMIN times out", r.bzpopmin(["py8:none"], timeout=0.1), None)

waiter = client()
got = {}


def pop():
    got["blpop"] = waiter.blpop(["py8:wait-a", "py8:wait-b"], timeout=10)


t = threading.Thread(target=pop)
t.start()
wait_for("the BLPOP is blocked", lambda: r.info("clients")["blocked_clients"] == 1)
r.rpush("py8:wait-b", "woken")
t.join(15)
check("BLPOP woken by a push", flat(got.get("blpop")), [b"py8:wait-b", b"woken"])
r.zadd("py8:zwait", {"m": 7})
check("BZPOPMIN ready", flat(r.bzpopmin(["py8:zwait"], timeout=1)), [b"py8:zwait", b"m", 7.0])
check("BLMOVE times out", r.blmove("py8:none", "py8:dst", 0.1), None)

# Pipelines, plain and transactional, over keys of every shard.
with r.pipeline(transaction=False) as p:
    for k in keys:
        p.set(k, 1)
        p.incr(k)
    p.hgetall(h)
    p.zscore(z, "b")
    p.smembers(s)
    check("plain pipeline", p.execute(),
          [True, 2] * len(keys) + [{b"f1": b"v1", b"f2": b"v2", b"n": b"3"}, 2.5, {b"b", b"c"}])
with r.pipeline(transaction=True) as p:
    for k in keys:
        p.incrby(k, 10)
    p.hgetall(h)
    p.zrange(z, 0, -1, withscores=True)
    p.get("py8:missing")
    replies = p.execute()
    check("MULTI/EXEC pipeline", replies[:len(keys)], [12] * len(keys))
    check("MULTI/EXEC map", replies[len(keys)], {b"f1": b"v1", b"f2": b"v2", b"n": b"3"})
    check("MULTI/EXEC scores", flat(replies[len(keys) + 1]), [b"a", 1.25, b"b", 2.5])
    check("MULTI/EXEC null", replies[-1], None)
with r.pipeline(transaction=True) as p:
    p.set("py8:wrong", "x")
    p.lpush("py8:wrong", "y")
    p.set(keys[0], 100)
    try:
        p.execute()
        failures.append("the WRONGTYPE inside EXEC was not raised")
    except redis.ResponseError as e:
        check("WRONGTYPE inside EXEC", str(e).split(":")[-1].strip()[:9], "WRONGTYPE")
check("EXEC applied the rest", r.get(keys[0]), b"100")
with r.pipeline() as p:
    p.watch(keys[1])
    value = int(p.get(keys[1]))
    p.multi()
    p.set(keys[1], value + 1)
    check("WATCH then EXEC", p.execute(), [True])
check("WATCHed update", r.get(keys[1]), b"13")
p = r.pipeline()
p.watch(keys[2])
r.set(keys[2], 100)
p.multi()
p.set(keys[2], 5)
try:
    p.execute()
    failures.append("WATCH did not abort the transaction")
except redis.WatchError:
    pass
finally:
    p.reset()
check("aborted transaction left the key", r.get(keys[2]), b"100")


def tx(pipe):
    current = int(pipe.get(keys[3]))
    pipe.multi()
    pipe.set(keys[3], current * 2)


check("transaction() helper", r.transaction(tx, keys[3]), [True])
check("transaction() result", r.get(keys[3]), b"24")

# Pub/sub: RESP3 push frames on the subscribing connection, channels, patterns and shard channels.
ps = r.pubsub()
ps.subscribe("py8:ch")
msg = ps.get_message(timeout=5)
check("subscribe confirmation", msg, {"type": "subscribe", "pattern": None, "channel": b"py8:ch", "data": 1})
ps.psubscribe("py8:p*")
msg = ps.get_message(timeout=5)
check("psubscribe confirmation", msg, {"type": "psubscribe", "pattern": None, "channel": b"py8:p*", "data": 2})
check("PUBLISH to a channel", r.publish("py8:ch", "hello"), 1)
check("message", ps.get_message(timeout=5), {"type": "message", "pattern": None, "channel": b"py8:ch",
                                             "data": b"hello"})
check("PUBLISH to a pattern", r.publish("py8:pq", "world"), 1)
check("pmessage", ps.get_message(timeout=5), {"type": "pmessage", "pattern": b"py8:p*",
                                              "channel": b"py8:pq", "data": b"world"})
check("PUBSUB CHANNELS", r.pubsub_channels("py8:*"), [b"py8:ch"])
check("PUBSUB NUMSUB", r.pubsub_numsub("py8:ch"), [(b"py8:ch", 1)])
check("PUBSUB NUMPAT", r.pubsub_numpat(), 1)
ps.ping()
pong = ps.get_message(timeout=5)
check("PING while subscribed", pong["type"] if pong else None, "pong")
ps.unsubscribe("py8:ch")
check("unsubscribe", ps.get_message(timeout=5), {"type": "unsubscribe", "pattern": None,
                                                 "channel": b"py8:ch", "data": 1})
ps.punsubscribe()
check("punsubscribe", ps.get_message(timeout=5), {"type": "punsubscribe", "pattern": None,
                                                  "channel": b"py8:p*", "data": 0})
ps.close()
ps = r.pubsub()
ps.ssubscribe("py8:sch")
check("ssubscribe confirmation", ps.get_sharded_message(timeout=5),
      {"type": "ssubscribe", "pattern": None, "channel": b"py8:sch", "data": 1})
check("SPUBLISH", r.spublish("py8:sch", "sharded"), 1)
check("smessage", ps.get_sharded_message(timeout=5),
      {"type": "smessage", "pattern": None, "channel": b"py8:sch", "data": b"sharded"})
check("PUBSUB SHARDNUMSUB", r.pubsub_shardnumsub("py8:sch"), [(b"py8:sch", 1)])
ps.sunsubscribe("py8:sch")
check("sunsubscribe", ps.get_sharded_message(timeout=5),
      {"type": "sunsubscribe", "pattern": None, "channel": b"py8:sch", "data": 0})
ps.close()
handled = []
ps = r.pubsub(ignore_subscribe_messages=True)
ps.subscribe(**{"py8:cb": lambda m: handled.append(m["data"])})
worker = ps.run_in_thread(sleep_time=0.01, daemon=True)
wait_for("the handler's subscription", lambda: r.pubsub_numsub("py8:cb")[0][1] == 1)
r.publish("py8:cb", "via-thread")
wait_for("the handler ran", lambda: handled)
check("run_in_thread handler", handled, [b"via-thread"])
worker.stop()
worker.join(10)
ps.close()

# Scripts: register_script sends EVALSHA, then EVAL when the script is not known.
script = r.register_script(
    "return redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCRBY', KEYS[2], ARGV[1])")
r.mset({keys[4]: 0, keys[5]: 0})
check("script", script(keys=[keys[4], keys[5]], args=[10]), 20)
r.script_flush()
check("script after SCRIPT FLUSH", script(keys=[keys[4], keys[5]], args=[1]), 22)
check("SCRIPT EXISTS", r.script_exists(script.sha), [True])
check("EVAL returning a table", r.eval("return {1, 'two', {3}}", 0), [1, b"two", [3]])
check("EVAL returning a status", r.eval("return redis.status_reply('FINE')", 0), b"FINE")
try:
    r.eval("return redis.error_reply('MYERR bad')", 0)
    failures.append("error_reply was not raised")
except redis.ResponseError as e:
    check("EVAL error_reply", str(e), "MYERR bad")
lock = r.lock("py8:lock", timeout=5)
check("Lock acquire", lock.acquire(blocking=False), True)
check("Lock held", r.lock("py8:lock").acquire(blocking=False), False)
lock.release()

# SCAN iterators.
r.mset({"py8:scan:%d" % i: i for i in range(100)})
check("scan_iter", sorted(r.scan_iter(match="py8:scan:*", count=7)),
      sorted(("py8:scan:%d" % i).encode() for i in range(100)))
check("scan_iter by type", sorted(r.scan_iter(match="py8:*", _type="hash")), [b"py8:h"])
r.hset("py8:bigh", mapping={"f%d" % i: i for i in range(50)})
check("hscan_iter", dict(r.hscan_iter("py8:bigh", count=5)), {("f%d" % i).encode(): str(i).encode()
                                                              for i in range(50)})
r.sadd("py8:bigs", *range(50))
check("sscan_iter", sorted(int(x) for x in r.sscan_iter("py8:bigs")), list(range(50)))
r.zadd("py8:bigz", {"m%d" % i: i for i in range(50)})
check("zscan_iter", sorted((int(sc), m) for m, sc in r.zscan_iter("py8:bigz")),
      sorted((i, ("m%d" % i).encode()) for i in range(50)))

# INFO parsing, CLIENT LIST / INFO, CONFIG GET, OBJECT ENCODING, ACL WHOAMI.
info = r.info()
check("INFO redis_version", isinstance(info.get("redis_version"), str), True)
check("INFO connected_clients", isinstance(info.get("connected_clients"), int), True)
check("INFO keyspace db0", isinstance(info.get("db0"), dict) and info["db0"].get("keys", 0) > 0, True)
check("INFO server section", r.info("server").get("redis_mode"), "standalone")
check("INFO uptime", isinstance(r.info("server").get("uptime_in_seconds"), int), True)
check("INFO tcp_port", r.info("server").get("tcp_port"), PORT)
check("INFO memory", isinstance(r.info("memory").get("used_memory"), int), True)
r.client_setname("py8-main")
check("CLIENT GETNAME", text(r.client_getname()), "py8-main")
me = r.client_info()
check("CLIENT INFO name", me.get("name"), "py8-main")
check("CLIENT INFO resp", me.get("resp"), "3" if RESP3 else "2")
check("CLIENT INFO lib-name", me.get("lib-name", "absent"), "absent")
listed = r.client_list()
check("CLIENT LIST holds this client", any(c.get("name") == "py8-main" and c.get("id") == str(me.get("id"))
                                             for c in listed), True)
check("CLIENT ID", r.client_id(), int(me["id"]))
check("CONFIG GET maxmemory-policy", r.config_get("maxmemory-policy"), {"maxmemory-policy": "noeviction"})
check("CONFIG GET glob", "maxmemory" in r.config_get("maxmemory*"), True)
r.set("py8:int", 12345)
r.set("py8:str", "hello")
check("OBJECT ENCODING int", r.object("encoding", "py8:int"), b"int")
check("OBJECT ENCODING embstr", r.object("encoding", "py8:str"), b"embstr")
check("OBJECT ENCODING listpack", r.object("encoding", "py8:h"), b"listpack")
try:
    check("ACL WHOAMI", text(r.acl_whoami()), "default")
except redis.ResponseError as e:
    failures.append("ACL WHOAMI: %s" % e)
check("DBSIZE", r.dbsize() > 100, True)
check("TIME", len(r.time()), 2)
check("ROLE", r.role(), [b"master", 0, []])
check("SELECT by a db option", client(db=1).set("py8:db1", "x"), True)
check("db 1 is apart", r.get("py8:db1"), None)

# HELLO with AUTH while the default user has no password: any password is accepted, as in Redis.
hello = r.execute_command("HELLO", 3 if RESP3 else 2, "AUTH", "default", "any-pass")
hello = dict(zip(hello[::2], hello[1::2])) if isinstance(hello, list) else hello
check("HELLO AUTH proto", hello.get(b"proto"), 3 if RESP3 else 2)

# CLIENT TRACKING over RESP3: the invalidation arrives as a push frame on the reading connection,
# which redis-py's parser hands to its invalidation handler before the next reply.
if RESP3:
    tracked = client(single_connection_client=True)
    invalidated = []
    tracked.connection._parser.set_invalidation_push_handler(invalidated.append)
    check("CLIENT TRACKING ON", tracked.execute_command("CLIENT", "TRACKING", "ON"), b"OK")
    r.set("py8:tracked", "one")
    check("tracked read", tracked.get("py8:tracked"), b"one")
    r.set("py8:tracked", "two")
    wait_for("the invalidation push", lambda: tracked.ping() and invalidated)
    check("invalidate push", invalidated[:1], [[b"invalidate", [b"py8:tracked"]]])
    tracked.close()

# redis-py 8's own client-side cache (cache_config) turns CLIENT TRACKING on as it connects, then
# accepts only servers that say they are Redis 7.4 or later in HELLO: this server, like
# redis-server 7.0, is refused there.
if SETTING == "resp3":
    from redis.cache import CacheConfig

    try:
        client(cache_config=CacheConfig()).ping()
        failures.append("redis-py's client-side cache was not refused")
    except redis.ConnectionError as e:
        check("the cache's version check", "Redis 7.4 or later" in str(e), True)

r.flushall()
check("FLUSHALL", r.dbsize(), 0)
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
