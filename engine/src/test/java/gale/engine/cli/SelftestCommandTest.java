// `gale selftest --json` on the jvm backend: the shipped conformance cases run and none fails.
package gale.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelftestCommandTest {
    @Test
    void jsonOnJvm() throws Exception {
        JsonNode rows = run("jvm");
        for (JsonNode r : rows) assertEquals("pass", r.get("status").asText(), r.toString());
        assertTrue(rows.size() >= 80, "only " + rows.size() + " cases");
        System.out.println("selftest --json on jvm: " + rows.size() + " cases passed");
    }

    /** Every device present: no case fails (UNSUPPORTED, with its reason, is allowed off the jvm backend). */
    @Test
    void allDevices() throws Exception {
        JsonNode rows = run("all");
        java.util.Map<String, Integer> perDevice = new java.util.TreeMap<>();
        for (JsonNode r : rows) {
            assertTrue(!r.get("status").asText().equals("fail"), r.toString());
            perDevice.merge(r.get("device").asText(), 1, Integer::sum);
        }
        assertEquals(gale.compute.Devices.available().size(), perDevice.size(), perDevice.toString());
        System.out.println("selftest --backend all --json: " + perDevice + ", no failures");
    }

    static JsonNode run(String backend) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.commandLine().execute("selftest", "--backend", backend, "--json");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        return new ObjectMapper().readTree(out);
    }
}
