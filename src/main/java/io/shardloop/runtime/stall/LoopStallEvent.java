package io.shardloop.runtime.stall;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A shard's turn that ran longer than the stall threshold, seen by the watchdog. */
@Name("io.shardloop.LoopStall")
@Label("Loop Stall")
@Category({"shardloop", "Runtime"})
@Description("An event-loop turn ran longer than the stall threshold")
final class LoopStallEvent extends Event {
    @Label("Shard")
    int shard;

    @Label("Loop")
    String loop;

    @Label("Stalled For")
    @Timespan(Timespan.NANOSECONDS)
    long stalled;

    @Label("GC Pauses During Stall")
    @Timespan(Timespan.NANOSECONDS)
    long gc;

    @Label("Loop Stack")
    String stack;
}
