// A binary min-heap of (long key, long payload) pairs: the merge queues, O(log n) per operation, no boxing.
package gale.tokenizer;

import java.util.Arrays;

/** Not thread-safe; each encode call uses its own. */
final class LongHeap {
    private long[] keys = new long[64], vals = new long[64];
    private int size;
    long topVal;

    boolean isEmpty() { return size == 0; }

    void clear() { size = 0; }

    void push(long key, long val) {
        if (size == keys.length) { keys = Arrays.copyOf(keys, size * 2); vals = Arrays.copyOf(vals, size * 2); }
        int i = size++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (keys[p] <= key) break;
            keys[i] = keys[p]; vals[i] = vals[p];
            i = p;
        }
        keys[i] = key; vals[i] = val;
    }

    /** Removes the smallest key and returns it; its payload is left in {@link #topVal}. */
    long pop() {
        long k = keys[0];
        topVal = vals[0];
        long lk = keys[--size], lv = vals[size];
        int i = 0, half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            if (c + 1 < size && keys[c + 1] < keys[c]) c++;
            if (keys[c] >= lk) break;
            keys[i] = keys[c]; vals[i] = vals[c];
            i = c;
        }
        keys[i] = lk; vals[i] = lv;
        return k;
    }
}
