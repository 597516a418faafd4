// The libjsig warning: when it is due, and that the test JVMs (LD_PRELOAD from the build) do not need it.
package gale.compute.opencl;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignalChainingTest {
    @Test
    void warnsOnlyForLlvmWithoutLibjsig() {
        String llvm = "7f0549000000-7f054a000000 r-xp 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1\n";
        String jsig = "7f0550000000-7f0550001000 r-xp 00000000 08:01 456 /usr/lib/jvm/temurin-25/lib/libjsig.so\n";
        String w = SignalChaining.warning(llvm, "/jdk");
        assertTrue(w != null && w.contains("LD_PRELOAD=/jdk/lib/libjsig.so"), w);
        assertNull(SignalChaining.warning(llvm + jsig, "/jdk"));
        assertNull(SignalChaining.warning(jsig, "/jdk"));
        assertNull(SignalChaining.warning("", "/jdk"));
    }

    @Test
    void theTestJvmChainsSignals() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return;   // not Linux: nothing to check
        // the build preloads libjsig for every test JVM (root pom, surefire environmentVariables)
        assertTrue(Files.readString(maps).contains("libjsig"), "the test JVM should run with LD_PRELOAD=$JAVA_HOME/lib/libjsig.so");
        assertFalse(OpenCLBackend.openclDevices().isEmpty() && SignalChaining.warning(Files.readString(maps), "") != null);
    }
}
