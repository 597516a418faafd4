// Open-addressing hash map from long to long: the BPE pair table, looked up once per candidate merge.
package gale.tokenizer;

/** Written only during construction, then read-only; safe for concurrent reads after publication. */
final class LongLongMap {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] keys, vals;
    private int size, mask;

    LongLongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        vals = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    /** Inserts unless the key is present (first insertion wins, like std::map::emplace). */
    boolean putIfAbsent(long k, long v) {
        if (k == EMPTY) throw new IllegalArgumentException("reserved key");
        if ((size + 1) * 2 > keys.length) rehash();
        int i = hash(k) & mask;
        while (keys[i] != EMPTY) {
            if (keys[i] == k) return false;
            i = (i + 1) & mask;
        }
        keys[i] = k; vals[i] = v; size++;
        return true;
    }

    /** The value, or {@code missing}. */
    long get(long k, long missing) {
        int i = hash(k) & mask;
        long kk;
        while ((kk = keys[i]) != EMPTY) {
            if (kk == k) return vals[i];
            i = (i + 1) & mask;
        }
        return missing;
    }

    private void rehash() {
        long[] ok = keys, ov = vals;
        keys = new long[ok.length * 2];
        vals = new long[ok.length * 2];
        java.util.Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ok[i] != EMPTY) putIfAbsent(ok[i], ov[i]);
    }
}
