// Finds stop strings in streamed text, also when they span tokens, holding back text that may begin one.
package gale.engine.generate;

import java.util.List;

/**
 * Streams text through stop-string detection. {@link #accept} returns the text that is safe to emit now: anything
 * that could still be the start of a stop string is held back until the next piece decides it. When a stop string
 * completes, text up to (not including) it is emitted and {@link #stopped()} turns true. Not thread-safe.
 */
public final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;
    private String matched;

    public StopStrings(List<String> stops) {
        for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("empty stop string");
        this.stops = List.copyOf(stops);
    }

    /** Adds a decoded piece; returns the text to emit now. */
    public String accept(String piece) {
        if (stopped) return "";
        pending.append(piece);
        int cut = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) { cut = at; matched = s; }
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        // Hold back the longest suffix that is a proper prefix of some stop string.
        int hold = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, pending.length()); len > hold; len--) {
                if (pending.substring(pending.length() - len).equals(s.substring(0, len))) { hold = len; break; }
            }
        }
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** Text still held back (emit it when generation ends for another reason). */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    public boolean stopped() { return stopped; }

    /** The stop string that matched, or null. */
    public String matched() { return matched; }
}
