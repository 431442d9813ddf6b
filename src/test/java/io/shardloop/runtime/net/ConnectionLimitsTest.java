package io.shardloop.runtime.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionLimitsTest {
    @Test
    void shouldNameTheValuesItRefusesNotARecordOfZeros() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConnectionLimits(64 * 1024, 1024, 2048, 64L << 20, 1 << 20, 0, 0));
        assertTrue(e.getMessage().contains("low water 2048, high water 1024"), e.getMessage());
    }
}
