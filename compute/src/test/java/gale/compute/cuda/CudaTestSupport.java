// Helpers shared by the cuda tests: test resources, external tools, and skip-or-fail rules for optional toolchains.
package gale.compute.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

final class CudaTestSupport {
    private CudaTestSupport() {}

    static String resource(String name) {
        try (InputStream in = CudaTestSupport.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("test resource " + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Skips (loudly, with the reason in the report) when an optional tool is missing, unless the environment variable
     * {@code requireVar} is "true": then a missing tool fails, so a CI that promises the tool cannot pass without it.
     */
    static void requireOrSkip(boolean present, String requireVar, String what) {
        if (present) return;
        String msg = "SKIPPED: " + what + " (set " + requireVar + "=true to make this a failure)";
        System.err.println("[gale cuda tests] " + msg);
        if ("true".equalsIgnoreCase(System.getenv(requireVar))) fail(what + " but " + requireVar + "=true");
        assumeTrue(false, msg);
    }

    /** The first executable named {@code tool} on PATH or in the CUDA toolkits, or null. */
    static Path findTool(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(":")) {
            if (d.isBlank()) continue;
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        for (Path root : CudaLibraries.toolkitRoots()) {
            Path p = root.resolve("bin").resolve(tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    record Run(int exit, String output) {}

    static Run run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
