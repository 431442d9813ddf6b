package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mailbox message types of the key-value layer are declared in several classes (the commands,
 * the transactions, the blocked clients, pub/sub, the questions about connections), all read by one {@link KvShard#onMessage}:
 * each must be its own.
 */
class MessageTypesTest {
    @Test
    void everyMessageTypeIsDistinct() throws IllegalAccessException {
        Map<Integer, String> seen = new HashMap<>();
        for (Class<?> owner : new Class<?>[] {KvShard.class, ShardTransactions.class, PubSubShard.class,
                ConnectionQuestions.class, TrackingShard.class, ShardBlocking.class}) {
            for (Field f : owner.getDeclaredFields()) {
                if (f.getName().startsWith("MSG_") && Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                    f.setAccessible(true);
                    int type = f.getInt(null);
                    String name = owner.getSimpleName() + "." + f.getName();
                    assertTrue(type >= 1, name + " is " + type + ": message types start at 1");
                    String before = seen.put(type, name);
                    if (before != null) {
                        fail(name + " and " + before + " are both message type " + type);
                    }
                }
            }
        }
        assertTrue(seen.size() >= 15, "found only " + seen);
    }
}
