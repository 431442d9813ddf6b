package io.shardloop.kv;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * The sizes of objects on this JVM, read once from its flags: the object header, a reference and
 * the alignment every object is padded to. What {@link MemoryUsage} builds its estimates from.
 * <pre>
 *   flag                                  default (heap under 32 GB)   otherwise
 *   UseCompactObjectHeaders (JDK 24+)     off: header 12 bytes          on: 8
 *   UseCompressedClassPointers            on                            off: header 16
 *   UseCompressedOops                     on: reference 4 bytes         off: 8
 *   ObjectAlignmentInBytes                8
 * </pre>
 * An object is its header plus its fields, padded; an array is its header, a 4-byte length and its
 * elements, padded. Field packing is taken as dense (HotSpot fills gaps since JDK 15). Immutable.
 */
final class ObjectLayout {
    static final int HEADER;
    static final int REFERENCE;
    static final int ALIGNMENT;
    static final int ARRAY_BASE;

    static {
        HotSpotDiagnosticMXBean vm = null;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot: the defaults below are the common layout
        }
        boolean compact = flag(vm, "UseCompactObjectHeaders", false);
        boolean compressedClasses = flag(vm, "UseCompressedClassPointers", true);
        HEADER = compact ? 8 : compressedClasses ? 12 : 16;
        REFERENCE = flag(vm, "UseCompressedOops", true) ? 4 : 8;
        ALIGNMENT = (int) number(vm, "ObjectAlignmentInBytes", 8);
        ARRAY_BASE = HEADER + 4;
    }

    private ObjectLayout() {
    }

    /** An object of this many bytes of fields. */
    static long object(int fieldBytes) {
        return align(HEADER + fieldBytes);
    }

    /** An array of {@code length} elements of {@code elementBytes} each. */
    static long array(long length, int elementBytes) {
        return align(ARRAY_BASE + length * elementBytes);
    }

    static long referenceArray(long length) {
        return array(length, REFERENCE);
    }

    static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static boolean flag(HotSpotDiagnosticMXBean vm, String name, boolean fallback) {
        try {
            return vm == null ? fallback : Boolean.parseBoolean(vm.getVMOption(name).getValue());
        } catch (IllegalArgumentException e) {
            return fallback; // no such flag on this JVM
        }
    }

    private static long number(HotSpotDiagnosticMXBean vm, String name, long fallback) {
        try {
            return vm == null ? fallback : Long.parseLong(vm.getVMOption(name).getValue());
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }
}
