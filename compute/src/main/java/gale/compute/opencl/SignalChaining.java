// Warns when an LLVM-based OpenCL driver shares the process with a JVM that has no signal chaining (libjsig).
package gale.compute.opencl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PoCL (and other drivers built on LLVM) install LLVM's crash handlers for SIGSEGV, SIGBUS, SIGILL and SIGFPE, replacing
 * the JVM's own: HotSpot takes SIGSEGV on purpose (implicit null checks), so after that any such trap kills the JVM
 * with exit 139 and no crash log. The JDK's {@code lib/libjsig.so}, preloaded, keeps the JVM's handlers first and
 * chains the driver's behind them; {@code scripts/gale} and the test configuration preload it. Without it this class
 * says so once, on stderr, naming the fix. Stateless; thread-safe.
 */
final class SignalChaining {
    private SignalChaining() {}

    private static volatile boolean warned;

    /** Prints the warning once if this process maps LLVM but not libjsig (Linux; elsewhere nothing is known). */
    static void warnIfUnchained() {
        if (warned) return;
        String maps;
        try {
            maps = Files.readString(Path.of("/proc/self/maps"));
        } catch (IOException | RuntimeException e) {
            return;
        }
        String w = warning(maps, System.getProperty("java.home"));
        if (w != null) {
            warned = true;
            System.err.println(w);
        }
    }

    /** The warning for a process whose memory map is {@code maps}, or null when there is nothing to fear. */
    static String warning(String maps, String javaHome) {
        if (!maps.contains("libLLVM") || maps.contains("libjsig")) return null;
        return "gale: warning: an OpenCL driver built on LLVM is loaded, and LLVM replaces the JVM's SIGSEGV handler, which "
                + "can crash the JVM (exit 139, no crash log); start Java with LD_PRELOAD=" + javaHome + "/lib/libjsig.so (scripts/gale does)";
    }
}
