package io.shardloop.resp;

import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** INFO's text: Redis's sections and fields with real figures, readable the way redis-cli reads them. */
class InfoReportTest {
    private final FakeServerView view = new FakeServerView();

    private String info(String... sections) {
        String[] words = new String[sections.length + 1];
        words[0] = "INFO";
        System.arraycopy(sections, 0, words, 1, sections.length);
        return InfoReport.render(view, CommandArgs.of(words));
    }

    /** redis-cli's getLongInfoField: strstr for the name, then strtol up to CR or comma; LONG_MIN when absent. */
    static long redisCliField(String info, String field) {
        int at = info.indexOf(field);
        if (at < 0) {
            return Long.MIN_VALUE;
        }
        int from = at + field.length() + 1;
        int end = info.indexOf('\r', from);
        int comma = info.indexOf(',', from);
        if (comma >= 0 && comma < end) {
            end = comma;
        }
        String digits = info.substring(from, end);
        int n = 0;
        while (n < digits.length() && (Character.isDigit(digits.charAt(n)) || n == 0 && digits.charAt(0) == '-')) {
            n++;
        }
        return n == 0 ? 0 : Long.parseLong(digits.substring(0, n));
    }

    @Test
    void shouldGiveEveryFieldRedisCliStatReadsAsARealNumber() {
        String info = info();
        assertEquals(42, redisCliField(info, "db0:keys"));
        assertTrue(redisCliField(info, "used_memory") > 0, "heap and direct memory in use");
        assertEquals(3, redisCliField(info, "connected_clients"));
        assertEquals(0, redisCliField(info, "blocked_clients"));
        assertEquals(1234, redisCliField(info, "total_commands_processed"));
        assertEquals(9, redisCliField(info, "total_connections_received"));
        assertEquals(0, redisCliField(info, "bgsave_in_progress"));
        assertEquals(0, redisCliField(info, "aof_rewrite_in_progress"));
        assertEquals(0, redisCliField(info, "loading"));
        assertEquals(0, redisCliField(info, "cluster_enabled"));
    }

    @Test
    void shouldNameThePortServedAfterTheRunIdAsRedisDoes() {
        assertTrue(info().matches("(?s).*\r\nrun_id:[0-9a-f]{40}\r\ntcp_port:6379\r\n.*"), info());
    }

    @Test
    void shouldPutTheFieldsRedisCliFindsBySubstringFirst() {
        String info = info();
        assertEquals(info.indexOf("\r\nused_memory:") + 2, info.indexOf("used_memory"));
        assertEquals(info.indexOf("\r\nloading:") + 2, info.indexOf("loading"));
        assertEquals(info.indexOf("\r\nconnected_clients:") + 2, info.indexOf("connected_clients"));
    }

    @Test
    void shouldReportTheKeyspaceMemoryClientsAndStats() {
        String info = info();
        assertTrue(info.contains("\r\n# Keyspace\r\ndb0:keys=42,expires=7,avg_ttl=61000\r\n"), info);
        assertTrue(info.contains("maxclients:500\r\n"), info);
        assertTrue(info.contains("rejected_connections:2\r\n"), info);
        assertTrue(info.contains("expired_keys:11\r\n"), info);
        assertTrue(info.contains("total_net_input_bytes:5000\r\ntotal_net_output_bytes:7000\r\n"), info);
        assertTrue(info.contains("instantaneous_ops_per_sec:0\r\n"), info);
        assertTrue(info.contains("uptime_in_days:1\r\n"), info);
        assertTrue(info.contains("server_model:fake\r\n"), "the view's own server fields");
        assertTrue(info.contains("maxmemory:0\r\n"), info);
        for (String field : new String[] {"used_memory_human", "used_memory_peak", "jvm_heap_used", "jvm_direct_used",
            "mem_allocator"}) {
            assertTrue(info.contains("\r\n" + field + ":"), field);
        }
        assertTrue(redisCliField(info, "used_memory_peak") >= redisCliField(info, "used_memory"));
        assertTrue(info.startsWith("# Server\r\nredis_version:7.2.0\r\n"), info);
        assertTrue(info.endsWith("\r\n\r\n# Extra\r\nextra_field:1\r\n"), "the view's own section, last");
    }

    @Test
    void shouldShowNoDatabaseWithoutKeys() {
        view.keys = 0;
        assertEquals("# Keyspace\r\n", info("keyspace"));
    }

    @Test
    void shouldGiveOnlyTheSectionsAsked() {
        assertEquals(List.of("# Clients"), headers(info("clients")));
        assertEquals(List.of("# Server", "# Clients"), headers(info("CLIENTS", "server")));
        assertEquals(List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication",
                "# Errorstats", "# Cluster", "# Keyspace", "# Extra"), headers(info()));
        assertEquals(List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication",
                "# Commandstats", "# Errorstats", "# Cluster", "# Keyspace", "# Extra"), headers(info("all")),
                "as in Redis, commandstats in all, not in the default set");
        assertEquals(headers(info("default")), headers(info()));
        assertEquals(List.of("# Commandstats"), headers(info("commandstats")));
        assertEquals(List.of("# Extra"), headers(info("extra")));
        assertEquals("", info("nosuch"));
    }

    @Test
    void shouldWriteSizesAsRedisDoes() {
        assertEquals("0B", InfoReport.human(0));
        assertEquals("1023B", InfoReport.human(1023));
        assertEquals("1.00K", InfoReport.human(1024));
        assertEquals("1.50M", InfoReport.human(3 * 512 * 1024));
        assertEquals("2.00G", InfoReport.human(2L << 30));
    }

    @Test
    void shouldAverageTheRateOverTheLastSixteenSamples() {
        InstantaneousRate rate = new InstantaneousRate();
        rate.sample(1_000, 0);
        assertEquals(0, rate.perSecond(), "one sample is only the start");
        for (int i = 1; i <= 8; i++) {
            rate.sample(1_000 + i * 100, i * 100L); // 100 per 100 ms
        }
        assertEquals(500, rate.perSecond(), "8 of 16 samples at 1000/s: Redis counts the empty ones as 0");
        for (int i = 9; i <= 16; i++) {
            rate.sample(1_000 + i * 100, i * 100L);
        }
        assertEquals(1000, rate.perSecond());
        for (int i = 17; i <= 32; i++) {
            rate.sample(1_000 + i * 100, 1600);
        }
        assertEquals(0, rate.perSecond(), "idle for 1.6 s: the window has slid past the traffic");
    }

    private static List<String> headers(String info) {
        List<String> out = new ArrayList<>();
        for (String line : info.split("\r\n")) {
            if (line.startsWith("# ")) {
                out.add(line);
            }
        }
        return out;
    }

    @Test
    void shouldNotAnswerWithoutASection() {
        assertFalse(info("clients").contains("used_memory"));
    }
}
