package io.shardloop.script;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/**
 * How a script's {@code redis.call} and {@code redis.pcall} reach the data: the engine fills the
 * command's arguments and a reply sink in the protocol the script chose ({@code redis.setresp}),
 * and converts what the command wrote into Lua values by Redis's rules.
 * <p>
 * Called on the thread running the script, once per {@code redis.call}; the arguments and the
 * sink are reused between calls and valid only during one. Refusals (a command not allowed from
 * scripts, a write from a read-only script, an undeclared key) are written as error replies, which
 * {@code redis.call} raises and {@code redis.pcall} returns.
 */
@FunctionalInterface
public interface ScriptCalls {
    void call(CommandArgs command, ReplySink reply);
}
