package io.shardloop.runtime.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/** What {@link LinuxFiles} and {@link LinuxSockets} share in binding the C library through FFM. */
final class NativeCalls {
    private NativeCalls() {
    }

    /**
     * Why the calls cannot be made here, or null: not Linux, an architecture whose flag values and
     * struct layouts are not known here, or native access not enabled.
     */
    static String platformProblem() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("Linux")) {
            return "not Linux (" + os + ")";
        }
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return "an architecture whose flag values and struct layouts are not known here (" + arch + ")";
        }
        if (!NativeCalls.class.getModule().isNativeAccessEnabled()) {
            return "native access is not enabled (--enable-native-access=ALL-UNNAMED)";
        }
        return null;
    }

    /** A downcall handle for the C library's {@code symbol}. */
    static MethodHandle bind(Linker linker, SymbolLookup libc, String symbol, FunctionDescriptor type,
                             Linker.Option... options) {
        MemorySegment address = libc.find(symbol)
                .orElseThrow(() -> new IllegalStateException("no " + symbol + " in the C library"));
        return linker.downcallHandle(address, type, options);
    }

    /** What a downcall's invokeExact threw: a RuntimeException as it is, an Error rethrown, else wrapped. */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("a downcall threw", t);
    }
}
