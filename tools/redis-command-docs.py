#!/usr/bin/env python3
"""Writes the command documentation table the server answers COMMAND DOCS, COMMAND LIST FILTERBY
ACLCAT and COMMAND GETKEYSANDFLAGS from: Redis's own command descriptions (src/commands/*.json).

Usage: tools/redis-command-docs.py REDIS_CHECKOUT TAG > src/main/resources/io/shardloop/kv/redis-commands.tsv
(REDIS_CHECKOUT is a git directory of github.com/redis/redis; TAG e.g. 7.0.15)

One line per command or subcommand ("config|get"), tab-separated: name, group, since, summary,
complexity, ACL categories (comma-separated, lower case, with those the flags imply), key specs' flags (specs separated by
';', flags by ','). Tabs and line breaks inside a text become spaces.
"""
import json
import subprocess
import sys


# Redis's ACL categories in its own order (acl.c's ACLCommandCategories).
CATEGORIES = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
              "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
              "transaction", "scripting"]


def categories(c):
    """The command's own categories and those its flags imply (server.c's setImplicitACLCategories)."""
    flags = {f.lower() for f in c.get("command_flags", [])}
    cats = {a.lower() for a in c.get("acl_categories", [])}
    if "write" in flags:
        cats.add("write")
    if "readonly" in flags and "scripting" not in cats:
        cats.add("read")
    if "admin" in flags:
        cats |= {"admin", "dangerous"}
    if "pubsub" in flags:
        cats.add("pubsub")
    if "fast" in flags:
        cats.add("fast")
    if "blocking" in flags:
        cats.add("blocking")
    if "fast" not in cats:
        cats.add("slow")
    return [k for k in CATEGORIES if k in cats]


def clean(text):
    return " ".join(str(text).split())


def main():
    repo, tag = sys.argv[1], sys.argv[2]
    names = subprocess.run(["git", "-C", repo, "ls-tree", "--name-only", tag, "src/commands/"],
                           check=True, capture_output=True, text=True).stdout.split()
    rows = []
    for path in names:
        if not path.endswith(".json"):
            continue
        spec = json.loads(subprocess.run(["git", "-C", repo, "show", tag + ":" + path],
                                         check=True, capture_output=True, text=True).stdout)
        for name, c in spec.items():
            full = name.lower() if "container" not in c else c["container"].lower() + "|" + name.lower()
            specs = ";".join(",".join(f.lower() for f in k.get("flags", [])) for k in c.get("key_specs", []))
            rows.append("\t".join([full, c.get("group", ""), c.get("since", ""), clean(c.get("summary", "")),
                                   clean(c.get("complexity", "")),
                                   ",".join(categories(c)), specs]))
    print("# From redis/redis " + tag + " src/commands/*.json by tools/redis-command-docs.py; do not edit.")
    for row in sorted(rows):
        print(row)


if __name__ == "__main__":
    main()
