// Program binaries compiled offline (the FPGA flow) and where Gale looks for them.
package gale.compute.opencl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Offline-compiled OpenCL program binaries, looked up before any source build. FPGA toolchains (Intel's {@code aoc},
 * AMD/Xilinx's {@code v++}) compile kernels ahead of time, for hours; their output is loaded here with
 * {@code clCreateProgramWithBinary}. A kernel whose {@code entryName} has a binary here never builds from source on
 * any OpenCL device; if the binary does not load, compilation fails with the device's log (no fallback).
 *
 * <p>Two ways to provide one, checked in this order:
 * <ol>
 *   <li>{@link #useBinary(String, Path)}: this file for this kernel entry, on every OpenCL device;</li>
 *   <li>the system property {@code gale.opencl.binaries=DIR}: the file {@code DIR/<entryName>.<device>.bin}, where
 *       {@code <device>} is the device name with every character outside {@code [A-Za-z0-9]} replaced by {@code _}
 *       (see {@link #deviceFileName}).</li>
 * </ol>
 * Thread-safe. Registrations affect kernels compiled afterwards.
 */
public final class OpenCLPrograms {
    private static final Map<String, Path> BINARIES = new ConcurrentHashMap<>();

    private OpenCLPrograms() {}

    /** Use the program binary at {@code binary} for the kernel entry {@code entryName} (the C function name). */
    public static void useBinary(String entryName, Path binary) {
        Objects.requireNonNull(entryName, "entryName");
        Objects.requireNonNull(binary, "binary");
        BINARIES.put(entryName, binary);
    }

    /** Forget a {@link #useBinary} registration; returns whether there was one. */
    public static boolean forget(String entryName) { return BINARIES.remove(entryName) != null; }

    /** The name a binary for {@code entryName} on a device called {@code deviceName} has in {@code gale.opencl.binaries}. */
    public static String deviceFileName(String entryName, String deviceName) {
        return entryName + "." + deviceName.replaceAll("[^A-Za-z0-9]", "_") + ".bin";
    }

    /** The offline binary for this entry on this device, or null when none is provided. */
    static Path find(String entryName, String deviceName) {
        Path p = BINARIES.get(entryName);
        if (p != null) return p;
        String dir = System.getProperty("gale.opencl.binaries");
        if (dir == null || dir.isBlank()) return null;
        Path f = Path.of(dir.trim()).resolve(deviceFileName(entryName, deviceName));
        return Files.isRegularFile(f) ? f : null;
    }
}
