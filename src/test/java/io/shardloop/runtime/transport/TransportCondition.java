package io.shardloop.runtime.transport;

import io.shardloop.runtime.shard.Transports;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips every test, saying why, when the build asks for a transport ({@value Transports#PROPERTY})
 * that cannot run on this machine: the contract's run on io_uring where the kernel or a seccomp
 * filter refuses io_uring. Registered for every test class through {@code META-INF/services}.
 */
public final class TransportCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String asked = System.getProperty(Transports.PROPERTY);
        if (asked == null) {
            return ConditionEvaluationResult.enabled("no transport asked for");
        }
        try {
            Transports.select(asked);
            return ConditionEvaluationResult.enabled("transport " + asked + " runs here");
        } catch (Transports.UnavailableException e) {
            return ConditionEvaluationResult.disabled(e.getMessage());
        }
    }
}
