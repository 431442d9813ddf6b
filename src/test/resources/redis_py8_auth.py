"""redis-py 8, unchanged, against a server that requires a password: its HELLO 3 AUTH handshake
(its default), AUTH under protocol=2, and the errors it raises for a missing or wrong password.

Run as: python3 redis_py8_auth.py PORT PASSWORD (redis on the PYTHONPATH). Prints "ok" and exits 0
when every check holds; otherwise prints each failed check and exits 1. The same checks pass on
redis-server 7.0 with requirepass set.
"""
import sys

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

PORT = int(sys.argv[1])
PASSWORD = sys.argv[2]
failures = []


def check(name, got, expected):
    if got != expected:
        failures.append("%s: got %r, expected %r" % (name, got, expected))


def refusal(**options):
    """The exception class and the message a PING raises, or None. No retries: redis-py 8 retries a
    refused connection (its AuthenticationError is a ConnectionError) with a backoff by default."""
    try:
        redis.Redis(port=PORT, socket_timeout=10, retry=Retry(NoBackoff(), 0), **options).ping()
        return None
    except redis.RedisError as e:
        return type(e).__name__, str(e)


for protocol in (None, 2, 3):
    setting = {} if protocol is None else {"protocol": protocol}
    name = "protocol=%s" % protocol
    r = redis.Redis(port=PORT, socket_timeout=10, password=PASSWORD, **setting)
    check(name + ": PING with the password", r.ping(), True)
    check(name + ": a command", r.set("py8:auth", "x"), True)
    check(name + ": the connection's protocol", r.client_info().get("resp"), "2" if protocol == 2 else "3")
    r.close()
    r = redis.Redis(port=PORT, socket_timeout=10, username="default", password=PASSWORD, **setting)
    check(name + ": user and password", r.get("py8:auth"), b"x")
    r.close()
    check(name + ": a wrong password", refusal(password="wrong", **setting),
          ("AuthenticationError", "invalid username-password pair or user is disabled."))
    check(name + ": a wrong user", refusal(username="nobody", password=PASSWORD, **setting),
          ("AuthenticationError", "invalid username-password pair or user is disabled."))
    missing = refusal(**setting)
    if protocol == 2:
        check(name + ": no password", missing, ("AuthenticationError", "Authentication required."))
    else:
        check(name + ": no password, HELLO 3", missing,
              ("AuthenticationError", "HELLO must be called with the client already authenticated, otherwise the"
               " HELLO AUTH <user> <pass> option can be used to authenticate the client and select"
               " the RESP protocol version at the same time"))

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
