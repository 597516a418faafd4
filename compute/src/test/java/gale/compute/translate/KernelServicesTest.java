// The processor lists every library it generates in META-INF/services/gale.compute.spi.KernelLibrary.
package gale.compute.translate;

import gale.compute.spi.KernelLibrary;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelServicesTest {
    @Test
    void testCompilationsLibrariesAreServices() throws Exception {
        List<String> found = new ArrayList<>();
        for (KernelLibrary lib : ServiceLoader.load(KernelLibrary.class, getClass().getClassLoader())) found.add(lib.getClass().getName());
        assertTrue(found.contains("gale.compute.kernels.TestKernels_GaleKernels"), found.toString());
        assertTrue(found.contains("gale.compute.kernels.TestKernels$Nested_GaleKernels"), found.toString());
        // Written once per compilation (at processingOver), sorted, one binary name per line, no duplicates.
        for (URL u : Collections.list(getClass().getClassLoader().getResources(KernelProcessor.SERVICES_FILE))) {
            if (!u.toString().contains("test-classes")) continue;
            try (InputStream in = u.openStream()) {
                List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
                assertEquals(lines.stream().distinct().sorted().toList(), lines, u.toString());
                assertTrue(lines.stream().allMatch(l -> l.endsWith("_GaleKernels")), lines.toString());
            }
        }
    }
}
