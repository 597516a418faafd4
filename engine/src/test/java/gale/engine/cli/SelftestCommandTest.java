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
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.commandLine().execute("selftest", "--backend", "jvm", "--json");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        JsonNode rows = new ObjectMapper().readTree(out);
        int pass = 0;
        for (JsonNode r : rows) {
            assertEquals("pass", r.get("status").asText(), r.toString());
            pass++;
        }
        assertEquals(0, rc);
        assertTrue(pass >= 80, "only " + pass + " cases: " + out);
        System.out.println("selftest --json on jvm: " + pass + " cases passed");
    }
}
