package io.shardloop.scale;

import java.util.List;

/** {@code results.json}: the settings, the environment and every point, written by hand (no JSON library in the product). */
final class ScaleJson {
    private ScaleJson() {
    }

    static String render(ScaleConfig c, ScaleEnvironment env, List<ScalePoint> points, String commandLine) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"command\": ").append(str(commandLine)).append(",\n");
        b.append("  \"quick\": ").append(c.quick()).append(",\n");
        b.append("  \"environment\": {\"date\": ").append(str(env.date())).append(", \"cpu_model\": ").append(str(env.cpuModel()))
                .append(", \"online_cpus\": ").append(env.onlineCpus()).append(", \"usable_cpus\": ").append(ints(env.usableCpus()))
                .append(", \"kernel\": ").append(str(env.kernel())).append(", \"jdk\": ").append(str(env.jdk()))
                .append(", \"redis\": ").append(str(env.redisVersion())).append(", \"nginx\": ").append(str(env.nginxVersion()))
                .append(", \"taskset\": ").append(str(env.taskset())).append(", \"notes\": ").append(strs(env.notes())).append("},\n");
        b.append("  \"settings\": {\"duration_ms\": ").append(c.duration().toMillis()).append(", \"warmup_ms\": ")
                .append(c.warmup().toMillis()).append(", \"fractions\": ").append(nums(c.fractions()))
                .append(", \"connections\": ").append(c.connections()).append(", \"pipeline\": ").append(c.pipeline())
                .append(", \"load_cpus\": ").append(ints(c.loadCpus())).append(", \"pin\": ").append(c.pin())
                .append(", \"server_jvm_flags\": ")
                .append(strs(c.serverJvmFlags())).append("},\n");
        b.append("  \"points\": [");
        for (int i = 0; i < points.size(); i++) {
            ScalePoint p = points.get(i);
            b.append(i == 0 ? "\n" : ",\n");
            b.append("    {\"protocol\": ").append(str(p.target().protocolName())).append(", \"target\": ")
                    .append(str(p.target().label())).append(", \"n\": ").append(p.n())
                    .append(", \"server_cpus\": ").append(ints(p.serverCpus())).append(", \"load_cpus\": ")
                    .append(ints(p.loadCpus())).append(", \"shared_cpus\": ").append(p.sharedCpus())
                    .append(", \"peak_rps\": ").append(num(p.peakRps())).append(", \"peak_errors\": ").append(p.peakErrors())
                    .append(", \"cpu_us_per_request\": ").append(num(p.cpuUsPerReq()))
                    .append(", \"efficiency\": ").append(num(ScaleResults.efficiency(points, p)))
                    .append(", \"failure\": ").append(str(p.failure()))
                    .append(", \"command\": ").append(strs(p.command())).append(", \"rates\": [");
            for (int j = 0; j < p.rates().size(); j++) {
                ScalePoint.RatePoint r = p.rates().get(j);
                b.append(j == 0 ? "" : ", ").append("{\"fraction\": ").append(num(r.fraction()))
                        .append(", \"target_rps\": ").append(num(r.targetRps())).append(", \"achieved_rps\": ")
                        .append(num(r.achievedRps())).append(", \"p50_us\": ").append(r.p50Us()).append(", \"p99_us\": ")
                        .append(r.p99Us()).append(", \"p999_us\": ").append(r.p999Us()).append(", \"max_us\": ")
                        .append(r.maxUs()).append(", \"errors\": ").append(r.errors()).append('}');
            }
            b.append("]}");
        }
        b.append("\n  ]\n}\n");
        return b.toString();
    }

    private static String num(double v) {
        String s = ScaleResults.num(v);
        return s.isEmpty() ? "null" : s;
    }

    private static String nums(List<Double> v) {
        return "[" + String.join(", ", v.stream().map(ScaleJson::num).toList()) + "]";
    }

    private static String ints(List<Integer> v) {
        return "[" + String.join(", ", v.stream().map(String::valueOf).toList()) + "]";
    }

    private static String strs(List<String> v) {
        return "[" + String.join(", ", v.stream().map(ScaleJson::str).toList()) + "]";
    }

    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
