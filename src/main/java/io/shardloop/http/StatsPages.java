package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import io.shardloop.kv.KvShard;
import io.shardloop.runtime.mailbox.MailboxStats;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.shard.ShardStats;

import java.util.List;

/**
 * {@code /stats} (JSON) and {@code /metrics} (Prometheus text, label {@code shard}), built from
 * every shard's single-writer counters: any shard may read all of them without a lock.
 */
final class StatsPages {
    private StatsPages() {
    }

    static String json(ShardGroup group, HttpProtocol http) {
        List<ShardStats> stats = group.stats();
        StringBuilder sb = new StringBuilder(256 + 256 * stats.size()).append("{\"shards\":[");
        long connections = 0;
        long requests = 0;
        long in = 0;
        long out = 0;
        for (int i = 0; i < stats.size(); i++) {
            ShardStats s = stats.get(i);
            long req = http.counter(s.shard(), HttpStats.REQUESTS);
            connections += s.openConnections();
            requests += req;
            in += s.counter(NetStats.BYTES_READ);
            out += s.counter(NetStats.BYTES_WRITTEN);
            sb.append(i == 0 ? "" : ",").append("{\"shard\":").append(s.shard())
                    .append(",\"cpu\":").append(s.cpu())
                    .append(",\"connections\":").append(s.openConnections())
                    .append(",\"accepted\":").append(s.accepted())
                    .append(",\"requests\":").append(req)
                    .append(",\"bytes_in\":").append(s.counter(NetStats.BYTES_READ))
                    .append(",\"bytes_out\":").append(s.counter(NetStats.BYTES_WRITTEN))
                    .append(",\"loop_turns\":").append(s.turns())
                    .append(",\"busy_ns\":").append(s.busyNanos())
                    .append(",\"stalls\":").append(s.stalls());
            for (int c = 0; c < MailboxStats.COUNT; c++) {
                sb.append(",\"mailbox_").append(MailboxStats.name(c)).append("\":").append(s.mailboxCounter(c));
            }
            for (int c = 0; c < HttpStats.COUNT; c++) {
                if (c != HttpStats.REQUESTS) {
                    sb.append(",\"").append(HttpStats.name(c)).append("\":").append(http.counter(s.shard(), c));
                }
            }
            sb.append('}');
        }
        return sb.append("],\"total\":{\"connections\":").append(connections).append(",\"requests\":").append(requests)
                .append(",\"bytes_in\":").append(in).append(",\"bytes_out\":").append(out)
                .append("},\"offload\":{\"queued\":").append(group.offload().queued())
                .append(",\"completed\":").append(group.offload().completed())
                .append(",\"rejected\":").append(group.offload().rejected())
                .append(",\"failed\":").append(group.offload().failed()).append("}}\n").toString();
    }

    static String prometheus(ShardGroup group, HttpProtocol http) {
        List<ShardStats> stats = group.stats();
        StringBuilder sb = new StringBuilder(2048);
        family(sb, stats, "shardloop_connections", "gauge", "Open connections.", s -> s.openConnections());
        family(sb, stats, "shardloop_connections_accepted_total", "counter", "Connections accepted.", ShardStats::accepted);
        family(sb, stats, "shardloop_http_requests_total", "counter", "HTTP requests parsed and answered.",
                s -> http.counter(s.shard(), HttpStats.REQUESTS));
        family(sb, stats, "shardloop_http_parse_errors_total", "counter", "Requests refused by the parser.",
                s -> http.counter(s.shard(), HttpStats.PARSE_ERRORS));
        family(sb, stats, "shardloop_bytes_read_total", "counter", "Bytes received.", s -> s.counter(NetStats.BYTES_READ));
        family(sb, stats, "shardloop_bytes_written_total", "counter", "Bytes sent.", s -> s.counter(NetStats.BYTES_WRITTEN));
        family(sb, stats, "shardloop_loop_turns_total", "counter", "Event loop turns.", ShardStats::turns);
        family(sb, stats, "shardloop_stalls_total", "counter", "Loop turns longer than the stall threshold.",
                ShardStats::stalls);
        family(sb, stats, "shardloop_mailbox_sent_total", "counter", "Cross-shard messages sent.",
                s -> s.mailboxCounter(MailboxStats.SENT));
        family(sb, stats, "shardloop_mailbox_received_total", "counter", "Cross-shard messages received.",
                s -> s.mailboxCounter(MailboxStats.RECEIVED));
        family(sb, stats, "shardloop_mailbox_backlog", "gauge", "Messages waiting in the overflow towards full rings.",
                s -> s.mailboxCounter(MailboxStats.BACKLOG));
        family(sb, stats, "shardloop_mailbox_backlog_full_total", "counter", "Sends refused because the overflow was full.",
                s -> s.mailboxCounter(MailboxStats.BACKLOG_FULL));
        family(sb, stats, "shardloop_mailbox_wakeups_total", "counter", "Wake-ups sent to sleeping shards.",
                s -> s.mailboxCounter(MailboxStats.WAKEUPS));
        family(sb, stats, "shardloop_mailbox_in_flight", "gauge", "Requests sent to other shards and not yet answered.",
                s -> s.mailboxCounter(MailboxStats.IN_FLIGHT));
        family(sb, stats, "shardloop_mailbox_credit_waits_total", "counter",
                "Requests held back because the credit towards their shard was used up.",
                s -> s.mailboxCounter(MailboxStats.CREDIT_WAITS));
        family(sb, stats, "shardloop_mailbox_parked", "gauge",
                "Requests from other shards parked while the replies to them are backed up.",
                s -> s.mailboxCounter(MailboxStats.PARKED_NOW));
        family(sb, stats, "shardloop_mailbox_large_total", "counter", "Messages too long for a ring record, sent beside it.",
                s -> s.mailboxCounter(MailboxStats.LARGE));
        if (http.kv() != null) {
            family(sb, stats, "shardloop_kv_waiting", "gauge", "Connections whose command waits for credit to another shard.",
                    s -> kvCounter(http, s, KvShard.WAITING));
            family(sb, stats, "shardloop_kv_transactions_total", "counter",
                    "Transactions over several shards coordinated here (MULTI/EXEC, MSET over several, ...).",
                    s -> kvCounter(http, s, KvShard.TRANSACTIONS));
            family(sb, stats, "shardloop_kv_transaction_retries_total", "counter",
                    "Times a transaction over several shards started again with a new id.",
                    s -> kvCounter(http, s, KvShard.TRANSACTION_RETRIES));
            family(sb, stats, "shardloop_kv_lock_waits_total", "counter",
                    "Commands that waited for a transaction's key locks.",
                    s -> kvCounter(http, s, KvShard.LOCK_WAITS));
            family(sb, stats, "shardloop_kv_blocked_clients", "gauge",
                    "Clients of this shard blocked in BLPOP and the other blocking commands.",
                    s -> kvCounter(http, s, KvShard.BLOCKED_CLIENTS));
            family(sb, stats, "shardloop_kv_blocked_wakeups_total", "counter",
                    "Clients blocked on this shard's keys that it served (sharded mode).",
                    s -> kvCounter(http, s, KvShard.BLOCKED_WAKEUPS));
        }
        sb.append("# HELP shardloop_offload_queued Blocking tasks waiting for an offload thread (all shards).\n")
                .append("# TYPE shardloop_offload_queued gauge\n")
                .append("shardloop_offload_queued ").append(group.offload().queued()).append('\n')
                .append("# HELP shardloop_offload_completed_total Blocking tasks finished and handed back.\n")
                .append("# TYPE shardloop_offload_completed_total counter\n")
                .append("shardloop_offload_completed_total ").append(group.offload().completed()).append('\n')
                .append("# HELP shardloop_offload_rejected_total Blocking tasks refused because the pool was full.\n")
                .append("# TYPE shardloop_offload_rejected_total counter\n")
                .append("shardloop_offload_rejected_total ").append(group.offload().rejected()).append('\n');
        sb.append("# HELP shardloop_loop_busy_seconds_total Time the event loop spent working, not waiting.\n")
                .append("# TYPE shardloop_loop_busy_seconds_total counter\n");
        for (ShardStats s : stats) {
            sb.append("shardloop_loop_busy_seconds_total{shard=\"").append(s.shard()).append("\"} ")
                    .append(s.busyNanos() / 1e9).append('\n');
        }
        return sb.toString();
    }

    /** One key-value counter of a shard, 0 before its service exists. */
    private static long kvCounter(HttpProtocol http, ShardStats s, int counter) {
        var service = http.kv().serviceOrNull(s.shard());
        return service == null ? 0 : service.counters().get(counter);
    }

    private static void family(StringBuilder sb, List<ShardStats> stats, String name, String type, String help,
                               java.util.function.ToLongFunction<ShardStats> value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (ShardStats s : stats) {
            sb.append(name).append("{shard=\"").append(s.shard()).append("\"} ").append(value.applyAsLong(s)).append('\n');
        }
    }
}
