package io.shardloop.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from {@code /proc/PID/stat}: user + system, every thread of it included. */
final class CpuTime {
    /** Clock ticks per second of utime and stime: USER_HZ, 100 on every Linux this runs on. */
    static final long TICKS_PER_SECOND = 100;

    private CpuTime() {
    }

    /** Microseconds of CPU the process used so far, or 0 when it is gone or /proc is not there. */
    static long micros(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        } catch (IOException e) {
            return 0;
        }
        // The command name, in parentheses, may hold spaces: count the fields after its closing one.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
        return ticks * 1_000_000 / TICKS_PER_SECOND;
    }
}
